package dev.jkernel.fs;

import dev.jkernel.kernel.Errno;
import dev.jkernel.kernel.ErrnoException;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * An in-memory file system with the semantics of Linux's tmpfs (mm/shmem.c, and fs/libfs.c's simple_offset
 * directories): regular files kept in 4 KiB pages allocated on first write (holes read as zeros; SEEK_DATA,
 * SEEK_HOLE and st_blocks see them), directories whose entries keep the offset they got when they were added (so a
 * getdents64 offset stays valid while other entries come and go), symlinks, hard links and device nodes.
 *
 * <p>Its size is limited like tmpfs's {@code size=} option, and so is its number of inodes: past either, ENOSPC. An
 * unlinked file lives on while it is open: its pages count against the size until the last open description goes
 * (mappings keep reading it after that, as the garbage collector keeps what they refer to).
 *
 * <p>Permissions are Linux's generic_permission with the caller's {@link Cred}; uid 0 overrides them as
 * CAP_DAC_OVERRIDE does. One lock, this object, guards everything: names, attributes and data. The callers are
 * {@link TmpNode} and {@link TmpFile}; the mount-level checks (EROFS, EXDEV, EBUSY) are the Vfs's and the syscalls'.
 */
public final class Tmpfs {
    public static final long TMPFS_MAGIC = 0x01021994L;
    static final int PAGE_SHIFT = 12, PAGE_SIZE = 1 << PAGE_SHIFT;
    /** What each entry adds to a directory's st_size (shmem's BOGO_DIRENT_SIZE); "." and ".." count too. */
    static final int BOGO_DIRENT_SIZE = 20;
    /** Symlink targets up to this long (NUL included) live in the inode; longer ones take a page. */
    static final int SHORT_SYMLINK_LEN = 128;
    /** Directory offsets: 0 is ".", 1 is "..", entries get 2, 3, ... as they are added. */
    static final long FIRST_COOKIE = 2;
    static final int S_ISUID = 04000, S_ISGID = 02000, S_ISVTX = 01000, S_IXGRP = 010;
    static final int RENAME_NOREPLACE = 1, RENAME_EXCHANGE = 2;

    /** st_dev of every file here. */
    final long dev;
    final long maxPages, maxInodes;
    private long usedPages, usedInodes;
    private long nextIno = 1;
    /** The time of day in nanoseconds since the epoch: the kernel's (virtual in a deterministic kernel). */
    private final LongSupplier clock;
    final Dir root;

