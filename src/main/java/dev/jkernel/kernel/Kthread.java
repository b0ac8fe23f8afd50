package dev.jkernel.kernel;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;

/**
 * Kernel threads (seed 001, Linux's kthread.c): tasks without a user address space whose body is Java. kthreadd
 * (pid 2) creates them on request, so every kernel thread is its child; a kernel thread can be asked to stop and to
 * park. A user task never becomes a kernel thread; a kernel thread becomes a user process only by exec
 * (kernel_init does that to start pid 1).
 */
public final class Kthread {
    private final String name;
    private final Consumer<Kthread> fn;
    private volatile Task task;
    private volatile boolean shouldStop, shouldPark, parked, started, exited, failed;
    /** Every state change of this thread is announced here. */
    private final WaitQueue events = new WaitQueue();

    private Kthread(String name, Consumer<Kthread> fn) {
        this.name = name;
        this.fn = fn;
    }

    /** The kernel thread's task (set once it runs). */
    public Task task() {
        return task;
    }

    /** kthread_should_stop: the payload checks it and returns when asked to. */
    public boolean shouldStop() {
        return shouldStop;
    }

    /** kthread_stop: asks the thread to stop, wakes it, and waits until it has exited. */
    public void stop(Task caller) {
        shouldStop = true;
        shouldPark = false;
        wake();
        events.await(caller, () -> exited, WaitQueue.FOREVER, false);
    }

    /** kthread_park: asks the thread to park at its next {@link #parkme()} and waits until it has. */
    public void park(Task caller) {
        shouldPark = true;
        wake();
        events.await(caller, () -> parked || exited, WaitQueue.FOREVER, false);
    }

    /** kthread_unpark. */
    public void unpark() {
        shouldPark = false;
        wake();
    }

    public boolean isParked() {
        return parked;
    }

    public boolean hasExited() {
        return exited;
    }

    /** kthread_parkme: the payload calls it at safe points; it sleeps while parking is requested. */
    public void parkme() {
        if (!shouldPark) {
            return;
        }
        parked = true;
        events.wakeAll();
        events.await(task, () -> !shouldPark, WaitQueue.FOREVER, false);
        parked = false;
        events.wakeAll();
    }

    /**
     * Sleeps until woken by stop/park/unpark/{@link #wake} or until {@code deadlineNanos} (System.nanoTime terms);
     * the payload's idle wait.
     */
    public void sleep(long deadlineNanos) {
        events.await(task, () -> shouldStop || shouldPark, deadlineNanos, false);
    }

    /** Wakes the thread out of {@link #sleep}. */
    public void wake() {
        events.wakeAll();
        Task t = task;
        if (t != null) {
            t.unpark();
        }
    }

    /** The body of the new kernel thread (what ret_from_kernel_thread calls). */
    private void run(Task self) {
        task = self;
        self.comm = name;
        started = true;
        events.wakeAll();
        try {
            if (!shouldStop) {
                fn.accept(this);
            }
        } finally {
            exited = true;
            events.wakeAll();
        }
    }

    /** kthreadd: creates kernel threads from a queue of requests; it is their parent. */
    static final class Kthreadd {
        private final ConcurrentLinkedQueue<Kthread> requests = new ConcurrentLinkedQueue<>();
        private final WaitQueue wait = new WaitQueue();

        void body(Task self) {
            self.comm = "kthreadd";
            while (!self.fatalPending()) {
                Kthread kt = requests.poll();
                if (kt == null) {
                    wait.await(self, () -> !requests.isEmpty(), WaitQueue.FOREVER, false);
                    continue;
                }
                long tid = Fork.kernelClone(self, KernelCloneArgs.kernelThread(kt::run));
                if (tid < 0) {
                    kt.failed = true;
                    kt.events.wakeAll();
                }
            }
        }

        /** kthread_run: creates and starts a kernel thread; returns its handle once it runs, or null on failure. */
        Kthread create(Task caller, String name, Consumer<Kthread> fn) {
            Kthread kt = new Kthread(name, fn);
            requests.add(kt);
            wait.wakeAll();
            kt.events.await(caller, () -> kt.started || kt.failed, WaitQueue.FOREVER, false);
            return kt.failed || !kt.started ? null : kt;
        }
    }
}
