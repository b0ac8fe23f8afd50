package dev.jkernel.api;

import dev.jkernel.fs.Cred;
import dev.jkernel.fs.Vfs;
import dev.jkernel.host.HostOps;
import dev.jkernel.kernel.Errno;
import dev.jkernel.kernel.ErrnoException;
import dev.jkernel.kernel.Kernel;
import dev.jkernel.kernel.KernelConfig;
import dev.jkernel.kernel.Preemption;
import dev.jkernel.kernel.Proc;
import dev.jkernel.kernel.UserModeHelper;
import dev.jkernel.loader.Exec;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A jkernel booted inside this JVM: the embedding API's entry point.
 *
 * <pre>{@code
 * try (JKernel k = JKernel.builder().copy(Path.of("cat.riscv64"), "/bin/cat").build()) {
 *     GuestProcess p = k.process("/bin/cat").stdin("hi\n".getBytes()).stdout(Stdio.pipe()).start();
 *     String out = new String(p.getInputStream().readAllBytes());
 *     ExitStatus st = p.waitFor();
 * }
 * }</pre>
 *
 * <p>The guest's file system is an in-memory tmpfs by default (with /dev, /dev/shm, /proc, /tmp, /bin, /etc and
 * /usr/bin), into which the builder places files and mounts host directories; {@link Builder#root(Path)} makes a
 * confined host directory the root instead, and {@link Builder#hostRoot()} the host's own, as qemu-user and the CLI
 * show it.
 *
 * <p>{@link Builder#build()} boots with pid 1 a resident init (a kernel thread that reaps orphans and the processes
 * started here, and lives until {@link #close()}) and pid 2 kthreadd. {@link #process} starts programs as init's
 * children; {@link #syscalls()} lets any Java thread call into the kernel. Alternatively
 * {@link Builder#startInit(String, List)} boots with a program as pid 1, as Linux runs its init (what
 * {@code jkernel run} does): the kernel then lives as long as that program. Kernels share nothing: several in one JVM
 * are isolated. All methods are thread-safe.
 */
public final class JKernel implements AutoCloseable {
    private final Kernel kernel;
    private final Map<String, String> env;
    private final InputStream stdin;
    private final OutputStream stdout, stderr;
    private final boolean[] tty;
    private final String cwd;
    private final Syscalls syscalls = new Syscalls(this);
    /** Whether pid 1 is a program (startInit) rather than the resident init. */
    private final boolean programInit;
    private volatile boolean closed;

    private JKernel(Builder b, KernelConfig cfg, boolean programInit) {
        this.env = Map.copyOf(b.env);
        this.stdin = cfg.stdin();
        this.stdout = cfg.stdout();
        this.stderr = cfg.stderr();
        this.tty = cfg.ttyStdio().clone();
        this.cwd = cfg.cwd();
        this.programInit = programInit;
        this.kernel = new Kernel(cfg);
        if (b.memoryLimit > 0) {
            kernel.memory().setLimit(b.memoryLimit);
        }
        if (!programInit) {
            kernel.boot();
        }
    }

    /** Boots with pid 1 exec'ing {@code program}; once it ends, the kernel closes itself (see Builder#startInit). */
    private GuestProcess startInit(String program, List<String> argv) throws ExecException {
        List<String> envp = new ArrayList<>();
        env.forEach((k, v) -> envp.add(k + "=" + v));
        Proc p;
        try {
            p = kernel.startInit(program, List.copyOf(argv), envp);
        } catch (dev.jkernel.kernel.ErrnoException e) {
            throw new ExecException(program, UserModeHelper.ExecFailure.of(program, e));
        } catch (Exec.ExecFormatException e) {
            throw new ExecException(program, UserModeHelper.ExecFailure.of(e));
        } finally {
            closed = kernel.isShutDown(); // a failed boot has shut the kernel down
        }
        // Linux stops when init exits; here the kernel shuts down, from a thread of its own (not pid 1's, which close
        // joins).
        p.death().whenComplete((st, x) -> kernel.host().newThread("jkernel-init-exit", this::close).start());
        return new GuestProcess(this, p, new int[] {-1, -1, -1});
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * A process to start: {@code program} is a guest path (relative ones from the working directory), argv[0] is
     * {@code program} and the rest {@code args}.
     */
    public GuestProcessBuilder process(String program, String... args) {
        return process(program, argv(program, args));
    }

    /**
     * A process to start with an explicit argv (argv[0] need not be the program's path).
     *
     * @throws IllegalStateException when pid 1 is a program ({@link Builder#startInit}): there is no resident init
     */
    public GuestProcessBuilder process(String program, List<String> argv) {
        checkResidentInit();
        checkProgram(program);
        return new GuestProcessBuilder(this, program, argv, env);
    }

    /** argv[0] = program, then args. */
    private static List<String> argv(String program, String... args) {
        List<String> argv = new ArrayList<>();
        argv.add(Objects.requireNonNull(program, "program"));
        for (String a : args) {
            argv.add(Objects.requireNonNull(a, "argument"));
        }
        return argv;
    }

    private static void checkProgram(String program) {
        if (program.isEmpty()) {
            throw new IllegalArgumentException("empty program path");
        }
    }

    /**
     * The whole content of a guest file (after programs have written it, say): {@code syscalls().readFile(path)}.
     *
     * @throws ErrnoException as open(2) and read(2) fail
     * @throws IllegalStateException when pid 1 is a program ({@link Builder#startInit}): there is no resident init
     */
    public byte[] readFile(String guestPath) throws dev.jkernel.api.ErrnoException {
        return syscalls().readFile(guestPath);
    }

    /**
     * Syscalls from the calling Java thread (see {@link Syscalls}).
     *
     * @throws IllegalStateException when pid 1 is a program ({@link Builder#startInit}): there is no resident init
     */
    public Syscalls syscalls() {
        checkResidentInit();
        return syscalls;
    }

    private void checkResidentInit() {
        checkOpen();
        if (programInit) {
            throw new IllegalStateException("pid 1 of this kernel is a program (startInit): processes and host "
                    + "threads need the resident init of build()");
        }
    }

    /** The kernel's processes (kernel threads included), by pid. */
    public List<ProcessInfo> processes() {
        checkOpen();
        List<ProcessInfo> out = new ArrayList<>();
        for (Proc p : kernel.procs()) {
            out.add(new ProcessInfo(p.tgid(), p.ppid(), p.comm(), p.stateLetter(), p.isKernelThread()));
        }
        out.sort(Comparator.comparingInt(ProcessInfo::pid));
        return out;
    }

    /** The syscall status table (Markdown): what docs/SYSCALLS.md holds. Boots nothing. */
    public static String syscallStatusMarkdown() {
        return new Kernel(KernelConfig.of(InputStream.nullInputStream(), OutputStream.nullOutputStream(),
                OutputStream.nullOutputStream())).syscalls().statusMarkdown();
    }

    /** Virtual CPUs. */
    public int cpus() {
        return kernel.sched().cpus();
    }

    /** Guest instructions retired by the tasks that have exited (all of them once the kernel is closed). */
    public long retiredInstructions() {
        return kernel.retiredInstructions();
    }

    /** rseq critical sections aborted by the tasks that have exited (all of them once the kernel is closed). */
    public long rseqAborts() {
        return kernel.rseqAborts();
    }

    /**
     * Guest memory in use now, in bytes: every page allocated for the kernel's processes (the memory cgroup's
     * memory.current; see {@link Builder#memoryLimit}).
     */
    public long memoryUsage() {
        return kernel.memory().usageBytes();
    }

    /** The most guest memory that has been in use at once, in bytes (memory.peak). */
    public long memoryPeak() {
        return kernel.memory().peakBytes();
    }

    /** The memory limit in effect, in bytes (the one given to the builder, or the default). */
    public long memoryLimit() {
        return kernel.memory().limitBytes();
    }

    /** Processes killed so far because the memory limit was reached. */
    public long oomKills() {
        return kernel.oomKills();
    }

    public boolean isClosed() {
        return closed;
    }

    /**
     * Shuts the kernel down: every task is killed (calls blocked in it end with {@link KernelClosedException}),
     * every thread it started is joined, every descriptor is closed (flushing output streams; the application's own
     * streams are never closed). Idempotent; afterwards everything but {@link GuestProcess#waitFor} and
     * {@link #isClosed()} throws {@link KernelClosedException}.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        kernel.shutdown();
    }

    void checkOpen() {
        if (closed) {
            throw new KernelClosedException();
        }
    }

    Kernel kernel() {
        return kernel;
    }

    InputStream defaultStdin() {
        return stdin;
    }

    OutputStream defaultStdout() {
        return stdout;
    }

    OutputStream defaultStderr() {
        return stderr;
    }

    boolean tty(int fd) {
        return tty[fd];
    }

    String defaultCwd() {
        return cwd;
    }

    /** How to boot a kernel. Every setting has a default; {@link #build()} boots. */
    public static final class Builder {
        private int cpus;
        private Path root, sysroot;
        private boolean rootReadOnly;
        private long tmpfsSize = Runtime.getRuntime().maxMemory() / 4;
        private final List<MountSpec> mounts = new ArrayList<>();
        private final List<Placement> placements = new ArrayList<>();
        private final Map<String, String> env = new LinkedHashMap<>(Map.of("PATH", "/usr/local/bin:/usr/bin:/bin"));
        private String cwd = "/";
        private InputStream stdin = InputStream.nullInputStream();
        private OutputStream stdout = System.out, stderr = System.err;
        private final boolean[] tty = new boolean[3];
        private PrintStream strace;
        private Preemption preempt;
        private HostOps host;
        private Long seed;
        private long memoryLimit;

        private Builder() {}

        /**
         * Virtual CPUs, 1 to 64 (default: the host's cores, at most 64; a deterministic kernel: 1, whatever the
         * machine, and with more, one task still runs at a time, with cpu ids drawn from the seed).
         */
        public Builder cpus(int n) {
            if (n < 1 || n > 64) {
                throw new IllegalArgumentException("virtual CPUs must be between 1 and 64, not " + n);
            }
            cpus = n;
            return this;
        }

        /**
         * A host directory confined as the guest's "/" (no escape by ".." or symlinks), instead of the default
         * in-memory tmpfs; null: back to the tmpfs.
         */
        public Builder root(Path dir) {
            return root(dir, false);
        }

        /** As {@link #root(Path)}, read-only when asked (EROFS for every change). */
        public Builder root(Path dir, boolean readOnly) {
            root = dir;
            rootReadOnly = readOnly;
            return this;
        }

        /**
         * The host's own file system as the guest's "/", unconfined, as qemu-user shows it (what the CLI does without
         * --root), instead of the default tmpfs.
         */
        public Builder hostRoot() {
            return root(Path.of("/"));
        }

        /** The most file data the root tmpfs holds (ENOSPC past it); default: a quarter of the JVM's maximum heap. */
        public Builder tmpfsSize(long bytes) {
            if (bytes < 4096) {
                throw new IllegalArgumentException("tmpfs size " + bytes + ": less than a page");
            }
            tmpfsSize = bytes;
            return this;
        }

        /**
         * Mounts host directory {@code hostDir} at {@code guestPath}, confined (".." at its top leads to the
         * directory above the mount point; symlinks in it resolve in the guest's namespace), read-only (EROFS for
         * every change) or read-write. In a tmpfs the mount point is created; in a host root it must exist. Mounts
         * are made parents first, before files are placed. "/", "/dev" and "/proc" (and below it) cannot be mount
         * points.
         */
        public Builder mount(String guestPath, Path hostDir, boolean readOnly) {
            mounts.add(new MountSpec(checkGuestPath(guestPath), Objects.requireNonNull(hostDir, "hostDir"),
                    readOnly, 0));
            return this;
        }

        /** Mounts a new, empty tmpfs (mode 1777) of at most {@code sizeBytes} at {@code guestPath}. */
        public Builder mountTmpfs(String guestPath, long sizeBytes) {
            if (sizeBytes < 4096) {
                throw new IllegalArgumentException("tmpfs size " + sizeBytes + ": less than a page");
            }
            mounts.add(new MountSpec(checkGuestPath(guestPath), null, false, sizeBytes));
            return this;
        }

        /** Creates a directory (and its parents), mode 0755, before boot. */
        public Builder directory(String guestPath) {
            placements.add(new Placement(checkGuestPath(guestPath), null, null, 0755));
            return this;
        }

        /** Places a file with this content (mode 0644) before boot; parent directories are created. */
        public Builder file(String guestPath, byte[] content) {
            return file(guestPath, content, 0644);
        }

        /**
         * Places a file with this content and permission bits (0755 for a program) before boot; parent directories
         * are created, an existing file is replaced. The bytes are copied now. Placed in a read-write host mount or
         * root, the file is written to the host directory.
         */
        public Builder file(String guestPath, byte[] content, int mode) {
            placements.add(new Placement(checkGuestPath(guestPath), content.clone(), null, checkMode(mode)));
            return this;
        }

        /** Places a copy of a host file (read at {@link #build()}, with its permission bits) before boot. */
        public Builder copy(Path hostFile, String guestPath) {
            placements.add(new Placement(checkGuestPath(guestPath), null, Objects.requireNonNull(hostFile,
                    "hostFile"), -1));
            return this;
        }

        private static String checkGuestPath(String p) {
            if (!Objects.requireNonNull(p, "guestPath").startsWith("/")) {
                throw new IllegalArgumentException("not an absolute guest path: \"" + p + "\"");
            }
            return p;
        }

        private static int checkMode(int mode) {
            if ((mode & ~07777) != 0) {
                throw new IllegalArgumentException("mode " + Integer.toOctalString(mode) + ": not permission bits");
            }
            return mode;
        }

        /** A host directory searched first for absolute paths (qemu's -L), or null. */
        public Builder sysroot(Path dir) {
            sysroot = dir;
            return this;
        }

        /** The environment processes get by default (replaces the default PATH=/usr/local/bin:/usr/bin:/bin). */
        public Builder environment(Map<String, String> environment) {
            env.clear();
            environment.forEach(this::env);
            return this;
        }

        /** One variable of the default environment. */
        public Builder env(String name, String value) {
            if (name.isEmpty() || name.indexOf('=') >= 0) {
                throw new IllegalArgumentException("bad environment variable name: \"" + name + "\"");
            }
            env.put(name, Objects.requireNonNull(value, "value"));
            return this;
        }

        /** The default working directory (a guest path; default "/"). */
        public Builder cwd(String guestDir) {
            cwd = Objects.requireNonNull(guestDir, "guestDir");
            return this;
        }

        /** What processes read as stdin unless redirected (default: nothing, end of file at once). */
        public Builder stdin(InputStream in) {
            stdin = Objects.requireNonNull(in, "in");
            return this;
        }

        /** Where processes' stdout goes unless redirected (default: System.out). */
        public Builder stdout(OutputStream out) {
            stdout = Objects.requireNonNull(out, "out");
            return this;
        }

        /** Where processes' stderr and the kernel's one-line diagnostics go (default: System.err). */
        public Builder stderr(OutputStream err) {
            stderr = Objects.requireNonNull(err, "err");
            return this;
        }

        /** Whether the default stdin, stdout, stderr answer terminal ioctls (the CLI passes the host's answer). */
        public Builder terminal(boolean in, boolean out, boolean err) {
            tty[0] = in;
            tty[1] = out;
            tty[2] = err;
            return this;
        }

        /** Print every syscall in strace's format to {@code out} (null: off). */
        public Builder strace(PrintStream out) {
            strace = out;
            return this;
        }

        /**
         * Forced preemptions: "every:N", "random:SEED[:MAX]" or "at:N1,N2,..." (instruction counts of each thread).
         *
         * @throws IllegalArgumentException for a malformed spec
         */
        public Builder preemption(String spec) {
            preempt = spec == null ? null : Preemption.parse(spec);
            return this;
        }

        /**
         * The most memory the kernel's guests may use together, in bytes (rounded down to 4 KiB pages); default: half
         * the JVM's maximum heap ({@code Runtime.maxMemory()}), since guest pages live on the Java heap. Like a Linux
         * memory cgroup's memory.max: pages are charged when a guest first touches them, not when it maps them; an
         * allocation that would exceed the limit makes the kernel kill the process using the most memory (SIGKILL,
         * with one "Memory cgroup out of memory" line on the kernel's stderr) and then proceed. Guests see the limit
         * as the machine's memory (sysinfo, /proc/meminfo). A limit above what the heap can hold does not protect
         * the JVM.
         *
         * @throws IllegalArgumentException if {@code bytes} is less than one page (4096)
         */
        public Builder memoryLimit(long bytes) {
            if (bytes < 4096) {
                throw new IllegalArgumentException("memory limit must be at least 4096 bytes, not " + bytes);
            }
            memoryLimit = bytes;
            return this;
        }

        /**
         * The host operations the kernel runs on (threads, clocks, entropy; default {@link HostOps#jvm()}). A
         * deterministic instance serves one kernel only.
         */
        public Builder hostOps(HostOps ops) {
            host = ops;
            seed = null;
            return this;
        }

        /**
         * Deterministic mode: one guest thread at a time in an order drawn from {@code seed}, virtual time, seeded
         * randomness; the same seed and the same input give the same output and syscall trace. Shorthand for
         * {@code hostOps(HostOps.deterministic(seed))} made afresh for each {@link #build()}.
         */
        public Builder deterministic(long seed) {
            this.seed = seed;
            host = null;
            return this;
        }

        /**
         * Boots the kernel, with a resident init as pid 1, after making the file system (root, mounts, placed files,
         * in that order).
         *
         * @throws IllegalArgumentException when the root, sysroot or a mounted directory is not a directory, a
         *                                  mount point is refused, or a file cannot be placed (the message says why)
         */
        public JKernel build() {
            return new JKernel(this, config(), false);
        }

        /** As {@link #startInit(String, List)} with argv[0] = {@code program}, then {@code args}. */
        public GuestProcess startInit(String program, String... args) throws ExecException {
            return startInit(program, argv(program, args));
        }

        /**
         * Boots a kernel whose pid 1 is {@code program}, as Linux runs its init and {@code jkernel run} its program:
         * pid 1 is born a kernel thread that execs it with the builder's environment and working directory, and the
         * builder's stdin, stdout and stderr as fds 0-2; pid 2 is kthreadd. Returns pid 1 once its exec has
         * succeeded. {@link GuestProcess#waitFor()} gives its status; {@link GuestProcess#kernel()} the kernel, which
         * closes itself when pid 1 ends (everything still running is killed, as when Linux's init exits). Such a
         * kernel has no resident init: {@link JKernel#process} and {@link JKernel#syscalls()} throw
         * IllegalStateException.
         *
         * @throws ExecException when the program cannot be executed (ENOENT, EACCES, ENOEXEC with the loader's
         *                       reason...); the kernel is closed then
         * @throws IllegalArgumentException when the root or sysroot is not a directory, or the path is empty
         */
        public GuestProcess startInit(String program, List<String> argv) throws ExecException {
            checkProgram(program);
            return new JKernel(this, config(), true).startInit(program, argv);
        }

        private KernelConfig config() {
            if (root != null && !Files.isDirectory(root)) {
                throw new IllegalArgumentException("root " + root + ": not a directory");
            }
            if (sysroot != null && !Files.isDirectory(sysroot)) {
                throw new IllegalArgumentException("sysroot " + sysroot + ": not a directory");
            }
            Path r = root == null ? null : root.toAbsolutePath().normalize();
            Path s = sysroot == null ? null : sysroot.toAbsolutePath().normalize();
            HostOps ops = seed != null ? HostOps.deterministic(seed) : host != null ? host : HostOps.jvm();
            return new KernelConfig(r, s, strace, stdin, stdout, stderr, tty.clone(), cwd, cpus, preempt, ops,
                    fileSystem(r, s, ops));
        }

        private record MountSpec(String point, Path host, boolean readOnly, long tmpfsSize) {}

        /** A file (data or host source) or, with neither, a directory to create before boot. */
        private record Placement(String path, byte[] data, Path source, int mode) {}

        private Vfs fileSystem(Path r, Path s, HostOps ops) {
            Cred owner = Kernel.hostCred();
            Vfs vfs;
            if (r != null) {
                vfs = new Vfs(r, rootReadOnly, s, ops::realtimeNanos);
            } else {
                vfs = Vfs.withTmpfsRoot(tmpfsSize, 0755, owner, s, ops::realtimeNanos);
                skeleton(vfs, owner);
            }
            List<MountSpec> byDepth = new ArrayList<>(mounts);
            byDepth.sort(Comparator.comparingLong(m -> m.point().chars().filter(c -> c == '/').count()));
            for (MountSpec m : byDepth) {
                try {
                    if (m.host() != null) {
                        vfs.mountHost(m.point(), m.host(), m.readOnly(), owner);
                    } else {
                        vfs.mountTmpfs(m.point(), m.tmpfsSize(), 01777, owner, false);
                    }
                } catch (ErrnoException e) {
                    throw new IllegalArgumentException("mount " + (m.host() != null ? m.host() : "tmpfs") + " on "
                            + m.point() + ": " + Errno.name(e.errno) + " (" + Errno.message(e.errno) + ")");
                }
            }
            for (Placement p : placements) {
                try {
                    if (p.data() == null && p.source() == null) {
                        vfs.mkdirs(p.path(), p.mode(), owner);
                    } else if (p.source() != null) {
                        vfs.writeFile(p.path(), Files.readAllBytes(p.source()), hostMode(p.source()), owner);
                    } else {
                        vfs.writeFile(p.path(), p.data(), p.mode(), owner);
                    }
                } catch (ErrnoException e) {
                    throw new IllegalArgumentException("placing " + p.path() + ": " + Errno.name(e.errno) + " ("
                            + Errno.message(e.errno) + ")");
                } catch (IOException | RuntimeException e) {
                    throw new IllegalArgumentException("copy " + p.source() + " to " + p.path() + ": " + e, e);
                }
            }
            return vfs;
        }

        /** The permission bits of a host file. */
        private static int hostMode(Path p) throws IOException {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p);
            int mode = 0;
            for (PosixFilePermission x : perms) {
                mode |= 0400 >> x.ordinal();
            }
            return mode;
        }

        /** The directories every tmpfs root starts with, /dev populated as devtmpfs and udev do. */
        private static void skeleton(Vfs vfs, Cred owner) {
            try {
                vfs.makeSkeleton(owner);
            } catch (ErrnoException e) {
                throw new IllegalStateException("tmpfs skeleton: " + Errno.name(e.errno), e);
            }
        }
    }
}
