package dev.jkernel.kernel;

import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Virtual CPUs (seed 004's CPU-ownership model, generalised to N). A task must own a vCPU to execute guest code or
 * kernel code on its behalf; it gives the vCPU up when it blocks ({@link WaitQueue}) and at the end of a time slice
 * when another task is waiting for one. The rules, all enforced here:
 * <ol>
 * <li>A vCPU has at most one owner; a task owns at most one vCPU.</li>
 * <li>{@link #acquire} waits for a free vCPU allowed by the task's affinity mask, preferring the one it last ran on
 * (so cpu ids stay stable for rseq and getcpu when nothing forces a migration).</li>
 * <li>{@link #release} hands the vCPU to the longest waiting task its affinity allows there, and wakes only that
 * one (waking every waiter to race for it costs a wake-up per waiter per context switch: quadratic with hundreds of
 * threads calling sched_yield, as Linux's rseq self-tests do).</li>
 * <li>A task that is killed while waiting for a vCPU still gets one: exit needs a CPU like any other kernel work.</li>
 * </ol>
 */
public final class Scheduler {
    private final int ncpus;
    private final Task[] owner;
    private final ReentrantLock lock = new ReentrantLock(true);
    /** Tasks waiting for a vCPU, longest waiting first; each sleeps on its own condition. */
    private final ArrayDeque<Waiter> queue = new ArrayDeque<>();

    private record Waiter(Task task, Condition granted) {}

    public Scheduler(int ncpus) {
        if (ncpus < 1 || ncpus > 64) {
            throw new IllegalArgumentException("virtual CPUs must be between 1 and 64, not " + ncpus);
        }
        this.ncpus = ncpus;
        this.owner = new Task[ncpus];
    }

    /** How many virtual CPUs there are. */
    public int cpus() {
        return ncpus;
    }

    /** The mask of every CPU. */
    public long allCpus() {
        return ncpus == 64 ? -1L : (1L << ncpus) - 1;
    }

    /** Blocks until {@code t} owns a vCPU; records it in {@code t.cpu}. */
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

    private void assign(Task t, int cpu) {
        owner[cpu] = t;
        t.cpu = cpu;
        // mm_cid: the lowest id no other running thread of the process holds (< CPUs, < threads).
        long used = t.proc.cidsInUse;
        int cid = Long.numberOfTrailingZeros(~used);
        t.proc.cidsInUse = used | (1L << cid);
        t.mmCid = cid;
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

    private long mask(Task t) {
        long mask = t.affinity & allCpus();
        return mask == 0 ? allCpus() : mask;
    }

    /** Gives up {@code t}'s vCPU: it goes straight to the longest waiting task allowed on it, which alone wakes. */
    public void release(Task t) {
        lock.lock();
        try {
            int c = t.cpu;
            if (c >= 0 && owner[c] == t) {
                owner[c] = null;
                t.lastCpu = c;
                t.cpu = -1;
                if (t.mmCid >= 0) {
                    t.proc.cidsInUse &= ~(1L << t.mmCid);
                    t.mmCid = -1;
                }
                // A context switch: an rseq critical section in progress must restart (rseq_preempt).
                Rseq.preempted(t);
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

    /** Whether some task is waiting for a vCPU (a running task should then yield at the end of its slice). */
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

    /** Moves t to a vCPU its affinity allows (after sched_setaffinity excluded the current one). */
    public void migrate(Task t) {
        release(t);
        acquire(t);
    }

    /** sched_yield and the end of a slice: let a waiting task run, then take a vCPU again. */
    public void yield(Task t) {
        if (contended()) {
            release(t);
            Thread.yield();
            acquire(t);
        }
    }
}
