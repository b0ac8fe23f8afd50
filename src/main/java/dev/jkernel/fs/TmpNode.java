package dev.jkernel.fs;

import dev.jkernel.kernel.Errno;
import dev.jkernel.kernel.ErrnoException;
import dev.jkernel.kernel.Task;

import java.util.List;

/**
 * A name in a {@link Tmpfs} (a dentry): the directory holding it, the name, and the inode it named when looked up
 * (null when it names nothing yet). The operations re-check the name under the file system's lock, so a name that
 * changed meanwhile gets the errno Linux gives for the race.
 */
final class TmpNode extends Node {
    final Vfs vfs;
    final Mount mnt;
    final Tmpfs fs;
    /** The directory holding {@link #name}; null for the file system's top directory. */
    final Tmpfs.Dir dir;
    final String name;
    /** What the name led to at lookup; null: nothing. */
    final Tmpfs.Inode inode;

    private TmpNode(Vfs vfs, Mount mnt, Tmpfs.Dir dir, String name, Tmpfs.Inode inode, String guest) {
        super(guest);
        this.vfs = vfs;
        this.mnt = mnt;
        this.fs = mnt.tmpfs;
        this.dir = dir;
        this.name = name;
        this.inode = inode;
    }

    /** An open file of an unnamed regular file (memfd_create), reported as {@code guest}. */
    static TmpFile openUnnamed(Vfs vfs, Mount m, Tmpfs.Reg r, String guest, int flags, Cred c) {
        return new TmpFile(new TmpNode(vfs, m, null, null, r, guest), r, flags, c);
    }

    static TmpNode root(Vfs vfs, Mount m) {
        return new TmpNode(vfs, m, null, null, m.tmpfs.root, m.point);
    }

    private static ErrnoException err(int errno) {
        return new ErrnoException(errno);
    }

    private Tmpfs.Inode inode() throws ErrnoException {
        if (inode == null) {
            throw err(Errno.ENOENT);
        }
        return inode;
    }

    private Tmpfs.Dir asDir() throws ErrnoException {
        if (!(inode() instanceof Tmpfs.Dir d)) {
            throw err(Errno.ENOTDIR);
        }
        return d;
    }

    /** The directory holding this name; EBUSY for the top of the file system (the Vfs refuses that first). */
    private Tmpfs.Dir holder() throws ErrnoException {
        if (dir == null) {
            throw err(Errno.EBUSY);
        }
        return dir;
    }

    @Override
    public boolean exists() {
        return inode != null;
    }

    @Override
    public int type() {
        return inode == null ? 0 : inode.type();
    }

    @Override
    public Mount mount() {
        return mnt;
    }

    @Override
    public boolean inFileSystem() {
        return true;
    }

    @Override
    public boolean isDeleted() {
        return inode != null && fs.nlink(inode) == 0;
    }

    @Override
    public String currentPath() {
        if (!(inode instanceof Tmpfs.Dir d) || fs.isDead(d)) {
            return guest;
        }
        String rel = fs.pathOf(d);
        return mnt.point.equals("/") ? (rel.isEmpty() ? "/" : rel) : mnt.point + rel;
    }

    @Override
    public boolean sameFile(Node other) {
        return other instanceof TmpNode o && inode != null && o.inode == inode;
    }

    @Override
    public String readlink(Task t) throws ErrnoException {
        if (!(inode() instanceof Tmpfs.Symlink s)) {
            throw err(Errno.EINVAL);
        }
        return s.target;
    }

    @Override
    public void checkLookup(Task t) throws ErrnoException {
        Tmpfs.need(inode(), Cred.of(t), 1);
    }

    @Override
    public Node child(Task t, String n) throws ErrnoException {
        Tmpfs.Dir d = asDir();
        return new TmpNode(vfs, mnt, d, n, fs.lookup(d, n), childOf(guest, n));
    }

    @Override
    public Node parent(Task t) throws ErrnoException {
        Tmpfs.Dir d = asDir();
        Tmpfs.Dir p = fs.parentOf(d);
        if (p == null) {
            return this;
        }
        return new TmpNode(vfs, mnt, fs.parentOf(p), fs.nameOf(p), p, parentOf(guest));
    }

    @Override
    public Stat stat(Task t) throws ErrnoException {
        return fs.stat(inode());
    }

    @Override
    public StatFs statfs() {
        return fs.statfs();
    }

    @Override
    public void checkAccess(Task t, int mode) throws ErrnoException {
        Tmpfs.Inode i = inode();
        if (mode != 0) {
            Tmpfs.need(i, Cred.of(t), mode);
        }
    }

