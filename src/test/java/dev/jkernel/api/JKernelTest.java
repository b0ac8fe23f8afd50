package dev.jkernel.api;

import dev.jkernel.guest.GuestPrograms;
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
    /** The test program on the host, and where the kernels of these tests have it. */
    static Path hostTool;
    static final String tool = "/bin/tool";

    @TempDir
    Path dir;

    @BeforeAll
    static void build() {
        hostTool = GuestPrograms.make("out/static/api/tool", "out/dynamic/examples/hello");
    }

    /** A builder for a kernel with the default root (a tmpfs) and the tool at /bin/tool. */
    private static JKernel.Builder builder() {
        return JKernel.builder().cpus(2).stdout(OutputStream.nullOutputStream())
                .stderr(OutputStream.nullOutputStream()).copy(hostTool, tool);
    }

    private static JKernel kernel() {
        return builder().build();
    }

    private static int errno(ThrowingCall c) {
        return assertThrows(ErrnoException.class, c::run).errno();
    }

    interface ThrowingCall {
        void run() throws Exception;
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
        try (JKernel k = builder().env("GREETING", "hi").build()) {
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
            String d = "/tmp";
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
                    () -> sys.open("/tmp/none", Linux.O_RDONLY)).errno());
            sys.mkdir("/tmp/x", 0700);
            assertEquals(Linux.EEXIST, assertThrows(ErrnoException.class, () -> sys.mkdir("/tmp/x", 0700))
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
        try (JKernel k = builder().file("/bin/text", "not a program\n".getBytes(), 0755)
                .file("/bin/noexec", Files.readAllBytes(hostTool), 0644).build()) {
            ExecException e = assertThrows(ExecException.class, () -> k.process("/bin/missing").start());
            assertEquals(Linux.ENOENT, e.errno());
            e = assertThrows(ExecException.class, () -> k.process("/bin/text").start());
            assertEquals(Linux.ENOEXEC, e.errno());
            assertFalse(e.getMessage().isEmpty());
            e = assertThrows(ExecException.class, () -> k.process("/bin/noexec").start());
            assertEquals(Linux.EACCES, e.errno());
            e = assertThrows(ExecException.class, () -> k.process(tool).cwd("/nodir").start());
            assertEquals(Linux.ENOENT, e.errno());
            assertEquals(Linux.ENOENT, assertThrows(ErrnoException.class,
                    () -> k.process(tool).stdin(Stdio.file("/nofile")).start()).errno());
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
        GuestProcess init = builder().cpus(2).env("GREETING", "hi").cwd("/tmp").stdout(out)
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
        init = builder().cpus(1).stdin(new java.io.ByteArrayInputStream("piped\n".getBytes()))
                .stdout(out).startInit(tool, List.of("cat-as-init", "cat"));
        assertEquals(0, init.waitFor().code());
        init.kernel().close();
        assertEquals("piped\n", out.toString());
        init = builder().startInit(tool, "exit", "7");
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
        ExecException e = assertThrows(ExecException.class, () -> JKernel.builder().startInit(dir + "/missing"));
        assertEquals(Linux.ENOENT, e.errno());
        assertEquals(dir + "/missing: No such file or directory", e.getMessage());
        e = assertThrows(ExecException.class, () -> JKernel.builder()
                .file("/bin/text", "not a program\n".getBytes(), 0755).startInit("/bin/text"));
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
            EmbedExample.main(new String[] {hostTool.toString()});
        } finally {
            System.setOut(saved);
        }
        String text = out.toString();
        assertTrue(text.startsWith("upper: exit 0\nHELLO FROM JAVA\nthrough a guest pipe\ncat: exit 0; processes: "),
                text);
    }

    // ------------------------------------------------------------------------------------------------------------
    // File systems: the tmpfs root, placed files, host mounts
    // ------------------------------------------------------------------------------------------------------------

    @Test
    void theDefaultRootIsATmpfsWithASkeleton() throws Exception {
        try (JKernel k = kernel()) {
            Syscalls sys = k.syscalls();
            assertTrue(new HashSet<>(sys.listDirectory("/")).containsAll(Set.of("bin", "dev", "etc", "proc", "tmp",
                    "usr")), sys.listDirectory("/").toString());
            assertEquals(01777, sys.stat("/tmp").permissions());
            assertEquals(01777, sys.stat("/dev/shm").permissions());
            FileStat nul = sys.stat("/dev/null");
            assertEquals(FileStat.S_IFCHR, nul.mode() & FileStat.S_IFMT);
            int fd = sys.open("/dev/zero", Linux.O_RDONLY);
            assertEquals(4, sys.read(fd, new byte[4]));
            sys.close(fd);
            assertEquals("tmpfs / tmpfs rw,relatime 0 0", text(sys.readFile("/proc/mounts")).lines().findFirst()
                    .orElseThrow());
            // Nothing of the host shows: its files are not there.
            assertEquals(Linux.ENOENT, errno(() -> sys.stat(hostTool.toString())));
            assertEquals(Linux.ENOENT, errno(() -> sys.stat("/etc/passwd")));
        }
    }

    @Test
    void placedFilesAndProgramsAreThereAtBoot() throws Exception {
        try (JKernel k = builder().file("/etc/motd", "welcome\n".getBytes())
                .file("/opt/app/secret.bin", new byte[] {1, 2, 3}, 0600)
                .copy(hostTool, "/usr/local/bin/tool2").directory("/srv/empty").build()) {
            Syscalls sys = k.syscalls();
            assertEquals("welcome\n", text(k.readFile("/etc/motd")));
            assertEquals(0100644, sys.stat("/etc/motd").mode());
            assertEquals(0100600, sys.stat("/opt/app/secret.bin").mode());
            assertEquals(3, sys.stat("/opt/app/secret.bin").size());
            assertTrue(sys.stat("/srv/empty").isDirectory());
            assertEquals(List.of(), sys.listDirectory("/srv/empty"));
            // A copied program keeps its execute bits and runs.
            assertEquals(0755, sys.stat("/usr/local/bin/tool2").permissions() & 0755);
            assertEquals(9, k.process("/usr/local/bin/tool2", "exit", "9").start().waitFor().code());
            GuestProcess cat = k.process(tool, "cat").stdin(Stdio.file("/etc/motd")).stdout(Stdio.pipe()).start();
            assertEquals("welcome\n", text(cat.getInputStream().readAllBytes()));
            assertEquals(0, cat.waitFor().code());
        }
        assertThrows(IllegalArgumentException.class, () -> JKernel.builder().file("relative", new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> JKernel.builder().file("/x", new byte[0], 010000));
        assertThrows(IllegalArgumentException.class, () -> JKernel.builder().copy(dir.resolve("none"), "/x")
                .build());
        assertThrows(IllegalArgumentException.class, () -> JKernel.builder().file("/proc/x", new byte[0]).build());
    }

    @Test
    void aHostThreadWritesAFileAGuestReadsAndTheReverse() throws Exception {
        try (JKernel k = kernel()) {
            k.syscalls().writeFile("/tmp/in.txt", "from a java thread\n".getBytes());
            GuestProcess p = k.process(tool, "upper", "/tmp/in.txt", "/tmp/out.txt").start();
            assertEquals(0, p.waitFor().code());
            assertEquals("FROM A JAVA THREAD\n", text(k.readFile("/tmp/out.txt")));
        }
    }

    @Test
    void readOnlyMountRefusesEveryChange() throws Exception {
        Path host = Files.createDirectory(dir.resolve("ro"));
        Files.writeString(host.resolve("a.txt"), "host data\n");
        Files.createDirectory(host.resolve("sub"));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (JKernel k = builder().mount("/mnt/ro", host, true).build()) {
            Syscalls sys = k.syscalls();
            assertEquals("host data\n", text(k.readFile("/mnt/ro/a.txt")));
            assertEquals(List.of("sub"), sys.listDirectory("/mnt/ro").stream().filter(n -> n.equals("sub"))
                    .toList());
            assertEquals(Linux.EROFS, errno(() -> sys.open("/mnt/ro/a.txt", Linux.O_WRONLY)));
            assertEquals(Linux.EROFS, errno(() -> sys.open("/mnt/ro/a.txt", Linux.O_RDWR)));
            assertEquals(Linux.EROFS, errno(() -> sys.open("/mnt/ro/a.txt", Linux.O_RDONLY | Linux.O_TRUNC)));
            assertEquals(Linux.EROFS, errno(() -> sys.writeFile("/mnt/ro/new.txt", new byte[1])));
            assertEquals(Linux.EROFS, errno(() -> sys.mkdir("/mnt/ro/d", 0755)));
            assertEquals(Linux.EROFS, errno(() -> sys.unlink("/mnt/ro/a.txt")));
            assertEquals(Linux.EROFS, errno(() -> sys.unlink("/mnt/ro/nothing")));
            assertEquals(Linux.EROFS, errno(() -> sys.rmdir("/mnt/ro/sub")));
            assertEquals(Linux.EROFS, errno(() -> sys.rename("/mnt/ro/a.txt", "/mnt/ro/b.txt")));
            assertEquals(Linux.EXDEV, errno(() -> sys.rename("/mnt/ro/a.txt", "/tmp/b.txt")));
            assertEquals(Linux.EEXIST, errno(() -> sys.mkdir("/mnt/ro/sub", 0755)));
            assertEquals(Linux.EBUSY, errno(() -> sys.rmdir("/mnt/ro")));
            assertEquals(Linux.EBUSY, errno(() -> sys.rename("/mnt/ro", "/mnt/elsewhere")));
            assertEquals(Linux.EBUSY, errno(() -> sys.rename("/mnt", "/mnt2")), "a mount does not move");
            GuestProcess p = k.process(tool, "upper", "a.txt", "b.txt").cwd("/mnt/ro").stderr(err).start();
            assertEquals(1, p.waitFor().code());
            assertTrue(err.toString().contains("Read-only file system"), err.toString());
            assertTrue(text(k.readFile("/proc/self/mounts")).contains("hostfs /mnt/ro hostfs ro,relatime 0 0"));
        }
        assertEquals("host data\n", Files.readString(host.resolve("a.txt")));
        assertEquals(Set.of("a.txt", "sub"), Set.copyOf(java.util.Arrays.asList(host.toFile().list())));
    }

    @Test
    void readWriteMountWritesReachTheHostDirectory() throws Exception {
        Path host = Files.createDirectory(dir.resolve("rw"));
        Files.writeString(host.resolve("in.txt"), "shared with the host\n");
        try (JKernel k = builder().mount("/data", host, false).build()) {
            GuestProcess p = k.process(tool, "upper", "in.txt", "out.txt").cwd("/data").start();
            assertEquals(0, p.waitFor().code());
            Syscalls sys = k.syscalls();
            sys.mkdir("/data/made", 0750);
            sys.writeFile("/data/made/note", "n".getBytes());
            sys.rename("/data/in.txt", "/data/made/in.txt");
        }
        assertEquals("SHARED WITH THE HOST\n", Files.readString(host.resolve("out.txt")));
        assertEquals("n", Files.readString(host.resolve("made/note")));
        assertTrue(Files.exists(host.resolve("made/in.txt")));
        assertFalse(Files.exists(host.resolve("in.txt")));
    }

    @Test
    void noEscapeFromAMountByDotDotOrSymlinks() throws Exception {
        Path inside = Files.createDirectories(dir.resolve("tree/inside"));
        Path secret = Files.writeString(dir.resolve("tree/secret"), "host secret");
        Files.writeString(inside.resolve("mine"), "mine");
        Files.createSymbolicLink(inside.resolve("up"), Path.of("../../../../../.."));
        Files.createSymbolicLink(inside.resolve("rel"), Path.of("../secret"));
        Files.createSymbolicLink(inside.resolve("abs"), secret);
        Files.createSymbolicLink(inside.resolve("self"), Path.of("/mnt/in/mine"));
        try (JKernel k = builder().mount("/mnt/in", inside, false).build()) {
            Syscalls sys = k.syscalls();
            // ".." at the mount's top is the directory above the mount point, in the guest's namespace.
            assertEquals(sys.stat("/mnt").ino(), sys.stat("/mnt/in/..").ino());
            assertEquals(sys.stat("/").ino(), sys.stat("/mnt/in/../../../..").ino());
            assertEquals(Linux.ENOENT, errno(() -> sys.readFile("/mnt/in/../secret")));
            assertEquals(Linux.ENOENT, errno(() -> sys.readFile("/mnt/in/../../tree/secret")));
            // Symlinks resolve in the guest's namespace: relative ones climb to the guest's root at most,
            // absolute ones start from it.
            assertEquals(sys.stat("/").ino(), sys.stat("/mnt/in/up").ino());
            assertEquals(Linux.ENOENT, errno(() -> sys.readFile("/mnt/in/rel")));
            assertEquals(Linux.ENOENT, errno(() -> sys.readFile("/mnt/in/abs")));
            assertEquals("mine", text(sys.readFile("/mnt/in/self")));
            sys.chdir("/mnt/in");
            assertEquals(Linux.ENOENT, errno(() -> sys.readFile("../../tree/secret")));
            GuestProcess p = k.process(tool, "upper", "rel", "/tmp/out").cwd("/mnt/in").stderr(Stdio.discard())
                    .start();
            assertEquals(1, p.waitFor().code());
        }
    }

    @Test
    void twoKernelsHaveSeparateTmpfsRoots() throws Exception {
        try (JKernel a = kernel(); JKernel b = kernel()) {
            a.syscalls().writeFile("/tmp/only-in-a", "a".getBytes());
            assertEquals("a", text(a.readFile("/tmp/only-in-a")));
            assertEquals(Linux.ENOENT, errno(() -> b.readFile("/tmp/only-in-a")));
            b.syscalls().mkdir("/tmp/only-in-b", 0700);
            assertEquals(Linux.ENOENT, errno(() -> a.syscalls().stat("/tmp/only-in-b")));
        }
    }

    @Test
    void theTmpfsIsLimitedInSize() throws Exception {
        try (JKernel k = builder().tmpfsSize(2 << 20).build()) {
            Syscalls sys = k.syscalls();
            int fd = sys.open("/tmp/big", Linux.O_WRONLY | Linux.O_CREAT, 0644);
            byte[] chunk = new byte[256 << 10];
            long written = 0;
            ErrnoException full = null;
            while (full == null && written < 8 << 20) {
                try {
                    written += sys.write(fd, chunk);
                } catch (ErrnoException e) {
                    full = e;
                }
            }
            assertNotNull(full, "the tmpfs never filled up");
            assertEquals(Linux.ENOSPC, full.errno());
            assertTrue(written < 2 << 20, "wrote " + written);
            sys.close(fd);
            sys.unlink("/tmp/big");
            sys.writeFile("/tmp/after", new byte[100 << 10]);
        }
    }

    @Test
    void aConfinedHostRootAndTheHostsOwnView() throws Exception {
        Path root = Files.createDirectory(dir.resolve("root"));
        Files.createDirectories(root.resolve("bin"));
        Files.copy(hostTool, root.resolve("bin/tool"));
        Files.writeString(root.resolve("hello"), "hi");
        try (JKernel k = JKernel.builder().root(root).stderr(OutputStream.nullOutputStream()).build()) {
            assertEquals("hi", text(k.readFile("/hello")));
            assertEquals(4, k.process("/bin/tool", "exit", "4").start().waitFor().code());
        }
        try (JKernel k = JKernel.builder().root(root, true).build()) {
            assertEquals(Linux.EROFS, errno(() -> k.syscalls().writeFile("/new", new byte[1])));
        }
        try (JKernel k = JKernel.builder().hostRoot().build()) {
            assertEquals("hi", text(k.readFile(root.resolve("hello").toString())));
        }
    }

    @Test
    void aDynamicallyLinkedProgramInTheTmpfsFindsItsLoaderInTheSysroot() throws Exception {
        Path sysroot = Path.of("/usr/riscv64-linux-gnu");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(sysroot.resolve("lib")),
                "no riscv64 sysroot at " + sysroot);
        Path hello = GuestPrograms.guestDir().resolve("out/dynamic/examples/hello");
        try (JKernel k = builder().sysroot(sysroot).copy(hello, "/bin/hello").build()) {
            GuestProcess p = k.process("/bin/hello", "tmpfs").stdout(Stdio.pipe()).start();
            assertTrue(text(p.getInputStream().readAllBytes()).startsWith("Hello, tmpfs!"));
            assertEquals(0, p.waitFor().code());
            // The sysroot is searched first, but /dev stays the tmpfs's.
            assertTrue(k.syscalls().listDirectory("/dev").contains("shm"));
        }
    }

    @Test
    void aSecondTmpfsIsAFileSystemOfItsOwn() throws Exception {
        try (JKernel k = builder().mountTmpfs("/scratch", 1 << 20).build()) {
            Syscalls sys = k.syscalls();
            FileStat top = sys.stat("/scratch");
            assertEquals(01777, top.permissions());
            assertNotEquals(sys.stat("/").dev(), top.dev());
            sys.writeFile("/scratch/f", new byte[10]);
            assertEquals(top.dev(), sys.stat("/scratch/f").dev());
            assertEquals(Linux.EXDEV, errno(() -> sys.rename("/scratch/f", "/tmp/f")));
            assertTrue(text(k.readFile("/proc/mounts")).contains("tmpfs /scratch tmpfs rw,relatime 0 0\n"));
        }
    }
}
