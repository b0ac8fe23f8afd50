package dev.jkernel.kernel;

import java.util.concurrent.Future;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The kernel's timer base (Linux's hrtimer base): runs timer callbacks on one host thread at a point in
 * {@link System#nanoTime()} time. The thread starts with the first timer armed and ends with {@link #shutdown}, which
 * the kernel calls when it stops. Callbacks must be short and must not throw.
 */
public final class TimerService {
    private ScheduledThreadPoolExecutor executor;
    private boolean stopped;
    private final String name;

    TimerService(String name) {
        this.name = name;
    }

    /** Runs {@code fn} after {@code delayNanos} (at once if not positive); null once the service has stopped. */
    public synchronized Future<?> schedule(Runnable fn, long delayNanos) {
        if (stopped) {
            return null;
        }
        if (executor == null) {
            executor = new ScheduledThreadPoolExecutor(1, r -> {
                Thread th = new Thread(r, name);
                th.setDaemon(true);
                return th;
            });
            executor.setRemoveOnCancelPolicy(true);
            executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        }
        Runnable guarded = () -> {
            try {
                fn.run();
            } catch (RuntimeException | Error e) {
                // A timer callback that fails must not take the timer thread with it.
                if (Boolean.getBoolean("jkernel.debug")) {
                    e.printStackTrace();
                }
            }
        };
        return executor.schedule(guarded, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
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
