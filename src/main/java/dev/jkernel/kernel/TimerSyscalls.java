package dev.jkernel.kernel;

import dev.jkernel.mm.AddressSpace;
import dev.jkernel.mm.GuestFault;
import dev.jkernel.syscall.SyscallTable;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static dev.jkernel.syscall.SyscallTable.Status.FULL;
import static dev.jkernel.syscall.SyscallTable.Status.PARTIAL;

/**
 * Timers that send signals and signalfd (Linux's kernel/time/itimer.c, kernel/time/posix-timers.c, fs/signalfd.c).
 * The timers themselves live in {@link ProcTimers}; signalfd files are {@link SignalFd}.
 */
public final class TimerSyscalls implements SyscallTable.Family {
    static final int TIMER_ABSTIME = 1;
    private static final long NSEC = 1_000_000_000L;

    @Override
    public void register(SyscallTable.Builder b) {
        b.add("setitimer", TimerSyscalls::setitimer, PARTIAL, "int ptr ptr",
                "ITIMER_REAL exact; ITIMER_VIRTUAL and ITIMER_PROF count the CPU time of the process's live host "
                        + "threads (the interpreter's user time for VIRTUAL, user+system for PROF) polled at 1 ms at "
                        + "best, not guest instructions; exited threads' time is not counted");
        b.add("getitimer", TimerSyscalls::getitimer, PARTIAL, "int ptr", "as setitimer");
        b.add("timer_create", TimerSyscalls::timerCreate, PARTIAL, "clockid ptr ptr",
                "SIGEV_SIGNAL, SIGEV_NONE, SIGEV_THREAD_ID (SIGEV_THREAD is glibc's); CPU-time clocks of the caller's "
                        + "own process and threads only (others EINVAL), counted on host threads as for setitimer; "
                        + "alarm clocks EOPNOTSUPP (no RTC); RLIMIT_SIGPENDING does not limit timers; a periodic "
                        + "timer whose queued signal is discarded (SIG_IGN) stops instead of re-arming when "
                        + "unignored");
        b.add("timer_settime", TimerSyscalls::timerSettime, FULL, "int int ptr ptr");
        b.add("timer_gettime", TimerSyscalls::timerGettime, FULL, "int ptr");
        b.add("timer_getoverrun", TimerSyscalls::timerGetoverrun, FULL, "int");
        b.add("timer_delete", TimerSyscalls::timerDelete, FULL, "int");
        b.add("signalfd4", SignalFd::signalfd4, PARTIAL, "fd ptr size hex",
                "not pollable yet; no SIGIO (O_ASYNC) notification");
        b.add("timerfd_create", TimerFd::timerfdCreate, PARTIAL, "clockid hex",
                "CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_BOOTTIME; the alarm clocks need uid 0 (CAP_WAKE_ALARM) and "
                        + "then act as their base clock (no suspend); no TFD_IOC_SET_TICKS");
        b.add("timerfd_settime", TimerFd::timerfdSettime, PARTIAL, "fd hex ptr ptr",
                "TFD_TIMER_CANCEL_ON_SET is accepted but never cancels (ECANCELED): the guest cannot set the clock");
        b.add("timerfd_gettime", TimerFd::timerfdGettime, FULL, "fd ptr");
    }

    // ------------------------------------------------------------------------------------------------------------
    // setitimer / getitimer
    // ------------------------------------------------------------------------------------------------------------

    /** Reads an itimerval ({interval, value} timevals) as nanoseconds; EINVAL for an invalid timeval. */
    private static long[] readItimerval(AddressSpace mm, long addr) throws GuestFault, ErrnoException {
        ByteBuffer b = ByteBuffer.wrap(mm.read(addr, 32)).order(ByteOrder.LITTLE_ENDIAN);
        long[] out = new long[2];
        for (int i = 0; i < 2; i++) {
            long sec = b.getLong(16 * i), usec = b.getLong(16 * i + 8);
            if (sec < 0 || usec < 0 || usec >= 1_000_000L) {
                throw new ErrnoException(Errno.EINVAL);
            }
            out[i] = toNanos(sec, usec * 1000);
        }
        return out; // {interval, value}
    }

