package dev.jkernel.fs;

import dev.jkernel.kernel.Errno;
import dev.jkernel.kernel.ErrnoException;
import dev.jkernel.kernel.Task;
import dev.jkernel.kernel.WaitQueue;

/**
 * What a named FIFO's inode holds (Linux's inode->i_pipe with fifo_open): one {@link Pipe}, shared by every open file
 * of the FIFO, made by the first open and dropped, with whatever is still buffered, when the last one closes.
 *
 * <p>Opening follows fifo_open: O_RDONLY waits for a writer to open (O_NONBLOCK: at once, and poll reports no hangup
 * before a writer has come); O_WRONLY waits for a reader (O_NONBLOCK without readers: ENXIO); O_RDWR never waits. A
 * wait ends when the partner's open count moves, so a partner that opens and closes at once still ends it; a signal
 * ends it with ERESTARTSYS.
 */
final class Fifo {
    private final long ino;
    // Guarded by this.
    private Pipe pipe;
    /** Open files using pipe, and opens under way (Linux's pipe->files). */
    private int files;

    Fifo(long ino) {
        this.ino = ino;
    }

    private synchronized Pipe get(Task t) {
        if (pipe == null) {
            int uid = t != null ? t.uid : 0;
            int gid = t != null ? t.gid : 0;
            long now = t != null ? t.kernel().realtimeNanos() : 0;
            pipe = new Pipe(uid, gid, now, ino);
        }
        files++;
        return pipe;
    }

    /** One user of p is gone (put_pipe_info): the last one drops the pipe. */
    synchronized void put(Pipe p) {
        if (p == pipe && --files == 0) {
            pipe = null;
        }
    }

    /**
     * Opens the FIFO whose node is {@code node} with open(2) flags {@code flags}; the caller has checked the
     * permissions. Without a task (the embedding API) nothing waits: a reader opens at once, a writer without readers
     * gets ENXIO.
     */
    OpenFile open(Task t, Node node, int flags) throws ErrnoException {
        boolean nonblock = (flags & OpenFile.O_NONBLOCK) != 0 || t == null;
        int fileFlags = flags & ~(OpenFile.O_CREAT | OpenFile.O_EXCL | OpenFile.O_NOCTTY | OpenFile.O_TRUNC
                | OpenFile.O_CLOEXEC);
        Pipe p = get(t);
        boolean ok = false;
        try {
            OpenFile f;
            switch (flags & OpenFile.O_ACCMODE) {
                case OpenFile.O_RDONLY -> {
                    boolean wake;
                    boolean alone;
                    long counter;
                    synchronized (p) {
                        p.rCounter++;
                        wake = p.readers++ == 0;
                        alone = p.writers == 0;
                        counter = p.wCounter;
                    }
                    if (wake) {
                        p.wait.wakeAll();
                    }
                    long seen = 0;
                    if (alone) {
                        if (nonblock) {
                            seen = counter;
                        } else if (!waitForPartner(t, p, true, counter)) {
                            p.close(true, false);
                            throw new ErrnoException(Errno.ERESTARTSYS);
                        }
                    }
                    f = new PipeFile(p, fileFlags, node, this, seen);
                }
                case OpenFile.O_WRONLY -> {
                    boolean wake;
                    boolean alone;
                    long counter;
                    synchronized (p) {
                        if (p.readers == 0 && nonblock) {
                            throw new ErrnoException(Errno.ENXIO);
                        }
                        p.wCounter++;
                        wake = p.writers++ == 0;
                        alone = p.readers == 0;
                        counter = p.rCounter;
                    }
                    if (wake) {
                        p.wait.wakeAll();
                    }
                    if (alone && !waitForPartner(t, p, false, counter)) {
                        p.close(false, true);
                        throw new ErrnoException(Errno.ERESTARTSYS);
                    }
                    f = new PipeFile(p, fileFlags, node, this, 0);
                }
                case OpenFile.O_RDWR -> {
                    // Its own partner: POSIX leaves this undefined, Linux allows it and never waits.
                    synchronized (p) {
                        p.readers++;
                        p.writers++;
                        p.rCounter++;
                        p.wCounter++;
                    }
                    p.wait.wakeAll();
                    f = new PipeFile(p, fileFlags, node, this, 0);
                }
                default -> throw new ErrnoException(Errno.EINVAL);
            }
            ok = true;
            return f;
        } finally {
            if (!ok) {
                put(p);
            }
        }
    }

    /**
     * wait_for_partner: sleeps until the readers' (or writers') open count moves from {@code counter}. False when a
     * signal or a kill came first.
     */
    private static boolean waitForPartner(Task t, Pipe p, boolean forWriter, long counter) {
        int r = p.wait.await(t, () -> {
            synchronized (p) {
                return (forWriter ? p.wCounter : p.rCounter) != counter;
            }
        }, WaitQueue.FOREVER, true);
        return r == WaitQueue.READY;
    }
}
