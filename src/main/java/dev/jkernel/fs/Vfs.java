package dev.jkernel.fs;

import dev.jkernel.kernel.Errno;
import dev.jkernel.kernel.ErrnoException;
import dev.jkernel.kernel.Task;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;

/**
 * The guest's view of files: a root file system (a host directory, the host's own "/" as qemu-user shows it, or a
 * {@link Tmpfs}), a mount table of host directories and tmpfs instances attached at guest paths, and a sysroot
 * searched first for absolute paths (--sysroot, like qemu's -L).
 *
 * <p>One path walk serves every file system (Linux's link_path_walk): one component at a time, crossing into a
 * mount when a name is its mount point, and leaving a mount's top through ".." to the directory above the mount
 * point. ".." never climbs above the root. Symlinks are read and resolved here, absolute targets from the root and
 * relative ones from the link's directory, so nothing resolves outside the guest's namespace, whatever file system
 * the link lives in; more than 40 links is ELOOP. The synthetic /proc exists whatever the root. /dev is the root's
 * own /dev directory: in a host root, with jkernel's devices in place of the host's (and a synthetic /dev when the
 * host directory has none); in a tmpfs, device nodes that open jkernel's devices.
 */
public final class Vfs {
    public static final int PATH_MAX = 4096, NAME_MAX = 255, MAXSYMLINKS = 40;

    private final Mount rootMount;
    private final Mount sysrootMount;
    /** The mounts other than the root, by mount point (a physical guest path). */
    private final Map<String, Mount> mounts = new ConcurrentHashMap<>();
    /** Every mount, the root first, in the order they were made (/proc/mounts). */
    private final List<Mount> order = new CopyOnWriteArrayList<>();
    private int nextAnonMinor = 0x20;
    /** pipefs inode numbers: per kernel, so that kernels in one JVM do not see each other's pipes being made. */
    private final java.util.concurrent.atomic.AtomicLong nextPipeIno = new java.util.concurrent.atomic.AtomicLong(
            100_000);

    /** A new pipe inode number. */
    public long nextPipeIno() {
        return nextPipeIno.getAndIncrement();
    }

    /** The time of day (nanoseconds since the epoch) of the file times of the tmpfs instances made here. */
    private final LongSupplier clock;

    /** A host directory as root; null: the host's "/", unconfined. sysroot null: none. */
    public Vfs(Path root, Path sysroot) {
        this(root, false, sysroot);
    }

    /** A host directory as root (read-only or not); null: the host's "/". sysroot null: none. */
    public Vfs(Path root, boolean readOnly, Path sysroot) {
        this(root, readOnly, sysroot, Vfs::wallClock);
    }

    /** As {@link #Vfs(Path, boolean, Path)}, with the clock of the file times of tmpfs instances mounted later. */
    public Vfs(Path root, boolean readOnly, Path sysroot, LongSupplier clock) {
        this(Mount.host("/", real(root != null ? root : Path.of("/")), readOnly), sysroot, clock);
    }

    private Vfs(Mount root, Path sysroot, LongSupplier clock) {
        this.clock = clock;
        this.rootMount = root;
        this.sysrootMount = sysroot == null ? null : Mount.host("/", real(sysroot), false);
        order.add(root);
    }

    private Vfs(long tmpfsSize, int rootMode, Cred owner, Path sysroot, LongSupplier clock) {
        this.clock = clock;
        this.rootMount = Mount.tmpfs("/", new Tmpfs(anonDev(), tmpfsSize, rootMode, owner, clock), false);
        this.sysrootMount = sysroot == null ? null : Mount.host("/", real(sysroot), false);
        order.add(rootMount);
    }

    /** An empty tmpfs of at most {@code sizeBytes} as root: only its top directory, with this mode and owner. */
    public static Vfs withTmpfsRoot(long sizeBytes, int rootMode, Cred owner, Path sysroot) {
        return withTmpfsRoot(sizeBytes, rootMode, owner, sysroot, Vfs::wallClock);
    }

