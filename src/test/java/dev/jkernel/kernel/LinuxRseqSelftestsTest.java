package dev.jkernel.kernel;

import dev.jkernel.guest.GuestPrograms;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Linux's own rseq and membarrier self-tests (tools/testing/selftests/{rseq,membarrier} of Debian's kernel source
 * package, built for riscv64 by selftests/build-rseq into target/selftests; none of their code is in this repository)
 * run under jkernel in-process. Skipped, saying why, when the binaries were not built.
 *
 * <p>param_test runs with the arguments of the self-tests' run_param_test.sh scaled to this machine: its defaults for
 * 2 CPUs ({@code -r 1000 -t 12}: REPS=1000, NR_THREADS=6*NR_CPUS) for every test type; its loop injection (10000
 * loops) at each of the nine injection points for every test type, with {@code -r 300}; its yield, kill and sleep
 * injections at every rate (1/4, 1/2, every time) for every test type, with {@code -r 100} at the rate "every time"
 * (the script's unused SLOW_REPS): a 1 ms sleep or a sched_yield on every operation is slow under an interpreter. Where the script runs both param_test and
 * param_test_compare_twice, the injection runs alternate between them. Beyond the script: random forced preemption, and every test type on the deterministic host.
 */
class LinuxRseqSelftestsTest {
    private static final Path DIR = GuestPrograms.root().resolve("target/selftests");
    private static final int CPUS = 2;
    /** run_param_test.sh's test types. */
    private static final String[] TYPES = {"-T s", "-T l", "-T b", "-T b -M", "-T m", "-T m -M", "-T i", "-T r"};

    record Run(int status, String out, String err, long aborts) {
        String all() {
            return "status " + status + "\n" + out + err;
        }
    }

    @BeforeAll
    static void binariesBuilt() throws Exception {
        Path skipped = DIR.resolve("SKIPPED");
        assumeTrue(Files.isRegularFile(DIR.resolve("rseq/param_test")),
                "Linux's rseq self-tests are not built (run selftests/build-rseq"
                        + (Files.isRegularFile(skipped) ? "; it said: " + Files.readString(skipped).strip() : "")
                        + ")");
    }

    private static Run run(Preemption preempt, String prog, String... args) throws Exception {
        return run(preempt, null, prog, args);
    }

    private static Run run(Preemption preempt, dev.jkernel.host.HostOps host, String prog, String... args)
            throws Exception {
        String path = DIR.resolve(prog).toString();
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        KernelConfig cfg = KernelConfig.of(new ByteArrayInputStream(new byte[0]), out, err).withCpus(CPUS)
                .withPreempt(preempt).withCwd(DIR.toString()).withHost(host);
        List<String> argv = new ArrayList<>(List.of(path));
        argv.addAll(List.of(args));
        Kernel k = new Kernel(cfg);
        int status = k.run(path, argv, List.of());
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8),
                k.rseqAborts());
    }

    private static String[] split(String args) {
        return args.strip().split("\\s+");
    }

    private static Run paramTest(Preemption preempt, String prog, String args) throws Exception {
        Run r = run(preempt, "rseq/" + prog, split(args));
        assertEquals(0, r.status(), prog + " " + args + ":\n" + r.all());
        return r;
    }

    @Test
    @Timeout(120)
    void basicTest() throws Exception {
        Run r = run(null, "rseq/basic_test");
        assertEquals(0, r.status(), r.all());
        assertEquals("testing current cpu\n", r.out(), r.all());
    }

    static Stream<Arguments> defaults() {
        List<Arguments> a = new ArrayList<>();
        for (String type : TYPES) {
            a.add(Arguments.of("param_test", type + " -r 1000 -t 12"));
            a.add(Arguments.of("param_test_compare_twice", type + " -r 1000 -t 12"));
        }
        return a.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("defaults")
    @Timeout(120)
    void paramTestDefaults(String prog, String args) throws Exception {
        paramTest(null, prog, args);
    }

    /**
     * Every test type on the deterministic host (one vCPU, a seeded schedule, virtual time), with random forced
     * preemption on top: the same checks must hold whatever the schedule.
     */
    @ParameterizedTest(name = "deterministic, seed {0}")
    @org.junit.jupiter.params.provider.ValueSource(longs = {1, 2})
    @Timeout(300)
    void paramTestOnTheDeterministicHost(long seed) throws Exception {
        for (String type : TYPES) {
            Run r = run(Preemption.parse("random:" + seed + ":2000"), dev.jkernel.host.HostOps.deterministic(seed),
                    "rseq/param_test", split(type + " -r 1000 -t 12"));
            assertEquals(0, r.status(), "param_test " + type + ":\n" + r.all());
        }
    }

    /** Loop injection at point N (1..9): a delay of 10000 loops there, widening that window of the section. */
    static Stream<Arguments> loopInjection() {
        List<Arguments> a = new ArrayList<>();
        for (int n = 1; n <= 9; n++) {
            for (int i = 0; i < TYPES.length; i++) {
                a.add(Arguments.of(binary(n + i), TYPES[i] + " -r 300 -t 12 -" + n + " 10000"));
            }
        }
        return a.stream();
    }

    private static String binary(int i) {
        return i % 2 == 0 ? "param_test" : "param_test_compare_twice";
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("loopInjection")
    @Timeout(120)
    void paramTestLoopInjection(String prog, String args) throws Exception {
        paramTest(null, prog, args);
    }

    /**
     * run_param_test.sh's inject_blocking: every Mth pass through injection point 9, yield, raise a signal or sleep
     * 1 ms. The script also names points 7 and 8, but only point 9 exists in rseq-riscv.h (and none of 7 or 8 in
     * param_test.c), so those runs would inject nothing; they are left out.
     */
    static Stream<Arguments> blockingInjection() {
        List<Arguments> a = new ArrayList<>();
        String[] kinds = {"-y", "-k", "-s 1"};
        int k = 0;
        for (String kind : kinds) {
            for (int m : new int[] {4, 2, 1}) {
                for (int i = 0; i < TYPES.length; i++) {
                    a.add(Arguments.of(binary(k++), TYPES[i] + " -r " + (m == 1 ? 100 : 1000) + " -t 12 -9 -1 -m " + m + " "
                            + kind));
                }
            }
        }
        return a.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("blockingInjection")
    @Timeout(120)
    void paramTestBlockingInjection(String prog, String args) throws Exception {
        Run r = paramTest(null, prog, args + " -v");
        if (args.contains("-k") && !args.contains("-T r")) {
            // Every thread reports the signals it took (the membarrier test's threads report nothing): the kill
            // injection must really have delivered some.
            assertTrue(sum(r.out(), "signals delivered: (\\d+)") > 0, r.all());
        }
    }

    /**
     * Beyond run_param_test.sh: a forced preemption after a random 1..200 instructions of every thread, so that
     * preemptions land all over the critical sections. The kernel must abort sections (the guest's abort handler
     * counts them, together with the aborts it takes itself on a cpu_id mismatch, so it sees at least as many).
     */
    @ParameterizedTest(name = "preempt random:{0}:200, {1}")
    @MethodSource("preempted")
    @Timeout(120)
    void paramTestUnderRandomPreemption(long seed, String prog, String args) throws Exception {
        Run r = paramTest(Preemption.parse("random:" + seed + ":200"), prog, args + " -v");
        assertTrue(r.aborts() > 100, "forced preemptions must abort critical sections: " + r.aborts());
        if (!args.contains("-T r")) {
            assertTrue(sum(r.out(), "number of rseq abort: (\\d+)") >= r.aborts(), r.aborts() + " aborts\n" + r.all());
        }
    }

    static Stream<Arguments> preempted() {
        return Stream.of(Arguments.of(1L, "param_test", "-T s -r 1000 -t 12"),
                Arguments.of(2L, "param_test_compare_twice", "-T l -r 1000 -t 12"),
                Arguments.of(3L, "param_test_compare_twice", "-T b -M -r 1000 -t 12"),
                Arguments.of(4L, "param_test", "-T m -r 500 -t 12"),
                Arguments.of(5L, "param_test_compare_twice", "-T i -r 1000 -t 12"),
                Arguments.of(6L, "param_test", "-T r -r 1000 -t 12"));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"membarrier_test_single_thread", "membarrier_test_multi_thread"})
    @Timeout(120)
    void membarrier(String prog) throws Exception {
        Run r = run(null, "membarrier/" + prog);
        assertEquals(0, r.status(), r.all());
        Matcher plan = Pattern.compile("(?m)^1\\.\\.(\\d+)$").matcher(r.out());
        assertTrue(plan.find(), r.all());
        int planned = Integer.parseInt(plan.group(1));
        assertTrue(planned > 0, r.all());
        assertTrue(r.out().contains("# Totals: pass:" + planned + " fail:0 "), r.all());
    }

    /**
     * basic_percpu_ops_test has fixed parameters: 200 threads, each doing 100000 sched_yield calls. That is 20 million
     * context switches, about 9 minutes here, so it runs only with -Djkernel.selftests.slow=true.
     */
    @Test
    @Timeout(1800)
    void basicPercpuOpsTest() throws Exception {
        assumeTrue(Boolean.getBoolean("jkernel.selftests.slow"),
                "basic_percpu_ops_test takes about 9 minutes (20 million sched_yield calls): "
                        + "run with -Djkernel.selftests.slow=true");
        Run r = run(null, "rseq/basic_percpu_ops_test");
        assertEquals(0, r.status(), r.all());
        assertEquals("spinlock\npercpu_list\n", r.out(), r.all());
    }

    private static long sum(String out, String regex) {
        Matcher m = Pattern.compile(regex).matcher(out);
        long s = 0;
        int n = 0;
        while (m.find()) {
            s += Long.parseLong(m.group(1));
            n++;
        }
        assertTrue(n > 0, "no line matches " + regex + " in\n" + out);
        return s;
    }
}
