package dev.jkernel.kernel;

import dev.jkernel.host.HostOps;

/**
 * Virtual CPUs and the ownership of them (seed 004's CPU-ownership model, generalised to N). The rules every
 * scheduler keeps:
 * <ol>
 * <li>A task must own a vCPU to execute guest code, or kernel code on its behalf: a user task from its start to
 * its exit, a kernel thread while it runs its payload, a host thread of the embedding application for the length
 * of each syscall it makes. {@link #acquire} waits for one; {@link #release} gives it up.</li>
 * <li>A vCPU has at most one owner; a task owns at most one vCPU.</li>
 * <li>A task that sleeps ({@link WaitQueue}) parks through {@link #park} and is woken by {@link #unpark}; whether
 * it keeps its vCPU meanwhile is the scheduler's choice ({@link #sleepsOnCpu}).</li>
 * <li>A task that is killed while waiting for a vCPU still gets one: exit needs a CPU like any other kernel
 * work.</li>
 * <li>Every switch away from a task is an rseq preemption event, and a running task holds an mm_cid (the lowest id
 * no other running thread of its process holds).</li>
 * </ol>
 * Two implementations: {@link ParallelScheduler} (host threads really in parallel, one per owned vCPU) and
 * {@link DeterministicScheduler} (one vCPU, passed in a seeded order, on virtual time), chosen by the
 * {@link HostOps}.
 */
public abstract class Scheduler {
    final int ncpus;
    final Task[] owner;
    final HostOps host;

    Scheduler(int ncpus, HostOps host) {
        if (ncpus < 1 || ncpus > 64) {
            throw new IllegalArgumentException("virtual CPUs must be between 1 and 64, not " + ncpus);
        }
        this.ncpus = ncpus;
        this.owner = new Task[ncpus];
        this.host = host;
    }

    /** The scheduler the host operations call for. */
    static Scheduler create(int ncpus, HostOps host) {
        if (host.deterministicSeed().isPresent()) {
            return new DeterministicScheduler(ncpus, host);
        }
        return new ParallelScheduler(ncpus, host);
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
    public abstract void acquire(Task t);

    /** Gives up {@code t}'s vCPU (nothing when it owns none). */
    public abstract void release(Task t);

    /** Whether some other task is waiting for a vCPU (a running task should then yield at the end of its slice). */
    public abstract boolean contended();

    /** sched_yield and the end of a slice: let a waiting task run, then take a vCPU again. */
    public abstract void yield(Task t);

    /** A forced preemption (--preempt): a real context switch, whether or not another task waits. */
    public void preempt(Task t) {
        release(t);
        acquire(t);
    }

    /** Moves t to a vCPU its affinity allows (after sched_setaffinity excluded the current one). */
    public void migrate(Task t) {
        release(t);
        acquire(t);
    }

    /**
     * Parks a sleeping task's thread until {@link #unpark}, the deadline ({@link #monotonicNanos} terms, or
     * {@link WaitQueue#FOREVER}), or a spurious wake-up: callers re-check their condition.
     */
    abstract void park(Task t, Object blocker, long deadline);

    /** Wakes {@code t} if it is parked, or makes its next park return at once. */
    abstract void unpark(Task t);

    /** Whether a sleeping task keeps its vCPU (its sleep is then a switch inside {@link #park}). */
    boolean sleepsOnCpu() {
        return false;
    }

    /** A new task with a host thread of its own is about to start (Linux's wake_up_new_task). */
    void wakeUpNew(Task t) {}

    /** How many instructions {@code t} may run before the scheduler must look again (at most {@code slice}). */
    long budget(Task t, long slice) {
        return slice;
    }

    /** Waits until no task runs or wants to (deterministic scheduler); true at once for real parallelism. */
    boolean awaitQuiescent(long timeoutNanos) {
        return true;
    }

    /** CLOCK_MONOTONIC, nanoseconds. */
    long monotonicNanos() {
        return host.monotonicNanos();
    }

    /** Makes {@code t} the owner of {@code cpu}. Caller holds the scheduler's lock. */
    final void assign(Task t, int cpu) {
        owner[cpu] = t;
        t.cpu = cpu;
        long used = t.proc.cidsInUse;
        int cid = Long.numberOfTrailingZeros(~used);
        t.proc.cidsInUse = used | (1L << cid);
        t.mmCid = cid;
    }

    /** Takes {@code t}'s vCPU away (a context switch: an rseq critical section in progress must restart). */
    final void unassign(Task t) {
        int c = t.cpu;
        owner[c] = null;
        t.lastCpu = c;
        t.cpu = -1;
        if (t.mmCid >= 0) {
            t.proc.cidsInUse &= ~(1L << t.mmCid);
            t.mmCid = -1;
        }
        Rseq.preempted(t);
    }

    final long mask(Task t) {
        long mask = t.affinity & allCpus();
        return mask == 0 ? allCpus() : mask;
    }
}
