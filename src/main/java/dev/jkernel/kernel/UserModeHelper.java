package dev.jkernel.kernel;

import dev.jkernel.fs.FdTable;
import dev.jkernel.fs.FsContext;
import dev.jkernel.fs.Node;
import dev.jkernel.fs.OpenFile;
import dev.jkernel.loader.Exec;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Starting a user program for the embedding application (Linux's call_usermodehelper, kernel/umh.c): init creates a
 * kernel thread with {@link Fork#kernelClone} (so the program is init's child, exits with SIGCHLD to it, and comes
 * from the one clone path), which gives itself its stdio and working directory, starts a session of its own, and
 * execs the program (kernel_execve), becoming a user process. The caller learns of the exec's success or failure.
 */
public final class UserModeHelper {
    private UserModeHelper() {}

    /**
     * What to run. {@code cwd} is checked to be a directory (null: the kernel's default). {@code stdio} holds fds 0,
     * 1, 2 (each a reference the helper takes over; null: left closed).
     */
    public record Request(String program, List<String> argv, List<String> envp, String cwd, OpenFile[] stdio) {}

    /** Why the exec failed: an errno and a message. */
    public static final class ExecFailure extends Exception {
        public final int errno;

        ExecFailure(int errno, String message) {
            super(message, null, false, false);
            this.errno = errno;
        }

        /** The exec of {@code program} failed with an errno: the message is "program: strerror's text". */
        public static ExecFailure of(String program, ErrnoException e) {
            return new ExecFailure(e.errno, program + ": " + Errno.message(e.errno));
        }

        /** The file is not a valid program: ENOEXEC, and the loader's reason as the message. */
        public static ExecFailure of(Exec.ExecFormatException e) {
            return new ExecFailure(Errno.ENOEXEC, e.getMessage());
        }
    }

    /**
     * Runs {@code r} and returns the new process once its exec has succeeded.
     *
     * @throws ExecFailure when the exec (or the working directory, or the clone) failed
     * @throws IllegalStateException when the kernel is shut down
     */
    public static Proc spawn(Kernel k, Request r) throws ExecFailure {
        CompletableFuture<Proc> done = new CompletableFuture<>();
        boolean queued = k.initWork(init -> {
            long pid = Fork.kernelClone(init, new KernelCloneArgs(KernelCloneArgs.CLONE_VM
                    | KernelCloneArgs.CLONE_UNTRACED, 0, 0, 0, Wait.SIGCHLD, 0, 0, 0, 0, t -> body(t, r, done)));
            if (pid < 0) {
                dropStdio(r);
                done.completeExceptionally(new ErrnoException((int) -pid));
            }
        });
        if (!queued) {
            dropStdio(r);
            throw new IllegalStateException("the kernel is closed");
        }
        try {
            return HostThreads.awaitInit(k, done);
        } catch (ErrnoException e) {
            throw ExecFailure.of(r.program(), e);
        } catch (RuntimeException e) {
            if (e.getCause() instanceof Exec.ExecFormatException x) {
                throw ExecFailure.of(x);
            }
            throw e;
        }
    }

    /**
     * Sends {@code sig} to {@code p} from the kernel (SI_USER, pid 0), unless it has died already: the process
     * object is the handle, so a pid reused since cannot be hit. Returns whether it was alive.
     */
    public static boolean signal(Proc p, int sig) {
        if (!Signals.valid(sig) && sig != 0) {
            throw new IllegalArgumentException("not a signal: " + sig);
        }
        synchronized (p.kernel.tasklist) {
            if (p.state != Proc.State.ALIVE) {
                return false;
            }
        }
        if (sig != 0) {
            SignalDelivery.sendToProcess(p, SigInfo.user(sig, SigInfo.SI_USER, 0, 0));
        }
        return true;
    }

    private static void dropStdio(Request r) {
        for (OpenFile f : r.stdio()) {
            if (f != null) {
                f.decRef();
            }
        }
    }

    /** The helper thread: stdio, cwd, setsid, exec. On failure it exits (a kernel thread nobody waits for). */
    private static void body(Task t, Request r, CompletableFuture<Proc> done) {
        Kernel k = t.kernel();
        String prog = r.program();
        t.comm = prog.substring(prog.lastIndexOf('/') + 1);
        FdTable files = new FdTable();
        for (int fd = 0; fd < r.stdio().length; fd++) {
            if (r.stdio()[fd] != null) {
                files.installAt(fd, r.stdio()[fd], false);
            }
        }
        t.setFiles(files);
        // No cwd asked for: the kernel's, as kernel_init gives pid 1 (not checked, like the CLI's host directory).
        FsContext fs = new FsContext(r.cwd() != null ? "/" : k.config().cwd());
        t.setFs(fs);
        synchronized (k.tasklist) {
            t.proc.pgid = t.tgid();
            t.proc.sid = t.tgid();
        }
        try {
            if (r.cwd() != null) {
                Node dir = k.vfs().lookup(t, null, k.vfs().absolutePath(fs, r.cwd()), true);
                if (!dir.exists()) {
                    throw new ErrnoException(Errno.ENOENT);
                }
                if (!dir.isDir()) {
                    throw new ErrnoException(Errno.ENOTDIR);
                }
                fs.setCwd(dir);
            }
            Exec.execve(t, prog, r.argv(), r.envp());
            if (k.strace() != null) {
                k.strace().execve(prog, r.argv(), r.envp().size());
            }
            done.complete(t.proc);
        } catch (ErrnoException e) {
            done.completeExceptionally(e);
            t.exitCode = 127 << 8;
        } catch (Exec.ExecFormatException e) {
            done.completeExceptionally(new IllegalStateException(e.getMessage(), e));
            t.exitCode = 126 << 8;
        } catch (RuntimeException | Error e) {
            done.completeExceptionally(new IllegalStateException("jkernel: internal error: " + e, e));
            throw e;
        }
    }
}