    @Override
    public OpenFile open(Task t, int flags) throws ErrnoException {
        Tmpfs.Inode i = inode();
        if ((flags & OpenFile.O_PATH) != 0) {
            return new PathFile(this, flags);
        }
        Cred c = Cred.of(t);
        int acc = flags & OpenFile.O_ACCMODE;
        int mask = (acc != OpenFile.O_WRONLY ? 4 : 0) | (acc != OpenFile.O_RDONLY ? 2 : 0);
        if (i instanceof Tmpfs.Dir) {
            Tmpfs.need(i, c, mask);
            return new DirFile(this, flags, t);
        }
        if ((flags & OpenFile.O_DIRECTORY) != 0) {
            throw err(Errno.ENOTDIR);
        }
        switch (i) {
            case Tmpfs.Symlink s -> throw err(Errno.ELOOP);
            case Tmpfs.Special s -> {
                Tmpfs.need(i, c, mask);
                if (s.fifo != null) {
                    return s.fifo.open(t, this, flags);
                }
                if (i.type() != Stat.S_IFCHR) {
                    // A socket inode opens as nothing (Linux's no_open); block devices have no driver here.
                    throw err(Errno.ENXIO);
                }
                SynthNode.Kind k = SynthNode.deviceKind(s.rdev);
                if (k == null || k == SynthNode.Kind.DEV_TTY) {
                    throw err(Errno.ENXIO);
                }
                return new DevFile(this, k, flags);
            }
            default -> {
            }
        }
        Tmpfs.Reg r = (Tmpfs.Reg) i;
        boolean trunc = (flags & OpenFile.O_TRUNC) != 0;
        if ((flags & OpenFile.FMODE_EXEC) != 0) {
            // execve checked execute permission; reading the program needs no more.
            mask &= ~4;
            flags &= ~OpenFile.FMODE_EXEC;
        }
        Tmpfs.need(i, c, mask | (trunc ? 2 : 0));
        if ((flags & OpenFile.O_NOATIME) != 0 && !c.isRoot() && c.uid() != i.uid) {
            throw err(Errno.EPERM);
        }
        if (trunc) {
            fs.truncate(r, 0, c);
        }
        return new TmpFile(this, r, flags, c);
    }

    @Override
    public List<OpenFile.DirEntry> list(Task t) throws ErrnoException {
        return fs.list(asDir());
    }

    @Override
    public List<DirFile.Dirent> readdir(Task t, long pos, int max) throws ErrnoException {
        return fs.readdir(asDir(), pos, max);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Changes
    // ------------------------------------------------------------------------------------------------------------

    @Override
    public OpenFile create(Cred c, int flags, int mode) throws ErrnoException {
        Tmpfs.Reg r = fs.create(holder(), name, mode, c);
        return new TmpFile(new TmpNode(vfs, mnt, dir, name, r, guest), r, flags, c);
    }

    @Override
    public void mkdir(Cred c, int mode) throws ErrnoException {
        fs.mkdir(holder(), name, mode, c);
    }

    @Override
    public void symlink(Cred c, String target) throws ErrnoException {
        fs.symlink(holder(), name, target, c);
    }

    /** A device node made by the kernel itself (the /dev of a tmpfs root): no CAP_MKNOD check. */
    void mknod(Cred c, int mode, long rdev) throws ErrnoException {
        fs.mknod(holder(), name, mode, rdev, c, false);
    }

    @Override
    public void mknod(Cred c, int mode, long rdev, boolean checkCap) throws ErrnoException {
        fs.mknod(holder(), name, mode, rdev, c, checkCap);
    }

    @Override
    public void link(Cred c, Node existing) throws ErrnoException {
        if (!(existing instanceof TmpNode e) || e.fs != fs) {
            throw err(Errno.EXDEV);
        }
        fs.link(holder(), name, e.inode(), c);
    }

    @Override
    public void unlink(Cred c) throws ErrnoException {
        fs.unlink(holder(), name, c);
    }

    @Override
    public void rmdir(Cred c) throws ErrnoException {
        fs.rmdir(holder(), name, c);
    }

    @Override
    public void rename(Cred c, Node to, int flags) throws ErrnoException {
        if (!(to instanceof TmpNode n) || n.fs != fs) {
            throw err(Errno.EXDEV);
        }
        fs.rename(holder(), name, n.holder(), n.name, flags, c);
    }

    @Override
    public void chmod(Cred c, int mode) throws ErrnoException {
        fs.chmod(inode(), mode, c);
    }

    @Override
    public void chown(Cred c, int uid, int gid) throws ErrnoException {
        fs.chown(inode(), uid, gid, c);
    }

    @Override
    public void setTimes(Cred c, long aSec, long aNs, long mSec, long mNs) throws ErrnoException {
        fs.setTimes(inode(), aSec, aNs, mSec, mNs, UTIME_NOW, UTIME_OMIT, c);
    }
}
