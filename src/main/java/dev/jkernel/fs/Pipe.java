package dev.jkernel.fs;

import dev.jkernel.kernel.Errno;
import dev.jkernel.kernel.ErrnoException;
import dev.jkernel.kernel.Task;
import dev.jkernel.kernel.WaitQueue;


/**
 * A pipe's shared state (Linux's struct pipe_inode_info): a ring of page-sized buffers with the same accounting as
 * Linux, so that how much fits, how writes merge and when a write is atomic match it byte for byte.
 *
 * <ul>
 * <li>The ring holds at most {@link #maxSlots} buffers (16 by default: 65536 bytes, F_SETPIPE_SZ changes it).</li>
 * <li>A write first appends its last {@code len % 4096} bytes' worth (taken from the front of the data) to the last
 * buffer when it is mergeable and they all fit, then fills fresh pages. So a write of at most PIPE_BUF (4096) bytes
 * lands in one buffer as a whole: it is atomic.</li>
 * <li>Packet mode (O_DIRECT on the writing file): every page written is a packet that one read returns alone, its
 * excess discarded; packet buffers never merge.</li>
 * </ul>
 * Readers and writers (open file descriptions, not descriptors) are counted; both sides and pollers sleep on one
 * {@link WaitQueue}, woken after every change.
 */
public final class Pipe {
    public static final int PAGE = 4096, PIPE_BUF = 4096, DEFAULT_SLOTS = 16;
    /** /proc/sys/fs/pipe-max-size: the most an unprivileged F_SETPIPE_SZ may ask for. */
    public static final int PIPE_MAX_SIZE = 1 << 20;


    /** One buffer of the ring (struct pipe_buffer). */
    private static final class Buf {
        final byte[] page = new byte[PAGE];
        int offset, len;
        boolean canMerge, packet;
    }

    public final long ino;
    /** Who made it, for fstat. */
    final int uid, gid;
    final long ctimeSec, ctimeNsec;

    /** Woken whenever data, space, readers or writers change. */
    public final WaitQueue wait = new WaitQueue();

    // All below guarded by this.
    private Buf[] ring = new Buf[DEFAULT_SLOTS];
    /** Index of the oldest buffer, and the number of buffers in use. */
    private int tail, used;
    private int maxSlots = DEFAULT_SLOTS;
    private long bytes;
    int readers, writers;
    /**
     * How many times a reader or writer has opened it (Linux's r_counter and w_counter): a FIFO open waiting for its
     * partner waits for the count to move, so that a partner that comes and goes at once still wakes it.
     */
    long rCounter, wCounter;

    /** Pipe inode {@code ino} made at {@code nowNanos} (the kernel's CLOCK_REALTIME: its inode times). */
    Pipe(int uid, int gid, long nowNanos, long ino) {
        this.ino = ino;
        this.uid = uid;
        this.gid = gid;
        this.ctimeSec = Math.floorDiv(nowNanos, 1_000_000_000L);
        this.ctimeNsec = Math.floorMod(nowNanos, 1_000_000_000L);
    }

    private boolean full() {
        return used >= maxSlots;
    }

    private Buf at(int i) {
        return ring[(tail + i) % ring.length];
    }

    /** Bytes buffered (FIONREAD). */
    public synchronized int available() {
        return (int) Math.min(bytes, Integer.MAX_VALUE);
    }

    /** The capacity in bytes (F_GETPIPE_SZ). */
    public synchronized int capacity() {
        return maxSlots * PAGE;
    }

    synchronized int readers() {
        return readers;
    }

    synchronized int writers() {
        return writers;
    }

    /**
     * pipe_poll for a file with the given access: POLLIN/POLLHUP for readers, POLLOUT/POLLERR for writers. POLLHUP
     * needs a writer count other than {@code seenWriters}: a FIFO opened O_NONBLOCK for reading without writers
     * reports no hangup until a writer has come (and gone).
     */
    synchronized int poll(boolean forRead, boolean forWrite, long seenWriters) {
        int mask = 0;
        if (forRead) {
            if (used > 0) {
                mask |= OpenFile.POLLIN | OpenFile.POLLRDNORM;
            }
            if (writers == 0 && wCounter != seenWriters) {
                mask |= OpenFile.POLLHUP;
            }
        }
        if (forWrite) {
            if (!full()) {
                mask |= OpenFile.POLLOUT | OpenFile.POLLWRNORM;
            }
            if (readers == 0) {
                mask |= OpenFile.POLLERR;
            }
        }
        return mask;
    }

    /** An end goes away (the last reference to its open file description). */
    void close(boolean reader, boolean writer) {
        synchronized (this) {
            if (reader) {
                readers--;
            }
            if (writer) {
                writers--;
            }
        }
        wait.wakeAll();
    }

