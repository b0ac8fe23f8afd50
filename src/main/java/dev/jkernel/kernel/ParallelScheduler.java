package dev.jkernel.kernel;

import dev.jkernel.host.HostOps;

import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The real-parallelism scheduler: N vCPUs shared by tasks whose host threads run at the same time. A task gives its
 * vCPU up when it sleeps and at the end of a slice when another task is waiting for one. Its rules (besides
 * {@link Scheduler}'s):
 * <ol>
 * <li>{@link #acquire} waits for a free vCPU allowed by the task's affinity mask, preferring the one it last ran on
 * (so cpu ids stay stable for rseq and getcpu when nothing forces a migration).</li>
 * <li>{@link #release} hands the vCPU to the longest waiting task its affinity allows there, and wakes only that
 * one (waking every waiter to race for it costs a wake-up per waiter per context switch: quadratic with hundreds of
 * threads calling sched_yield, as Linux's rseq self-tests do).</li>
 * <li>A task that is killed while waiting for a vCPU still gets one: exit needs a CPU like any other kernel work.</li>
 * </ol>
 */
final class ParallelScheduler extends Scheduler {
    private final ReentrantLock lock = new ReentrantLock(true);
    /** Tasks waiting for a vCPU, longest waiting first; each sleeps on its own condition. */
    private final ArrayDeque<Waiter> queue = new ArrayDeque<>();

    private record Waiter(Task task, Condition granted) {}

    ParallelScheduler(int ncpus, HostOps host) {
        super(ncpus, host);
    }

    @Override
    public void acquire(Task t) {
        lock.lock();
        try {
            // A free vCPU is one no waiter may use (release hands each freed vCPU to the first waiter allowed on
            // it), so taking it jumps no queue.
            int cpu = pick(t);
            if (cpu >= 0) {
                assign(t, cpu);
                return;
            }
            Waiter w = new Waiter(t, lock.newCondition());
            queue.addLast(w);
            boolean interrupted = false;
            try {
                while (t.cpu < 0) {
                    // The timeout covers an affinity changed by another thread while t waits: t may then use a
                    // vCPU that was already free, and no release would hand it over.
                    try {
                        w.granted.awaitNanos(10_000_000L);
                    } catch (InterruptedException e) {
                        interrupted = true; // as awaitUninterruptibly: keep waiting, keep the interrupt
                    }
                    if (t.cpu < 0 && (cpu = pick(t)) >= 0) {
                        assign(t, cpu);
                    }
                }
            } finally {
                queue.remove(w);
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        } finally {
            lock.unlock();
        }
    }

    private int pick(Task t) {
        long mask = mask(t);
        int last = t.lastCpu;
        if (last >= 0 && last < ncpus && owner[last] == null && (mask & (1L << last)) != 0) {
            return last;
        }
        for (int c = 0; c < ncpus; c++) {
            if (owner[c] == null && (mask & (1L << c)) != 0) {
                return c;
            }
        }
        return -1;
    }

    @Override
    public void release(Task t) {
        lock.lock();
        try {
            int c = t.cpu;
            if (c >= 0 && owner[c] == t) {
                unassign(t);
                for (Waiter w : queue) {
                    if (w.task.cpu < 0 && (mask(w.task) & (1L << c)) != 0) {
                        assign(w.task, c);
                        w.granted.signal();
                        break;
                    }
                }
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean contended() {
        lock.lock();
        try {
            for (Waiter w : queue) {
                if (w.task.cpu < 0) {
                    return true;
                }
            }
            return false;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void yield(Task t) {
        if (contended()) {
            release(t);
            Thread.yield();
            acquire(t);
        }
    }

    @Override
    void park(Task t, Object blocker, long deadline) {
        if (deadline == WaitQueue.FOREVER) {
            LockSupport.park(blocker);
        } else {
            long left = deadline - host.monotonicNanos();
            if (left > 0) {
                LockSupport.parkNanos(blocker, left);
            }
        }
    }

    @Override
    void unpark(Task t) {
        Thread th = t.thread;
        if (th != null) {
            LockSupport.unpark(th);
        }
    }
}
