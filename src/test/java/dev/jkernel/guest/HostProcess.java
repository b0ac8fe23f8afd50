package dev.jkernel.guest;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a host command (make, qemu-riscv64, a native binary) with stdin from /dev/null and captures its output. */
public final class HostProcess {
    private HostProcess() {}

    public record Result(int status, byte[] stdout, byte[] stderr, boolean timedOut, long millis) {
        public String stdoutText() {
            return new String(stdout, StandardCharsets.UTF_8);
        }

        public String stderrText() {
            return new String(stderr, StandardCharsets.UTF_8);
        }
    }

    /**
     * Runs {@code command} in {@code cwd}. With {@code env} non-null the child gets exactly that environment
     * (NAME=value strings); with null it inherits the JVM's. A run past the timeout is killed.
     *
     * @throws UncheckedIOException when the command cannot be started (not installed, say)
     */
    public static Result run(List<String> command, List<String> env, Path cwd, long timeout, TimeUnit unit) {
        Path out = null, err = null;
        try {
            out = Files.createTempFile("jkernel-host-", ".out");
            err = Files.createTempFile("jkernel-host-", ".err");
            ProcessBuilder pb = new ProcessBuilder(command).directory(cwd.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(out.toFile()).redirectError(err.toFile());
            if (env != null) {
                pb.environment().clear();
                for (String e : env) {
                    int eq = e.indexOf('=');
                    if (eq > 0)
                        pb.environment().put(e.substring(0, eq), e.substring(eq + 1));
                }
            }
            long start = System.nanoTime();
            Process p = pb.start();
            boolean done;
            try {
                done = p.waitFor(timeout, unit);
                if (!done) {
                    p.destroyForcibly();
                    p.waitFor();
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while running " + command, e);
            }
            long millis = (System.nanoTime() - start) / 1_000_000;
            return new Result(done ? p.exitValue() : -1, Files.readAllBytes(out), Files.readAllBytes(err), !done,
                    millis);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command + ": " + e.getMessage(), e);
        } finally {
            try {
                if (out != null)
                    Files.deleteIfExists(out);
                if (err != null)
                    Files.deleteIfExists(err);
            } catch (IOException ignored) {
                // a temp file left behind is harmless
            }
        }
    }
}
