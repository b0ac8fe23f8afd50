package dev.jkernel.guest;

import dev.jkernel.api.ExecException;
import dev.jkernel.api.JKernel;
import dev.jkernel.kernel.ErrnoException;
import dev.jkernel.kernel.Kernel;
import dev.jkernel.kernel.KernelConfig;
import dev.jkernel.loader.Exec;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs one guest program under jkernel in this JVM, the way an embedding application would: a fresh {@link Kernel},
 * empty stdin, stdout and stderr captured. Everything the kernel does happens in threads of a {@link ThreadGroup}
 * made for this run, so an exception escaping any of its threads (the pid thread, children, helpers) is recorded
 * here and attributed to the program, instead of being printed by the JVM and lost.
 */
public final class JkernelRun {
    private JkernelRun() {}

    /** How the run loop (kernel.Entry) reports a Java exception it caught before ending the guest as if killed. */
    static final String INTERNAL_ERROR = "jkernel: internal error";

    /** Output a runaway program may write before further writes fail. */
    static final int OUTPUT_LIMIT = 16 << 20;

    /**
     * What happened.
     *
     * @param status     exit status (128+N when killed by signal N); -1 when there is none
     * @param execError  the ErrnoException or ExecFormatException run() threw, or null
     * @param crash      any other Throwable that run() or the constructor threw, or null
     * @param uncaught   Throwables that escaped other threads of the run
     * @param timedOut   whether the run exceeded its time limit (its threads are left behind, interrupted)
     */
    public record Outcome(int status, byte[] stdout, byte[] stderr, Exception execError, Throwable crash,
            List<Throwable> uncaught, boolean timedOut, long millis) {
        public String stderrText() {
            return new String(stderr, StandardCharsets.UTF_8);
        }

        /** Why the run is broken regardless of its output, or null when it ran to completion. */
        public String brokenReason(long timeoutSeconds) {
            if (timedOut)
                return "timed out after " + timeoutSeconds + " s under jkernel";
            if (execError != null)
                return "jkernel could not execute it: " + execError.getClass().getSimpleName() + ": "
                        + execError.getMessage();
            if (crash != null)
                return "a Java exception escaped the kernel: " + stackTrace(crash);
            String text = stderrText();
            int at = text.indexOf(INTERNAL_ERROR);
            if (at >= 0) {
                int end = text.indexOf('\n', at);
                return "a Java exception escaped the kernel (its run loop reported it on guest stderr): "
                        + text.substring(at, end < 0 ? text.length() : end);
            }
            if (!uncaught.isEmpty())
                return "a Java exception escaped a kernel thread: " + stackTrace(uncaught.get(0))
                        + (uncaught.size() > 1 ? "\n(and " + (uncaught.size() - 1) + " more)" : "");
            return null;
        }
    }

    static String stackTrace(Throwable t) {
        StringWriter w = new StringWriter();
        t.printStackTrace(new PrintWriter(w));
        String s = w.toString();
        return s.length() > 6000 ? s.substring(0, 6000) + "\n\t..." : s;
    }

    private static final class RunGroup extends ThreadGroup {
        final List<Throwable> uncaught = Collections.synchronizedList(new ArrayList<>());

        RunGroup(String name) {
            super(name);
        }

        @Override
        public void uncaughtException(Thread t, Throwable e) {
            uncaught.add(e);
        }
    }

    /** A byte sink that stops accepting data past {@link #OUTPUT_LIMIT}. */
    private static final class Capture extends OutputStream {
        private final ByteArrayOutputStream buf = new ByteArrayOutputStream();

        @Override
        public synchronized void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) throws IOException {
            if (buf.size() + len > OUTPUT_LIMIT)
                throw new IOException("the test harness captures at most " + OUTPUT_LIMIT + " bytes");
            buf.write(b, off, len);
        }

        synchronized byte[] bytes() {
            return buf.toByteArray();
        }
    }

    /**
     * Runs the program as an embedding application would run it: in a kernel of the public API with the default root,
     * an empty tmpfs, into which the program is copied at its own (host) path and where {@code cwd} is created.
     * The program is a child of init, not pid 1.
     */
    public static Outcome runOnTmpfsRoot(String program, List<String> argv, List<String> envp, String cwd,
            long timeoutSeconds) {
        return inGroup(program, timeoutSeconds, (out, err) -> {
            Map<String, String> env = new LinkedHashMap<>();
            for (String e : envp) {
                int i = e.indexOf('=');
                env.put(e.substring(0, i), e.substring(i + 1));
            }
            try (JKernel k = JKernel.builder().environment(env).stdout(out).stderr(err)
                    .copy(Path.of(program), program).directory(cwd).cwd(cwd).build()) {
                return k.process(program, argv).start().waitFor().shellStatus();
            }
        });
    }

    /**
     * Runs {@code argv} (argv[0] is the program's path) with {@code envp} in working directory {@code cwd}, waiting
     * at most {@code timeoutSeconds}.
     */
    public static Outcome run(String program, List<String> argv, List<String> envp, String cwd, long timeoutSeconds) {
        return run(program, argv, envp, cwd, timeoutSeconds, null);
    }

    /** As {@link #run(String, List, List, String, long)}, with a sysroot searched first for absolute paths. */
    public static Outcome run(String program, List<String> argv, List<String> envp, String cwd, long timeoutSeconds,
            java.nio.file.Path sysroot) {
        return run(program, argv, envp, cwd, timeoutSeconds, sysroot, null);
    }

    /** As {@link #run(String, List, List, String, long)}, on the given host operations (null: the default). */
    public static Outcome run(String program, List<String> argv, List<String> envp, String cwd, long timeoutSeconds,
            java.nio.file.Path sysroot, dev.jkernel.host.HostOps host) {
        return inGroup(program, timeoutSeconds, (out, err) -> {
            KernelConfig config = KernelConfig.of(InputStream.nullInputStream(), out, err).withCwd(cwd)
                    .withSysroot(sysroot).withHost(host);
            return new Kernel(config).run(program, argv, envp);
        });
    }

    /** A run of a kernel, given where its stdout and stderr go, returning the exit status. */
    private interface Body {
        int run(OutputStream out, OutputStream err) throws Exception;
    }

    private static Outcome inGroup(String program, long timeoutSeconds, Body run) {
        Capture out = new Capture(), err = new Capture();
        RunGroup group = new RunGroup("jkernel " + program);
        int[] status = {-1};
        Exception[] execError = new Exception[1];
        Throwable[] crash = new Throwable[1];
        Runnable body = () -> {
            try {
                status[0] = run.run(out, err);
            } catch (ErrnoException | Exec.ExecFormatException | ExecException e) {
                execError[0] = e;
            } catch (InterruptedException e) {
                crash[0] = e;
            } catch (Throwable t) {
                crash[0] = t;
            }
        };
        // Daemon, so threads of a run that never ends cannot keep the test JVM alive; the kernel's threads inherit it.
        Thread main = Thread.ofPlatform().group(group).daemon(true).name("harness " + program).unstarted(body);
        long start = System.nanoTime();
        main.start();
        boolean timedOut;
        try {
            main.join(timeoutSeconds * 1000);
            timedOut = main.isAlive();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            timedOut = true;
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        if (timedOut)
            group.interrupt();
        synchronized (group.uncaught) {
            return new Outcome(status[0], out.bytes(), err.bytes(), execError[0], crash[0],
                    List.copyOf(group.uncaught), timedOut, millis);
        }
    }
}
