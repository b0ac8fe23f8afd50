package dev.jkernel.kernel;

import dev.jkernel.host.HostOps;
import dev.jkernel.host.VirtualClock;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The deterministic scheduler: one task runs at a time, the vCPU passed from task to task in an order drawn from a
 * seed, on a virtual clock. With N vCPUs, the task given the vCPU also gets a cpu id (its last one, or another its
 * affinity allows, drawn from the seed), as if the other CPUs were busy elsewhere at that instant.
 * Every task still has a host thread of its own, but only the owner of the vCPU runs — guest code, kernel code, and
 * the check of a sleeper's condition — so the JVM's thread scheduling never decides anything a guest can see. Its
 * rules:
 * <ol>
 * <li>A task is <em>runnable</em> from the moment something makes it so, decided by the owner of the vCPU at a
 * point of its execution that does not depend on host timing: its creator (wake_up_new_task), a waker
 * ({@link #unpark}), the expiry of its sleep's deadline.</li>
 * <li>A sleeper keeps the vCPU while it checks its condition; its sleep ({@link #park}) is a switch.</li>
 * <li>A switch picks the next owner among the runnable tasks with the seeded generator, after firing every timer
 * and waking every sleeper whose deadline has come. The end of a slice and sched_yield are switches where the
 * current task is a candidate too.</li>
 * <li>Time is {@link VirtualClock}: one nanosecond per retired instruction of the owner. When no task is runnable
 * but deadlines are pending, time jumps to the nearest one. When none is pending either, the vCPU idles until an
 * outside event (a host thread's syscall, a kill from the application) makes a task runnable.</li>
 * <li>A slice ends at the next deadline, so timers fire at their exact virtual time.</li>
 * </ol>
 * What the application does from its own threads (host syscalls, kills, close) is outside the seed's control: a run
 * is reproducible when its input is.
 */
final class DeterministicScheduler extends Scheduler {
    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled when the vCPU goes idle with nobody runnable. */
    private final Condition quiet = lock.newCondition();
    private final Random rng;
    private final VirtualClock clock;
    /** The owner of the vCPU, or null while it idles. */
    private Task current;
    /** The owner's instruction count when it was given the vCPU. */
    private long grantedAt;
    /** Virtual time at the last switch. */
    private long base = VirtualClock.START_NANOS;
    private static final java.util.Comparator<Task> BY_TID = java.util.Comparator.comparingInt(Task::tid);
    /** Runnable tasks waiting for the vCPU (drawn from in tid order). */
    private final ArrayList<Task> runnable = new ArrayList<>();
    /** Sleepers' deadlines and timers, by time then by arming order. */
    private final TreeSet<Event> events = new TreeSet<>();
    private long seq;

    /** A deadline: a sleeper to wake, or a timer callback to run. */
    static final class Event implements Comparable<Event> {
        final long deadline, seq;
        final Task sleeper;
        final FutureTask<Void> timer;

        Event(long deadline, long seq, Task sleeper, FutureTask<Void> timer) {
            this.deadline = deadline;
            this.seq = seq;
            this.sleeper = sleeper;
            this.timer = timer;
        }

        @Override
        public int compareTo(Event o) {
            int c = Long.compare(deadline, o.deadline);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    DeterministicScheduler(int ncpus, HostOps host) {
        super(ncpus, host);
        this.rng = new Random(host.deterministicSeed().orElseThrow());
        this.clock = host.virtualClock();
        if (clock == null) {
            throw new IllegalArgumentException("a deterministic host needs a virtual clock");
        }
        clock.set(base, null);
    }

    @Override
    long monotonicNanos() {
        return clock.now();
    }

    @Override
    public void acquire(Task t) {
        lock.lock();
        try {
            if (current == t) {
                return;
            }
            makeRunnable(t);
            if (current == null) {
                dispatchIdle();
            }
            awaitGrant(t);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void release(Task t) {
        lock.lock();
        try {
            if (current != t) {
                if (t.detRunnable) {
                    t.detRunnable = false;
                    runnable.remove(t);
                }
                return;
            }
        } finally {
            lock.unlock();
        }
        handOff(t);
    }

    @Override
    public boolean contended() {
        lock.lock();
        try {
            return !runnable.isEmpty();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void yield(Task t) {
        lock.lock();
        try {
            if (current != t) {
                return;
            }
            makeRunnable(t);
        } finally {
            lock.unlock();
        }
        switchAway(t);
    }

    @Override
    public void preempt(Task t) {
        this.yield(t);
    }

    /** The owner's affinity no longer allows its cpu: it moves to an allowed one at once (it keeps running). */
    @Override
    public void migrate(Task t) {
        lock.lock();
        try {
            if (current == t && t.cpu >= 0 && (mask(t) & (1L << t.cpu)) == 0) {
                unassign(t);
                assign(t, chooseCpu(t));
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * The cpu a task gets: with one vCPU, 0; else its last one three times in four (as a cache-warm task stays
     * put), otherwise one its affinity allows, drawn from the seed: migrations happen, reproducibly.
     */
    private int chooseCpu(Task t) {
        if (ncpus == 1) {
            return 0;
        }
        long mask = mask(t);
        int last = t.lastCpu;
        boolean lastAllowed = last >= 0 && last < ncpus && (mask & (1L << last)) != 0;
        if (lastAllowed && rng.nextInt(4) != 0) {
            return last;
        }
        int k = rng.nextInt(Long.bitCount(mask));
        for (int c = 0; c < ncpus; c++) {
            if ((mask & (1L << c)) != 0 && k-- == 0) {
                return c;
            }
        }
        return Long.numberOfTrailingZeros(mask);
    }

    @Override
    boolean sleepsOnCpu() {
        return true;
    }

    @Override
    void park(Task t, Object blocker, long deadline) {
        lock.lock();
        try {
            if (t.detPermit) {
                t.detPermit = false;
                return;
            }
            if (current != t) {
                // Only the owner sleeps here; anything else (a thread outside the kernel's control) just polls.
                lock.unlock();
                try {
                    Thread.onSpinWait();
                } finally {
                    lock.lock();
                }
                return;
            }
            t.detSleeping = true;
            if (deadline != WaitQueue.FOREVER) {
                Event e = new Event(deadline, seq++, t, null);
                t.detTimeout = e;
                events.add(e);
            }
        } finally {
            lock.unlock();
        }
        switchAway(t);
    }

    @Override
    void unpark(Task t) {
        lock.lock();
        try {
            if (t.detSleeping) {
                wake(t);
                if (current == null) {
                    dispatchIdle();
                }
            } else {
                t.detPermit = true;
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    void wakeUpNew(Task t) {
        lock.lock();
        try {
            makeRunnable(t);
            if (current == null) {
                dispatchIdle();
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    long budget(Task t, long slice) {
        lock.lock();
        try {
            if (events.isEmpty() || current != t) {
                return slice;
            }
            long left = events.first().deadline - now();
            return Math.max(1, Math.min(slice, left));
        } finally {
            lock.unlock();
        }
    }

    /** Arms a timer: {@code fn} runs at virtual time now + {@code delayNanos}, on the thread that owns the vCPU. */
    Future<?> schedule(Runnable fn, long delayNanos) {
        FutureTask<Void> f = new FutureTask<>(fn, null);
        lock.lock();
        try {
            long now = now();
            long d = now + Math.max(0, delayNanos);
            events.add(new Event(d < now ? Long.MAX_VALUE - 1 : d, seq++, null, f));
        } finally {
            lock.unlock();
        }
        return f;
    }

    /** Drops every pending timer (shutdown). */
    void cancelTimers() {
        lock.lock();
        try {
            events.removeIf(e -> {
                if (e.timer != null) {
                    e.timer.cancel(false);
                    return true;
                }
                return false;
            });
        } finally {
            lock.unlock();
        }
    }

    // ---- internals; the lock is held unless said otherwise ----

    private long now() {
        Task c = current;
        return c == null ? base : base + Math.max(0, c.ctx.instret - grantedAt);
    }

    private void makeRunnable(Task t) {
        if (!t.detRunnable) {
            t.detRunnable = true;
            runnable.add(t);
        }
    }

    private void wake(Task t) {
        t.detSleeping = false;
        Event e = t.detTimeout;
        if (e != null) {
            events.remove(e);
            t.detTimeout = null;
        }
        makeRunnable(t);
    }

    /** The vCPU is free and a task has become runnable: give it to one, chosen by the seed. */
    private void dispatchIdle() {
        if (!runnable.isEmpty()) {
            // A draw only when there is a choice: how often a lone task is dispatched may depend on the
            // application's timing, and must not shift the sequence the choices come from.
            int n = runnable.size();
            if (n > 1) {
                // Drawn from the tasks in tid order, not in the order they became runnable: a wake-up of several
                // sleepers walks a set whose order is the JVM's (identity hashes), which no seed controls.
                runnable.sort(BY_TID);
            }
            grant(runnable.remove(n == 1 ? 0 : rng.nextInt(n)));
        } else {
            quiet.signalAll();
        }
    }

    /**
     * Waits until no task runs or is runnable (boot returns only then, so that what the application does next
     * meets the same kernel state whatever the host's timing). False when {@code timeoutNanos} passed first.
     */
    @Override
    boolean awaitQuiescent(long timeoutNanos) {
        lock.lock();
        try {
            long left = timeoutNanos;
            while (current != null || !runnable.isEmpty()) {
                if (left <= 0) {
                    return false;
                }
                left = quiet.awaitNanos(left);
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            lock.unlock();
        }
    }

    private void grant(Task t) {
        t.detRunnable = false;
        current = t;
        grantedAt = t.ctx.instret;
        clock.set(base, () -> Math.max(0, t.ctx.instret - grantedAt));
        assign(t, chooseCpu(t));
        Condition c = t.detGrant;
        if (c != null) {
            c.signal();
        }
    }

    /** A switch away from the owner {@code t}, then back when the vCPU is given to it again. No lock held. */
    private void switchAway(Task t) {
        handOff(t);
        lock.lock();
        try {
            awaitGrant(t);
        } finally {
            lock.unlock();
        }
    }

    private void awaitGrant(Task t) {
        if (current == t) {
            return;
        }
        if (t.detGrant == null) {
            t.detGrant = lock.newCondition();
        }
        boolean interrupted = false;
        while (current != t) {
            try {
                t.detGrant.await();
            } catch (InterruptedException e) {
                interrupted = true;
                // The application interrupting its own thread in a host syscall interrupts the sleep, as in
                // the parallel scheduler; nothing a guest does can cause it.
                if (t.host && t.detSleeping) {
                    wake(t);
                    if (current == null) {
                        dispatchIdle();
                    }
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * A switch away from {@code t}, the owner (called without the lock): fire what is due — timer callbacks run
     * here, on t's thread, still owning the vCPU — then give the vCPU to a runnable task chosen by the seed (t
     * itself if it is runnable and drawn), jumping time to the next deadline when nobody is runnable.
     */
    private void handOff(Task t) {
        while (true) {
            List<FutureTask<Void>> due = new ArrayList<>();
            lock.lock();
            try {
                long now = now();
                base = now;
                grantedAt = t.ctx.instret;
                clock.set(base, () -> Math.max(0, t.ctx.instret - grantedAt));
                while (!events.isEmpty()) {
                    Event e = events.first();
                    if (e.deadline > now) {
                        if (runnable.isEmpty() && due.isEmpty()) {
                            // Everybody sleeps: time flies to the next deadline.
                            base = now = e.deadline;
                            clock.set(base, null);
                            continue;
                        }
                        break;
                    }
                    events.pollFirst();
                    if (e.sleeper != null) {
                        e.sleeper.detTimeout = null;
                        if (e.sleeper.detSleeping) {
                            wake(e.sleeper);
                        }
                    } else {
                        due.add(e.timer);
                    }
                }
                if (due.isEmpty()) {
                    unassign(t);
                    current = null;
                    clock.set(base, null);
                    dispatchIdle();
                    return;
                }
            } finally {
                lock.unlock();
            }
            for (FutureTask<Void> f : due) {
                f.run(); // nothing when cancelled meanwhile
            }
        }
    }
}
