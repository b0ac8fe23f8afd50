package dev.jkernel.kernel;

import dev.jkernel.syscall.ProcessSyscalls;

import java.util.IdentityHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Future;

/**
 * A process's timers (Linux's signal_struct timer fields): the three interval timers of setitimer and the POSIX
 * timers of timer_create. Everything here is guarded by the process's siglock; expiry callbacks run on the kernel's
 * {@link TimerService} thread and take the tasklist lock, then the siglock, as sending a signal does.
 */
final class ProcTimers {
    static final int ITIMER_REAL = 0, ITIMER_VIRTUAL = 1, ITIMER_PROF = 2;
    static final int SIGEV_SIGNAL = 0, SIGEV_NONE = 1, SIGEV_THREAD = 2, SIGEV_THREAD_ID = 4;

    // Clock ids (uapi/linux/time.h); the itimers' CPU clocks get internal ids above them.
    static final int CLOCK_REALTIME = 0, CLOCK_MONOTONIC = 1, CLOCK_PROCESS_CPUTIME_ID = 2,
            CLOCK_THREAD_CPUTIME_ID = 3, CLOCK_BOOTTIME = 7, CLOCK_TAI = 11;
    static final int CLOCK_PROCESS_VIRT = 100, CLOCK_THREAD_VIRT = 101;

    /** Linux's TICK_NSEC at HZ=250: CPU itimers are checked at ticks, and setitimer adds one to the first period. */
    static final long TICK_NSEC = 4_000_000L;
    /** How often at most a CPU-clock timer polls the CPU time it waits for. */
    private static final long CPU_POLL_MIN = 1_000_000L;


    final Proc p;
    final ITimer[] itimers = new ITimer[3];
    final Map<Integer, PosixTimer> posix = new TreeMap<>();
    /** The next id to try (Linux hands ids out from a cursor that wraps at INT_MAX, so freed ids are not reused at once). */
    int nextId;
    /** Timer signals queued and not yet dequeued, by identity: dequeue re-arms their timer or drops a stale one. */
    final Map<SigInfo, PosixTimer> inflight = new IdentityHashMap<>();

    ProcTimers(Proc p) {
        this.p = p;
        itimers[ITIMER_REAL] = new ITimer(CLOCK_MONOTONIC, Signals.SIGALRM);
        itimers[ITIMER_VIRTUAL] = new ITimer(CLOCK_PROCESS_VIRT, 26); // SIGVTALRM
        itimers[ITIMER_PROF] = new ITimer(CLOCK_PROCESS_CPUTIME_ID, 27); // SIGPROF
    }

    // ------------------------------------------------------------------------------------------------------------
    // Clocks
    // ------------------------------------------------------------------------------------------------------------

    /** A timer's clock, read now: wall and monotonic clocks as clock_gettime reads them, CPU clocks from the host. */
    long now(Timer h) {
        return switch (h.clock) {
            case CLOCK_PROCESS_CPUTIME_ID -> processCpu(false);
            case CLOCK_PROCESS_VIRT -> processCpu(true);
            case CLOCK_THREAD_CPUTIME_ID -> threadCpu(h.owner, false);
            case CLOCK_THREAD_VIRT -> threadCpu(h.owner, true);
            default -> {
                try {
                    yield ProcessSyscalls.clockNanos(p.kernel, null, h.clock);
                } catch (ErrnoException e) {
                    yield p.kernel.monotonicNanos();
                }
            }
        };
    }

    private static boolean cpuClock(int clock) {
        return clock == CLOCK_PROCESS_CPUTIME_ID || clock == CLOCK_PROCESS_VIRT || clock == CLOCK_THREAD_CPUTIME_ID
                || clock == CLOCK_THREAD_VIRT;
    }

    /** The CPU time of the process's live threads (their host threads', which interpret the guest). */
    private long processCpu(boolean userOnly) {
        long sum = 0;
        for (Task t : p.threads) {
            sum += threadCpu(t, userOnly);
        }
        return sum;
    }

