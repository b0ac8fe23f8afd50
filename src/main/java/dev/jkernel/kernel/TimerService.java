package dev.jkernel.kernel;

import dev.jkernel.host.HostOps;

import java.util.concurrent.Future;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The kernel's timer base (Linux's hrtimer base): runs timer callbacks on one host thread at a point in
 * CLOCK_MONOTONIC time (in a deterministic kernel: on the vCPU's owner, at a point in virtual time). The thread
 * starts with the first timer armed and ends with {@link #shutdown}, which the kernel calls when it stops. Callbacks
 * must be short and must not throw.
 */
public final class TimerService {
    private ScheduledThreadPoolExecutor executor;
    private boolean stopped;
    private final String name;
    private final HostOps host;
    private final DeterministicScheduler virtual;

    /** Timers on a host thread; or, with {@code virtual}, on the deterministic scheduler's virtual time. */
    TimerService(String name, HostOps host, DeterministicScheduler virtual) {
        this.name = name;
        this.host = host;
        this.virtual = virtual;
    }

    /** Runs {@code fn} after {@code delayNanos} (at once if not positive); null once the service has stopped. */
    public synchronized Future<?> schedule(Runnable fn, long delayNanos) {
        if (stopped) {
            return null;
        }
        if (virtual != null) {
            return virtual.schedule(guard(fn), delayNanos);
        }
        if (executor == null) {
            executor = new ScheduledThreadPoolExecutor(1, r -> host.newThread(name, r));
            executor.setRemoveOnCancelPolicy(true);
            executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        }
        return executor.schedule(guard(fn), Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
    }

    private static Runnable guard(Runnable fn) {
        return () -> {
            try {
                fn.run();
            } catch (RuntimeException | Error e) {
                // A timer callback that fails must not take the timer thread (or the vCPU's owner) with it.
                if (Boolean.getBoolean("jkernel.debug")) {
                    e.printStackTrace();
                }
            }
        };
    }

    /** Cancels every timer and ends the thread (waiting briefly for a callback in progress). */
    void shutdown() {
        ScheduledThreadPoolExecutor e;
        synchronized (this) {
            stopped = true;
            e = executor;
            executor = null;
        }
        if (e != null) {
            e.shutdownNow();
            try {
                e.awaitTermination(1, TimeUnit.SECONDS);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Whether the host thread exists (tests). */
    synchronized boolean running() {
        return executor != null;
    }
}
