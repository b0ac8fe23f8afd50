package dev.jkernel.api;

import dev.jkernel.guest.GuestPrograms;
import dev.jkernel.host.HostOps;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Deterministic mode through the public API: the same seed gives the same output and the same syscall trace; other
 * seeds give other interleavings; time is virtual (a long sleep costs no wall time).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DeterministicTest {
    static String interleave;

    @BeforeAll
    static void build() {
        interleave = GuestPrograms.make("out/static/api/interleave").toString();
    }

    /** One run: stdout, then the strace lines, then the exit status. */
    private static String run(JKernel.Builder b, String... args) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), trace = new ByteArrayOutputStream();
        try (JKernel k = b.copy(Path.of(interleave), interleave).stdout(out).stderr(OutputStream.nullOutputStream())
                .strace(new PrintStream(trace, true, StandardCharsets.UTF_8)).build()) {
            ExitStatus st = k.process(interleave, args).start().waitFor();
            assertEquals(0, st.code(), "exit status");
        }
        return out.toString(StandardCharsets.UTF_8) + "---\n" + trace.toString(StandardCharsets.UTF_8);
    }

    @Test
    void sameSeedSameOutputAndTrace() throws Exception {
        String first = run(JKernel.builder().deterministic(42));
        String second = run(JKernel.builder().deterministic(42));
        assertTrue(first.contains("slept at least 2 s: yes"), first);
        assertTrue(first.contains("clone("), "threads and processes were traced");
        assertEquals(first, second);
        // The same through an explicit host, made afresh.
        assertEquals(first, run(JKernel.builder().hostOps(HostOps.deterministic(42))));
    }

    @Test
    void otherSeedsInterleaveOtherwise() throws Exception {
        Set<String> logs = new HashSet<>();
        for (long seed = 1; seed <= 4; seed++) {
            String out = run(JKernel.builder().deterministic(seed));
            logs.add(out.lines().filter(l -> l.startsWith("log ")).findFirst().orElseThrow());
        }
        assertTrue(logs.size() >= 3, "seeds 1-4 gave " + logs.size() + " different interleavings: " + logs);
    }

    @Test
    void timeIsVirtual() throws Exception {
        long t0 = System.nanoTime();
        String out = run(JKernel.builder().deterministic(7), "600");
        long wall = System.nanoTime() - t0;
        assertTrue(out.contains("slept at least 600 s: yes"), out);
        assertTrue(wall < 300_000_000_000L, "a 600 s guest sleep took " + wall / 1_000_000 + " ms of wall time");
    }

    @Test
    void aDeterministicHostServesOneKernel() {
        HostOps ops = HostOps.deterministic(1);
        try (JKernel k = JKernel.builder().hostOps(ops).stdout(OutputStream.nullOutputStream()).build()) {
            assertEquals(1, k.cpus(), "one vCPU");
            assertThrows(IllegalArgumentException.class, () -> JKernel.builder().hostOps(ops).build());
        }
    }

    /**
     * With several vCPUs, one task still runs at a time but each gets a cpu id drawn from the seed (mostly its last
     * one): the workers see several cpus, and the run still repeats exactly. Without --cpus, one vCPU whatever the
     * machine has.
     */
    @Test
    void severalCpuIdsRepeatToo() throws Exception {
        String a = run(JKernel.builder().deterministic(4).cpus(3));
        assertEquals(a, run(JKernel.builder().deterministic(4).cpus(3)));
        assertTrue(a.contains("cpus seen 3") || a.contains("cpus seen 2"), a);
        assertTrue(run(JKernel.builder().deterministic(4)).contains("cpus seen 1"));
    }
}
