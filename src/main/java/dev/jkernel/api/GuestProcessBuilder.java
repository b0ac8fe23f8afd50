package dev.jkernel.api;

import dev.jkernel.fs.OpenFile;
import dev.jkernel.fs.StreamFile;
import dev.jkernel.kernel.Proc;
import dev.jkernel.kernel.UserModeHelper;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Describes a guest process to start ({@link java.lang.ProcessBuilder}'s counterpart): argv, environment, working
 * directory and the three standard descriptors. Obtained from {@link JKernel#process}; {@link #start()} may be called
 * more than once. Not thread-safe.
 */
public final class GuestProcessBuilder {
    private final JKernel jk;
    private final String program;
    private final List<String> argv;
    private final Map<String, String> env;
    private String cwd;
    private final Stdio[] stdio = {Stdio.inherit(), Stdio.inherit(), Stdio.inherit()};

    GuestProcessBuilder(JKernel jk, String program, List<String> argv, Map<String, String> env) {
        this.jk = jk;
        this.program = program;
        this.argv = new ArrayList<>(argv);
        this.env = new LinkedHashMap<>(env);
    }

    /** The environment, a mutable copy of the kernel's (change it in place, or with {@link #env}). */
    public Map<String, String> environment() {
        return env;
    }

    /** Replaces the whole environment. */
    public GuestProcessBuilder env(Map<String, String> environment) {
        env.clear();
        env.putAll(environment);
        return this;
    }

    /** Sets one environment variable. */
    public GuestProcessBuilder env(String name, String value) {
        if (name.isEmpty() || name.indexOf('=') >= 0) {
            throw new IllegalArgumentException("bad environment variable name: \"" + name + "\"");
        }
        env.put(name, Objects.requireNonNull(value, "value"));
        return this;
    }

    /** The working directory, a guest path (default: the kernel's). */
    public GuestProcessBuilder cwd(String guestDir) {
        this.cwd = Objects.requireNonNull(guestDir, "guestDir");
        return this;
    }

    public GuestProcessBuilder stdin(Stdio s) {
        if (s instanceof Stdio.OutStream) {
            throw new IllegalArgumentException("stdin cannot be an output stream");
        }
        stdio[0] = Objects.requireNonNull(s);
        return this;
    }

    public GuestProcessBuilder stdin(InputStream in) {
        return stdin(Stdio.of(in));
    }

    public GuestProcessBuilder stdin(byte[] data) {
        return stdin(Stdio.bytes(data));
    }

    public GuestProcessBuilder stdout(Stdio s) {
        if (s instanceof Stdio.InStream) {
            throw new IllegalArgumentException("stdout cannot be an input stream");
        }
        stdio[1] = Objects.requireNonNull(s);
        return this;
    }

    public GuestProcessBuilder stdout(OutputStream out) {
        return stdout(Stdio.of(out));
    }

    public GuestProcessBuilder stderr(Stdio s) {
        if (s instanceof Stdio.InStream) {
            throw new IllegalArgumentException("stderr cannot be an input stream");
        }
        stdio[2] = Objects.requireNonNull(s);
        return this;
    }

    public GuestProcessBuilder stderr(OutputStream out) {
        return stderr(Stdio.of(out));
    }

    /**
     * Starts the process: a child of init, in a session of its own, running once its exec has succeeded.
     *
     * @throws ExecException when the program cannot be executed (ENOENT, EACCES, ENOEXEC... as execve would say),
     *                       or the working directory is not one
     * @throws ErrnoException when a redirection cannot be set up (a stdout file that cannot be created, say)
     * @throws KernelClosedException after {@link JKernel#close()}
     */
    public GuestProcess start() throws ErrnoException {
        jk.checkOpen();
        Syscalls sys = jk.syscalls();
        OpenFile[] files = new OpenFile[3];
        int[] parentFds = {-1, -1, -1};
        boolean handedOver = false;
        try {
            for (int fd = 0; fd < 3; fd++) {
                files[fd] = open(sys, fd, stdio[fd], parentFds);
            }
            List<String> envp = new ArrayList<>();
            env.forEach((k, v) -> envp.add(k + "=" + v));
            handedOver = true;
            Proc p = UserModeHelper.spawn(jk.kernel(), new UserModeHelper.Request(program, List.copyOf(argv),
                    envp, cwd, files));
            return new GuestProcess(jk, p, parentFds);
        } catch (UserModeHelper.ExecFailure e) {
            closeQuietly(sys, parentFds);
            throw new ExecException(program, e);
        } catch (IllegalStateException e) {
            closeQuietly(sys, parentFds);
            if (jk.kernel().isShutDown()) {
                throw new KernelClosedException();
            }
            throw e;
        } catch (ErrnoException | RuntimeException e) {
            closeQuietly(sys, parentFds);
            throw e;
        } finally {
            if (!handedOver) {
                for (OpenFile f : files) {
                    if (f != null) {
                        f.decRef();
                    }
                }
            }
        }
    }

    private static void closeQuietly(Syscalls sys, int[] fds) {
        for (int fd : fds) {
            if (fd >= 0) {
                try {
                    sys.close(fd);
                } catch (ErrnoException | KernelClosedException e) {
                    // best effort: nothing else holds it
                }
            }
        }
    }

    /** The open file the child gets as {@code fd}; for a pipe, the application's end goes to parentFds[fd]. */
    private OpenFile open(Syscalls sys, int fd, Stdio s, int[] parentFds) throws ErrnoException {
        boolean in = fd == 0;
        return switch (s) {
            case Stdio.Inherit i -> in ? StreamFile.input(jk.defaultStdin(), jk.tty(0))
                    : StreamFile.output(fd == 1 ? jk.defaultStdout() : jk.defaultStderr(), jk.tty(fd));
            case Stdio.Discard d -> in ? StreamFile.input(InputStream.nullInputStream(), false)
                    : StreamFile.output(OutputStream.nullOutputStream(), false);
            case Stdio.InStream x -> StreamFile.input(x.in(), false);
            case Stdio.OutStream x -> StreamFile.output(x.out(), false);
            case Stdio.Pipe p -> {
                int[] ends = sys.pipe();
                int child = in ? ends[0] : ends[1];
                parentFds[fd] = in ? ends[1] : ends[0];
                try {
                    yield sys.takeFile(child);
                } finally {
                    sys.close(child);
                }
            }
            case Stdio.GuestFile f -> {
                String path = f.path();
                if (!path.startsWith("/")) {
                    path = (cwd != null ? cwd : jk.defaultCwd()) + "/" + path;
                }
                int flags = in ? Linux.O_RDONLY : Linux.O_WRONLY | Linux.O_CREAT
                        | (f.append() ? Linux.O_APPEND : Linux.O_TRUNC);
                int opened = sys.open(path, flags | Linux.O_CLOEXEC, 0666);
                try {
                    yield sys.takeFile(opened);
                } finally {
                    sys.close(opened);
                }
            }
        };
    }
}