    /**
     * @param dev       the device number its files report
     * @param sizeBytes the most file data it holds (rounded down to pages)
     * @param rootMode  permission bits of its top directory
     * @param owner     owner of its top directory
     * @param clock     the time of day in nanoseconds since the epoch, for file times
     */
    public Tmpfs(long dev, long sizeBytes, int rootMode, Cred owner, LongSupplier clock) {
        this.dev = dev;
        this.clock = clock;
        this.maxPages = Math.max(1, sizeBytes >>> PAGE_SHIFT);
        this.maxInodes = Math.max(1024, maxPages);
        this.root = new Dir(nextIno++, Stat.S_IFDIR | (rootMode & 07777), owner.uid(), owner.gid());
        touch(root, true, true, true);
        usedInodes = 1;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Inodes
    // ------------------------------------------------------------------------------------------------------------

    abstract static class Inode {
        final long ino;
        int mode, uid, gid;
        long nlink = 1;
        long aSec, mSec, cSec;
        int aNs, mNs, cNs;
        /** Open file descriptions of a regular file: its pages are released when this and nlink are both 0. */
        int opens;
        boolean freed;

        Inode(long ino, int mode, int uid, int gid) {
            this.ino = ino;
            this.mode = mode;
            this.uid = uid;
            this.gid = gid;
        }

        int type() {
            return mode & Stat.S_IFMT;
        }
    }

    static final class Dir extends Inode {
        /** The directory holding this one (null for the top); a directory has exactly one name. */
        Dir parent;
        String name;
        final HashMap<String, Entry> byName = new HashMap<>();
        final TreeMap<Long, Entry> byCookie = new TreeMap<>();
        long nextCookie = FIRST_COOKIE;
        /** Removed (Linux's S_DEAD): nothing can be created in it, getdents64 answers ENOENT. */
        boolean dead;

        Dir(long ino, int mode, int uid, int gid) {
            super(ino, mode, uid, gid);
            nlink = 2;
        }
    }

    static final class Reg extends Inode {
        /** The file's pages by index; a missing page is a hole. No page lies wholly past the end. */
        final TreeMap<Long, byte[]> pages = new TreeMap<>();
        long size;
        /** File seals (F_ADD_SEALS): a file not made by memfd_create(MFD_ALLOW_SEALING) is sealed against sealing. */
        int seals = F_SEAL_SEAL;

        Reg(long ino, int mode, int uid, int gid) {
            super(ino, mode, uid, gid);
        }
    }

    static final class Symlink extends Inode {
        final String target;
        final boolean ownsPage;

        Symlink(long ino, int uid, int gid, String target, boolean ownsPage) {
            super(ino, Stat.S_IFLNK | 0777, uid, gid);
            this.target = target;
            this.ownsPage = ownsPage;
        }
    }

    /** A device node, FIFO or socket: its attributes, and a FIFO's pipe while it is open. */
    static final class Special extends Inode {
        final long rdev;
        /** For a FIFO, what its opens share; else null. */
        final Fifo fifo;

        Special(long ino, int mode, int uid, int gid, long rdev) {
            super(ino, mode, uid, gid);
            this.rdev = rdev;
            this.fifo = (mode & Stat.S_IFMT) == Stat.S_IFIFO ? new Fifo(ino) : null;
        }
    }

    /** A directory entry; the cookie is its getdents64 offset. */
    record Entry(String name, Inode inode, long cookie) {}

    private static ErrnoException err(int errno) {
        return new ErrnoException(errno);
    }

    private long allocIno() throws ErrnoException {
        if (usedInodes >= maxInodes) {
            throw err(Errno.ENOSPC);
        }
        usedInodes++;
        return nextIno++;
    }

    private void touch(Inode i, boolean a, boolean m, boolean c) {
        long t = clock.getAsLong();
        long s = Math.floorDiv(t, 1_000_000_000L);
        int ns = (int) Math.floorMod(t, 1_000_000_000L);
        if (a) {
            i.aSec = s;
            i.aNs = ns;
        }
        if (m) {
            i.mSec = s;
            i.mNs = ns;
        }
        if (c) {
            i.cSec = s;
            i.cNs = ns;
        }
    }

    /** relatime: the access time moves when it is not after the last change, or is a day old. */
    private void accessed(Inode i) {
        long now = Math.floorDiv(clock.getAsLong(), 1_000_000_000L);
        boolean stale = i.aSec < i.mSec || (i.aSec == i.mSec && i.aNs <= i.mNs) || i.aSec < i.cSec
                || (i.aSec == i.cSec && i.aNs <= i.cNs) || now - i.aSec >= 24 * 3600;
        if (stale) {
            touch(i, true, false, false);
        }
    }

    /** Releases what an inode with no names and no open descriptions holds. */
    private void maybeFree(Inode i) {
        if (i.freed || i.nlink > 0 || i.opens > 0) {
            return;
        }
        i.freed = true;
        usedInodes--;
        if (i instanceof Reg r) {
            usedPages -= r.pages.size();
        } else if (i instanceof Symlink s && s.ownsPage) {
            usedPages--;
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Permission checks (fs/namei.c)
    // ------------------------------------------------------------------------------------------------------------

    static void need(Inode i, Cred c, int mask) throws ErrnoException {
        if (!c.permits(i.mode, i.uid, i.gid, mask)) {
            throw err(Errno.EACCES);
        }
    }

    /** may_create: the directory is alive, and writable and searchable. */
    private static void mayCreate(Dir d, Cred c) throws ErrnoException {
        if (d.dead) {
            throw err(Errno.ENOENT);
        }
        need(d, c, 3);
    }

    /** may_delete: write and search permission on the directory, the sticky bit, and the victim's type. */
    private static void mayDelete(Dir d, Inode victim, boolean isDir, Cred c) throws ErrnoException {
        need(d, c, 3);
        if ((d.mode & S_ISVTX) != 0 && !c.isRoot() && victim.uid != c.uid() && d.uid != c.uid()) {
            throw err(Errno.EPERM);
        }
        if (isDir) {
            if (!(victim instanceof Dir v)) {
                throw err(Errno.ENOTDIR);
            }
            if (v.parent == null) {
                throw err(Errno.EBUSY);
            }
        } else if (victim instanceof Dir) {
            throw err(Errno.EISDIR);
        }
        if (d.dead) {
            throw err(Errno.ENOENT);
        }
    }

    private static boolean isOwner(Inode i, Cred c) {
        return c.isRoot() || c.uid() == i.uid;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Names
    // ------------------------------------------------------------------------------------------------------------

    synchronized Inode lookup(Dir d, String name) {
        Entry e = d.byName.get(name);
        return e == null ? null : e.inode;
    }

    /** The directory holding {@code d} and d's name in it (null for the top). */
    synchronized Dir parentOf(Dir d) {
        return d.parent;
    }

    synchronized String nameOf(Dir d) {
        return d.name;
    }

    /** The names from the top directory down to d ("" for the top), as they are now. */
    synchronized String pathOf(Dir d) {
        StringBuilder sb = new StringBuilder();
        for (Dir x = d; x.parent != null; x = x.parent) {
            sb.insert(0, x.name).insert(0, '/');
        }
        return sb.toString();
    }

    synchronized boolean isDead(Dir d) {
        return d.dead;
    }

    synchronized long nlink(Inode i) {
        return i.nlink;
    }

    private void addEntry(Dir d, String name, Inode i) {
        Entry e = new Entry(name, i, d.nextCookie++);
        d.byName.put(name, e);
        d.byCookie.put(e.cookie, e);
    }

    private void removeEntry(Dir d, Entry e) {
        d.byName.remove(e.name);
        d.byCookie.remove(e.cookie);
    }

    /** inode_init_owner: the caller's ids, or the directory's group under a set-group-ID directory. */
    private int[] owner(Dir d, int mode, Cred c) {
        int gid = c.gid();
        if ((d.mode & S_ISGID) != 0) {
            gid = d.gid;
            if ((mode & Stat.S_IFMT) == Stat.S_IFDIR) {
                mode |= S_ISGID;
            } else if ((mode & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP) && !c.isRoot() && c.gid() != d.gid) {
                mode &= ~S_ISGID;
            }
        }
        return new int[] {mode, c.uid(), gid};
    }

    /** A name was added to d. */
    private void linked(Dir d) {
        touch(d, false, true, true);
    }

    // File seals (uapi/linux/fcntl.h)
    public static final int F_SEAL_SEAL = 1, F_SEAL_SHRINK = 2, F_SEAL_GROW = 4, F_SEAL_WRITE = 8,
            F_SEAL_FUTURE_WRITE = 0x10, F_SEAL_EXEC = 0x20;
    static final int F_ALL_SEALS = 0x3f;

    /**
     * A regular file with no name (memfd_create: Linux's shmem_file_setup on its internal mount): link count 0, it
     * lives while open or mapped. {@code seals}: its initial seals.
     */
    synchronized Reg createUnnamed(int mode, Cred c, int seals) throws ErrnoException {
        Reg r = new Reg(allocIno(), Stat.S_IFREG | (mode & 07777), c.uid(), c.gid());
        r.nlink = 0;
        r.seals = seals;
        touch(r, true, true, true);
        return r;
    }

    synchronized int seals(Reg r) {
        return r.seals;
    }

    /**
     * F_ADD_SEALS (Linux's memfd_add_seals): EINVAL for unknown seals, EPERM once F_SEAL_SEAL is set. Writable shared
     * mappings made before F_SEAL_WRITE are not looked for (Linux answers EBUSY).
     */
    synchronized void addSeals(Reg r, int add) throws ErrnoException {
        if ((add & ~F_ALL_SEALS) != 0) {
            throw err(Errno.EINVAL);
        }
        if ((r.seals & F_SEAL_SEAL) != 0) {
            throw err(Errno.EPERM);
        }
        r.seals |= add;
    }

    /** mayCreate, then EEXIST if the name is taken: the checks every new name goes through. */
    private void mayCreateName(Dir d, String name, Cred c) throws ErrnoException {
        mayCreate(d, c);
        if (d.byName.containsKey(name)) {
            throw err(Errno.EEXIST);
        }
    }

    /** A new inode under {@code name} in {@code d}, its times now. */
    private <I extends Inode> I enter(Dir d, String name, I inode) {
        touch(inode, true, true, true);
        addEntry(d, name, inode);
        linked(d);
        return inode;
    }

    /** Creates a regular file: EEXIST if the name is taken. {@code mode} holds the permission bits. */
    synchronized Reg create(Dir d, String name, int mode, Cred c) throws ErrnoException {
        mayCreateName(d, name, c);
        int[] o = owner(d, Stat.S_IFREG | (mode & 07777), c);
        return enter(d, name, new Reg(allocIno(), o[0], o[1], o[2]));
    }

    synchronized Dir mkdir(Dir d, String name, int mode, Cred c) throws ErrnoException {
        mayCreateName(d, name, c);
        int[] o = owner(d, Stat.S_IFDIR | (mode & 07777), c);
        Dir n = new Dir(allocIno(), o[0], o[1], o[2]);
        touch(n, true, true, true);
        n.parent = d;
        n.name = name;
        addEntry(d, name, n);
        d.nlink++;
        linked(d);
        return n;
    }

    synchronized Symlink symlink(Dir d, String name, String target, Cred c) throws ErrnoException {
        mayCreateName(d, name, c);
        int len = target.getBytes(StandardCharsets.UTF_8).length + 1;
        if (len > PAGE_SIZE) {
            throw err(Errno.ENAMETOOLONG);
        }
        boolean page = len > SHORT_SYMLINK_LEN;
        if (page && usedPages >= maxPages) {
            throw err(Errno.ENOSPC);
        }
        int[] o = owner(d, Stat.S_IFLNK | 0777, c);
        Symlink s = new Symlink(allocIno(), o[1], o[2], target, page);
        touch(s, true, true, true);
        if (page) {
            usedPages++;
        }
        addEntry(d, name, s);
        linked(d);
        return s;
    }

    /**
     * A device node (or FIFO, socket): {@code mode} holds the type and permission bits. With {@code checkCap}, as
     * mknod(2): a character or block device needs CAP_MKNOD (root), except a whiteout (character device 0:0).
     */
    synchronized Special mknod(Dir d, String name, int mode, long rdev, Cred c, boolean checkCap)
            throws ErrnoException {
        mayCreateName(d, name, c);
        int type = mode & Stat.S_IFMT;
        boolean whiteout = type == Stat.S_IFCHR && rdev == 0;
        if (checkCap && (type == Stat.S_IFCHR || type == Stat.S_IFBLK) && !whiteout && !c.isRoot()) {
            throw err(Errno.EPERM);
        }
        int[] o = owner(d, mode, c);
        return enter(d, name, new Special(allocIno(), o[0], o[1], o[2], rdev));
    }

    /** A new name for an existing inode (vfs_link): EPERM for a directory, ENOENT when it has no name left. */
    synchronized void link(Dir d, String name, Inode i, Cred c) throws ErrnoException {
        mayCreateName(d, name, c);
        if (i instanceof Dir) {
            throw err(Errno.EPERM);
        }
        if (i.nlink == 0) {
            throw err(Errno.ENOENT);
        }
        // Every name beyond the first takes an inode's worth of the limit, as shmem_link reserves one.
        if (usedInodes >= maxInodes) {
            throw err(Errno.ENOSPC);
        }
        usedInodes++;
        i.nlink++;
        touch(i, false, false, true);
        addEntry(d, name, i);
        linked(d);
    }

    synchronized void unlink(Dir d, String name, Cred c) throws ErrnoException {
        Entry e = d.byName.get(name);
        if (e == null) {
            throw err(Errno.ENOENT);
        }
        mayDelete(d, e.inode, false, c);
        dropEntry(d, e);
    }

    synchronized void rmdir(Dir d, String name, Cred c) throws ErrnoException {
        Entry e = d.byName.get(name);
        if (e == null) {
            throw err(Errno.ENOENT);
        }
        mayDelete(d, e.inode, true, c);
        if (!((Dir) e.inode).byName.isEmpty()) {
            throw err(Errno.ENOTEMPTY);
        }
        dropEntry(d, e);
    }

    /** Removes an entry whose checks have passed: the inode loses a link (a directory dies). */
    private void dropEntry(Dir d, Entry e) {
        removeEntry(d, e);
        Inode i = e.inode;
        if (i instanceof Dir v) {
            v.dead = true;
            v.nlink = 0;
            d.nlink--;
        } else {
            if (i.nlink > 1) {
                usedInodes--;
            }
            i.nlink--;
        }
        touch(i, false, false, true);
        touch(d, false, true, true);
        maybeFree(i);
    }

    private static boolean isAncestor(Dir a, Dir b) {
        for (Dir x = b; x != null; x = x.parent) {
            if (x == a) {
                return true;
            }
        }
        return false;
    }

    /**
     * rename(2) within this file system (do_renameat2 from the lookups on, vfs_rename, shmem_rename2): flags 0,
     * RENAME_NOREPLACE or RENAME_EXCHANGE.
     */
    synchronized void rename(Dir od, String on, Dir nd, String nn, int flags, Cred c) throws ErrnoException {
        Entry oe = od.byName.get(on);
        if (oe == null) {
            throw err(Errno.ENOENT);
        }
        Entry ne = nd.byName.get(nn);
        boolean exchange = (flags & RENAME_EXCHANGE) != 0;
        if ((flags & RENAME_NOREPLACE) != 0 && ne != null) {
            throw err(Errno.EEXIST);
        }
        if (exchange && ne == null) {
            throw err(Errno.ENOENT);
        }
        Inode src = oe.inode;
        Inode dst = ne == null ? null : ne.inode;
        // lock_rename's "trap": the source may not be an ancestor of the target's directory, nor the reverse.
        if (src instanceof Dir s && isAncestor(s, nd)) {
            throw err(Errno.EINVAL);
        }
        if (dst instanceof Dir t && isAncestor(t, od)) {
            throw err(exchange ? Errno.EINVAL : Errno.ENOTEMPTY);
        }
        if (src == dst) {
            return;
        }
        boolean srcDir = src instanceof Dir;
        boolean dstDir = dst instanceof Dir;
        mayDelete(od, src, srcDir, c);
        if (dst == null) {
            mayCreate(nd, c);
        } else {
            mayDelete(nd, dst, exchange ? dstDir : srcDir, c);
        }
        if (od != nd) {
            // A directory moving elsewhere has its ".." rewritten.
            if (srcDir) {
                need(src, c, 2);
            }
            if (exchange && dstDir) {
                need(dst, c, 2);
            }
        }
        if (exchange) {
            removeEntry(od, oe);
            removeEntry(nd, ne);
            Entry a = new Entry(on, dst, oe.cookie);
            Entry b = new Entry(nn, src, ne.cookie);
            od.byName.put(on, a);
            od.byCookie.put(a.cookie, a);
            nd.byName.put(nn, b);
            nd.byCookie.put(b.cookie, b);
            if (od != nd && srcDir != dstDir) {
                if (srcDir) {
                    od.nlink--;
                    nd.nlink++;
                } else {
                    nd.nlink--;
                    od.nlink++;
                }
            }
            if (srcDir) {
                ((Dir) src).parent = nd;
                ((Dir) src).name = nn;
            }
            if (dstDir) {
                ((Dir) dst).parent = od;
                ((Dir) dst).name = on;
            }
            touch(dst, false, false, true);
        } else {
            if (dstDir && !((Dir) dst).byName.isEmpty()) {
                throw err(Errno.ENOTEMPTY);
            }
            if (ne != null) {
                dropEntry(nd, ne);
            }
            removeEntry(od, oe);
            addEntry(nd, nn, src);
            if (srcDir) {
                Dir s = (Dir) src;
                s.parent = nd;
                s.name = nn;
                if (od != nd) {
                    od.nlink--;
                    nd.nlink++;
                }
            }
        }
        touch(src, false, false, true);
        touch(od, false, true, true);
        touch(nd, false, true, true);
    }

    /** Entries of a directory from offset {@code pos}, at most {@code max}, each with the offset after it. */
    synchronized List<DirFile.Dirent> readdir(Dir d, long pos, int max) throws ErrnoException {
        if (d.dead) {
            throw err(Errno.ENOENT);
        }
        List<DirFile.Dirent> out = new ArrayList<>();
        if (pos <= 0 && out.size() < max) {
            out.add(new DirFile.Dirent(".", d.ino, 4, 1));
        }
        if (pos <= 1 && out.size() < max) {
            out.add(new DirFile.Dirent("..", (d.parent != null ? d.parent : d).ino, 4, 2));
        }
        for (Entry e : d.byCookie.tailMap(Math.max(pos, FIRST_COOKIE)).values()) {
            if (out.size() >= max) {
                break;
            }
            out.add(new DirFile.Dirent(e.name, e.inode.ino, OpenFile.dtype(e.inode.mode), e.cookie + 1));
        }
        accessed(d);
        return out;
    }

    /** The entries of a directory, without "." and "..", in offset order. */
    synchronized List<OpenFile.DirEntry> list(Dir d) {
        List<OpenFile.DirEntry> out = new ArrayList<>();
        for (Entry e : d.byCookie.values()) {
            out.add(new OpenFile.DirEntry(e.name, e.inode.ino, OpenFile.dtype(e.inode.mode)));
        }
        return out;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Attributes
    // ------------------------------------------------------------------------------------------------------------

    synchronized Stat stat(Inode i) {
        long size = 0, blocks = 0, rdev = 0;
        switch (i) {
            case Reg r -> {
                size = r.size;
                blocks = (long) r.pages.size() << (PAGE_SHIFT - 9);
            }
            case Dir d -> size = (2L + d.byName.size()) * BOGO_DIRENT_SIZE;
            case Symlink s -> {
                size = s.target.getBytes(StandardCharsets.UTF_8).length;
                blocks = s.ownsPage ? PAGE_SIZE >> 9 : 0;
            }
            case Special s -> rdev = s.rdev;
            default -> {
            }
        }
        return new Stat(dev, i.ino, i.mode, i.nlink, i.uid, i.gid, rdev, size, PAGE_SIZE, blocks, i.aSec, i.aNs,
                i.mSec, i.mNs, i.cSec, i.cNs);
    }

    synchronized StatFs statfs() {
        return new StatFs(TMPFS_MAGIC, PAGE_SIZE, maxPages, maxPages - usedPages, maxPages - usedPages, maxInodes,
                maxInodes - usedInodes, 0);
    }

    /** chmod: the owner or root; the set-group-ID bit needs the file's group (or root). */
    synchronized void chmod(Inode i, int mode, Cred c) throws ErrnoException {
        if (!isOwner(i, c)) {
            throw err(Errno.EPERM);
        }
        mode &= 07777;
        if (!c.isRoot() && c.gid() != i.gid) {
            mode &= ~S_ISGID;
        }
        i.mode = (i.mode & Stat.S_IFMT) | mode;
        touch(i, false, false, true);
    }

    /** chown (chown_ok, chgrp_ok): -1 leaves an id; a non-directory loses its set-user-ID bit. */
    synchronized void chown(Inode i, int uid, int gid, Cred c) throws ErrnoException {
        if (uid != -1 && !c.isRoot() && !(c.uid() == i.uid && uid == i.uid)) {
            throw err(Errno.EPERM);
        }
        if (gid != -1 && !c.isRoot() && !(c.uid() == i.uid && (gid == i.gid || gid == c.gid()))) {
            throw err(Errno.EPERM);
        }
        if (uid != -1) {
            i.uid = uid;
        }
        if (gid != -1) {
            i.gid = gid;
        }
        if (!(i instanceof Dir)) {
            i.mode &= ~S_ISUID;
            if ((i.mode & S_IXGRP) != 0) {
                i.mode &= ~S_ISGID;
            }
        }
        touch(i, false, false, true);
    }

    /**
     * utimensat: times given as seconds and nanoseconds, a nanosecond value of {@code omit} leaving one, {@code now}
     * setting it to the current time. Explicit times need the owner (EPERM); "now" for both, write permission
     * (EACCES).
     */
    synchronized void setTimes(Inode i, long aSec, long aNs, long mSec, long mNs, long now, long omit, Cred c)
            throws ErrnoException {
        boolean explicit = (aNs != now && aNs != omit) || (mNs != now && mNs != omit);
        if (!isOwner(i, c)) {
            if (explicit) {
                throw err(Errno.EPERM);
            }
            need(i, c, 2);
        }
        touch(i, aNs == now, mNs == now, true);
        if (aNs != omit && aNs != now) {
            i.aSec = aSec;
            i.aNs = (int) aNs;
        }
        if (mNs != omit && mNs != now) {
            i.mSec = mSec;
            i.mNs = (int) mNs;
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // File data
    // ------------------------------------------------------------------------------------------------------------

    synchronized void opened(Reg r) {
        r.opens++;
    }

    synchronized void closed(Reg r) {
        r.opens--;
        maybeFree(r);
    }

    synchronized long size(Reg r) {
        return r.size;
    }

    /** Copies up to len bytes at pos (no further than the end); holes read as zeros. */
    synchronized int read(Reg r, long pos, byte[] b, int off, int len) {
        int n = copyOut(r, pos, b, off, len);
        accessed(r);
        return n;
    }

    /** What a mapping of the file reads: as read, without touching the access time. */
    synchronized int readPage(Reg r, long pos, byte[] b, int off, int len) {
        return copyOut(r, pos, b, off, len);
    }

    /**
     * The page a shared mapping maps (shmem_fault): the file's own, allocated zero-filled if it lies within the file;
     * null past the end or when the file system is full (SIGBUS, as Linux).
     */
    synchronized byte[] sharedPage(Reg r, long index) {
        if (index < 0 || index >= (r.size + PAGE_SIZE - 1) >>> PAGE_SHIFT) {
            return null;
        }
        byte[] page = r.pages.get(index);
        if (page == null) {
            // A file with no name and no open description left lives on in its mappings, like anonymous shared
            // memory: its pages no longer count against the size.
            if (!r.freed) {
                if (usedPages >= maxPages) {
                    return null;
                }
                usedPages++;
            }
            page = new byte[PAGE_SIZE];
            r.pages.put(index, page);
        }
        return page;
    }

    private static int copyOut(Reg r, long pos, byte[] b, int off, int len) {
        if (pos >= r.size || len <= 0) {
            return 0;
        }
        int n = (int) Math.min(len, r.size - pos);
        int done = 0;
        while (done < n) {
            long p = pos + done;
            int po = (int) (p & (PAGE_SIZE - 1));
            int k = Math.min(n - done, PAGE_SIZE - po);
            byte[] page = r.pages.get(p >>> PAGE_SHIFT);
            if (page == null) {
                Arrays.fill(b, off + done, off + done + k, (byte) 0);
            } else {
                System.arraycopy(page, po, b, off + done, k);
            }
            done += k;
        }
        return n;
    }

    /** The position argument of {@link #write} that means "at the end", decided under the lock (O_APPEND). */
    static final long APPEND = -1;

    /**
     * Writes at pos ({@link #APPEND}: at the end), allocating pages as needed: a short count when the file system fills up part way, ENOSPC when
     * nothing fits, EFBIG past the largest offset. A write by anyone but root clears the set-user-ID bit (and the
     * set-group-ID bit of a group-executable file), as file_remove_privs.
     */
    synchronized int write(Reg r, long pos, byte[] b, int off, int len, Cred c) throws ErrnoException {
        return write(r, pos, b, off, len, c, null);
    }

    /** As {@link #write(Reg, long, byte[], int, int, Cred)}, storing the offset after the data in end[0]. */
    synchronized int write(Reg r, long pos, byte[] b, int off, int len, Cred c, long[] end) throws ErrnoException {
        if (pos == APPEND) {
            pos = r.size;
        }
        if (end != null) {
            end[0] = pos;
        }
        if (len <= 0) {
            return 0;
        }
        if (pos < 0 || pos == Long.MAX_VALUE) {
            throw err(Errno.EFBIG);
        }
        if (pos > Long.MAX_VALUE - len) {
            len = (int) (Long.MAX_VALUE - pos);
        }
        if ((r.seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE)) != 0) {
            throw err(Errno.EPERM);
        }
        if ((r.seals & F_SEAL_GROW) != 0 && pos + len > r.size) {
            // Linux checks each page's part of the write: the parts that end by the end of the file are written.
            int fits = 0;
            while (fits < len) {
                long p = pos + fits;
                int k = (int) Math.min(len - fits, PAGE_SIZE - (p & (PAGE_SIZE - 1)));
                if (p + k > r.size) {
                    break;
                }
                fits += k;
            }
            if (fits == 0) {
                throw err(Errno.EPERM);
            }
            len = fits;
        }
        int done = 0;
        while (done < len) {
            long p = pos + done;
            int po = (int) (p & (PAGE_SIZE - 1));
            int k = Math.min(len - done, PAGE_SIZE - po);
            long idx = p >>> PAGE_SHIFT;
            byte[] page = r.pages.get(idx);
            if (page == null) {
                if (usedPages >= maxPages) {
                    if (done == 0) {
                        throw err(Errno.ENOSPC);
                    }
                    break;
                }
                page = new byte[PAGE_SIZE];
                r.pages.put(idx, page);
                usedPages++;
            }
            System.arraycopy(b, off + done, page, po, k);
            done += k;
        }
        if (pos + done > r.size) {
            r.size = pos + done;
        }
        if (end != null) {
            end[0] = pos + done;
        }
        touch(r, false, true, true);
        removePrivs(r, c);
        return done;
    }

    private static void removePrivs(Inode i, Cred c) {
        if (!c.isRoot()) {
            i.mode &= ~S_ISUID;
            if ((i.mode & S_IXGRP) != 0) {
                i.mode &= ~S_ISGID;
            }
        }
    }

    /**
     * fallocate (shmem_fallocate): with punch, zeroes [off, off+len) and drops the pages wholly inside it (a shared
     * mapping of such a page keeps its zeroed array); otherwise allocates every page of the range (ENOSPC, with
     * nothing allocated, when they do not all fit) and, unless keepSize, extends the size to off+len.
     */
    synchronized void allocate(Reg r, long off, long len, boolean punch, boolean keepSize) throws ErrnoException {
        long end = off + len;
        if (punch) {
            if ((r.seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE)) != 0) {
                throw err(Errno.EPERM);
            }
            long firstIdx = off >>> PAGE_SHIFT, lastIdx = (end - 1) >>> PAGE_SHIFT;
            // Only the allocated pages of the range are visited: a punch may reach far past the end of the file.
            var it = r.pages.subMap(firstIdx, true, lastIdx, true).entrySet().iterator();
            while (it.hasNext()) {
                var e = it.next();
                long base = e.getKey() << PAGE_SHIFT;
                int from = (int) Math.max(0, off - base);
                int to = (int) Math.min(PAGE_SIZE, end - base);
                Arrays.fill(e.getValue(), from, to, (byte) 0);
                if (from == 0 && to == PAGE_SIZE) {
                    it.remove();
                    usedPages--;
                }
            }
            touch(r, false, true, true);
            return;
        }
        if (!keepSize && end > r.size && (r.seals & F_SEAL_GROW) != 0) {
            throw err(Errno.EPERM);
        }
        long first = off >>> PAGE_SHIFT, last = (end - 1) >>> PAGE_SHIFT;
        long missing = 0;
        for (long i = first; i <= last; i++) {
            if (!r.pages.containsKey(i)) {
                missing++;
                if (usedPages + missing > maxPages) {
                    throw err(Errno.ENOSPC);
                }
            }
        }
        for (long i = first; i <= last; i++) {
            if (!r.pages.containsKey(i)) {
                r.pages.put(i, new byte[PAGE_SIZE]);
                usedPages++;
            }
        }
        if (!keepSize && end > r.size) {
            r.size = end;
        }
        touch(r, false, true, true);
    }

    /** Sets the size: pages past it go (the tail of the last one is zeroed), growth leaves a hole. */
    synchronized void truncate(Reg r, long len, Cred c) throws ErrnoException {
        if ((len < r.size && (r.seals & F_SEAL_SHRINK) != 0) || (len > r.size && (r.seals & F_SEAL_GROW) != 0)) {
            throw err(Errno.EPERM);
        }
        if (len < r.size) {
            long keep = (len + PAGE_SIZE - 1) >>> PAGE_SHIFT;
            SortedMap<Long, byte[]> tail = r.pages.tailMap(keep);
            usedPages -= tail.size();
            tail.clear();
            int po = (int) (len & (PAGE_SIZE - 1));
            byte[] last = po == 0 ? null : r.pages.get(len >>> PAGE_SHIFT);
            if (last != null) {
                Arrays.fill(last, po, PAGE_SIZE, (byte) 0);
            }
        }
        r.size = len;
        touch(r, false, true, true);
        removePrivs(r, c);
    }

    /**
     * SEEK_DATA (hole false) or SEEK_HOLE (true) from off: data is every allocated page, and the end of the file is
     * a hole. ENXIO at or past the end, or when no data follows.
     */
    synchronized long seekData(Reg r, long off, boolean hole) throws ErrnoException {
        if (off < 0 || off >= r.size) {
            throw err(Errno.ENXIO);
        }
        long idx = off >>> PAGE_SHIFT;
        if (!hole) {
            if (r.pages.containsKey(idx)) {
                return off;
            }
            Long next = r.pages.ceilingKey(idx);
            if (next == null || next << PAGE_SHIFT >= r.size) {
                throw err(Errno.ENXIO);
            }
            return next << PAGE_SHIFT;
        }
        if (!r.pages.containsKey(idx)) {
            return off;
        }
        long i = idx;
        for (Long k : r.pages.tailMap(idx).keySet()) {
            if (k != i) {
                break;
            }
            i++;
        }
        return Math.min(i << PAGE_SHIFT, r.size);
    }
}
