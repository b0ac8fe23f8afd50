package dev.jkernel.fs;

import dev.jkernel.kernel.Errno;
import dev.jkernel.kernel.ErrnoException;
import dev.jkernel.kernel.SigInfo;
import dev.jkernel.kernel.SignalDelivery;
import dev.jkernel.kernel.Signals;
import dev.jkernel.kernel.Task;
import dev.jkernel.kernel.WaitQueue;

/**
 * One end of a pipe: an open file description reading or writing a {@link Pipe}. Not seekable, no pread/pwrite
 * (ESPIPE). O_NONBLOCK makes an empty read or a full write EAGAIN; O_DIRECT on the writing end writes packets.
 * An open named FIFO is one too (made by {@link Fifo#open}): then it has a node, which fstat describes, and may
 * read and write (O_RDWR).
 */
public final class PipeFile extends OpenFile {
    private final Pipe pipe;
    /** The FIFO inode's pipe holder, or null for pipe2's ends. */
    private final Fifo fifo;
    /** The pipe's writer count when a FIFO was opened for reading without writers (Linux's f_pipe), for poll. */
    final long seenWriters;

    private PipeFile(Pipe pipe, int flags) {
        this(pipe, flags, null, null, 0);
    }

    PipeFile(Pipe pipe, int flags, Node node, Fifo fifo, long seenWriters) {
        this.pipe = pipe;
        this.flags = flags;
        this.node = node;
        this.fifo = fifo;
        this.seenWriters = seenWriters;
    }

    /**
     * pipe2's pair: [read end, write end], each holding one reference. {@code flags} may carry O_NONBLOCK and
     * O_DIRECT; the caller has checked them.
     */
    public static PipeFile[] create(Task t, int flags) {
        Pipe p = new Pipe(t.uid, t.gid, t.kernel().realtimeNanos(), t.kernel().vfs().nextPipeIno());
        p.readers = 1;
        p.writers = 1;
        p.rCounter = 1;
        p.wCounter = 1;
        // As Linux's create_pipe_files: only the write end carries O_DIRECT (packet mode is the writer's).
        return new PipeFile[] {new PipeFile(p, O_RDONLY | (flags & O_NONBLOCK)),
            new PipeFile(p, O_WRONLY | (flags & (O_NONBLOCK | O_DIRECT)))};
    }

    @Override
    public Object lockKey() {
        return pipe;
    }

    public Pipe pipe() {
        return pipe;
    }

    @Override
    public String guestPath() {
        if (node != null) {
            return node.guest;
        }
        return "pipe:[" + pipe.ino + "]";
    }

    @Override
    public int read(byte[] b, int off, int len, long at) throws ErrnoException {
        return read(null, b, off, len, at);
    }

    @Override
    public int read(Task t, byte[] b, int off, int len, long at) throws ErrnoException {
        if (at >= 0) {
            throw new ErrnoException(Errno.ESPIPE);
        }
        return pipe.read(t, b, off, len, (flags & O_NONBLOCK) != 0);
    }

    @Override
    public int write(byte[] b, int off, int len, long at) throws ErrnoException {
        return write(null, b, off, len, at);
    }

    @Override
    public int write(Task t, byte[] b, int off, int len, long at) throws ErrnoException {
        if (at >= 0) {
            throw new ErrnoException(Errno.ESPIPE);
        }
        int f = flags;
        return pipe.write(t, b, off, len, (f & O_NONBLOCK) != 0, (f & O_DIRECT) != 0);
    }

    /**
     * A write found no readers: SIGPIPE to the writing thread, as Linux's send_sig(SIGPIPE, current, 0) (si_code
     * SI_USER, the writer's own pid and uid), whether the write then fails with EPIPE or returns a partial count.
     */
    static void sendSigpipe(Task t) {
        if (t != null) {
            SignalDelivery.sendToThread(t, SigInfo.user(Signals.SIGPIPE, SigInfo.SI_USER, t.tgid(), t.uid));
        }
    }

    @Override
    public Stat stat() throws ErrnoException {
        if (node != null) {
            // A named FIFO: its inode's attributes (size 0), not the pipe's.
            return node.stat(null);
        }
        // pipefs: an anonymous device, S_IFIFO 0600, owned by the creator, size 0, times of creation.
        return new Stat(Stat.makedev(0, 0xe), pipe.ino, Stat.S_IFIFO | 0600, 1, pipe.uid, pipe.gid, 0, 0, PAGE_SIZE,
                0, pipe.ctimeSec, pipe.ctimeNsec, pipe.ctimeSec, pipe.ctimeNsec, pipe.ctimeSec, pipe.ctimeNsec);
    }

    private static final int PAGE_SIZE = Pipe.PAGE;

    @Override
    public int available() {
        return pipe.available();
    }

    @Override
    public int poll() {
        return pipe.poll(canRead(), canWrite(), seenWriters);
    }

    @Override
    public WaitQueue pollQueue() {
        return pipe.wait;
    }

    @Override
    protected void release() {
        pipe.close(canRead(), canWrite());
        if (fifo != null) {
            fifo.put(pipe);
        }
    }
}
