package dev.jkernel.api;

import dev.jkernel.fs.Cred;
import dev.jkernel.fs.Vfs;
import dev.jkernel.kernel.Errno;
import dev.jkernel.kernel.ErrnoException;
import dev.jkernel.kernel.Kernel;
import dev.jkernel.kernel.KernelConfig;
import dev.jkernel.kernel.Preemption;
import dev.jkernel.kernel.Proc;

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
 * confined host directory the root instead, and {@link Builder#hostFileSystem()} the host's own, as qemu-user and
 * the CLI show it.
 *
 * <p>Boot makes pid 1, a resident init (a kernel thread that reaps orphans and the processes started here, and lives
 * until {@link #close()}), and pid 2, kthreadd. {@link #process} starts programs as init's children;
 * {@link #syscalls()} lets any Java thread call into the kernel. Kernels share nothing: several in one JVM are
 * isolated. All methods are thread-safe.
 */
public final class JKernel implements AutoCloseable {
    private final Kernel kernel;
    private final Map<String, String> env;
    private final InputStream stdin;
    private final OutputStream stdout, stderr;
    private final boolean[] tty;
    private final String cwd;
    private final Syscalls syscalls = new Syscalls(this);
    private volatile boolean closed;

    private JKernel(Builder b, KernelConfig cfg) {
        this.env = Map.copyOf(b.env);
        this.stdin = cfg.stdin();
        this.stdout = cfg.stdout();
        this.stderr = cfg.stderr();
        this.tty = cfg.ttyStdio().clone();
        this.cwd = cfg.cwd();
        this.kernel = new Kernel(cfg);
        kernel.boot();
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * A process to start: {@code program} is a guest path (relative ones from the working directory), argv[0] is
     * {@code program} and the rest {@code args}.
     */
    public GuestProcessBuilder process(String program, String... args) {
        List<String> argv = new ArrayList<>();
        argv.add(Objects.requireNonNull(program, "program"));
        for (String a : args) {
            argv.add(Objects.requireNonNull(a, "argument"));
        }
        return process(program, argv);
    }

    /** A process to start with an explicit argv (argv[0] need not be the program's path). */
    public GuestProcessBuilder process(String program, List<String> argv) {
        checkOpen();
        if (program.isEmpty()) {
            throw new IllegalArgumentException("empty program path");
        }
        return new GuestProcessBuilder(this, program, argv, env);
    }

    /**
     * The whole content of a guest file (after programs have written it, say): {@code syscalls().readFile(path)}.
     *
     * @throws ErrnoException as open(2) and read(2) fail
     */
    public byte[] readFile(String guestPath) throws dev.jkernel.api.ErrnoException {
        return syscalls().readFile(guestPath);
    }

    /** Syscalls from the calling Java thread (see {@link Syscalls}). */
    public Syscalls syscalls() {
        checkOpen();
        return syscalls;
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

    /** Guest instructions retired by the tasks that have exited. */
    public long retiredInstructions() {
        return kernel.retiredInstructions();
    }

    /** rseq critical sections aborted by the tasks that have exited. */
    public long rseqAborts() {
        return kernel.rseqAborts();
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
        private long tmpfsSize = Runtime.getRuntime().maxMemory() / 2;
        private final List<MountSpec> mounts = new ArrayList<>();
        private final List<Placement> placements = new ArrayList<>();
        private final Map<String, String> env = new LinkedHashMap<>(Map.of("PATH", "/usr/local/bin:/usr/bin:/bin"));
        private String cwd = "/";
        private InputStream stdin = InputStream.nullInputStream();
        private OutputStream stdout = System.out, stderr = System.err;
        private final boolean[] tty = new boolean[3];
        private PrintStream strace;
        private Preemption preempt;

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

        /** The host's whole file system as the guest's "/", unconfined, as qemu-user shows it (the CLI's view). */
        public Builder hostFileSystem() {
            return root(Path.of("/"));
        }

        /** The most file data the root tmpfs holds (ENOSPC past it); default: half the JVM's maximum heap. */
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
         * Boots the kernel: makes the file system (root, mounts, placed files, in that order), then pid 1.
         *
         * @throws IllegalArgumentException when the root, sysroot or a mounted directory is not a directory, a
         *                                  mount point is refused, or a file cannot be placed (the message says why)
         */
        public JKernel build() {
            if (root != null && !Files.isDirectory(root)) {
                throw new IllegalArgumentException("root " + root + ": not a directory");
            }
            if (sysroot != null && !Files.isDirectory(sysroot)) {
                throw new IllegalArgumentException("sysroot " + sysroot + ": not a directory");
            }
            Path r = root == null ? null : root.toAbsolutePath().normalize();
            Path s = sysroot == null ? null : sysroot.toAbsolutePath().normalize();
            KernelConfig cfg = new KernelConfig(r, s, strace, stdin, stdout, stderr, tty.clone(), cwd, cpus, preempt,
                    fileSystem(r, s));
            return new JKernel(this, cfg);
        }

        private record MountSpec(String point, Path host, boolean readOnly, long tmpfsSize) {}

        /** A file (data or host source) or, with neither, a directory to create before boot. */
        private record Placement(String path, byte[] data, Path source, int mode) {}

        private Vfs fileSystem(Path r, Path s) {
            Cred owner = Kernel.hostCred();
            Vfs vfs;
            if (r != null) {
                vfs = new Vfs(r, rootReadOnly, s);
            } else {
                vfs = Vfs.withTmpfsRoot(tmpfsSize, 0755, owner, s);
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
