package dev.jkernel.host;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.security.SecureRandom;
import java.time.Instant;

/** The default host: platform threads, System.nanoTime, Instant.now, the threads' CPU time, SecureRandom. */
final class JvmHostOps implements HostOps {
    static final JvmHostOps INSTANCE = new JvmHostOps();

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private final SecureRandom random = new SecureRandom();

    private JvmHostOps() {}

    @Override
    public Thread newThread(String name, Runnable body) {
        return Thread.ofPlatform().daemon(true).name(name).unstarted(body);
    }

    @Override
    public long monotonicNanos() {
        return System.nanoTime(); // HotSpot on Linux reads CLOCK_MONOTONIC
    }

    @Override
    public long realtimeNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    @Override
    public long cpuNanos(Thread thread, long instructions, boolean userOnly) {
        if (thread == null) {
            return 0;
        }
        try {
            long v = userOnly ? THREADS.getThreadUserTime(thread.threadId())
                    : THREADS.getThreadCpuTime(thread.threadId());
            return Math.max(0, v);
        } catch (UnsupportedOperationException e) {
            return 0;
        }
    }

    @Override
    public void entropy(byte[] buf) {
        random.nextBytes(buf);
    }

    @Override
    public String toString() {
        return "HostOps.jvm()";
    }
}
