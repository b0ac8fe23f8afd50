package dev.jkernel.api;

import dev.jkernel.kernel.Proc;
import dev.jkernel.kernel.UserModeHelper;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A guest process started by {@link GuestProcessBuilder#start()} ({@link java.lang.Process}'s counterpart), or pid 1
 * started by {@link JKernel.Builder#startInit}. The former is a child of init, which reaps it when it ends; either
 * way this handle keeps its exit status, so {@link #waitFor} works at any time, even after {@link JKernel#close()}
 * (which kills it).
 *
 * <p>Streams: for a descriptor redirected with {@link Stdio#pipe()}, {@link #getOutputStream()} writes the guest's
 * stdin, {@link #getInputStream()} reads its stdout and {@link #getErrorStream()} its stderr; they are the
 * application's ends of guest pipes, held by the host process and used through {@link Syscalls}, so blocking on them
 * parks only the calling thread. Close them when done (closing the stdin stream is the guest's end of file). For a
 * descriptor not piped they are empty streams.
 */
public final class GuestProcess {
    private final JKernel jk;
    private final Proc proc;
    private final int pid;
    private final OutputStream stdin;
    private final InputStream stdout, stderr;

    GuestProcess(JKernel jk, Proc proc, int[] parentFds) {
        this.jk = jk;
        this.proc = proc;
        this.pid = proc.tgid();
        this.stdin = parentFds[0] >= 0 ? new FdOutputStream(jk.syscalls(), parentFds[0])
                : OutputStream.nullOutputStream();
        this.stdout = parentFds[1] >= 0 ? new FdInputStream(jk.syscalls(), parentFds[1]) : InputStream.nullInputStream();
        this.stderr = parentFds[2] >= 0 ? new FdInputStream(jk.syscalls(), parentFds[2]) : InputStream.nullInputStream();
    }

    /** The kernel it runs in. */
    public JKernel kernel() {
        return jk;
    }

    /** The process id (in its kernel). */
    public int pid() {
        return pid;
    }

    /** Whether it has not ended yet. */
    public boolean isAlive() {
        return !proc.death().isDone();
    }

    /** Waits until the process ends and returns how. */
    public ExitStatus waitFor() throws InterruptedException {
        while (true) {
            Optional<ExitStatus> s = waitFor(Duration.ofMillis(100));
            if (s.isPresent()) {
                return s.get();
            }
        }
    }

    /**
     * Waits at most {@code timeout}; empty when the process still runs.
     *
     * @throws KernelClosedException when the kernel was closed and the process could not be seen to end
     */
    public Optional<ExitStatus> waitFor(Duration timeout) throws InterruptedException {
        try {
            long ms = Math.max(0, timeout.toMillis());
            return Optional.of(ExitStatus.fromWaitStatus(proc.death().get(ms, TimeUnit.MILLISECONDS)));
        } catch (TimeoutException e) {
            if (jk.isClosed()) {
                throw new KernelClosedException();
            }
            return Optional.empty();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /** The exit status if the process has ended. */
    public Optional<ExitStatus> exitStatus() {
        Integer st = proc.death().getNow(null);
        return st == null ? Optional.empty() : Optional.of(ExitStatus.fromWaitStatus(st));
    }

    /**
     * Sends signal {@code sig} (see {@link Linux}; 0 only checks) to the process. Returns false when it has ended
     * already (the signal went nowhere: never to another process that took its pid).
     *
     * @throws IllegalArgumentException when {@code sig} is not a signal number
     * @throws KernelClosedException after {@link JKernel#close()}
     */
    public boolean kill(int sig) {
        jk.checkOpen();
        return UserModeHelper.signal(proc, sig);
    }

    /** SIGKILL. */
    public boolean destroy() {
        return kill(Linux.SIGKILL);
    }

    /** Writes the guest's stdin (when piped). */
    public OutputStream getOutputStream() {
        return stdin;
    }

    /** Reads the guest's stdout (when piped). */
    public InputStream getInputStream() {
        return stdout;
    }

    /** Reads the guest's stderr (when piped). */
    public InputStream getErrorStream() {
        return stderr;
    }

    @Override
    public String toString() {
        return "GuestProcess[pid=" + pid + ", " + exitStatus().map(Object::toString).orElse("running") + "]";
    }

    /** A host-process descriptor as an InputStream. */
    static final class FdInputStream extends InputStream {
        private final Syscalls sys;
        private final int fd;
        private boolean closed;

        FdInputStream(Syscalls sys, int fd) {
            this.sys = sys;
            this.fd = fd;
        }

        @Override
        public int read() throws IOException {
            byte[] b = new byte[1];
            return read(b, 0, 1) < 0 ? -1 : b[0] & 0xff;
        }

        @Override
        public synchronized int read(byte[] b, int off, int len) throws IOException {
            if (closed) {
                throw new IOException("Stream closed");
            }
            if (len == 0) {
                return 0;
            }
            try {
                int n = sys.read(fd, b, off, len);
                return n == 0 ? -1 : n;
            } catch (KernelClosedException e) {
                throw new IOException("the kernel is closed", e);
            }
        }

        @Override
        public synchronized void close() throws IOException {
            if (!closed) {
                closed = true;
                try {
                    sys.close(fd);
                } catch (KernelClosedException e) {
                    // everything is closed already
                }
            }
        }
    }

    /** A host-process descriptor as an OutputStream (EPIPE when the guest has closed its end). */
    static final class FdOutputStream extends OutputStream {
        private final Syscalls sys;
        private final int fd;
        private boolean closed;

        FdOutputStream(Syscalls sys, int fd) {
            this.sys = sys;
            this.fd = fd;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) throws IOException {
            if (closed) {
                throw new IOException("Stream closed");
            }
            try {
                while (len > 0) {
                    int n = sys.write(fd, b, off, len);
                    off += n;
                    len -= n;
                }
            } catch (KernelClosedException e) {
                throw new IOException("the kernel is closed", e);
            }
        }

        @Override
        public synchronized void close() throws IOException {
            if (!closed) {
                closed = true;
                try {
                    sys.close(fd);
                } catch (KernelClosedException e) {
                    // everything is closed already
                }
            }
        }
    }
}
