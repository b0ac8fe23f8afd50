package dev.jkernel.api;

import dev.jkernel.guest.GuestPrograms;
import dev.jkernel.guest.HostProcess;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** The embedding API, through its public surface only. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class JKernelTest {
    static String tool;

    @TempDir
    Path dir;

    @BeforeAll
    static void build() {
        Path guest = GuestPrograms.guestDir();
        HostProcess.Result r = HostProcess.run(List.of("make", "-s", "-C", guest.toString(), "out/static/api/tool"),
                null, guest, 300, TimeUnit.SECONDS);
        assertEquals(0, r.status(), r.stderrText());
        tool = guest.resolve("out/static/api/tool").toString();
    }

    private static JKernel kernel() {
        return JKernel.builder().cpus(2).stdout(OutputStream.nullOutputStream())
                .stderr(OutputStream.nullOutputStream()).build();
    }

    /** Init reaps a process soon after it ends (waitFor answers as soon as it is a zombie). */
    private static void awaitReaped(JKernel k, int pid) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (k.processes().stream().anyMatch(i -> i.pid() == pid) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertTrue(k.processes().stream().noneMatch(i -> i.pid() == pid), "init reaped " + pid);
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    @Test
    void pipedStdinAndStdout() throws Exception {
        try (JKernel k = kernel()) {
            GuestProcess p = k.process(tool, "cat").stdin(Stdio.pipe()).stdout(Stdio.pipe()).start();
            try (OutputStream in = p.getOutputStream()) {
                in.write("hello, guest\n".getBytes(StandardCharsets.UTF_8));
            }
            assertEquals("hello, guest\n", text(p.getInputStream().readAllBytes()));
            assertEquals(new ExitStatus(0, 0, false), p.waitFor());
            assertFalse(p.isAlive());
        }
    }

    @Test
    void stdinBytesAndJavaStreams() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        try (JKernel k = kernel()) {
            GuestProcess p = k.process(tool, "cat").stdin("abc".getBytes()).stdout(out).start();
            assertEquals(0, p.waitFor().code());
            assertEquals("abc", out.toString());
            GuestProcess q = k.process(tool, "stdio").stdout(out).stderr(err).start();
            assertEquals(3, q.waitFor().code());
            assertTrue(out.toString().endsWith("to stdout\n"));
            assertEquals("to stderr\n", err.toString());
        }
    }

    @Test
    void environmentCwdAndParent() throws Exception {
        try (JKernel k = JKernel.builder().env("GREETING", "hi").stdout(OutputStream.nullOutputStream()).build()) {
            GuestProcess p = k.process(tool, "env", "GREETING").cwd("/tmp").stdout(Stdio.pipe()).start();
            assertEquals("GREETING=hi cwd=/tmp ppid=1\n", text(p.getInputStream().readAllBytes()));
            p.waitFor();
            GuestProcess q = k.process(tool, "env", "GREETING").env("GREETING", "yo").stdout(Stdio.pipe()).start();
            assertTrue(text(q.getInputStream().readAllBytes()).startsWith("GREETING=yo cwd=/ "));
        }
    }

    @Test
    void hostThreadWritesInputGuestWritesOutput() throws Exception {
        try (JKernel k = kernel()) {
            Syscalls sys = k.syscalls();
            String d = dir.toString();
            sys.mkdir(d + "/work", 0755);
            assertTrue(sys.stat(d + "/work").isDirectory());
            sys.writeFile(d + "/work/in.txt", "make me loud\n".getBytes());
            assertEquals(13, sys.stat(d + "/work/in.txt").size());
            GuestProcess p = k.process(tool, "upper", "in.txt", "out.txt").cwd(d + "/work").start();
            assertEquals(0, p.waitFor().code());
            assertEquals("MAKE ME LOUD\n", text(sys.readFile(d + "/work/out.txt")));
            assertEquals(Set.of("in.txt", "out.txt"), new HashSet<>(sys.listDirectory(d + "/work")));
            sys.unlink(d + "/work/in.txt");
            ErrnoException e = assertThrows(ErrnoException.class, () -> sys.stat(d + "/work/in.txt"));
            assertEquals(Linux.ENOENT, e.errno());
            assertEquals("ENOENT", e.errnoName());
        }
    }

    @Test
    void syscallErrorsAndDescriptorsSharedBetweenThreads() throws Exception {
        try (JKernel k = kernel()) {
            Syscalls sys = k.syscalls();
            assertEquals(Linux.EBADF, assertThrows(ErrnoException.class, () -> sys.close(999)).errno());
            assertEquals(Linux.ENOENT, assertThrows(ErrnoException.class,
                    () -> sys.open(dir + "/none", Linux.O_RDONLY)).errno());
            sys.mkdir(dir + "/x", 0700);
            assertEquals(Linux.EEXIST, assertThrows(ErrnoException.class, () -> sys.mkdir(dir + "/x", 0700))
                    .errno());
            int[] p = sys.pipe();
            // Another Java thread writes into the pipe this one created: one host process, shared descriptors.
            CompletableFuture<Integer> pid = CompletableFuture.supplyAsync(() -> {
                try {
                    sys.write(p[1], "x".getBytes());
                    return sys.getpid();
                } catch (ErrnoException e) {
                    throw new RuntimeException(e);
                }
            });
            byte[] b = new byte[4];
            assertEquals(1, sys.read(p[0], b));
            assertEquals(sys.getpid(), pid.get());
            assertEquals(Linux.ECHILD, assertThrows(ErrnoException.class, () -> sys.waitpid(-1, 0)).errno());
        }
    }

    @Test
    void guestBlockedOnAPipeThatAHostThreadWrites() throws Exception {
        try (JKernel k = kernel()) {
            GuestProcess p = k.process(tool, "cat").stdin(Stdio.pipe()).stdout(Stdio.pipe()).start();
            Thread.sleep(200); // the guest is now blocked reading its empty stdin
            assertTrue(p.isAlive());
            assertTrue(k.processes().stream().anyMatch(i -> i.pid() == p.pid() && i.state() == 'S'),
                    k.processes().toString());
            Thread writer = Thread.ofPlatform().start(() -> {
                try (OutputStream in = p.getOutputStream()) {
                    in.write("line\n".getBytes());
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            byte[] b = new byte[5];
            assertEquals(5, p.getInputStream().readNBytes(b, 0, 5));
            assertEquals("line\n", text(b));
            writer.join();
            assertEquals(0, p.waitFor().code());
        }
    }

    @Test
    void hostThreadBlockedOnAPipeThatAGuestWrites() throws Exception {
        try (JKernel k = kernel()) {
            GuestProcess p = k.process(tool, "cat").stdin(Stdio.pipe()).stdout(Stdio.pipe()).start();
            CompletableFuture<String> got = CompletableFuture.supplyAsync(() -> {
                try {
                    return new String(p.getInputStream().readNBytes(3));
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            Thread.sleep(100);
            assertFalse(got.isDone());
            p.getOutputStream().write("abc".getBytes());
            p.getOutputStream().close();
            assertEquals("abc", got.get(10, TimeUnit.SECONDS));
            p.waitFor();
        }
    }

    @Test
    void killAndWaitFor() throws Exception {
        try (JKernel k = kernel()) {
            GuestProcess p = k.process(tool, "sleep").start();
            assertEquals(Optional.empty(), p.waitFor(Duration.ofMillis(100)));
            assertTrue(p.kill(Linux.SIGTERM));
            ExitStatus st = p.waitFor();
            assertTrue(st.signaled());
            assertEquals(Linux.SIGTERM, st.signal());
            assertEquals(128 + 15, st.shellStatus());
            assertFalse(p.kill(Linux.SIGKILL), "a dead process is not signalled");
            GuestProcess spin = k.process(tool, "spin").start();
            spin.destroy();
            assertEquals(Linux.SIGKILL, spin.waitFor().signal());
            assertEquals(42, k.process(tool, "exit", "42").start().waitFor().code());
        }
    }

    @Test
    void processesListsInitKthreaddAndTheProgram() throws Exception {
        try (JKernel k = kernel()) {
            List<ProcessInfo> ps = k.processes();
            assertEquals(new ProcessInfo(1, 0, "init", 'S', true), ps.get(0));
            assertEquals(2, ps.get(1).pid());
            assertEquals("kthreadd", ps.get(1).command());
            GuestProcess p = k.process(tool, "sleep").start();
            ProcessInfo me = k.processes().stream().filter(i -> i.pid() == p.pid()).findFirst().orElseThrow();
            assertEquals(1, me.ppid());
            assertEquals("tool", me.command());
            assertFalse(me.kernelThread());
            p.destroy();
            p.waitFor();
            awaitReaped(k, p.pid());
        }
    }

    @Test
    void initReapsOrphansAndStays() throws Exception {
        try (JKernel k = kernel()) {
            GuestProcess p = k.process(tool, "orphan").stdout(Stdio.pipe()).start();
            int orphan = Integer.parseInt(text(p.getInputStream().readAllBytes()).trim());
            assertEquals(0, p.waitFor().code());
            awaitReaped(k, orphan);
            assertEquals(1, k.processes().get(0).pid());
            assertEquals(7, k.process(tool, "exit", "7").start().waitFor().code(), "init still serves");
        }
    }

    @Test
    void execErrors() throws Exception {
        Path text = Files.writeString(dir.resolve("text"), "not a program\n");
        text.toFile().setExecutable(true);
        Path noexec = Files.copy(Path.of(tool), dir.resolve("noexec"));
        Files.setPosixFilePermissions(noexec, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        try (JKernel k = kernel()) {
            ExecException e = assertThrows(ExecException.class, () -> k.process(dir + "/missing").start());
            assertEquals(Linux.ENOENT, e.errno());
            e = assertThrows(ExecException.class, () -> k.process(text.toString()).start());
            assertEquals(Linux.ENOEXEC, e.errno());
            assertFalse(e.getMessage().isEmpty());
            e = assertThrows(ExecException.class, () -> k.process(noexec.toString()).start());
            assertEquals(Linux.EACCES, e.errno());
            e = assertThrows(ExecException.class, () -> k.process(tool).cwd(dir + "/nodir").start());
            assertEquals(Linux.ENOENT, e.errno());
            assertEquals(Linux.ENOENT, assertThrows(ErrnoException.class,
                    () -> k.process(tool).stdin(Stdio.file(dir + "/nofile")).start()).errno());
            // Nothing leaked: only init, kthreadd and the host process remain.
            assertEquals(List.of(1, 2), k.processes().stream().filter(i -> !i.command().equals("host"))
                    .map(ProcessInfo::pid).toList());
        }
    }

    @Test
    void closeWhileGuestsRunAndHostThreadsBlockLeavesNoThread() throws Exception {
        Set<Thread> before = Thread.getAllStackTraces().keySet();
        JKernel k = kernel();
        GuestProcess spin = k.process(tool, "spin").start();
        GuestProcess sleeper = k.process(tool, "sleep").start();
        GuestProcess cat = k.process(tool, "cat").stdin(Stdio.pipe()).stdout(Stdio.pipe()).start();
        Syscalls sys = k.syscalls();
        int[] p = sys.pipe();
        CompletableFuture<Throwable> blocked = new CompletableFuture<>();
        Thread reader = Thread.ofPlatform().start(() -> {
            try {
                sys.read(p[0], new byte[1]);
                blocked.complete(null);
            } catch (Throwable t) {
                blocked.complete(t);
            }
        });
        Thread.sleep(200);
        k.close();
        k.close(); // idempotent
        assertInstanceOf(KernelClosedException.class, blocked.get(10, TimeUnit.SECONDS));
        reader.join();
        assertTrue(spin.waitFor().signaled());
        assertTrue(sleeper.waitFor().signaled());
        assertTrue(cat.waitFor().signaled());
        assertThrows(IOException.class, () -> cat.getInputStream().read());
        Set<Thread> left = new HashSet<>(Thread.getAllStackTraces().keySet());
        left.removeAll(before);
        left.removeIf(t -> !t.getName().startsWith("jkernel") || !t.isAlive());
        assertEquals(Set.of(), left);
    }

    @Test
    void twoKernelsSideBySide() throws Exception {
        try (JKernel a = kernel(); JKernel b = kernel()) {
            GuestProcess pa = a.process(tool, "sleep").start();
            GuestProcess pb = b.process(tool, "exit", "5").start();
            assertEquals(pa.pid(), pb.pid(), "each kernel has its own pid space");
            assertEquals(5, pb.waitFor().code());
            assertTrue(pa.isAlive());
            awaitReaped(b, pb.pid());
            b.close();
            assertTrue(pa.isAlive(), "closing one kernel leaves the other alone");
            assertEquals(Linux.SIGKILL, a.syscalls().getpid() > 0 && pa.destroy() ? pa.waitFor().signal() : 0);
        }
    }

    @Test
    void apiMisuse() throws Exception {
        assertThrows(IllegalArgumentException.class, () -> JKernel.builder().cpus(0));
        assertThrows(IllegalArgumentException.class, () -> JKernel.builder().root(dir.resolve("nope")).build());
        assertThrows(IllegalArgumentException.class, () -> JKernel.builder().env("A=B", "c"));
        assertThrows(IllegalArgumentException.class, () -> JKernel.builder().preemption("bogus"));
        JKernel k = kernel();
        assertThrows(IllegalArgumentException.class, () -> k.process(tool).stdout(Stdio.of(InputStream
                .nullInputStream())));
        assertThrows(IndexOutOfBoundsException.class, () -> k.syscalls().read(0, new byte[2], 1, 5));
        GuestProcess p = k.process(tool, "sleep").start();
        assertThrows(IllegalArgumentException.class, () -> p.kill(99));
        k.close();
        assertThrows(KernelClosedException.class, k::syscalls);
        assertThrows(KernelClosedException.class, () -> k.process(tool));
        assertThrows(KernelClosedException.class, k::processes);
        assertThrows(KernelClosedException.class, () -> p.kill(Linux.SIGTERM));
        assertTrue(p.waitFor().signaled(), "the status survives close");
    }

    /** The CLI's form: a program as pid 1, exec'ed by kernel_init; the kernel lives as long as it does. */
    @Test
    void aProgramAsPid1() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        GuestProcess init = JKernel.builder().cpus(2).env("GREETING", "hi").cwd("/tmp").stdout(out)
                .startInit(tool, "env", "GREETING");
        JKernel k = init.kernel();
        assertEquals(1, init.pid());
        assertThrows(IllegalStateException.class, () -> k.process(tool));
        assertThrows(IllegalStateException.class, k::syscalls);
        assertEquals(new ExitStatus(0, 0, false), init.waitFor());
        k.close();
        assertTrue(k.isClosed(), "pid 1's end closes the kernel");
        assertEquals("GREETING=hi cwd=/tmp ppid=0\n", out.toString());
        assertTrue(k.retiredInstructions() > 0);

        // The console streams are the builder's; pid 1's exit status is the kernel's.
        out.reset();
        init = JKernel.builder().cpus(1).stdin(new java.io.ByteArrayInputStream("piped\n".getBytes()))
                .stdout(out).startInit(tool, List.of("cat-as-init", "cat"));
        assertEquals(0, init.waitFor().code());
        init.kernel().close();
        assertEquals("piped\n", out.toString());
        init = JKernel.builder().startInit(tool, "exit", "7");
        assertEquals(7, init.waitFor().shellStatus());
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!init.kernel().isClosed() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertTrue(init.kernel().isClosed(), "closed without close()");
    }

    @Test
    void aProgramAsPid1ThatCannotRun() throws Exception {
        Set<Thread> before = Thread.getAllStackTraces().keySet();
        Path text = Files.writeString(dir.resolve("text"), "not a program\n");
        text.toFile().setExecutable(true);
        ExecException e = assertThrows(ExecException.class, () -> JKernel.builder().startInit(dir + "/missing"));
        assertEquals(Linux.ENOENT, e.errno());
        assertEquals(dir + "/missing: No such file or directory", e.getMessage());
        e = assertThrows(ExecException.class, () -> JKernel.builder().startInit(text.toString()));
        assertEquals(Linux.ENOEXEC, e.errno());
        assertFalse(e.getMessage().isEmpty());
        assertThrows(IllegalArgumentException.class, () -> JKernel.builder().startInit(""));
        Set<Thread> left = new HashSet<>(Thread.getAllStackTraces().keySet());
        left.removeAll(before);
        left.removeIf(t -> !t.getName().startsWith("jkernel") || !t.isAlive());
        assertEquals(Set.of(), left, "a failed boot leaves no thread");
    }

    @Test
    void theExampleRunsAsWritten() throws Exception {
        java.io.PrintStream saved = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new java.io.PrintStream(out, true));
        try {
            EmbedExample.main(new String[] {tool});
        } finally {
            System.setOut(saved);
        }
        String text = out.toString();
        assertTrue(text.startsWith("upper: exit 0\nHELLO FROM JAVA\nthrough a guest pipe\ncat: exit 0; processes: "),
                text);
    }
}
