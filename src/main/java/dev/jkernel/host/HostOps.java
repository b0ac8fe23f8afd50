package dev.jkernel.host;

import java.util.OptionalLong;

/**
 * The host operations (seed 004): the only door from a kernel to the JVM it runs in. A kernel creates its host
 * threads, reads its clocks and draws its entropy through one of these; CPU ownership and parking are built by the
 * kernel's scheduler on top of the threads made here, and {@link #deterministicSeed()} selects which scheduler.
 *
 * <p>Two implementations: {@link #jvm()}, real JVM threads running in parallel on the host's clocks and entropy, and
 * {@link #deterministic(long)}, which runs exactly one guest thread at a time in a seeded order, on a virtual clock
 * that advances with the instructions guests retire, with seeded entropy: two runs of the same program with the same
 * seed and the same input produce the same output and the same syscall trace.
 */
public interface HostOps {
    /** A new, not yet started, host thread that will run {@code body} (a task, or a kernel service). */
    Thread newThread(String name, Runnable body);

    /** CLOCK_MONOTONIC in nanoseconds (any origin; only differences matter). */
    long monotonicNanos();

    /** CLOCK_REALTIME in nanoseconds since the Unix epoch. */
    long realtimeNanos();

    /**
     * The CPU time a task has used, in nanoseconds: {@code thread} is the host thread that runs it (null when none),
     * {@code instructions} the guest instructions it has retired; {@code userOnly} asks for user time only.
     */
    long cpuNanos(Thread thread, long instructions, boolean userOnly);

    /** Fills {@code buf} with random bytes (AT_RANDOM, getrandom, /dev/urandom). */
    void entropy(byte[] buf);

    /** The scheduler's seed when this is a deterministic host; empty for real parallelism. */
    default OptionalLong deterministicSeed() {
        return OptionalLong.empty();
    }

    /** The virtual clock a deterministic host's scheduler drives, or null. */
    default VirtualClock virtualClock() {
        return null;
    }

    /** Real JVM threads, the host's clocks and a SecureRandom: the default. */
    static HostOps jvm() {
        return JvmHostOps.INSTANCE;
    }

    /**
     * One guest thread at a time in a seeded order, virtual time, seeded entropy. Each kernel needs its own instance
     * (it holds that kernel's virtual clock).
     */
    static HostOps deterministic(long seed) {
        return new DeterministicHostOps(seed);
    }
}
