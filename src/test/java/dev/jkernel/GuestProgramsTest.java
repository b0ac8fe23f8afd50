package dev.jkernel;

import dev.jkernel.guest.GuestPrograms;
import dev.jkernel.guest.GuestPrograms.Program;
import dev.jkernel.guest.HostProcess;
import dev.jkernel.guest.JkernelRun;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.opentest4j.AssertionFailedError;

import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The guest programs under guest/, one dynamic test per program, named after it ("tests/stdio").
 *
 * <ul>
 * <li>{@code guest/tests/*.c}: stdout and exit status under jkernel must equal {@code <name>.expected} (made by
 * running the native build on Linux: guest/regen-expected) and {@code <name>.status} (default 0).</li>
 * <li>The same files must also hold for the riscv64 build under qemu-riscv64, which keeps the expectations honest:
 * a line that differs between x86-64 and riscv64 Linux has no place in a .expected file. Where qemu-user itself
 * departs from Linux, a {@code <name>.qemu-differs} file saying how skips this check for that program.</li>
 * <li>{@code guest/cpu/*.c} and {@code guest/freestanding/*.c}: stdout and exit status under jkernel must be
 * byte-identical to qemu-riscv64's (the instruction-semantics oracle).</li>
 * <li>{@code guest/examples/*.c}: run under jkernel with exit status 0.</li>
 * </ul>
 * Every run gets the environment of guest/tests/env.list, the arguments of {@code <name>.args} (one a line), empty
 * stdin and the working directory guest/. A test with a {@code <name>.pending} file (the feature it specifies is
 * not implemented yet: one line such as "signals: issue 4") is still run under jkernel, with a time limit of
 * jkernel.test.pendingTimeout seconds (default 20); a failure is reported as skipped with that reason, and a pass
 * fails the test, asking for the marker's removal. Its qemu-riscv64 check is unaffected. Runs execute in parallel on a pool (system property jkernel.test.jobs,
 * default the number of CPUs), each limited to jkernel.test.timeout seconds (default 60). A Java exception escaping
 * any kernel thread fails the program's test.
 */
class GuestProgramsTest {
    static final long TIMEOUT_SECONDS = Long.getLong("jkernel.test.timeout", 60);
    static final long PENDING_TIMEOUT_SECONDS = Long.getLong("jkernel.test.pendingTimeout",
            Math.min(20, TIMEOUT_SECONDS));
    static final int JOBS = Integer.getInteger("jkernel.test.jobs",
            Math.max(1, Runtime.getRuntime().availableProcessors()));

    /** Shared by the factories; daemon threads, so a stuck run cannot hold the JVM. */
    private static final ExecutorService POOL = Executors.newFixedThreadPool(JOBS,
            Thread.ofPlatform().daemon(true).name("guest-run-", 0).factory());

    private static <T> Future<T> submit(Supplier<T> task) {
        return CompletableFuture.supplyAsync(task, POOL);
    }

    private static <T> T await(Future<T> f) throws Throwable {
        try {
            return f.get();
        } catch (ExecutionException e) {
            throw e.getCause();
        }
    }

    @TestFactory
    List<DynamicTest> libcTestsUnderJkernel() {
        GuestPrograms.ensureBuilt();
        List<DynamicTest> tests = new ArrayList<>();
        for (Program p : GuestPrograms.list("tests")) {
            String pending = GuestPrograms.pendingReason(p);
            long timeout = timeoutFor(p);
            Future<JkernelRun.Outcome> run = submit(() -> runJkernel(p, timeout));
            tests.add(DynamicTest.dynamicTest(p.id(), p.source().toUri(), () -> unlessPending(p, pending, () -> {
                JkernelRun.Outcome o = await(run);
                failIfBroken(p, o, timeout);
                check(p, "jkernel", GuestPrograms.readBytes(p.sibling(".expected")), ".expected",
                        GuestPrograms.expectedStatus(p), o.stdout(), o.status(), o.stderrText());
            })));
        }
        return tests;
    }

    /** The libc tests of processes, threads, signals, timers, futexes and pipes: they run again deterministically. */
    static boolean concurrent(Program p) {
        return List.of("proc_", "sig_", "futex_", "pipe_", "timer_", "signalfd_", "sched_").stream()
                .anyMatch(p.name()::startsWith);
    }

    /**
     * The concurrent libc tests again on the deterministic host (one vCPU passed in a seeded order, virtual time):
     * Linux's answers do not depend on the scheduler, so the expectations are the same; and what sleeps takes no
     * wall time there.
     */
    @TestFactory
    List<DynamicTest> concurrentTestsOnTheDeterministicHost() {
        GuestPrograms.ensureBuilt();
        List<DynamicTest> tests = new ArrayList<>();
        for (Program p : GuestPrograms.list("tests").stream().filter(GuestProgramsTest::concurrent).toList()) {
            String pending = GuestPrograms.pendingReason(p);
            long timeout = timeoutFor(p);
            Future<JkernelRun.Outcome> run = submit(() -> JkernelRun.run(p.binary().toString(), p.argv(),
                    GuestPrograms.environment(), GuestPrograms.guestDir().toString(), timeout, null,
                    dev.jkernel.host.HostOps.deterministic(p.name().hashCode())));
            tests.add(DynamicTest.dynamicTest("deterministic: " + p.id(), p.source().toUri(),
                    () -> unlessPending(p, pending, () -> {
                        JkernelRun.Outcome o = await(run);
                        failIfBroken(p, o, timeout);
                        check(p, "jkernel (deterministic)", GuestPrograms.readBytes(p.sibling(".expected")),
                                ".expected", GuestPrograms.expectedStatus(p), o.stdout(), o.status(), o.stderrText());
                    })));
        }
        return tests;
    }

    /** The libc tests that work on files (or exec their own file): they run again on a tmpfs root. */
    static boolean worksOnFiles(Program p) {
        return p.name().startsWith("fs_") || List.of("fileio", "errors", "stdio", "proc_exec").contains(p.name());
    }

    /**
     * The libc tests that work on files, run again as an embedding application runs programs: through the public
     * API, with its default root, an empty in-memory tmpfs (the program copied in at its path, the working
     * directory created). Linux's answers do not depend on the file system there: same expectations.
     */
    @TestFactory
    List<DynamicTest> fileTestsOnATmpfsRoot() {
        GuestPrograms.ensureBuilt();
        return onTmpfsRoot(GuestPrograms.list("tests").stream().filter(GuestProgramsTest::worksOnFiles).toList(),
                "tmpfs root: ");
    }

    /**
     * guest/tmpfs/: what is particular to tmpfs (holes and st_blocks, directory offsets, statfs, unlinked open
     * files, rename rules), expected as Linux's tmpfs answers (the native run works in /dev/shm), run under jkernel
     * with a tmpfs root.
     */
    @TestFactory
    List<DynamicTest> tmpfsTestsUnderJkernel() {
        GuestPrograms.ensureBuilt();
        return onTmpfsRoot(GuestPrograms.list("tmpfs"), "");
    }

    private List<DynamicTest> onTmpfsRoot(List<Program> programs, String prefix) {
        List<DynamicTest> tests = new ArrayList<>();
        for (Program p : programs) {
            String pending = GuestPrograms.pendingReason(p);
            long timeout = timeoutFor(p);
            Future<JkernelRun.Outcome> run = submit(() -> JkernelRun.runOnTmpfsRoot(p.binary().toString(), p.argv(),
                    GuestPrograms.environment(), GuestPrograms.guestDir().toString(), timeout));
            tests.add(DynamicTest.dynamicTest(prefix + p.id(), p.source().toUri(), () -> unlessPending(p, pending,
                    () -> {
                JkernelRun.Outcome o = await(run);
                failIfBroken(p, o, timeout);
                check(p, "jkernel (tmpfs root)", GuestPrograms.readBytes(p.sibling(".expected")), ".expected",
                        GuestPrograms.expectedStatus(p), o.stdout(), o.status(), o.stderrText());
            })));
        }
        return tests;
    }

    /** Where Debian's cross toolchain keeps the riscv64 dynamic loader and shared libraries. */
    static final Path SYSROOT = Path.of("/usr/riscv64-linux-gnu");

    /**
     * The same libc tests, dynamically linked: PT_INTERP, the dynamic loader's mmap of shared libraries and its
     * relocation work, found through --sysroot. Same expectations.
     */
    @TestFactory
    List<DynamicTest> libcTestsDynamicallyLinkedUnderJkernel() {
        GuestPrograms.ensureBuilt();
        List<DynamicTest> tests = new ArrayList<>();
        for (Program s : GuestPrograms.list("tests")) {
            Program p = new Program(s.dir(), s.name(), s.source(),
                    GuestPrograms.guestDir().resolve("out/dynamic/tests").resolve(s.name()), s.args());
            String pending = GuestPrograms.pendingReason(s);
            long timeout = timeoutFor(s);
            Future<JkernelRun.Outcome> run = submit(() -> JkernelRun.run(p.binary().toString(), p.argv(),
                    GuestPrograms.environment(), GuestPrograms.guestDir().toString(), timeout, SYSROOT));
            tests.add(DynamicTest.dynamicTest("dynamic: " + p.id(), p.source().toUri(), () -> unlessPending(p,
                    pending, () -> {
                JkernelRun.Outcome o = await(run);
                failIfBroken(p, o, timeout);
                check(p, "jkernel (dynamically linked)", GuestPrograms.readBytes(p.sibling(".expected")),
                        ".expected", GuestPrograms.expectedStatus(p), o.stdout(), o.status(), o.stderrText());
            })));
        }
        return tests;
    }

    /**
     * glibc's dynamic loader run as a program: an ET_DYN file of glibc code that relocates itself (what a static PIE
     * does), which then loads a dynamically linked program by hand.
     */
    @TestFactory
    List<DynamicTest> dynamicLoaderRunsAsAProgram() {
        GuestPrograms.ensureBuilt();
        String ldso = SYSROOT.resolve("lib/ld-linux-riscv64-lp64d.so.1").toString();
        String hello = GuestPrograms.guestDir().resolve("out/dynamic/examples/hello").toString();
        String stat = GuestPrograms.guestDir().resolve("out/static/examples/hello").toString();
        Future<JkernelRun.Outcome> viaLdso = submit(() -> JkernelRun.run(ldso, List.of(ldso, "--library-path",
                SYSROOT.resolve("lib").toString(), hello, "ld.so"), List.of(), "/", TIMEOUT_SECONDS, null));
        Future<JkernelRun.Outcome> statically = submit(() -> JkernelRun.run(stat, List.of(stat, "ld.so"), List.of(),
                "/", TIMEOUT_SECONDS, null));
        return List.of(DynamicTest.dynamicTest("ld.so --library-path ... examples/hello", () -> {
            JkernelRun.Outcome o = await(viaLdso), s = await(statically);
            Program p = new Program("examples", "hello (via ld.so)", Path.of(hello), Path.of(ldso), List.of());
            failIfBroken(p, o);
            check(p, "jkernel", s.stdout(), "the static build's output", 0, o.stdout(), o.status(), o.stderrText());
        }));
    }

    @TestFactory
    List<DynamicTest> libcTestsExpectationsHoldUnderQemu() {
        GuestPrograms.ensureBuilt();
        List<DynamicTest> tests = new ArrayList<>();
        List<Program> programs = new ArrayList<>(GuestPrograms.list("tests"));
        programs.addAll(GuestPrograms.list("tmpfs"));
        for (Program p : programs) {
            Future<HostProcess.Result> run = submit(() -> runQemu(p));
            tests.add(DynamicTest.dynamicTest("qemu-riscv64: " + p.id(), p.source().toUri(), () -> {
                Path differs = p.sibling(".qemu-differs");
                Assumptions.assumeFalse(Files.exists(differs), () -> p.id() + ": not compared under qemu-riscv64: "
                        + String.join(" ", GuestPrograms.readLines(differs)).strip());
                HostProcess.Result q = await(run);
                if (q.timedOut())
                    throw new AssertionFailedError(p.id() + ": timed out under qemu-riscv64");
                check(p, "qemu-riscv64", GuestPrograms.readBytes(p.sibling(".expected")), ".expected",
                        GuestPrograms.expectedStatus(p), q.stdout(), q.status(), q.stderrText());
            }));
        }
        return tests;
    }

    @TestFactory
    List<DynamicTest> cpuAndFreestandingMatchQemu() {
        GuestPrograms.ensureBuilt();
        List<Program> programs = new ArrayList<>(GuestPrograms.list("cpu"));
        programs.addAll(GuestPrograms.list("freestanding"));
        List<DynamicTest> tests = new ArrayList<>();
        for (Program p : programs) {
            Future<HostProcess.Result> qemu = submit(() -> runQemu(p));
            Future<JkernelRun.Outcome> run = submit(() -> runJkernel(p));
            tests.add(DynamicTest.dynamicTest(p.id(), p.source().toUri(), () -> {
                HostProcess.Result q = await(qemu);
                if (q.timedOut())
                    throw new AssertionFailedError(p.id() + ": timed out under qemu-riscv64 (the reference)");
                JkernelRun.Outcome o = await(run);
                failIfBroken(p, o);
                check(p, "jkernel", q.stdout(), "qemu-riscv64's output", q.status(), o.stdout(), o.status(),
                        o.stderrText());
            }));
        }
        return tests;
    }

    @TestFactory
    List<DynamicTest> examplesRunUnderJkernel() {
        GuestPrograms.ensureBuilt();
        List<DynamicTest> tests = new ArrayList<>();
        for (Program p : GuestPrograms.list("examples")) {
            Future<JkernelRun.Outcome> run = submit(() -> runJkernel(p));
            tests.add(DynamicTest.dynamicTest(p.id(), p.source().toUri(), () -> {
                JkernelRun.Outcome o = await(run);
                failIfBroken(p, o);
                if (o.status() != 0 || o.stdout().length == 0)
                    throw new AssertionFailedError(p.id() + ": exit status " + o.status() + ", " + o.stdout().length
                            + " bytes of output under jkernel (want status 0 and some output)" + stderrNote(
                            o.stderrText()));
            }));
        }
        return tests;
    }

    static JkernelRun.Outcome runJkernel(Program p) {
        return runJkernel(p, TIMEOUT_SECONDS);
    }

    static JkernelRun.Outcome runJkernel(Program p, long timeoutSeconds) {
        return JkernelRun.run(p.binary().toString(), p.argv(), GuestPrograms.environment(),
                GuestPrograms.guestDir().toString(), timeoutSeconds);
    }

    /** A pending test may hang where the missing feature should wake it: it gets a shorter time limit. */
    static long timeoutFor(Program p) {
        return GuestPrograms.pendingReason(p) != null ? PENDING_TIMEOUT_SECONDS : TIMEOUT_SECONDS;
    }

    /** A check that can fail; unlike Executable, it may throw any Throwable (AssertionFailedError included). */
    interface Check {
        void run() throws Throwable;
    }

    /**
     * Runs {@code check} as is when {@code pending} is null. Otherwise (the program's .pending marker gave this
     * reason) a failure becomes a skip with the reason and the start of the failure (the first differing line), and a pass is a failure:
     * the feature works now, so the marker must go.
     */
    static void unlessPending(Program p, String pending, Check check) throws Throwable {
        if (pending == null) {
            check.run();
            return;
        }
        try {
            check.run();
        } catch (AssertionError | Exception e) {
            String first = String.join(" / ", String.valueOf(e.getMessage()).lines().limit(3).map(String::strip)
                    .toList());
            Assumptions.abort(p.id() + ": pending (" + pending + "): " + first);
        }
        throw new AssertionFailedError(p.id() + " passes under jkernel but is marked pending (" + pending
                + "): remove " + p.sibling(".pending").getFileName());
    }

    static HostProcess.Result runQemu(Program p) {
        List<String> cmd = new ArrayList<>();
        cmd.add("qemu-riscv64");
        cmd.addAll(p.argv());
        try {
            return HostProcess.run(cmd, GuestPrograms.environment(), GuestPrograms.guestDir(), TIMEOUT_SECONDS,
                    TimeUnit.SECONDS);
        } catch (UncheckedIOException e) {
            throw new IllegalStateException("qemu-riscv64 cannot run (the Debian package qemu-user provides it; "
                    + "./dev setup installs it): " + e.getMessage(), e);
        }
    }

    private static void failIfBroken(Program p, JkernelRun.Outcome o) {
        failIfBroken(p, o, TIMEOUT_SECONDS);
    }

    private static void failIfBroken(Program p, JkernelRun.Outcome o, long timeoutSeconds) {
        String why = o.brokenReason(timeoutSeconds);
        if (why != null) {
            Throwable cause = o.crash() != null ? o.crash() : o.uncaught().isEmpty() ? null : o.uncaught().get(0);
            throw new AssertionFailedError(p.id() + ": " + why + stderrNote(o.stderrText()), cause);
        }
    }

    /** Compares output and status, reporting the first differing line and, for IDEs, the whole texts. */
    private static void check(Program p, String runner, byte[] wantOut, String wantName, int wantStatus,
            byte[] gotOut, int gotStatus, String stderr) {
        boolean outOk = Arrays.equals(wantOut, gotOut);
        if (outOk && wantStatus == gotStatus)
            return;
        StringBuilder msg = new StringBuilder(p.id()).append(" under ").append(runner).append(": ");
        if (wantStatus != gotStatus)
            msg.append("exit status ").append(gotStatus).append(", want ").append(wantStatus).append(outOk ? "" : ". ");
        if (!outOk)
            msg.append("stdout differs from ").append(wantName).append(": ").append(firstDifference(wantOut, gotOut));
        msg.append(stderrNote(stderr));
        throw new AssertionFailedError(msg.toString(), text(wantOut) + "\n[exit status " + wantStatus + "]",
                text(gotOut) + "\n[exit status " + gotStatus + "]");
    }

    static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    static String firstDifference(byte[] want, byte[] got) {
        String[] w = text(want).split("\n", -1), g = text(got).split("\n", -1);
        for (int i = 0; i < Math.max(w.length, g.length); i++) {
            String a = i < w.length ? w[i] : null, b = i < g.length ? g[i] : null;
            if (a == null || !a.equals(b))
                return "line " + (i + 1) + "\n  want: " + (a == null ? "(end of output)" : a) + "\n  got:  "
                        + (b == null ? "(end of output)" : b);
        }
        return "(bytes differ in a way that does not survive UTF-8 decoding)";
    }

    static String stderrNote(String stderr) {
        if (stderr.isEmpty())
            return "";
        String s = stderr.length() > 2000 ? "..." + stderr.substring(stderr.length() - 2000) : stderr;
        return "\n--- guest stderr ---\n" + s;
    }
}