    private static void writeItimerval(AddressSpace mm, long addr, long interval, long value) throws GuestFault {
        ByteBuffer b = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(interval / NSEC).putLong(interval % NSEC / 1000).putLong(value / NSEC).putLong(value % NSEC / 1000);
        mm.write(addr, b.array());
    }

    /** sec + nsec as nanoseconds, saturating (Linux's timespec64_to_ktime). */
    static long toNanos(long sec, long nsec) {
        return sec >= Long.MAX_VALUE / NSEC ? Long.MAX_VALUE : sec * NSEC + nsec;
    }

    /** What getitimer reports: {interval, value left}. Siglock held. */
    private static long[] itimerGet(ProcTimers pt, int which) {
        ProcTimers.ITimer it = pt.itimers[which];
        long value = 0;
        if (it.expires != 0) {
            long left = it.expires - pt.now(it);
            if (which == ProcTimers.ITIMER_REAL) {
                value = left <= 0 ? 1000 : left; // armed but due: one microsecond
            } else {
                value = left < 0 ? ProcTimers.TICK_NSEC : left; // about to fire: a tick
            }
        }
        return new long[] {it.interval, value};
    }

    static long getitimer(Task t, long which, long cur, long a2, long a3, long a4, long a5) throws GuestFault {
        int w = (int) which;
        if (w < 0 || w > 2) {
            return -Errno.EINVAL;
        }
        long[] v;
        synchronized (t.proc.siglock) {
            v = itimerGet(t.proc.timers, w);
        }
        writeItimerval(t.mm(), cur, v[0], v[1]);
        return 0;
    }

    static long setitimer(Task t, long which, long nv, long ov, long a3, long a4, long a5)
            throws GuestFault, ErrnoException {
        long[] set = nv == 0 ? new long[2] : readItimerval(t.mm(), nv); // NULL: disarm (Linux warns once)
        int w = (int) which;
        if (w < 0 || w > 2) {
            return -Errno.EINVAL;
        }
        Proc p = t.proc;
        long[] old;
        synchronized (p.siglock) {
            ProcTimers pt = p.timers;
            ProcTimers.ITimer it = pt.itimers[w];
            old = itimerGet(pt, w);
            it.cancel();
            long value = set[1];
            if (w == ProcTimers.ITIMER_REAL) {
                it.interval = value != 0 ? set[0] : 0;
            } else {
                it.interval = set[0];
                if (value > 0) {
                    value = ProcTimers.saturatingAdd(value, ProcTimers.TICK_NSEC);
                }
            }
            if (value != 0) {
                it.expires = ProcTimers.saturatingAdd(pt.now(it), value);
                it.schedule();
            } else {
                it.expires = 0;
            }
        }
        if (ov != 0) {
            writeItimerval(t.mm(), ov, old[0], old[1]);
        }
        return 0;
    }

    // ------------------------------------------------------------------------------------------------------------
    // POSIX timers
    // ------------------------------------------------------------------------------------------------------------

