package dev.jkernel.fs;

import dev.jkernel.kernel.Errno;
import dev.jkernel.kernel.ErrnoException;
import dev.jkernel.kernel.Task;
import dev.jkernel.mm.AddressSpace;
import dev.jkernel.mm.MemCgroup;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The synthetic files that exist whatever the root: the character devices of /dev and the small /proc jkernel
 * implements (/proc/self and /proc/PID: exe, cwd, fd/, maps; /proc/cpuinfo, /proc/meminfo). Everything else under
 * /proc is ENOENT.
 */
public final class SynthNode extends Node {
    public enum Kind {
        PROC_DIR, PROC_PID_DIR, PROC_FD_DIR, PROC_TASK_DIR, DEV_DIR, PROC_SELF, PROC_EXE, PROC_CWD, PROC_FD, PROC_MAPS,
        PROC_CPUINFO, PROC_MEMINFO, DEV_NULL, DEV_ZERO, DEV_FULL, DEV_RANDOM, DEV_URANDOM, DEV_TTY, DEV_STD,
        PROC_MOUNTS, PROC_MOUNTS_LINK, SYS_DIR, SYS_CPU_FILE
    }

    static final long PROC_DEV = Stat.makedev(0, 0x16);
    static final long DEV_DEV = Stat.makedev(0, 5);
    static final long SYS_DEV = Stat.makedev(0, 0x15);

    /**
     * /sys: just the part that tells how many CPUs there are, which glibc's get_nprocs and get_nprocs_conf read
     * (sysconf(_SC_NPROCESSORS_ONLN/CONF)), so that programs see the kernel's vCPUs, not the host's cores. SYS_DIR's
     * arg is the depth below /sys; SYS_CPU_FILE's the index in {@link #SYS_CPU_FILES}.
     */
    private static final String[] SYS_PATH = {"/sys", "/sys/devices", "/sys/devices/system", "/sys/devices/system/cpu"};
    private static final String[] SYS_CPU_FILES = {"online", "possible", "present"};

    final Vfs vfs;
    final Kind kind;
    /** The pid of a /proc/PID node, the fd of fd/N and /dev/std*. */
    final int arg;

    SynthNode(Vfs vfs, Kind kind, int arg, String guest) {
        super(guest);
        this.vfs = vfs;
        this.kind = kind;
        this.arg = arg;
    }

    private static final String[] DEV_NAMES = {"null", "zero", "full", "random", "urandom", "tty", "stdin",
            "stdout", "stderr"};

    /** The synthetic device /dev/NAME, or null. */
    static SynthNode device(Vfs vfs, String name) {
        return switch (name) {
            case "null" -> new SynthNode(vfs, Kind.DEV_NULL, 0, "/dev/null");
            case "zero" -> new SynthNode(vfs, Kind.DEV_ZERO, 0, "/dev/zero");
            case "full" -> new SynthNode(vfs, Kind.DEV_FULL, 0, "/dev/full");
            case "random" -> new SynthNode(vfs, Kind.DEV_RANDOM, 0, "/dev/random");
            case "urandom" -> new SynthNode(vfs, Kind.DEV_URANDOM, 0, "/dev/urandom");
            case "tty" -> new SynthNode(vfs, Kind.DEV_TTY, 0, "/dev/tty");
            case "stdin" -> new SynthNode(vfs, Kind.DEV_STD, 0, "/dev/stdin");
            case "stdout" -> new SynthNode(vfs, Kind.DEV_STD, 1, "/dev/stdout");
            case "stderr" -> new SynthNode(vfs, Kind.DEV_STD, 2, "/dev/stderr");
            default -> null;
        };
    }

    /** The device a character-device number names (a device node in a tmpfs /dev), or null. */
    static Kind deviceKind(long rdev) {
        long major = Stat.major(rdev), minor = Stat.minor(rdev);
        if (major == 1) {
            return switch ((int) minor) {
                case 3 -> Kind.DEV_NULL;
                case 5 -> Kind.DEV_ZERO;
                case 7 -> Kind.DEV_FULL;
                case 8 -> Kind.DEV_RANDOM;
                case 9 -> Kind.DEV_URANDOM;
                default -> null;
            };
        }
        return major == 5 && minor == 0 ? Kind.DEV_TTY : null;
    }

    static long inoOf(Kind k, int arg) {
        return 0x10000L + ((long) k.ordinal() << 20) + (arg & 0xfffff);
    }

    boolean isDirKind() {
        return kind == Kind.PROC_DIR || kind == Kind.PROC_PID_DIR || kind == Kind.PROC_FD_DIR
                || kind == Kind.PROC_TASK_DIR || kind == Kind.DEV_DIR || kind == Kind.SYS_DIR;
    }

