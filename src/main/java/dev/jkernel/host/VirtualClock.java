package dev.jkernel.host;

import java.util.function.LongSupplier;

/**
 * A deterministic host's time: nanoseconds that pass only as guests retire instructions (one per nanosecond, a
 * 1 GHz virtual machine) and, when every thread sleeps, by jumping to the next deadline. The scheduler that owns the
 * kernel's one running thread moves it; everything else only reads it.
 */
public final class VirtualClock {
    /**
     * CLOCK_MONOTONIC when the kernel boots: a minute, as if it had booted a while after the machine (programs take
     * a monotonic time near 0 for "long ago", and a deadline "1 s after boot" for the past).
     */
    public static final long START_NANOS = 60_000_000_000L;

    /** CLOCK_REALTIME when the kernel boots: 2026-01-01T00:00:00Z. */
    public static final long EPOCH_NANOS = 1_767_225_600L * 1_000_000_000L;

    private volatile long base;
    private volatile LongSupplier running = () -> 0;

    private final java.util.concurrent.atomic.AtomicBoolean claimed = new java.util.concurrent.atomic.AtomicBoolean();

    VirtualClock() {}

    /** Binds the clock to the kernel that asks first; false for any later kernel (one clock, one kernel). */
    public boolean claim() {
        return claimed.compareAndSet(false, true);
    }

    /** Now: the time of the last switch plus what the running thread has used since. */
    public long now() {
        return base + running.getAsLong();
    }

    /**
     * Sets the time of a switch, and how much the thread now running has used since (null when none runs). Called
     * by the scheduler only.
     */
    public void set(long nanos, LongSupplier sinceSwitch) {
        running = () -> 0;
        base = nanos;
        if (sinceSwitch != null) {
            running = sinceSwitch;
        }
    }
}