    /** The internal clock id for timer_create's clock, or -errno. */
    private static int timerClock(Task t, int c, Task[] owner) {
        switch (c) {
            case ProcTimers.CLOCK_REALTIME, ProcTimers.CLOCK_MONOTONIC, ProcTimers.CLOCK_BOOTTIME, ProcTimers.CLOCK_TAI,
                    ProcTimers.CLOCK_PROCESS_CPUTIME_ID -> {
                return c;
            }
            case ProcTimers.CLOCK_THREAD_CPUTIME_ID -> {
                owner[0] = t;
                return c;
            }
            case 4, 5, 6, 8, 9 -> {
                return -Errno.EOPNOTSUPP; // MONOTONIC_RAW, *_COARSE: no timers; alarm clocks: no RTC
            }
            default -> {
                if (c >= 0 || (c & 7) == 7 || (c & 3) == 3) {
                    return -Errno.EINVAL;
                }
                // A CPU clock by pid (make_process_cpuclock / make_thread_cpuclock): (~pid << 3) | type.
                int pid = ~(c >> 3);
                boolean thread = (c & 4) != 0;
                boolean user = (c & 3) == 1; // CPUCLOCK_VIRT; PROF and SCHED count all CPU time
                if (thread) {
                    Task target = pid == 0 ? t : t.kernel().task(pid);
                    if (target == null || target.proc != t.proc) {
                        return -Errno.EINVAL;
                    }
                    owner[0] = target;
                    return user ? ProcTimers.CLOCK_THREAD_VIRT : ProcTimers.CLOCK_THREAD_CPUTIME_ID;
                }
                if (pid != 0 && pid != t.tgid()) {
                    return -Errno.EINVAL;
                }
                return user ? ProcTimers.CLOCK_PROCESS_VIRT : ProcTimers.CLOCK_PROCESS_CPUTIME_ID;
            }
        }
    }

    static long timerCreate(Task t, long clockArg, long sevp, long idp, long a3, long a4, long a5)
            throws GuestFault {
        ByteBuffer ev = sevp == 0 ? null
                : ByteBuffer.wrap(t.mm().read(sevp, 64)).order(ByteOrder.LITTLE_ENDIAN);
        Task[] owner = new Task[1];
        int clock = timerClock(t, (int) clockArg, owner);
        if (clock < 0) {
            return clock;
        }
        int notify = ProcTimers.SIGEV_SIGNAL, signo = Signals.SIGALRM;
        long value = 0;
        Task target = null;
        if (ev != null) {
            value = ev.getLong(0);
            signo = ev.getInt(8);
            notify = ev.getInt(12);
            switch (notify) {
                case ProcTimers.SIGEV_THREAD_ID -> {
                    target = t.kernel().task(ev.getInt(16));
                    if (target == null || target.proc != t.proc || target.exiting) {
                        return -Errno.EINVAL;
                    }
                    if (!Signals.valid(signo)) {
                        return -Errno.EINVAL;
                    }
                }
                case ProcTimers.SIGEV_SIGNAL, ProcTimers.SIGEV_THREAD -> {
                    if (!Signals.valid(signo)) {
                        return -Errno.EINVAL;
                    }
                }
                case ProcTimers.SIGEV_NONE -> { }
                default -> {
                    return -Errno.EINVAL;
                }
            }
        }
        Proc p = t.proc;
        int id;
        synchronized (p.siglock) {
            ProcTimers pt = p.timers;
            id = -1;
            for (int tries = 0; tries <= pt.posix.size(); tries++) {
                int cand = pt.nextId;
                pt.nextId = cand == Integer.MAX_VALUE ? 0 : cand + 1;
                if (!pt.posix.containsKey(cand)) {
                    id = cand;
                    break;
                }
            }
            if (id < 0) {
                return -Errno.EAGAIN;
            }
            if (ev == null) {
                value = id; // si_value.sival_int is the timer id
            }
            ProcTimers.PosixTimer tm = pt.new PosixTimer(id, clock, notify, signo, value, target);
            tm.owner = owner[0];
            pt.posix.put(id, tm);
        }
        try {
            t.mm().write32(idp, id);
        } catch (GuestFault f) {
            synchronized (p.siglock) {
                ProcTimers.PosixTimer tm = p.timers.posix.remove(id);
                if (tm != null) {
                    tm.deleted = true;
                }
            }
            throw f;
        }
        return 0;
    }

    private static ProcTimers.PosixTimer lookup(Task t, long id) {
        int i = (int) id;
        return i < 0 ? null : t.proc.timers.posix.get(i);
    }