    boolean isLinkKind() {
        return kind == Kind.PROC_SELF || kind == Kind.PROC_EXE || kind == Kind.PROC_CWD || kind == Kind.PROC_FD
                || kind == Kind.DEV_STD || kind == Kind.PROC_MOUNTS_LINK;
    }

    boolean isDevice() {
        return switch (kind) {
            case DEV_NULL, DEV_ZERO, DEV_FULL, DEV_RANDOM, DEV_URANDOM, DEV_TTY -> true;
            default -> false;
        };
    }

    @Override
    public boolean exists() {
        return true;
    }

    @Override
    public int type() {
        return isDirKind() ? Stat.S_IFDIR : isLinkKind() ? Stat.S_IFLNK : isDevice() ? Stat.S_IFCHR : Stat.S_IFREG;
    }

    private static int pid(Task t) throws ErrnoException {
        if (t == null) {
            throw new ErrnoException(Errno.ENOENT);
        }
        return t.tgid();
    }

    private OpenFile fdFile(Task t) throws ErrnoException {
        OpenFile f = t == null ? null : t.files().get(arg);
        if (f == null) {
            throw new ErrnoException(Errno.ENOENT);
        }
        return f;
    }

    @Override
    public String readlink(Task t) throws ErrnoException {
        return switch (kind) {
            case PROC_SELF -> Integer.toString(pid(t));
            case PROC_EXE -> {
                String p = t == null ? null : t.mm().exePath();
                if (p == null) {
                    throw new ErrnoException(Errno.ENOENT);
                }
                Node exe = t.mm().exeNode();
                yield exe instanceof TmpNode && exe.isDeleted() ? p + " (deleted)" : p;
            }
            case PROC_CWD -> {
                pid(t);
                yield vfs.cwdNode(t, t.fs()).currentPath();
            }
            case PROC_FD -> fdFile(t).guestPath();
            case DEV_STD -> "/proc/self/fd/" + arg;
            case PROC_MOUNTS_LINK -> "self/mounts";
            default -> throw new ErrnoException(Errno.EINVAL);
        };
    }

    @Override
    public Node followMagic(Task t) throws ErrnoException {
        switch (kind) {
            case PROC_EXE -> {
                Node exe = t == null ? null : t.mm().exeNode();
                if (exe == null) {
                    throw new ErrnoException(Errno.ENOENT);
                }
                return exe.fresh();
            }
            case PROC_CWD -> {
                pid(t);
                return vfs.cwdNode(t, t.fs());
            }
            case PROC_FD -> {
                OpenFile f = fdFile(t);
                Node n = f.node();
                return n != null ? n.fresh() : new FileNode(f);
            }
            default -> {
                return null;
            }
        }
    }

    @Override
    public Node child(Task t, String name) throws ErrnoException {
        switch (kind) {
            case PROC_DIR -> {
                if (name.equals("self")) {
                    return new SynthNode(vfs, Kind.PROC_SELF, 0, "/proc/self");
                }
                if (name.equals("cpuinfo")) {
                    return new SynthNode(vfs, Kind.PROC_CPUINFO, 0, "/proc/cpuinfo");
                }
                if (name.equals("meminfo")) {
                    return new SynthNode(vfs, Kind.PROC_MEMINFO, 0, "/proc/meminfo");
                }
                if (name.equals("mounts")) {
                    return new SynthNode(vfs, Kind.PROC_MOUNTS_LINK, 0, "/proc/mounts");
                }
                if (t != null && name.equals(Integer.toString(t.tgid()))) {
                    return new SynthNode(vfs, Kind.PROC_PID_DIR, t.tgid(), "/proc/" + name);
                }
            }
            case PROC_PID_DIR -> {
                String g = childOf(guest, name);
                switch (name) {
                    case "exe" -> { return new SynthNode(vfs, Kind.PROC_EXE, arg, g); }
                    case "cwd" -> { return new SynthNode(vfs, Kind.PROC_CWD, arg, g); }
                    case "fd" -> { return new SynthNode(vfs, Kind.PROC_FD_DIR, arg, g); }
                    case "maps" -> { return new SynthNode(vfs, Kind.PROC_MAPS, arg, g); }
                    case "mounts" -> { return new SynthNode(vfs, Kind.PROC_MOUNTS, arg, g); }
                    case "task" -> { return new SynthNode(vfs, Kind.PROC_TASK_DIR, arg, g); }
                    default -> { }
                }
            }
            case PROC_TASK_DIR -> {
                int tid = parseFd(name);
                if (t != null && tid > 0) {
                    for (Task th : t.proc().threads()) {
                        if (th.tid() == tid) {
                            return new SynthNode(vfs, Kind.PROC_PID_DIR, tid, childOf(guest, name));
                        }
                    }
                }
            }
            case PROC_FD_DIR -> {
                int fd = parseFd(name);
                if (fd >= 0 && t != null && t.files().get(fd) != null) {
                    return new SynthNode(vfs, Kind.PROC_FD, fd, childOf(guest, name));
                }
            }
            case DEV_DIR -> {
                SynthNode d = device(vfs, name);
                if (d != null) {
                    return d;
                }
            }
            case SYS_DIR -> {
                if (arg + 1 < SYS_PATH.length && SYS_PATH[arg + 1].equals(childOf(guest, name))) {
                    return new SynthNode(vfs, Kind.SYS_DIR, arg + 1, SYS_PATH[arg + 1]);
                }
                for (int i = 0; arg == SYS_PATH.length - 1 && i < SYS_CPU_FILES.length; i++) {
                    if (SYS_CPU_FILES[i].equals(name)) {
                        return new SynthNode(vfs, Kind.SYS_CPU_FILE, i, childOf(guest, name));
                    }
                }
            }
            default -> throw new ErrnoException(Errno.ENOTDIR);
        }
        throw new ErrnoException(Errno.ENOENT);
    }