    /**
     * As {@link #withTmpfsRoot(long, int, Cred, Path)}, with the clock (nanoseconds since the epoch) that file times
     * come from: the kernel's HostOps, virtual in a deterministic kernel.
     */
    public static Vfs withTmpfsRoot(long sizeBytes, int rootMode, Cred owner, Path sysroot, LongSupplier clock) {
        return new Vfs(sizeBytes, rootMode, owner, sysroot, clock);
    }

    private static long wallClock() {
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    private static Path real(Path p) {
        try {
            return p.toAbsolutePath().toRealPath();
        } catch (IOException | RuntimeException e) {
            return p.toAbsolutePath().normalize();
        }
    }

    /** An unnamed device number for a new file system instance (Linux's get_anon_bdev): 0:32 and up. */
    /** The internal tmpfs of memfd_create's files (Linux's shm_mnt), made at the first; mounted nowhere. */
    private Mount memfdMount;

    /**
     * memfd_create: an open, unnamed regular file of the internal tmpfs, read-write, reported by /proc/self/fd as
     * "/memfd:NAME (deleted)". {@code mode}: its permission bits; {@code seals}: its initial seals.
     */
    public OpenFile memfd(Cred c, String name, int mode, int seals) throws ErrnoException {
        Mount m;
        synchronized (this) {
            if (memfdMount == null) {
                memfdMount = Mount.tmpfs("/", new Tmpfs(anonDev(), 1L << 44, 01777, Cred.ROOT, clock), false);
            }
            m = memfdMount;
        }
        Tmpfs.Reg r = m.tmpfs.createUnnamed(mode, c, seals);
        return TmpNode.openUnnamed(this, m, r, "/memfd:" + name, OpenFile.O_RDWR | OpenFile.O_LARGEFILE, c);
    }

    private synchronized long anonDev() {
        return Stat.makedev(0, nextAnonMinor++);
    }

    public Node rootNode() {
        return rootMount.root(this);
    }

    public Mount rootMount() {
        return rootMount;
    }

    /** Every mount, the root first, in the order they were made. */
    public List<Mount> mounts() {
        return List.copyOf(order);
    }

    // ------------------------------------------------------------------------------------------------------------
    // The mount table
    // ------------------------------------------------------------------------------------------------------------

    /**
     * Mounts host directory {@code dir} at guest path {@code point}. The mount point must be a directory; in a tmpfs
     * it is created when missing (owned by {@code owner}). Refused: "/", /proc and below, /dev, an existing mount
     * point (EBUSY), a mount point missing from a host directory (ENOENT), a host path that is not a directory
     * (ENOTDIR).
     */
    public void mountHost(String point, Path dir, boolean readOnly, Cred owner) throws ErrnoException {
        if (!Files.isDirectory(dir)) {
            throw new ErrnoException(Files.exists(dir) ? Errno.ENOTDIR : Errno.ENOENT);
        }
        attach(point, owner, p -> Mount.host(p, real(dir), readOnly));
    }

    /** Mounts a new, empty tmpfs at {@code point} (as {@link #mountHost}). */
    public void mountTmpfs(String point, long sizeBytes, int rootMode, Cred owner, boolean readOnly)
            throws ErrnoException {
        attach(point, owner, p -> Mount.tmpfs(p, new Tmpfs(anonDev(), sizeBytes, rootMode, owner, clock), readOnly));
    }

    private interface MountMaker {
        Mount make(String point);
    }

    private synchronized void attach(String point, Cred owner, MountMaker maker) throws ErrnoException {
        if (!point.startsWith("/")) {
            throw new ErrnoException(Errno.EINVAL);
        }
        String p = normalise(point);
        if (p.equals("/") || p.equals("/dev") || p.equals("/proc") || p.startsWith("/proc/") || p.equals("/sys")
                || p.startsWith("/sys/")) {
            throw new ErrnoException(Errno.EBUSY);
        }
        Node n;
        try {
            n = lookupRoot(p, true);
        } catch (ErrnoException e) {
            if (e.errno != Errno.ENOENT) {
                throw e;
            }
            n = null;
        }
        if (n == null || !n.exists()) {
            if (mountAt(p).tmpfs == null) {
                // Never create directories in the host's file system.
                throw new ErrnoException(Errno.ENOENT);
            }
            mkdirs(p, 0755, owner);
            n = lookupRoot(p, true);
        }
        if (!n.isDir()) {
            throw new ErrnoException(Errno.ENOTDIR);
        }
        if (!n.inFileSystem() || mounts.containsKey(n.guest)) {
            throw new ErrnoException(Errno.EBUSY);
        }
        Mount m = maker.make(n.guest);
        mounts.put(m.point, m);
        order.add(m);
    }

    /** The mount whose file system holds guest path {@code guest} (a physical path): the longest mount point. */
    public Mount mountAt(String guest) {
        for (String p = guest; ; p = Node.parentOf(p)) {
            Mount m = mounts.get(p);
            if (m != null) {
                return m;
            }
            if (p.equals("/")) {
                return rootMount;
            }
        }
    }

    /** Whether n is the top directory of a mounted file system (the root's included). */
    public boolean isMountRoot(Node n) {
        Mount m = n.mount();
        return m != null && m != sysrootMount && n.guest.equals(m.point);
    }

    /** Whether some mount point lies below directory n. */
    public boolean hasMountBelow(Node n) {
        String prefix = n.guest.equals("/") ? "/" : n.guest + "/";
        for (String p : mounts.keySet()) {
            if (p.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The mount of the directory that holds n's name (for a mount's top, the mount it is mounted on): what EROFS
     * and EXDEV are about. Null for the synthetic files.
     */
    public Mount dirMount(Node n) {
        if (n.mount() == null) {
            return null;
        }
        if (isMountRoot(n) && n.mount() != rootMount) {
            return mountAt(Node.parentOf(n.guest));
        }
        return n.mount();
    }

    /** A lookup in the root's namespace only (the sysroot is for the guest's lookups, not for placing files). */
    private Node lookupRoot(String path, boolean followLast) throws ErrnoException {
        checkPath(path);
        return walk(null, rootNode(), path, followLast);
    }

    /** EROFS when m is mounted read-only. */
    public static void checkWritable(Mount m) throws ErrnoException {
        if (m != null && m.readOnly) {
            throw new ErrnoException(Errno.EROFS);
        }
    }

    /** /proc/self/mounts: one line per mount, as Linux's show_vfsmnt prints them. */
    public byte[] mountsText() {
        StringBuilder sb = new StringBuilder();
        for (Mount m : order) {
            line(sb, m.type(), m.point, m.type(), m.readOnly);
            if (m == rootMount) {
                line(sb, "proc", "/proc", "proc", false);
                line(sb, "sysfs", "/sys", "sysfs", true);
            }
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void line(StringBuilder sb, String source, String point, String type, boolean ro) {
        sb.append(source).append(' ').append(escape(point)).append(' ').append(type).append(' ')
                .append(ro ? "ro" : "rw").append(",relatime 0 0\n");
    }

    /** Space, tab, newline and backslash as octal escapes (seq_file's mangle_path). */
    private static String escape(String s) {
        StringBuilder sb = new StringBuilder();
        for (char c : s.toCharArray()) {
            if (c == ' ' || c == '\t' || c == '\n' || c == '\\') {
                sb.append('\\').append(String.format("%03o", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    // ------------------------------------------------------------------------------------------------------------
    // Files placed by the kernel's owner (before boot, or from the embedding API)
    // ------------------------------------------------------------------------------------------------------------

    /** mkdir -p: creates the missing directories of an absolute path, owned by {@code owner}. */
    public void mkdirs(String path, int mode, Cred owner) throws ErrnoException {
        String p = normalise(path);
        if (p.equals("/")) {
            return;
        }
        StringBuilder sb = new StringBuilder();
        for (String c : p.substring(1).split("/")) {
            sb.append('/').append(c);
            Node n = lookupRoot(sb.toString(), true);
            if (!n.exists()) {
                checkWritable(dirMount(n));
                n.mkdir(owner, mode & 07777);
            } else if (!n.isDir()) {
                throw new ErrnoException(Errno.ENOTDIR);
            }
        }
    }

    /**
     * Writes a whole file at an absolute path (its parent directories created), replacing what was there, with
     * permission bits {@code mode} exactly and {@code owner} as the owner of what is created.
     */
    public void writeFile(String path, byte[] data, int mode, Cred owner) throws ErrnoException {
        String p = normalise(path);
        mkdirs(Node.parentOf(p), 0755, owner);
        Node n = lookupRoot(p, true);
        checkWritable(dirMount(n));
        OpenFile f;
        if (n.exists()) {
            if (n.type() != Stat.S_IFREG) {
                throw new ErrnoException(n.isDir() ? Errno.EISDIR : Errno.EINVAL);
            }
            f = n.open(null, OpenFile.O_WRONLY | OpenFile.O_TRUNC);
        } else {
            f = n.create(owner, OpenFile.O_WRONLY, mode & 07777);
        }
        try {
            int off = 0;
            while (off < data.length) {
                off += f.write(data, off, data.length - off, off);
            }
        } finally {
            f.decRef();
        }
        lookupRoot(p, true).chmod(Cred.ROOT, mode & 07777);
    }

    /**
     * The directories a tmpfs root starts with, owned by {@code owner}: /bin, /etc, /usr/bin (0755), /tmp and
     * /dev/shm (1777), /dev populated by {@link #makeDevices}, and /proc (0555, where the synthetic /proc appears).
     */
    public void makeSkeleton(Cred owner) throws ErrnoException {
        for (String d : new String[] {"/bin", "/dev", "/etc", "/usr/bin"}) {
            mkdirs(d, 0755, owner);
        }
        mkdirs("/tmp", 01777, owner);
        mkdirs("/dev/shm", 01777, owner);
        makeDevices("/dev", owner);
        // The lookup of /proc leads to the synthetic one: make the directory under it as a mount point is made.
        Node proc = rootNode().child(null, "proc");
        if (!proc.exists()) {
            proc.mkdir(owner, 0555);
        }
    }

    /** Device numbers of the character devices jkernel provides, as Linux's mem and tty drivers number them. */
    private static final String[][] DEVICES = {{"null", "1", "3"}, {"zero", "1", "5"}, {"full", "1", "7"},
            {"random", "1", "8"}, {"urandom", "1", "9"}, {"tty", "5", "0"}};

    /**
     * Populates a tmpfs directory as devtmpfs and udev would: the character devices (null, zero, full, random,
     * urandom, tty), the stdin, stdout and stderr links to /proc/self/fd/N, and fd to /proc/self/fd.
     */
    public void makeDevices(String dir, Cred owner) throws ErrnoException {
        Node d = lookupRoot(dir, true);
        if (!(d instanceof TmpNode)) {
            throw new ErrnoException(Errno.EINVAL);
        }
        for (String[] dev : DEVICES) {
            Node n = d.child(null, dev[0]);
            if (!n.exists()) {
                ((TmpNode) n).mknod(owner, Stat.S_IFCHR | 0666,
                        Stat.makedev(Integer.parseInt(dev[1]), Integer.parseInt(dev[2])));
            }
        }
        String[][] links = {{"fd", "/proc/self/fd"}, {"stdin", "/proc/self/fd/0"}, {"stdout", "/proc/self/fd/1"},
                {"stderr", "/proc/self/fd/2"}};
        for (String[] l : links) {
            Node n = d.child(null, l[0]);
            if (!n.exists()) {
                n.symlink(owner, l[1]);
            }
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Path walking
    // ------------------------------------------------------------------------------------------------------------

    /** Normalised absolute guest path of {@code path} seen from {@code fs}'s cwd (no symlink resolution). */
    public String absolutePath(FsContext fs, String path) {
        return normalise(path.startsWith("/") ? path : fs.cwd + "/" + path);
    }

    /** An absolute path without ".", "..", or repeated and trailing slashes ("/.." is "/"). */
    static String normalise(String p) {
        Deque<String> out = new ArrayDeque<>();
        for (String c : p.split("/")) {
            if (c.isEmpty() || c.equals(".")) {
                continue;
            }
            if (c.equals("..")) {
                out.pollLast();
            } else {
                out.addLast(c);
            }
        }
        return out.isEmpty() ? "/" : "/" + String.join("/", out);
    }

    /** The host path of guest path {@code path}, symlinks resolved (the last one only if followLast). */
    public Path resolve(FsContext fs, String path, boolean followLast) throws ErrnoException {
        return resolve(null, fs, path, followLast);
    }

    /** As {@link #resolve(FsContext, String, boolean)}, with the task for /proc/self (execve of /proc/self/exe). */
    public Path resolve(Task t, FsContext fs, String path, boolean followLast) throws ErrnoException {
        checkPath(path);
        Node start = path.startsWith("/") ? null : cwdNode(t, fs);
        Node n = lookup(t, start, path, followLast);
        if (!n.exists()) {
            throw new ErrnoException(Errno.ENOENT);
        }
        if (n instanceof HostNode h) {
            return h.host;
        }
        throw new ErrnoException(Errno.EACCES);
    }

    /** ENOENT for "", ENAMETOOLONG for PATH_MAX or more bytes. */
    public static void checkPath(String path) throws ErrnoException {
        if (path.isEmpty()) {
            throw new ErrnoException(Errno.ENOENT);
        }
        if (path.length() >= PATH_MAX / 4 && path.getBytes(StandardCharsets.UTF_8).length >= PATH_MAX) {
            throw new ErrnoException(Errno.ENAMETOOLONG);
        }
    }

    /** The node of a task's current directory. */
    public Node cwdNode(Task t, FsContext fs) throws ErrnoException {
        Node n = fs.cwdNode;
        if (n == null) {
            n = lookup(t, null, fs.cwd, true);
            if (!n.exists()) {
                throw new ErrnoException(Errno.ENOENT);
            }
            fs.cwdNode = n;
        }
        return n;
    }

    /**
     * Looks up {@code path} from {@code start} (ignored for absolute paths; null means the root). The result exists,
     * except that the last component may name nothing yet (check {@link Node#exists()}). A trailing slash requires
     * a directory (ENOTDIR) and follows a final symlink.
     */
    public Node lookup(Task t, Node start, String path, boolean followLast) throws ErrnoException {
        checkPath(path);
        if (path.startsWith("/") && sysrootMount != null) {
            try {
                Node n = walk(t, sysrootMount.root(this), path, followLast);
                if (n.exists()) {
                    return n;
                }
            } catch (ErrnoException e) {
                // Not in the sysroot: the normal view decides.
            }
        }
        if (start == null || path.startsWith("/")) {
            start = rootNode();
        }
        return walk(t, start, path, followLast);
    }

    private Node walk(Task t, Node start, String path, boolean followLast) throws ErrnoException {
        // The sysroot is a namespace of its own (qemu's -L): no mounts, its own top.
        boolean inSysroot = sysrootMount != null && start.mount() == sysrootMount;
        Node top = inSysroot ? sysrootMount.root(this) : rootNode();
        Deque<String> comps = new ArrayDeque<>();
        push(comps, path);
        boolean trailingSlash = path.endsWith("/");
        Node cur = path.startsWith("/") ? top : start;
        int links = 0;
        while (!comps.isEmpty()) {
            String name = comps.pop();
            boolean last = comps.isEmpty();
            if (!cur.exists()) {
                throw new ErrnoException(Errno.ENOENT);
            }
            if (!cur.isDir()) {
                throw new ErrnoException(Errno.ENOTDIR);
            }
            cur.checkLookup(t);
            Node next;
            if (name.equals(".")) {
                next = cur;
            } else if (name.equals("..")) {
                next = up(t, cur, top, inSysroot);
            } else {
                if (name.length() > NAME_MAX / 4 && name.getBytes(StandardCharsets.UTF_8).length > NAME_MAX) {
                    throw new ErrnoException(Errno.ENAMETOOLONG);
                }
                next = child(t, cur, name, inSysroot);
            }
            if ((!last || followLast || trailingSlash) && next.exists() && next.isSymlink()) {
                if (++links > MAXSYMLINKS) {
                    throw new ErrnoException(Errno.ELOOP);
                }
                Node magic = next.followMagic(t);
                if (magic != null) {
                    next = magic;
                } else {
                    String target = next.readlink(t);
                    if (target.isEmpty()) {
                        throw new ErrnoException(Errno.ENOENT);
                    }
                    push(comps, target);
                    if (target.startsWith("/")) {
                        cur = top;
                    }
                    if (comps.isEmpty()) {
                        // The target was "/" (or only slashes).
                        next = cur;
                    } else {
                        continue;
                    }
                }
            }
            cur = next;
        }
        if (trailingSlash && cur.exists() && !cur.isDir()) {
            throw new ErrnoException(Errno.ENOTDIR);
        }
        return cur;
    }

    /** "..": stays at the root, leaves a mount's top for the directory above its mount point. */
    private Node up(Task t, Node cur, Node top, boolean inSysroot) throws ErrnoException {
        if (cur.guest.equals("/")) {
            return cur;
        }
        if (!inSysroot && isMountRoot(cur)) {
            return walk(t, top, Node.parentOf(cur.guest), true);
        }
        return cur.parent(t);
    }

    /** The name in a directory: a mount's top when it is a mount point, else the directory's own child. */
    private Node child(Task t, Node dir, String name, boolean inSysroot) throws ErrnoException {
        if (!inSysroot && !mounts.isEmpty()) {
            Mount m = mounts.get(Node.childOf(dir.guest, name));
            if (m != null) {
                return m.root(this);
            }
        }
        if (dir.guest.equals("/")) {
            if (name.equals("proc")) {
                return new SynthNode(this, SynthNode.Kind.PROC_DIR, 0, "/proc");
            }
            if (name.equals("sys") && !inSysroot) {
                return new SynthNode(this, SynthNode.Kind.SYS_DIR, 0, "/sys");
            }
            if (name.equals("dev") && dir instanceof HostNode && !inSysroot) {
                // A host root without a /dev directory gets a synthetic one; a tmpfs root has its own.
                Node d = dir.child(t, name);
                return d.exists() && d.isDir() ? d : new SynthNode(this, SynthNode.Kind.DEV_DIR, 0, "/dev");
            }
        } else if (dir.guest.equals("/dev") && dir instanceof HostNode) {
            // A host directory's device files are the host's: jkernel's own devices stand in for them.
            SynthNode d = SynthNode.device(this, name);
            if (d != null) {
                return d;
            }
        }
        return dir.child(t, name);
    }

    /** Pushes the components of {@code path} in front of what remains to walk. */
    private static void push(Deque<String> comps, String path) {
        String[] parts = path.split("/");
        for (int i = parts.length - 1; i >= 0; i--) {
            if (!parts[i].isEmpty()) {
                comps.push(parts[i]);
            }
        }
    }
}
