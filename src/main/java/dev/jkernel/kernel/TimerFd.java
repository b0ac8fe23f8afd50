package dev.jkernel.kernel;

import dev.jkernel.fs.AnonInodeFile;
import dev.jkernel.fs.Cred;
import dev.jkernel.fs.OpenFile;
import dev.jkernel.mm.GuestFault;
import dev.jkernel.syscall.ProcessSyscalls;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.Future;

/**
 * A timerfd (Linux's fs/timerfd.c): a timer on CLOCK_REALTIME, CLOCK_MONOTONIC or CLOCK_BOOTTIME whose expirations
 * are counted rather than signalled. Reading takes the count (8 bytes) and resets it, sleeping while it is 0. A
 * periodic timer runs on by itself: expirations nobody read meanwhile are added to the count. Everything is guarded
 * by this object; expiry callbacks run on the kernel's {@link TimerService}.
 */
public final class TimerFd extends AnonInodeFile {
    static final int TFD_CLOEXEC = O_CLOEXEC, TFD_NONBLOCK = O_NONBLOCK;
    static final int TFD_TIMER_ABSTIME = 1, TFD_TIMER_CANCEL_ON_SET = 2;
    static final int CLOCK_REALTIME_ALARM = 8, CLOCK_BOOTTIME_ALARM = 9;
    private static final long NSEC = 1_000_000_000L;

    private final Kernel kernel;
    /** The clock id given to timerfd_create (alarm clocks read as their base clock). */
    private final int clock;
    /** The next expiry on the clock; 0: disarmed. */
    private long expires;
    private long interval;
    /** Expirations since the last read. */
    private long ticks;
    /** Bumped at every (re-)arming: a callback of an older arming does nothing. */
    private int gen;
    private Future<?> future;
    private final WaitQueue wait = new WaitQueue();

    private TimerFd(Kernel kernel, int clock, int flags) {
        super("timerfd");
        this.kernel = kernel;
        this.clock = clock;
        this.flags = O_RDWR | flags;
    }

    // ------------------------------------------------------------------------------------------------------------
    // System calls
    // ------------------------------------------------------------------------------------------------------------

    static long timerfdCreate(Task t, long clockArg, long flagsArg, long a2, long a3, long a4, long a5) {
        int c = (int) clockArg;
        if ((flagsArg & ~(long) (TFD_CLOEXEC | TFD_NONBLOCK)) != 0) {
            return -Errno.EINVAL;
        }
        switch (c) {
            case ProcTimers.CLOCK_REALTIME, ProcTimers.CLOCK_MONOTONIC, ProcTimers.CLOCK_BOOTTIME -> { }
            case CLOCK_REALTIME_ALARM, CLOCK_BOOTTIME_ALARM -> {
                // CAP_WAKE_ALARM: jkernel gives capabilities to uid 0 only (guests otherwise run as the host user).
                if (!Cred.of(t).isRoot()) {
                    return -Errno.EPERM;
                }
            }
            default -> {
                return -Errno.EINVAL;
            }
        }
        int flags = (int) flagsArg;
        return t.files().install(new TimerFd(t.kernel(), c, flags & TFD_NONBLOCK), (flags & TFD_CLOEXEC) != 0);
    }

    private static TimerFd lookup(Task t, long fd) throws ErrnoException {
        OpenFile f = fd < 0 || fd > Integer.MAX_VALUE ? null : t.files().get((int) fd);
        if (f == null) {
            throw new ErrnoException(Errno.EBADF);
        }
        if (!(f instanceof TimerFd tf)) {
            throw new ErrnoException(Errno.EINVAL);
        }
        return tf;
    }

    static long timerfdSettime(Task t, long fd, long flagsArg, long nv, long ov, long a4, long a5)
            throws GuestFault, ErrnoException {
        ByteBuffer b = ByteBuffer.wrap(t.mm().read(nv, 32)).order(ByteOrder.LITTLE_ENDIAN);
        long[] set = new long[2]; // {interval, value}
        for (int i = 0; i < 2; i++) {
            long sec = b.getLong(16 * i), nsec = b.getLong(16 * i + 8);
            if (sec < 0 || nsec < 0 || nsec >= NSEC) {
                return -Errno.EINVAL;
            }
            set[i] = TimerSyscalls.toNanos(sec, nsec);
        }
        if ((flagsArg & ~(long) (TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET)) != 0) {
            return -Errno.EINVAL;
        }
        TimerFd tf = lookup(t, fd);
        // TFD_TIMER_CANCEL_ON_SET is accepted; a realtime timer is never cancelled by a clock change here (the guest
        // cannot set the clock).
        long[] old = tf.settime((flagsArg & TFD_TIMER_ABSTIME) != 0, set[1], set[0]);
        if (ov != 0) {
            writeItimerspec(t, ov, old[0], old[1]);
        }
        return 0;
    }