    /** What timer_gettime reports, {interval, value left} (Linux's common_timer_get). Siglock held. */
    private static long[] posixGet(ProcTimers pt, ProcTimers.PosixTimer tm) {
        long iv = tm.interval;
        boolean sigNone = tm.notify == ProcTimers.SIGEV_NONE;
        if (tm.expires == 0) {
            return new long[] {iv, 0};
        }
        long now = pt.now(tm);
        if (iv > 0 && (tm.queued != null || sigNone)) {
            long k = tm.forward(now);
            if (tm.queued != null) {
                tm.overrun += k;
            }
        }
        long left = tm.expires - now;
        if (left <= 0) {
            return new long[] {iv, sigNone ? 0 : 1};
        }
        return new long[] {iv, left};
    }

    private static void writeItimerspec(AddressSpace mm, long addr, long interval, long value) throws GuestFault {
        ByteBuffer b = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(interval / NSEC).putLong(interval % NSEC).putLong(value / NSEC).putLong(value % NSEC);
        mm.write(addr, b.array());
    }

    static long timerSettime(Task t, long id, long flags, long nv, long ov, long a4, long a5)
            throws GuestFault {
        if (nv == 0) {
            return -Errno.EINVAL;
        }
        ByteBuffer b = ByteBuffer.wrap(t.mm().read(nv, 32)).order(ByteOrder.LITTLE_ENDIAN);
        long[] set = new long[2];
        for (int i = 0; i < 2; i++) {
            long sec = b.getLong(16 * i), nsec = b.getLong(16 * i + 8);
            if (sec < 0 || nsec < 0 || nsec >= NSEC) {
                return -Errno.EINVAL;
            }
            set[i] = toNanos(sec, nsec);
        }
        Proc p = t.proc;
        long[] old;
        synchronized (p.siglock) {
            ProcTimers pt = p.timers;
            ProcTimers.PosixTimer tm = lookup(t, id);
            if (tm == null) {
                return -Errno.EINVAL;
            }
            old = posixGet(pt, tm);
            tm.cancel();
            tm.queued = null; // a signal of the old arming still queued is dropped when dequeued
            tm.overrun = -1;
            tm.overrunLast = 0;
            long value = set[1];
            if (value == 0) {
                // Linux never disarms a SIGEV_NONE timer's expiry: timer_gettime still counts down to the old one.
                if (tm.notify != ProcTimers.SIGEV_NONE) {
                    tm.expires = 0;
                }
                tm.interval = 0;
            } else {
                tm.interval = set[0];
                boolean abs = (flags & TIMER_ABSTIME) != 0;
                long exp = abs ? value : ProcTimers.saturatingAdd(pt.now(tm), value);
                tm.expires = exp == 0 ? 1 : exp;
                if (tm.notify != ProcTimers.SIGEV_NONE) {
                    tm.schedule();
                }
            }
        }
        if (ov != 0) {
            writeItimerspec(t.mm(), ov, old[0], old[1]);
        }
        return 0;
    }

    static long timerGettime(Task t, long id, long cur, long a2, long a3, long a4, long a5) throws GuestFault {
        long[] v;
        synchronized (t.proc.siglock) {
            ProcTimers.PosixTimer tm = lookup(t, id);
            if (tm == null) {
                return -Errno.EINVAL;
            }
            v = posixGet(t.proc.timers, tm);
        }
        writeItimerspec(t.mm(), cur, v[0], v[1]);
        return 0;
    }

    static long timerGetoverrun(Task t, long id, long a1, long a2, long a3, long a4, long a5) {
        synchronized (t.proc.siglock) {
            ProcTimers.PosixTimer tm = lookup(t, id);
            return tm == null ? -Errno.EINVAL : tm.overrunLast;
        }
    }

    static long timerDelete(Task t, long id, long a1, long a2, long a3, long a4, long a5) {
        synchronized (t.proc.siglock) {
            ProcTimers.PosixTimer tm = lookup(t, id);
            if (tm == null) {
                return -Errno.EINVAL;
            }
            tm.deleted = true;
            tm.cancel();
            t.proc.timers.posix.remove(tm.id);
            return 0;
        }
    }
}
