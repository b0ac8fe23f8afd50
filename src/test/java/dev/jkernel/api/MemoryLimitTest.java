package dev.jkernel.api;

import dev.jkernel.guest.GuestPrograms;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * JKernel.Builder.memoryLimit: the guests' memory is bounded like a memory cgroup's memory.max, and the OOM killer
 * kills the largest process when an allocation would exceed it (guest/api/oom.c; native Linux cannot run it under the
 * same limit without a cgroup, so these checks are the oracle).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MemoryLimitTest {
    static final long LIMIT = 64L << 20;
    static final ExitStatus KILLED = new ExitStatus(-1, 9, false);
    static String oom;

    @BeforeAll
    static void build() {
        oom = GuestPrograms.make("out/static/api/oom").toString();
    }

    private static JKernel kernel(ByteArrayOutputStream err) {
        return JKernel.builder().cpus(2).memoryLimit(LIMIT).stdout(ByteArrayOutputStream.nullOutputStream())
                .stderr(err).copy(Path.of(oom), oom).build();
    }

    private static String run(JKernel k, ExitStatus want, String... args) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        GuestProcess p = k.process(oom, args).stdout(out).start();
        assertEquals(want, p.waitFor(), () -> "oom " + String.join(" ", args) + ": " + out);
        return out.toString(StandardCharsets.UTF_8);
    }

    /** Usage once init has reaped everything: what the kernel's processes still hold. */
    private static long settledUsage(JKernel k, long want) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (k.memoryUsage() != want && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        return k.memoryUsage();
    }

    private static int countOf(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }

    @Test
    void aChildThatKeepsAllocatingIsKilledAndItsParentGoesOn() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (JKernel k = kernel(err)) {
            assertEquals(LIMIT, k.memoryLimit());
            long base = k.memoryUsage();
            String out = run(k, new ExitStatus(0, 0, false), "child", "1000");
            assertEquals("child: killed by signal 9\nparent: touched 4 MiB\n", out);
            String log = err.toString(StandardCharsets.UTF_8);
            assertEquals(1, countOf(log, "Memory cgroup out of memory: Killed process "), log);
            assertTrue(log.matches("(?s)jkernel: Memory cgroup out of memory: Killed process \\d+ \\(oom\\) "
                    + "total-vm:\\d+kB, anon-rss:\\d+kB, file-rss:\\d+kB, shmem-rss:0kB, UID:\\d+ pgtables:0kB "
                    + "oom_score_adj:0\n"), log);
            assertEquals(1, k.oomKills());
            assertTrue(k.memoryPeak() <= LIMIT && k.memoryPeak() > LIMIT - (1 << 20), "peak " + k.memoryPeak());
            assertEquals(base, settledUsage(k, base), "every page came back");
        }
    }

    @Test
    void copyOnWriteCopiesCountAndTheNewestOfEqualsDies() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (JKernel k = kernel(err)) {
            long base = k.memoryUsage();
            // 40 MiB shared after fork cost 40; the child's copies would make 80.
            assertEquals("child: killed by signal 9\n", run(k, new ExitStatus(0, 0, false), "cow", "40"));
            assertEquals(1, k.oomKills());
            assertEquals(base, settledUsage(k, base));
        }
    }

    @Test
    void theLargestProcessDiesNotTheOneAllocating() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (JKernel k = kernel(err)) {
            GuestProcess holder = k.process(oom, "hold", "40").stdout(Stdio.pipe()).start();
            BufferedReader r = new BufferedReader(new InputStreamReader(holder.getInputStream(),
                    StandardCharsets.UTF_8));
            assertEquals("held 40 MiB", r.readLine());
            assertEquals("grew 30 MiB\n", run(k, new ExitStatus(0, 0, false), "grow", "30"));
            assertEquals(KILLED, holder.waitFor());
            String log = err.toString(StandardCharsets.UTF_8);
            assertTrue(log.contains("Killed process " + holder.pid() + " (oom)"), log);
            assertEquals(1, k.oomKills());
        }
    }

    @Test
    void aProcessAloneOverTheLimitIsKilled() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (JKernel k = kernel(err)) {
            long base = k.memoryUsage();
            run(k, KILLED, "grow", "100");
            assertEquals(1, k.oomKills());
            assertEquals(base, settledUsage(k, base));
            // The kernel goes on as before.
            assertEquals("grew 10 MiB\n", run(k, new ExitStatus(0, 0, false), "grow", "10"));
        }
    }

    @Test
    void guestsSeeTheLimitAsTheMachinesMemory() throws Exception {
        try (JKernel k = kernel(new ByteArrayOutputStream())) {
            assertEquals("sysinfo totalram 67108864\nMemTotal:          65536 kB\nsysconf physpages 16384\n",
                    run(k, new ExitStatus(0, 0, false), "info"));
        }
    }

    @Test
    void onlyMappingsLargerThanAllOfMemoryAreRefused() throws Exception {
        try (JKernel k = kernel(new ByteArrayOutputStream())) {
            assertEquals("mmap 64 MiB: ok\nmmap 64 MiB noreserve: ok\nmmap 64 MiB read-only: ok\n",
                    run(k, new ExitStatus(0, 0, false), "mmap", "64"));
            assertEquals("mmap 65 MiB: Cannot allocate memory\nmmap 65 MiB noreserve: ok\n"
                    + "mmap 65 MiB read-only: ok\n", run(k, new ExitStatus(0, 0, false), "mmap", "65"));
            assertEquals(0, k.oomKills());
        }
    }

    @Test
    void theDefaultLimitIsHalfTheHeap() {
        try (JKernel k = JKernel.builder().build()) {
            long want = Runtime.getRuntime().maxMemory() / 2 & ~4095L;
            assertEquals(want, k.memoryLimit());
        }
        assertThrows(IllegalArgumentException.class, () -> JKernel.builder().memoryLimit(4095));
    }
}