    /**
     * pipe_read: copies what is buffered, up to len bytes; sleeps while the pipe is empty and has writers (unless
     * {@code nonblock}: EAGAIN). 0 at end of file. Interrupted before any data: ERESTARTSYS. Without a task the read
     * never sleeps.
     */
    int read(Task t, byte[] b, int off, int len, boolean nonblock) throws ErrnoException {
        if (len == 0) {
            return 0;
        }
        while (true) {
            int got = 0;
            synchronized (this) {
                while (used > 0 && got < len) {
                    Buf buf = at(0);
                    int n = Math.min(buf.len, len - got);
                    System.arraycopy(buf.page, buf.offset, b, off + got, n);
                    got += n;
                    buf.offset += n;
                    buf.len -= n;
                    bytes -= n;
                    if (buf.packet) {
                        // A packet is read whole or its rest is dropped, and it ends the read.
                        bytes -= buf.len;
                        buf.len = 0;
                    }
                    if (buf.len == 0) {
                        ring[tail] = null;
                        tail = (tail + 1) % ring.length;
                        used--;
                    }
                    if (buf.packet) {
                        break;
                    }
                }
                if (got == 0) {
                    if (writers == 0) {
                        return 0;
                    }
                    if (nonblock || t == null) {
                        throw new ErrnoException(Errno.EAGAIN);
                    }
                }
            }
            if (got > 0) {
                wait.wakeAll();
                return got;
            }
            int r = wait.await(t, () -> {
                synchronized (this) {
                    return used > 0 || writers == 0;
                }
            }, WaitQueue.FOREVER, true);
            if (r == WaitQueue.INTERRUPTED) {
                throw new ErrnoException(Errno.ERESTARTSYS);
            }
        }
    }

    /**
     * pipe_write: appends len bytes, sleeping for space (unless {@code nonblock}) until all are in. No readers:
     * SIGPIPE to the task and EPIPE (or the partial count). A write of at most PIPE_BUF bytes
     * goes in whole or not at all. Returns the bytes written; after a partial write an interruption, EAGAIN or EPIPE
     * returns the partial count instead.
     */
    int write(Task t, byte[] b, int off, int len, boolean nonblock, boolean packet) throws ErrnoException {
        if (len == 0) {
            return 0;
        }
        int done = 0;
        synchronized (this) {
            if (readers == 0) {
                PipeFile.sendSigpipe(t);
                throw new ErrnoException(Errno.EPIPE);
            }
            int chars = len & (PAGE - 1);
            if (chars != 0 && used > 0) {
                Buf last = at(used - 1);
                if (last.canMerge && last.offset + last.len + chars <= PAGE) {
                    System.arraycopy(b, off, last.page, last.offset + last.len, chars);
                    last.len += chars;
                    bytes += chars;
                    done = chars;
                }
            }
        }
        if (done == len) {
            wait.wakeAll();
            return done;
        }
        while (true) {
            boolean progressed = false;
            synchronized (this) {
                if (readers == 0) {
                    PipeFile.sendSigpipe(t);
                    if (done > 0) {
                        return done;
                    }
                    throw new ErrnoException(Errno.EPIPE);
                }
                while (!full() && done < len) {
                    Buf buf = new Buf();
                    int n = Math.min(PAGE, len - done);
                    System.arraycopy(b, off + done, buf.page, 0, n);
                    buf.len = n;
                    buf.packet = packet;
                    buf.canMerge = !packet;
                    ring[(tail + used) % ring.length] = buf;
                    used++;
                    bytes += n;
                    done += n;
                    progressed = true;
                }
            }
            if (progressed) {
                wait.wakeAll();
            }
            if (done == len) {
                return done;
            }
            if (nonblock || t == null) {
                if (done > 0) {
                    return done;
                }
                throw new ErrnoException(Errno.EAGAIN);
            }
            int r = wait.await(t, () -> {
                synchronized (this) {
                    return !full() || readers == 0;
                }
            }, WaitQueue.FOREVER, true);
            if (r == WaitQueue.INTERRUPTED) {
                if (done > 0) {
                    return done;
                }
                throw new ErrnoException(Errno.ERESTARTSYS);
            }
        }
    }

    /**
     * F_SETPIPE_SZ (pipe_set_size): rounds up to a power-of-two number of pages; EINVAL above 2 GiB, EPERM when an
     * unprivileged caller grows it beyond pipe-max-size, EBUSY when fewer buffers than are in use. Returns the new
     * size in bytes.
     */
    public int setSize(long arg, boolean privileged) throws ErrnoException {
        long a = arg & 0xffffffffL;
        long size;
        if (a > (1L << 31)) {
            size = 0;
        } else if (a < PAGE) {
            size = PAGE;
        } else {
            size = Long.highestOneBit(a - 1) << 1;
        }
        int slots = (int) (size / PAGE);
        if (slots == 0) {
            throw new ErrnoException(Errno.EINVAL);
        }
        synchronized (this) {
            if (slots > maxSlots && size > PIPE_MAX_SIZE && !privileged) {
                throw new ErrnoException(Errno.EPERM);
            }
            if (slots < used) {
                throw new ErrnoException(Errno.EBUSY);
            }
            Buf[] n = new Buf[slots];
            for (int i = 0; i < used; i++) {
                n[i] = at(i);
            }
            ring = n;
            tail = 0;
            maxSlots = slots;
        }
        wait.wakeAll();
        return slots * PAGE;
    }
}
