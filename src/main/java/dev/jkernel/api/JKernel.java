package dev.jkernel.api;

import dev.jkernel.host.HostOps;
import dev.jkernel.kernel.Kernel;
import dev.jkernel.kernel.KernelConfig;
import dev.jkernel.kernel.Preemption;
import dev.jkernel.kernel.Proc;
import dev.jkernel.kernel.UserModeHelper;
import dev.jkernel.loader.Exec;

import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A jkernel booted inside this JVM: the embedding API's entry point.
 *
 * <pre>{@code
 * try (JKernel k = JKernel.builder().cpus(2).build()) {
 *     GuestProcess p = k.process("/bin/cat").stdin("hi\n".getBytes()).stdout(Stdio.pipe()).start();
 *     String out = new String(p.getInputStream().readAllBytes());
 *     ExitStatus st = p.waitFor();
 * }
 * }</pre>
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
        p.death().whenComplete((st, x) -> Thread.ofPlatform().daemon(true).name("jkernel-init-exit")
                .start(this::close));
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

        /** Virtual CPUs, 1 to 64 (default: the host's cores, at most 64). */
        public Builder cpus(int n) {
            if (n < 1 || n > 64) {
                throw new IllegalArgumentException("virtual CPUs must be between 1 and 64, not " + n);
            }
            cpus = n;
            return this;
        }

        /**
         * A host directory confined as the guest's "/" (no escape by ".." or symlinks); null (the default): the
         * host's own file system, unconfined, as qemu-user shows it.
         */
        public Builder root(Path dir) {
            root = dir;
            return this;
        }

        /**
         * The host's own file system as the guest's "/", unconfined, as qemu-user shows it (what the CLI does without
         * --root): stated explicitly, whatever the default root is.
         */
        public Builder hostRoot() {
            root = null;
            return this;
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
         * Boots the kernel, with a resident init as pid 1.
         *
         * @throws IllegalArgumentException when the root or sysroot is not a directory
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
            return new KernelConfig(root == null ? null : root.toAbsolutePath().normalize(),
                    sysroot == null ? null : sysroot.toAbsolutePath().normalize(), strace, stdin, stdout, stderr,
                    tty.clone(), cwd, cpus, preempt, seed != null ? HostOps.deterministic(seed) : host);
        }
    }
}