    static long timerfdGettime(Task t, long fd, long cur, long a2, long a3, long a4, long a5)
            throws GuestFault, ErrnoException {
        TimerFd tf = lookup(t, fd);
        long[] v;
        synchronized (tf) {
            v = tf.get();
        }
        writeItimerspec(t, cur, v[0], v[1]);
        return 0;
    }

    private static void writeItimerspec(Task t, long addr, long interval, long value) throws GuestFault {
        ByteBuffer b = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(interval / NSEC).putLong(interval % NSEC).putLong(value / NSEC).putLong(value % NSEC);
        t.mm().write(addr, b.array());
    }

    // ------------------------------------------------------------------------------------------------------------
    // The timer
    // ------------------------------------------------------------------------------------------------------------

    private long now() {
        int c = clock == CLOCK_REALTIME_ALARM ? ProcTimers.CLOCK_REALTIME
                : clock == CLOCK_BOOTTIME_ALARM ? ProcTimers.CLOCK_BOOTTIME : clock;
        try {
            return ProcessSyscalls.clockNanos(kernel, null, c);
        } catch (ErrnoException e) {
            return kernel.monotonicNanos();
        }
    }

    /** {interval, time left} as timerfd_gettime reports them (Linux's timerfd_get_remaining: never negative). */
    private long[] get() {
        if (expires == 0) {
            return new long[] {interval, 0};
        }
        return new long[] {interval, Math.max(0, expires - now())};
    }

    /** Re-arms (value 0: disarms); returns the old {interval, time left}. The count starts again from 0. */
    private synchronized long[] settime(boolean abs, long value, long iv) {
        long[] old = get();
        cancel();
        ticks = 0;
        if (value == 0) {
            expires = 0;
            interval = 0;
        } else {
            interval = iv;
            long exp = abs ? value : ProcTimers.saturatingAdd(now(), value);
            expires = exp == 0 ? 1 : exp;
            schedule();
        }
        return old;
    }

    private void cancel() {
        gen++;
        if (future != null) {
            future.cancel(false);
            future = null;
        }
    }

    private void schedule() {
        int g = gen;
        future = kernel.timers().schedule(() -> fire(g), expires - now());
    }

    private void fire(int g) {
        synchronized (this) {
            if (g != gen || expires == 0) {
                return;
            }
            future = null;
            long now = now();
            if (now < expires) {
                schedule(); // early (the realtime clock moved back): look again later
                return;
            }
            if (interval > 0) {
                // This expiry and any whole periods since (overruns) count; the next expiry lies after now.
                long k = (now - expires) / interval + 1;
                long step = k > Long.MAX_VALUE / interval ? Long.MAX_VALUE : k * interval;
                expires = ProcTimers.saturatingAdd(expires, step);
                ticks = ProcTimers.saturatingAdd(ticks, k);
                schedule();
            } else {
                ticks = ProcTimers.saturatingAdd(ticks, 1);
                expires = 0;
            }
        }
        wait.wakeAll();
    }

    // ------------------------------------------------------------------------------------------------------------
    // File operations
    // ------------------------------------------------------------------------------------------------------------

    private synchronized long take() {
        long n = ticks;
        ticks = 0;
        return n;
    }

    private synchronized boolean expired() {
        return ticks > 0;
    }

    @Override
    public int read(byte[] b, int off, int len, long at) throws ErrnoException {
        return read(null, b, off, len, at);
    }

    @Override
    public int read(Task t, byte[] b, int off, int len, long at) throws ErrnoException {
        if (len < 8) {
            throw new ErrnoException(Errno.EINVAL);
        }
        long n = take();
        while (n == 0) {
            if ((flags & O_NONBLOCK) != 0 || t == null) {
                throw new ErrnoException(Errno.EAGAIN);
            }
            int r = wait.await(t, this::expired, WaitQueue.FOREVER, true);
            if (r == WaitQueue.INTERRUPTED) {
                throw new ErrnoException(Errno.ERESTARTSYS);
            }
            n = take();
        }
        ByteBuffer.wrap(b, off, 8).order(ByteOrder.LITTLE_ENDIAN).putLong(n);
        return 8;
    }

    @Override
    public int poll() {
        return expired() ? POLLIN | POLLRDNORM : 0;
    }

    @Override
    public WaitQueue pollQueue() {
        return wait;
    }

    @Override
    protected synchronized void release() {
        cancel();
        expires = 0;
    }
}
