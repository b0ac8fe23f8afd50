package dev.jkernel.kernel;

import dev.jkernel.guest.GuestPrograms;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Restartable sequences under jkernel (guest/rseq, riscv64 only: qemu-user has no rseq, so Linux's documented
 * behaviour is the reference): the ABI and its errors, and per-cpu counters that stay exact however the scheduler
 * preempts — including forced preemptions that land on every instruction of the critical section.
 */
class RseqTest {
    record Run(int status, String out, String err, long aborts) {}

    private static Run run(int cpus, Preemption preempt, String prog, String... args) throws Exception {
        GuestPrograms.ensureBuilt();
        String path = GuestPrograms.guestDir().resolve("out/static/rseq").resolve(prog).toString();
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        KernelConfig cfg = KernelConfig.of(new ByteArrayInputStream(new byte[0]), out, err).withCpus(cpus)
                .withPreempt(preempt).withCwd(GuestPrograms.guestDir().toString());
        List<String> argv = new java.util.ArrayList<>(List.of(path));
        argv.addAll(List.of(args));
        Kernel k = new Kernel(cfg);
        int status = k.run(path, argv, List.of());
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8),
                k.rseqAborts());
    }

    @Test
    @Timeout(120)
    void abiAndErrorsAsLinux() throws Exception {
        Run r = run(2, null, "rseq_abi");
        assertEquals(0, r.status(), r.err());
        assertEquals(Files.readString(GuestPrograms.guestDir().resolve("rseq/rseq_abi.expected")), r.out());
    }

    /** membarrier's RSEQ command: its one flag, a cpu_id past the last CPU, a negative one meaning every CPU. */
    @Test
    @Timeout(120)
    void membarrierRseqArgumentsAsLinux() throws Exception {
        Run r = run(2, null, "membarrier_rseq");
        assertEquals(0, r.status(), r.err());
        assertEquals(Files.readString(GuestPrograms.guestDir().resolve("rseq/membarrier_rseq.expected")), r.out());
    }

    @Test
    @Timeout(120)
    void perCpuCountersAreExactWithoutForcedPreemption() throws Exception {
        Run r = run(2, null, "rseq_percpu", "4", "20000");
        assertEquals(0, r.status(), r.out() + r.err());
        assertEquals("total 80000 of 80000\ncpu_id matched getcpu: yes\n", r.out());
    }

    @ParameterizedTest(name = "random preemption, seed {0}")
    @ValueSource(longs = {1, 2, 3})
    @Timeout(120)
    void perCpuCountersAreExactUnderRandomPreemption(long seed) throws Exception {
        Run r = run(2, Preemption.parse("random:" + seed + ":40"), "rseq_percpu", "3", "20000");
        assertEquals("total 60000 of 60000\ncpu_id matched getcpu: yes\n", r.out(), r.err());
        assertTrue(r.aborts() > 100, "forced preemptions must abort critical sections: " + r.aborts());
        assertEquals(guestAborts(r.err()), r.aborts(), "every abort the kernel made reached the abort handler");
    }

    /**
     * Preempting every N instructions: as N runs over consecutive values longer than the retry loop (about 11
     * instructions from the abort handler back through the section; a period that short or equal to it can abort
     * every attempt, a livelock that periodic preemption would cause on Linux too), the preemption point walks
     * through every instruction of the loop, the section's included, and the totals stay exact. (A period that is a
     * multiple of the loop length can miss the section every time, which is why the set is chosen by measurement.)
     */
    @ParameterizedTest(name = "every {0} instructions")
    @ValueSource(ints = {17, 18, 19, 20, 21, 22})
    @Timeout(120)
    void preemptionAtEveryInstructionOfTheSection(int n) throws Exception {
        Run r = run(1, Preemption.parse("every:" + n), "rseq_percpu", "1", "1000");
        assertEquals("total 1000 of 1000\ncpu_id matched getcpu: yes\n", r.out(), r.err());
        assertTrue(r.aborts() > 0, "aborts with a preemption every " + n + " instructions");
    }

    private static long guestAborts(String err) {
        Matcher m = Pattern.compile("aborts (\\d+)").matcher(err);
        assertTrue(m.find(), err);
        return Long.parseLong(m.group(1));
    }
}
