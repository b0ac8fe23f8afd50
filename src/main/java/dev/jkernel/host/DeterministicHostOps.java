package dev.jkernel.host;

import java.util.OptionalLong;
import java.util.Random;

/**
 * The deterministic host: guest threads run one at a time in an order drawn from the seed (the kernel's
 * deterministic scheduler), time is a {@link VirtualClock}, CPU time is retired instructions, entropy comes from the
 * seed. Its threads are ordinary JVM threads of which at most one runs guest or kernel code at any moment: the
 * scheduler passes the single virtual CPU from one to the next, so the JVM's own scheduling never decides anything
 * the guest can see.
 */
final class DeterministicHostOps implements HostOps {
    private final long seed;
    private final VirtualClock clock = new VirtualClock();
    private final Random entropy;

    DeterministicHostOps(long seed) {
        this.seed = seed;
        this.entropy = new Random(seed ^ 0x5DEECE66DL ^ 0x6a6b65726e656cL);
    }

    @Override
    public Thread newThread(String name, Runnable body) {
        return Thread.ofPlatform().daemon(true).name(name).unstarted(body);
    }

    @Override
    public long monotonicNanos() {
        return clock.now();
    }

    @Override
    public long realtimeNanos() {
        return VirtualClock.EPOCH_NANOS + (clock.now() - VirtualClock.START_NANOS);
    }

    @Override
    public long cpuNanos(Thread thread, long instructions, boolean userOnly) {
        return instructions;
    }

    @Override
    public synchronized void entropy(byte[] buf) {
        entropy.nextBytes(buf);
    }

    @Override
    public OptionalLong deterministicSeed() {
        return OptionalLong.of(seed);
    }

    @Override
    public VirtualClock virtualClock() {
        return clock;
    }

    @Override
    public String toString() {
        return "HostOps.deterministic(" + seed + ")";
    }
}