    private static int parseFd(String s) {
        if (s.isEmpty() || s.length() > 9 || (s.length() > 1 && s.charAt(0) == '0')) {
            return -1;
        }
        int v = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    @Override
    public Node parent(Task t) throws ErrnoException {
        return vfs.lookup(t, null, parentOf(guest), true);
    }

    @Override
    public Stat stat(Task t) throws ErrnoException {
        long ino = inoOf(kind, arg);
        // /proc and /dev were made at boot: their times are the kernel's boot time (virtual when deterministic).
        long at = t != null ? t.kernel().bootRealtimeNanos() : Stat.JVM_START_NANOS;
        return switch (kind) {
            case PROC_DIR, PROC_PID_DIR -> Stat.synthetic(at, PROC_DEV, ino, Stat.S_IFDIR | 0555, 0, 0);
            case PROC_FD_DIR -> Stat.synthetic(at, PROC_DEV, ino, Stat.S_IFDIR | 0500, 0, 0);
            case PROC_TASK_DIR -> Stat.synthetic(at, PROC_DEV, ino, Stat.S_IFDIR | 0555, 0, 0);
            case DEV_DIR -> Stat.synthetic(at, DEV_DEV, ino, Stat.S_IFDIR | 0755, 0, 0);
            case SYS_DIR -> Stat.synthetic(at, SYS_DEV, ino, Stat.S_IFDIR | 0555, 0, 0);
            case SYS_CPU_FILE -> Stat.synthetic(at, SYS_DEV, ino, Stat.S_IFREG | 0444, 0, 4096);
            case PROC_SELF, PROC_EXE, PROC_CWD, PROC_MOUNTS_LINK -> Stat.synthetic(at, PROC_DEV, ino,
                    Stat.S_IFLNK | 0777, 0, readlink(t).getBytes(StandardCharsets.UTF_8).length);
            case PROC_FD -> Stat.synthetic(at, PROC_DEV, ino, Stat.S_IFLNK | 0700, 0, 64);
            case DEV_STD -> Stat.synthetic(at, DEV_DEV, ino, Stat.S_IFLNK | 0777, 0, 15);
            case PROC_MAPS, PROC_CPUINFO, PROC_MEMINFO, PROC_MOUNTS -> Stat.synthetic(at, PROC_DEV, ino,
                    Stat.S_IFREG | 0444, 0, 0);
            case DEV_NULL -> dev(at, ino, 1, 3);
            case DEV_ZERO -> dev(at, ino, 1, 5);
            case DEV_FULL -> dev(at, ino, 1, 7);
            case DEV_RANDOM -> dev(at, ino, 1, 8);
            case DEV_URANDOM -> dev(at, ino, 1, 9);
            case DEV_TTY -> dev(at, ino, 5, 0);
        };
    }

    private static Stat dev(long at, long ino, int major, int minor) {
        return Stat.synthetic(at, DEV_DEV, ino, Stat.S_IFCHR | 0666, Stat.makedev(major, minor), 0);
    }


    @Override
    public OpenFile open(Task t, int flags) throws ErrnoException {
        flags &= ~OpenFile.FMODE_EXEC;
        if ((flags & OpenFile.O_PATH) != 0) {
            return new PathFile(this, flags);
        }
        if (isDirKind()) {
            return new DirFile(this, flags, t);
        }
        if ((flags & OpenFile.O_DIRECTORY) != 0) {
            throw new ErrnoException(Errno.ENOTDIR);
        }
        return switch (kind) {
            case PROC_MAPS, PROC_CPUINFO, PROC_MEMINFO, PROC_MOUNTS, SYS_CPU_FILE -> {
                if ((flags & OpenFile.O_ACCMODE) != OpenFile.O_RDONLY) {
                    throw new ErrnoException(Errno.EACCES);
                }
                yield new ProcFile(this, flags, switch (kind) {
                    case PROC_MAPS -> maps(t);
                    case PROC_MEMINFO -> meminfo(t);
                    case PROC_MOUNTS -> vfs.mountsText();
                    case SYS_CPU_FILE -> cpuRange(t);
                    default -> cpuinfo(t);
                });
            }
            case DEV_TTY -> throw new ErrnoException(Errno.ENXIO);
            case DEV_NULL, DEV_ZERO, DEV_FULL, DEV_RANDOM, DEV_URANDOM -> new DevFile(this, kind, flags);
            default -> throw new ErrnoException(Errno.ELOOP);
        };
    }

    @Override
    public List<OpenFile.DirEntry> list(Task t) throws ErrnoException {
        List<OpenFile.DirEntry> out = new ArrayList<>();
        switch (kind) {
            case PROC_DIR -> {
                if (t != null) {
                    out.add(new OpenFile.DirEntry(Integer.toString(t.tgid()), inoOf(Kind.PROC_PID_DIR, t.tgid()),
                            4));
                }
                out.add(new OpenFile.DirEntry("self", inoOf(Kind.PROC_SELF, 0), 10));
                out.add(new OpenFile.DirEntry("cpuinfo", inoOf(Kind.PROC_CPUINFO, 0), 8));
                out.add(new OpenFile.DirEntry("meminfo", inoOf(Kind.PROC_MEMINFO, 0), 8));
                out.add(new OpenFile.DirEntry("mounts", inoOf(Kind.PROC_MOUNTS_LINK, 0), 10));
            }
            case PROC_PID_DIR -> {
                out.add(new OpenFile.DirEntry("exe", inoOf(Kind.PROC_EXE, arg), 10));
                out.add(new OpenFile.DirEntry("cwd", inoOf(Kind.PROC_CWD, arg), 10));
                out.add(new OpenFile.DirEntry("fd", inoOf(Kind.PROC_FD_DIR, arg), 4));
                out.add(new OpenFile.DirEntry("maps", inoOf(Kind.PROC_MAPS, arg), 8));
                out.add(new OpenFile.DirEntry("mounts", inoOf(Kind.PROC_MOUNTS, arg), 8));
                out.add(new OpenFile.DirEntry("task", inoOf(Kind.PROC_TASK_DIR, arg), 4));
            }
            case PROC_TASK_DIR -> {
                if (t != null) {
                    for (Task th : t.proc().threads()) {
                        out.add(new OpenFile.DirEntry(Integer.toString(th.tid()), inoOf(Kind.PROC_PID_DIR, th.tid()),
                                4));
                    }
                }
            }
            case PROC_FD_DIR -> {
                if (t != null) {
                    for (int fd : t.files().openFds()) {
                        out.add(new OpenFile.DirEntry(Integer.toString(fd), inoOf(Kind.PROC_FD, fd), 10));
                    }
                }
            }
            case DEV_DIR -> {
                for (String n : DEV_NAMES) {
                    SynthNode d = device(vfs, n);
                    out.add(new OpenFile.DirEntry(n, inoOf(d.kind, d.arg), OpenFile.dtype(d.stat(t).mode())));
                }
            }
            case SYS_DIR -> {
                if (arg + 1 < SYS_PATH.length) {
                    out.add(new OpenFile.DirEntry(SYS_PATH[arg + 1].substring(SYS_PATH[arg].length() + 1), inoOf(Kind.SYS_DIR, arg + 1), 4));
                } else {
                    for (int i = 0; i < SYS_CPU_FILES.length; i++) {
                        out.add(new OpenFile.DirEntry(SYS_CPU_FILES[i], inoOf(Kind.SYS_CPU_FILE, i), 8));
                    }
                }
            }
            default -> throw new ErrnoException(Errno.ENOTDIR);
        }
        return out;
    }

    @Override
    public void checkAccess(Task t, int mode) throws ErrnoException {
        if (isDevice() || isLinkKind()) {
            return;
        }
        if ((mode & 2) != 0 || (!isDirKind() && (mode & 1) != 0)) {
            throw new ErrnoException(Errno.EACCES);
        }
    }

    /** /proc/self/maps in Linux's format (fs/proc/task_mmu.c). */
    static byte[] maps(Task t) throws ErrnoException {
        if (t == null) {
            throw new ErrnoException(Errno.ENOENT);
        }
        StringBuilder sb = new StringBuilder();
        for (AddressSpace.Vma v : t.mm().vmas()) {
            int lineStart = sb.length();
            sb.append(String.format("%08x-%08x %c%c%c%c %08x 00:00 0 ", v.start, v.end,
                    (v.prot & 1) != 0 ? 'r' : '-', (v.prot & 2) != 0 ? 'w' : '-', (v.prot & 4) != 0 ? 'x' : '-',
                    (v.flags & AddressSpace.MAP_TYPE) == AddressSpace.MAP_PRIVATE ? 'p' : 's',
                    v.source != null ? v.fileOffset : 0));
            if (v.name != null) {
                while (sb.length() - lineStart < 72) {
                    sb.append(' ');
                }
                sb.append(' ').append(v.name);
            }
            sb.append('\n');
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * /proc/meminfo in Linux's format (fs/proc/meminfo.c), the main lines: the machine's memory is the kernel's
     * memory limit (its memory cgroup's, as in a container that shows its cgroup's limit), used memory is what is
     * charged to it; there is no page cache and no swap.
     */
    static byte[] meminfo(Task t) {
        MemCgroup mem = t == null ? null : t.kernel().memory();
        long total = mem == null || mem.limitBytes() == MemCgroup.UNLIMITED ? Runtime.getRuntime().maxMemory()
                : mem.limitBytes();
        long free = Math.max(0, total - (mem == null ? 0 : mem.usageBytes()));
        StringBuilder sb = new StringBuilder();
        String[] names = {"MemTotal", "MemFree", "MemAvailable", "Buffers", "Cached", "SwapCached", "SwapTotal",
                "SwapFree"};
        long[] values = {total, free, free, 0, 0, 0, 0, 0};
        for (int i = 0; i < names.length; i++) {
            sb.append(String.format("%-16s%8d kB%n", names[i] + ":", values[i] >> 10));
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The kernel's vCPUs (the host's cores when no task asks). */
    private static int cpus(Task t) {
        return t != null ? t.kernel().sched().cpus() : Math.max(1, Runtime.getRuntime().availableProcessors());
    }

    /** /sys/devices/system/cpu/{online,possible,present}: every vCPU, as a cpulist ("0" or "0-N"). */
    static byte[] cpuRange(Task t) {
        int n = cpus(t);
        return ((n == 1 ? "0" : "0-" + (n - 1)) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    /** /proc/cpuinfo as Linux's arch/riscv/kernel/cpu.c prints it, one entry per vCPU. */
    static byte[] cpuinfo(Task t) {
        StringBuilder sb = new StringBuilder();
        int n = cpus(t);
        for (int i = 0; i < n; i++) {
            sb.append("processor\t: ").append(i).append('\n');
            sb.append("hart\t\t: ").append(i).append('\n');
            sb.append("isa\t\t: rv64imafdc_zicsr_zifencei\n");
            sb.append("mmu\t\t: sv39\n");
            sb.append("mvendorid\t: 0x0\n");
            sb.append("marchid\t\t: 0x0\n");
            sb.append("mimpid\t\t: 0x0\n\n");
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The node an open file without a path leads to (stdio through /proc/self/fd/N): opening it shares the file. */
    static final class FileNode extends Node {
        final OpenFile file;

        FileNode(OpenFile file) {
            super(file.guestPath());
            this.file = file;
        }

        @Override
        public boolean exists() {
            return true;
        }

        @Override
        public int type() throws ErrnoException {
            return file.stat().type();
        }

        @Override
        public Node child(Task t, String name) throws ErrnoException {
            throw new ErrnoException(Errno.ENOTDIR);
        }

        @Override
        public Node parent(Task t) throws ErrnoException {
            throw new ErrnoException(Errno.ENOTDIR);
        }

        @Override
        public Stat stat(Task t) throws ErrnoException {
            return file.stat();
        }

        @Override
        public OpenFile open(Task t, int flags) throws ErrnoException {
            int want = flags & OpenFile.O_ACCMODE;
            if ((want != OpenFile.O_WRONLY && !file.canRead()) || (want != OpenFile.O_RDONLY && !file.canWrite())) {
                throw new ErrnoException(Errno.EACCES);
            }
            file.incRef();
            return file;
        }

        @Override
        public void checkAccess(Task t, int mode) {
        }
    }
}
