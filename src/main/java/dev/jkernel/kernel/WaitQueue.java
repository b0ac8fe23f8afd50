package dev.jkernel.kernel;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

/**
 * Where tasks sleep until something changes (Linux's wait_queue_head_t with wait_event_interruptible_timeout). A
 * sleeping task gives up its vCPU. The condition is re-checked after every wake-up, so spurious wake-ups are harmless;
 * the waker changes the state first, then calls {@link #wakeAll}.
 */
public final class WaitQueue {
    /** await's results. */
    public static final int READY = 0, TIMED_OUT = 1, INTERRUPTED = 2;

    /** A deadline that never comes. */
    public static final long FOREVER = Long.MAX_VALUE;

    private final Set<Task> waiters = ConcurrentHashMap.newKeySet();

    /** Run by every {@link #wakeAll} (epoll's wake-up callbacks, Linux's ep_poll_callback); must not block. */
    private final Set<Runnable> callbacks = ConcurrentHashMap.newKeySet();

    /**
     * Sleeps until {@code ready} holds (READY), the deadline passes (TIMED_OUT; {@code deadline} is in
     * CLOCK_MONOTONIC terms ({@link Kernel#monotonicNanos()}), or FOREVER), or — when {@code interruptible} — the
     * task has a signal or a kill pending (INTERRUPTED). A kill always interrupts, interruptible or not (TASK_KILLABLE).
     */
    public int await(Task t, BooleanSupplier ready, long deadline, boolean interruptible) {
        if (ready.getAsBoolean()) {
            return READY;
        }
        waiters.add(t);
        t.blockBegin();
        // A host thread (library mode) may be interrupted by its application: that interrupts an interruptible
        // sleep like a signal; an uninterruptible one goes on (the flag is cleared meanwhile so that park does not
        // spin) and the flag is set again on the way out.
        boolean hostInterrupted = false;
        try {
            while (true) {
                if (ready.getAsBoolean()) {
                    return READY;
                }
                if (t.host && Thread.interrupted()) {
                    hostInterrupted = true;
                }
                if (t.fatalPending() || (interruptible && (t.interruptPending() || hostInterrupted))) {
                    return INTERRUPTED;
                }
                Scheduler s = t.kernel().sched();
                if (deadline != FOREVER && deadline - s.monotonicNanos() <= 0) {
                    return TIMED_OUT;
                }
                s.park(t, this, deadline);
            }
        } finally {
            waiters.remove(t);
            t.blockEnd();
            if (hostInterrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Adds a task that sleeps elsewhere (poll and select sleep on several queues at once: Linux's poll_wait). Its
     * own {@link #await} on another queue re-checks its condition when this queue wakes it. Undo with
     * {@link #removeWaiter}.
     */
    public void addWaiter(Task t) {
        waiters.add(t);
    }

    public void removeWaiter(Task t) {
        waiters.remove(t);
    }

    /** Registers a callback that every {@link #wakeAll} runs (in the waker's thread); undo with removeCallback. */
    public void addCallback(Runnable r) {
        callbacks.add(r);
    }

    public void removeCallback(Runnable r) {
        callbacks.remove(r);
    }

    /** Wakes every sleeper; each re-checks its condition. Runs the callbacks first. */
    public void wakeAll() {
        for (Runnable r : callbacks) {
            r.run();
        }
        for (Task w : waiters) {
            w.unpark();
        }
    }

    /** Whether anybody sleeps here. */
    public boolean hasWaiters() {
        return !waiters.isEmpty();
    }
}
