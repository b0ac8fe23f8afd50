package dev.jkernel.fs;

import dev.jkernel.kernel.Errno;
import dev.jkernel.kernel.ErrnoException;
import dev.jkernel.kernel.Task;
import dev.jkernel.kernel.WaitQueue;

/**
 * An eventfd (Linux's fs/eventfd.c): a 64-bit counter. A read of 8 bytes waits until it is non-zero, then takes it
 * all (or 1 with EFD_SEMAPHORE); a write of 8 bytes adds to it, waiting while the sum would pass 0xfffffffffffffffe.
 * The counter is unsigned; it is kept in a long and compared unsigned.
 */
public final class EventFd extends AnonInodeFile {
    public static final int EFD_SEMAPHORE = 1, EFD_CLOEXEC = O_CLOEXEC, EFD_NONBLOCK = O_NONBLOCK;
    /** ULLONG_MAX: the counter never reaches it. */
    private static final long MAX = -1L;

    private final boolean semaphore;
    /** Guarded by this. */
    private long count;
    private final WaitQueue wait = new WaitQueue();

    public EventFd(long initval, int flags) {
        super("eventfd");
        this.count = initval;
        this.semaphore = (flags & EFD_SEMAPHORE) != 0;
        this.flags = O_RDWR | (flags & O_NONBLOCK);
    }

    private static long le64(byte[] b, int off) {
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = v << 8 | (b[off + i] & 0xff);
        }
        return v;
    }

    /** Takes the read's value when the counter is non-zero; else returns 0 (never a valid result). */
    private long tryRead() {
        synchronized (this) {
            if (count == 0) {
                return 0;
            }
            long v = semaphore ? 1 : count;
            count -= v;
            return v;
        }
    }

    /** Adds v when the sum stays below ULLONG_MAX; returns whether it did. */
    private boolean tryWrite(long v) {
        synchronized (this) {
            if (Long.compareUnsigned(MAX - count, v) > 0) {
                count += v;
                return true;
            }
            return false;
        }
    }

    @Override
    public int read(byte[] b, int off, int len, long at) throws ErrnoException {
        return read(null, b, off, len, at);
    }

    @Override
    public int write(byte[] b, int off, int len, long at) throws ErrnoException {
        return write(null, b, off, len, at);
    }

    @Override
    public int read(Task t, byte[] b, int off, int len, long at) throws ErrnoException {
        if (len < 8) {
            throw new ErrnoException(Errno.EINVAL);
        }
        long[] got = {tryRead()};
        if (got[0] == 0) {
            if ((flags & O_NONBLOCK) != 0 || t == null) {
                throw new ErrnoException(Errno.EAGAIN);
            }
            int r = wait.await(t, () -> (got[0] = tryRead()) != 0, WaitQueue.FOREVER, true);
            if (r != WaitQueue.READY) {
                throw new ErrnoException(Errno.ERESTARTSYS);
            }
        }
        wait.wakeAll(); // room for writers
        for (int i = 0; i < 8; i++) {
            b[off + i] = (byte) (got[0] >>> (8 * i));
        }
        return 8;
    }

    @Override
    public int write(Task t, byte[] b, int off, int len, long at) throws ErrnoException {
        if (len < 8) {
            throw new ErrnoException(Errno.EINVAL);
        }
        long v = le64(b, off);
        if (v == MAX) {
            throw new ErrnoException(Errno.EINVAL);
        }
        if (!tryWrite(v)) {
            if ((flags & O_NONBLOCK) != 0 || t == null) {
                throw new ErrnoException(Errno.EAGAIN);
            }
            int r = wait.await(t, () -> tryWrite(v), WaitQueue.FOREVER, true);
            if (r != WaitQueue.READY) {
                throw new ErrnoException(Errno.ERESTARTSYS);
            }
        }
        if (v != 0) {
            wait.wakeAll();
        }
        return 8;
    }

    @Override
    public int poll() {
        long c;
        synchronized (this) {
            c = count;
        }
        int m = 0;
        if (c != 0) {
            m |= POLLIN | POLLRDNORM;
        }
        if (c == MAX) {
            m |= POLLERR;
        }
        if (Long.compareUnsigned(MAX - 1, c) > 0) {
            m |= POLLOUT | POLLWRNORM;
        }
        return m;
    }

    @Override
    public WaitQueue pollQueue() {
        return wait;
    }

    /** noop_llseek: the position stays 0. */
    @Override
    public long seek(long offset, int whence) {
        return 0;
    }
}