    private long threadCpu(Task t, boolean userOnly) {
        if (t == null) {
            return 0;
        }
        return p.kernel.host().cpuNanos(t.thread, t.ctx.instret, userOnly);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Arming and expiry
    // ------------------------------------------------------------------------------------------------------------

    /** What both kinds of timer have: a clock, an expiry on it (0: disarmed), a period and a host callback. */
    abstract class Timer {
        final int clock;
        /** For thread CPU clocks: the thread whose time counts. */
        Task owner;
        long expires;
        long interval;
        /** Bumped whenever the timer is re-armed or stopped: a callback of an older arming does nothing. */
        int gen;
        Future<?> future;

        Timer(int clock) {
            this.clock = clock;
        }

        /** Stops the host callback (the timer state is the caller's to reset). */
        void cancel() {
            gen++;
            if (future != null) {
                future.cancel(false);
                future = null;
            }
        }

        /** Asks the timer thread to look at this timer when its expiry may have come. */
        void schedule() {
            long left = expires - now(this);
            long delay;
            if (!cpuClock(clock)) {
                delay = left;
            } else {
                // CPU time runs at most as fast as wall time times the threads that may run: poll no earlier.
                int n = clock == CLOCK_PROCESS_CPUTIME_ID || clock == CLOCK_PROCESS_VIRT ? Math.max(1, p.threads.size())
                        : 1;
                delay = Math.max(CPU_POLL_MIN, left / n);
            }
            int g = gen;
            future = p.kernel.timers().schedule(() -> fire(this, g), delay);
        }

        /** Moves the expiry on by whole periods until it lies after now; returns how many periods (Linux's hrtimer_forward). */
        long forward(long now) {
            if (interval <= 0 || now < expires) {
                return 0;
            }
            long k = (now - expires) / interval + 1;
            long step = k > Long.MAX_VALUE / interval ? Long.MAX_VALUE : k * interval;
            expires = saturatingAdd(expires, step);
            return k;
        }

        /** The expiry has come: notify, and reload or disarm. Called with the tasklist lock and siglock held. */
        abstract void expire(long now);
    }

    static long saturatingAdd(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
    }

    private void fire(Timer h, int g) {
        synchronized (p.kernel.tasklist) {
            synchronized (p.siglock) {
                if (h.gen != g || h.expires == 0) {
                    return;
                }
                h.future = null;
                if (p.state != Proc.State.ALIVE || p.groupExiting) {
                    return;
                }
                long now = now(h);
                if (now < h.expires) {
                    h.schedule(); // early (a realtime clock that moved, a CPU clock polled): look again later
                    return;
                }
                h.expire(now);
            }
        }
    }

    /** A setitimer timer: on expiry it sends its signal to the process and reloads its interval. */
    final class ITimer extends Timer {
        final int sig;

        ITimer(int clock, int sig) {
            super(clock);
            this.sig = sig;
        }

        @Override
        void expire(long now) {
            SignalDelivery.sendToProcess(p, SigInfo.kernel(sig));
            if (interval > 0) {
                forward(now);
                schedule();
            } else {
                expires = 0;
            }
        }
    }

    /** A timer_create timer (Linux's k_itimer). */
    final class PosixTimer extends Timer {
        final int id;
        final int notify;
        final int signo;
        final long value;
        /** SIGEV_THREAD_ID: the thread signalled; else null (the process). */
        final Task target;
        /** Expirations beyond the first since the queued signal (-1 before any); what dequeue reports. */
        long overrun = -1;
        /** timer_getoverrun: the overrun of the last signal delivered. */
        int overrunLast;
        /** The signal of the current arming that is queued, or null. */
        SigInfo queued;
        boolean deleted;

        PosixTimer(int id, int clock, int notify, int signo, long value, Task target) {
            super(clock);
            this.id = id;
            this.notify = notify;
            this.signo = signo;
            this.value = value;
            this.target = target;
        }

        @Override
        void expire(long now) {
            SigInfo info = new SigInfo(signo, 0, SigInfo.SI_TIMER, 0, 0, value, 0, 0, id, 0, 0, 0);
            if (target != null && (target.exiting || target.proc != p)) {
                // Linux: the target thread is gone, the signal goes nowhere and the timer is not re-armed.
                return;
            }
            if (target != null) {
                SignalDelivery.sendToThread(target, info);
            } else {
                SignalDelivery.sendToProcess(p, info);
            }
            SigPending q = target != null ? target.pending : p.shared;
            if (q.containsExact(info)) {
                // Re-armed only when the signal is dequeued: expirations meanwhile become its overrun.
                queued = info;
                inflight.put(info, this);
                if (interval <= 0) {
                    expires = 0;
                }
            } else if (interval > 0) {
                // Ignored (or a standard signal already pending): nothing queued, the timer runs on.
                forward(now);
                schedule();
            } else {
                expires = 0;
            }
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Hooks from signal dequeueing, exec and exit
    // ------------------------------------------------------------------------------------------------------------

    /**
     * A signal was dequeued (siglock held). A timer's signal re-arms a periodic timer, carrying the overrun; the signal
     * of a timer since deleted or re-armed is dropped (returns null), as Linux 6.13+ does. Other signals pass.
     */
    SigInfo dequeued(SigInfo info) {
        PosixTimer tm = inflight.remove(info);
        if (tm == null) {
            return info;
        }
        if (tm.deleted || tm.queued != info) {
            return null;
        }
        tm.queued = null;
        int ovr = 0;
        if (tm.interval > 0 && tm.expires != 0) {
            tm.overrun += tm.forward(now(tm));
            ovr = (int) Math.min(Integer.MAX_VALUE, Math.max(0, tm.overrun));
            tm.overrun = -1;
            tm.schedule();
        }
        tm.overrunLast = ovr;
        return new SigInfo(info.signo(), info.errno(), info.code(), info.pid(), info.uid(), info.value(),
                info.status(), info.addr(), info.timerId(), ovr, info.utime(), info.stime());
    }

    /** exec: POSIX timers are deleted, interval timers live on (siglock held). */
    void deletePosix() {
        for (PosixTimer tm : posix.values()) {
            tm.deleted = true;
            tm.cancel();
        }
        posix.clear();
    }

    /** The process is dead: every timer stops (siglock held). */
    void exit() {
        deletePosix();
        for (ITimer it : itimers) {
            it.cancel();
            it.expires = 0;
            it.interval = 0;
        }
        inflight.clear();
    }
}
