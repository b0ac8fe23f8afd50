package dev.jkernel.guest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The guest programs under {@code guest/}: builds them once per JVM ({@code make -s -C guest}) and lists them with
 * what each run needs (arguments, environment, expected output and status).
 */
public final class GuestPrograms {
    private GuestPrograms() {}

    /** The riscv64 cross compiler the Makefile uses. */
    public static final String CROSS_CC = "riscv64-linux-gnu-gcc";

    private static volatile Path root;
    private static RuntimeException buildFailure;
    private static boolean built;

    /** One program: its source, its riscv64 binary, and how the harness runs it. */
    public record Program(String dir, String name, Path source, Path binary, List<String> args) {
        /** "tests/stdio": how test names and messages refer to it. */
        public String id() {
            return dir + "/" + name;
        }

        /** argv as the guest sees it: the binary's path, then the arguments. */
        public List<String> argv() {
            List<String> argv = new ArrayList<>();
            argv.add(binary.toString());
            argv.addAll(args);
            return argv;
        }

        public Path sibling(String suffix) {
            return source.resolveSibling(name + suffix);
        }
    }

    /** The checkout's root (the directory holding guest/Makefile). */
    public static Path root() {
        Path r = root;
        if (r == null) {
            for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
                if (Files.isRegularFile(p.resolve("guest/Makefile"))) {
                    r = p;
                    break;
                }
            }
            if (r == null)
                throw new IllegalStateException("guest/Makefile not found above " + Path.of("").toAbsolutePath());
            root = r;
        }
        return r;
    }

    public static Path guestDir() {
        return root().resolve("guest");
    }

    /**
     * Builds every guest program once per JVM; later calls rethrow the first failure. Fails with a clear message when
     * the riscv64 cross compiler is missing.
     */
    public static synchronized void ensureBuilt() {
        if (built)
            return;
        if (buildFailure != null)
            throw buildFailure;
        try {
            requireTool(CROSS_CC, "gcc-riscv64-linux-gnu");
            requireTool("make", "make");
            int jobs = Math.max(1, Runtime.getRuntime().availableProcessors());
            HostProcess.Result r = HostProcess.run(List.of("make", "-s", "-C", guestDir().toString(), "-j" + jobs),
                    null, guestDir(), 600, TimeUnit.SECONDS);
            if (r.timedOut() || r.status() != 0)
                throw new IllegalStateException("building the guest programs failed (make -s -C guest, status "
                        + r.status() + "):\n" + r.stderrText() + r.stdoutText());
            built = true;
        } catch (RuntimeException e) {
            buildFailure = e;
            throw e;
        }
    }

    /**
     * Builds some guest programs only ({@code make -s -C guest TARGET...}, targets such as "out/static/api/tool")
     * and returns the path of the first. Throws when make fails, with its output.
     */
    public static Path make(String... targets) {
        List<String> cmd = new java.util.ArrayList<>(List.of("make", "-s", "-C", guestDir().toString()));
        cmd.addAll(List.of(targets));
        HostProcess.Result r = HostProcess.run(cmd, null, guestDir(), 300, TimeUnit.SECONDS);
        if (r.timedOut() || r.status() != 0)
            throw new IllegalStateException("make " + String.join(" ", targets) + " failed (status " + r.status()
                    + "):\n" + r.stderrText() + r.stdoutText());
        return guestDir().resolve(targets[0]);
    }

    private static void requireTool(String tool, String debianPackage) {
        boolean found;
        try {
            HostProcess.Result r = HostProcess.run(List.of(tool, "--version"), null, guestDir(), 60, TimeUnit.SECONDS);
            found = r.status() == 0;
        } catch (UncheckedIOException e) {
            found = false;
        }
        if (!found)
            throw new IllegalStateException(tool + " not found on PATH: the guest programs cannot be built. Install "
                    + "the Debian package " + debianPackage + " (./dev setup does).");
    }

    /**
     * The programs compiled from {@code guest/<dir>/*.c} (or the sources listed by {@code ext}), sorted by name; empty
     * when the directory does not exist.
     */
    public static List<Program> list(String dir) {
        Path d = guestDir().resolve(dir);
        if (!Files.isDirectory(d))
            return List.of();
        try (Stream<Path> files = Files.list(d)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".c")).sorted().map(src -> {
                String file = src.getFileName().toString();
                String name = file.substring(0, file.length() - 2);
                Path bin = guestDir().resolve("out/static").resolve(dir).resolve(name);
                Path argsFile = src.resolveSibling(name + ".args");
                List<String> args = Files.isRegularFile(argsFile) ? readLines(argsFile) : List.of();
                return new Program(dir, name, src, bin, args);
            }).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The environment every guest run gets, from {@code guest/tests/env.list} (NAME=value, one a line). */
    public static List<String> environment() {
        Path f = guestDir().resolve("tests/env.list");
        return Files.isRegularFile(f) ? readLines(f) : List.of();
    }

    public static List<String> readLines(Path f) {
        try {
            return Files.readAllLines(f, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static byte[] readBytes(Path f) {
        try {
            return Files.readAllBytes(f);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Why the program is expected to fail under jkernel for now ({@code <name>.pending}: one line naming the missing
     * feature and its issue, "signals: issue 4"), or null when it is not pending. A pending test that fails under
     * jkernel is reported as skipped with this reason; one that passes fails, so that the marker gets removed when the
     * feature lands. Native and qemu-riscv64 checks of a pending test stay in force.
     */
    public static String pendingReason(Program p) {
        Path f = p.sibling(".pending");
        if (!Files.isRegularFile(f))
            return null;
        String why = String.join(" ", readLines(f)).strip();
        return why.isEmpty() ? "pending" : why;
    }

    /** {@code <name>.status} holds the expected exit status; 0 without one. */
    public static int expectedStatus(Program p) {
        Path f = p.sibling(".status");
        if (!Files.isRegularFile(f))
            return 0;
        return Integer.parseInt(String.join("", readLines(f)).strip());
    }
}
