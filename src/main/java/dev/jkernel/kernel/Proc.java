package dev.jkernel.kernel;

import java.util.ArrayList;
import java.util.List;

/**
 * A process: a thread group (Linux's signal_struct plus the process-wide parts of task_struct). Its threads share the
 * tgid; its parent is notified when the last of them exits; it is a zombie until the parent reaps it.
 *
 * <p>Every field that relates processes to each other (parent, children, threads, state, process group, session) is
 * guarded by the kernel's tasklist lock ({@link Kernel#tasklist}).
 */
public final class Proc {
    /** Lifecycle: running threads; all threads gone, waiting to be reaped; reaped (its pid is free). */
    enum State { ALIVE, ZOMBIE, REAPED }

    final Kernel kernel;
    final int tgid;
    final List<Task> threads = new ArrayList<>();
    Task leader;
    Proc parent;
    final List<Proc> children = new ArrayList<>();
    int pgid, sid;
    /** The signal sent to the parent when the process ends (SIGCHLD normally; 0 or another for clone children). */
    int exitSignal;
    State state = State.ALIVE;
    /** exit_group was called, or a fatal signal killed the group: every thread exits with groupExitCode. */
    boolean groupExiting;
    /** The wait status the process ends with when groupExiting. */
    int groupExitCode;
    /** The leader's own wait status, used when the threads exited one by one. */
    int leaderExitCode;
    /** Final wait status once a zombie. */
    int waitStatus;
    /** A thread in the middle of exec's de_thread: the others are killed but leave without a group exit. */
    Task execTask;
    /** The process has execve'd since fork (setpgid answers EACCES for it). */
    boolean execed;
    /** prctl(PR_SET_CHILD_SUBREAPER). */
    boolean childSubreaper;
    /** A kernel thread's process: no user memory, not waited for by anyone in user space. */
    boolean kernelThread;
    /** Library mode's host process (the embedding application's threads): never chosen by the OOM killer. */
    boolean hostProcess;
    /** When the process was created (System.nanoTime): the OOM killer prefers the newest among equals. */
    final long startNanos = System.nanoTime();
    /** Resource limits, [resource][0 = soft, 1 = hard]. */
    final long[][] rlimits;
    /** Woken whenever a thread of this process exits (de_thread waits here). */
    final WaitQueue threadsChanged = new WaitQueue();
    /** Where wait4/waitid sleep until a child changes state. */
    final WaitQueue childWait = new WaitQueue();
    // ---- signals ----
    /** Guards pending queues, masks and the stop state of this process's threads (Linux's siglock). */
    final Object siglock = new Object();
    /** Process-directed signals. */
    final SigPending shared = new SigPending();
    /** A group stop is in effect (SIGSTOP and friends); threads sleep on stopQueue until SIGCONT or SIGKILL. */
    volatile boolean groupStop;
    int stopSig;
    final WaitQueue stopQueue = new WaitQueue();
    /** For wait(WUNTRACED/WCONTINUED): a stop or continue not yet reported to the parent (-1: none). */
    int stopReport = -1;
    boolean continuedReport;

    /** Interval and POSIX timers (guarded by siglock). */
    final ProcTimers timers = new ProcTimers(this);
    /** Where signalfd readers (and pollers) of this process wait for a signal to be queued. */
    final WaitQueue signalfdWait = new WaitQueue();

    /** mm_cid: the concurrency ids in use by this process's running threads (guarded by the scheduler's lock). */
    long cidsInUse;

    /** membarrier registrations (the REGISTER_* command bits); reset by exec. */
    int membarrierRegistrations;

    /** CPU time of reaped children (nanoseconds), for RUSAGE_CHILDREN and times(). */
    long childrenCpuNanos;

    /** Completed with the wait status when the process dies (library mode's waitFor). */
    final java.util.concurrent.CompletableFuture<Integer> death = new java.util.concurrent.CompletableFuture<>();

    /** The wait status once the process has died (whether or not reaped since). */
    public java.util.concurrent.CompletableFuture<Integer> death() {
        return death;
    }

    /** The process has not died yet. */
    public boolean alive() {
        synchronized (kernel.tasklist) {
            return state == State.ALIVE;
        }
    }

    /** One letter as /proc/PID/stat shows it: R (running or runnable), S (sleeping), T (stopped), Z (zombie). */
    public char stateLetter() {
        synchronized (kernel.tasklist) {
            if (state != State.ALIVE) {
                return 'Z';
            }
            if (groupStop) {
                return 'T';
            }
            for (Task t : threads) {
                if (t.cpu >= 0) {
                    return 'R';
                }
            }
            return 'S';
        }
    }

    /** The command name of the process (its leader's comm). */
    public String comm() {
        synchronized (kernel.tasklist) {
            return leader == null ? "" : leader.comm;
        }
    }

    Proc(Kernel kernel, int tgid, boolean kernelThread, long[][] rlimits) {
        this.kernel = kernel;
        this.tgid = tgid;
        this.kernelThread = kernelThread;
        this.rlimits = rlimits;
    }

    public int tgid() {
        return tgid;
    }

    public int pgid() {
        synchronized (kernel.tasklist) {
            return pgid;
        }
    }

    public int sid() {
        synchronized (kernel.tasklist) {
            return sid;
        }
    }

    /** The parent's tgid, or 0 for a process without one (pid 1, kthreadd). */
    public int ppid() {
        synchronized (kernel.tasklist) {
            return parent == null ? 0 : parent.tgid;
        }
    }

    public long[][] rlimits() {
        return rlimits;
    }

    public boolean isKernelThread() {
        return kernelThread;
    }

    public boolean childSubreaper() {
        synchronized (kernel.tasklist) {
            return childSubreaper;
        }
    }

    public void setChildSubreaper(boolean on) {
        synchronized (kernel.tasklist) {
            childSubreaper = on;
        }
    }

    /** A copy of the thread list. */
    public List<Task> threads() {
        synchronized (kernel.tasklist) {
            return List.copyOf(threads);
        }
    }

    static long[][] copyLimits(long[][] src) {
        long[][] r = new long[src.length][];
        for (int i = 0; i < src.length; i++) {
            r[i] = src[i].clone();
        }
        return r;
    }
}
