package dev.jkernel.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The CLI contract other tools depend on, checked on a real JVM process: exit statuses (the guest's, 128+N for a
 * signal, 126/127 when it cannot run), one-line errors without stack traces, --strace on stderr, --root confinement.
 */
class CliTest {
    @TempDir
    Path dir;

    record Result(int status, String out, String err) {}

    private Result cli(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--sun-misc-unsafe-memory-access=allow", "-cp", System.getProperty("java.class.path"),
                Main.class.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectInput(ProcessBuilder.Redirect.PIPE)
                .start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err,
                StandardCharsets.UTF_8));
    }

    /** A static riscv64 program whose code is the given instruction words, loaded at 0x10000. */
    private Path program(String name, int... insns) throws IOException {
        int codeOff = 0x1000;
        ByteBuffer b = ByteBuffer.allocate(codeOff + 4 * insns.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0});
        b.putShort(16, (short) 2).putShort(18, (short) 243).putInt(20, 1).putLong(24, 0x10000 + codeOff)
                .putLong(32, 64).putShort(52, (short) 64).putShort(54, (short) 56).putShort(56, (short) 1);
        b.putInt(64, 1).putInt(68, 5).putLong(72, 0).putLong(80, 0x10000).putLong(88, 0x10000)
                .putLong(96, b.capacity()).putLong(104, b.capacity()).putLong(112, 0x1000);
        for (int i = 0; i < insns.length; i++) {
            b.putInt(codeOff + 4 * i, insns[i]);
        }
        Path f = dir.resolve(name);
        Files.write(f, b.array());
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwxr-xr-x"));
        return f;
    }

    // RV64I encodings used below.
    private static int addi(int rd, int rs1, int imm) {
        return (imm << 20) | (rs1 << 15) | (rd << 7) | 0x13;
    }

    private static final int ECALL = 0x73;
    private static final int A0 = 10, A7 = 17;
    private static final int LD_A0_FROM_ZERO = (3 << 12) | (A0 << 7) | 0x03; // ld a0, 0(zero)

    @Test
    void exitStatusIsTheGuests() throws Exception {
        Path p = program("exit42", addi(A0, 0, 42), addi(A7, 0, 94), ECALL);
        Result r = cli("run", p.toString());
        assertEquals(42, r.status());
        assertEquals("", r.err());
    }

    /** Issue 3's contract: the program the CLI is given is pid 1, as in a container (its status is its pid here). */
    @Test
    void theProgramIsPid1() throws Exception {
        Path p = program("pid", addi(A7, 0, 172), ECALL, addi(A7, 0, 94), ECALL); // exit_group(getpid())
        assertEquals(1, cli("run", p.toString()).status());
    }

    @Test
    void aFaultIsSigsegvWithOneLine() throws Exception {
        Path p = program("segv", LD_A0_FROM_ZERO);
        Result r = cli("run", p.toString());
        assertEquals(128 + 11, r.status());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains("SIGSEGV") && r.err().contains("0x11000"), r.err());
    }

    @Test
    void anIllegalInstructionNamesPcAndWord() throws Exception {
        Path p = program("ill", addi(A0, 0, 1), 0xffffffff);
        Result r = cli("run", p.toString());
        assertEquals(128 + 4, r.status());
        assertTrue(r.err().contains("SIGILL") && r.err().contains("0x11004") && r.err().contains("0xffffffff"),
                r.err());
    }

    @Test
    void unrunnableFilesGetOneLineAndStatus126Or127() throws Exception {
        Path text = dir.resolve("text");
        Files.writeString(text, "hello\n");
        Files.setPosixFilePermissions(text, PosixFilePermissions.fromString("rwxr-xr-x"));
        Result r = cli("run", text.toString());
        assertEquals(126, r.status());
        assertEquals(1, r.err().lines().count(), r.err());
        assertFalse(r.err().contains("Exception"), r.err());
        Result missing = cli("run", dir.resolve("missing").toString());
        assertEquals(127, missing.status());
        assertTrue(missing.err().contains("No such file or directory"), missing.err());
    }

    @Test
    void straceShowsSyscallsAndUnimplementedOnes() throws Exception {
        // syscall 500 (unimplemented), then exit_group(3).
        Path p = program("st", addi(A7, 0, 500), ECALL, addi(A0, 0, 3), addi(A7, 0, 94), ECALL);
        Result r = cli("run", "--strace", p.toString());
        assertEquals(3, r.status());
        List<String> lines = r.err().lines().toList();
        assertTrue(lines.get(0).startsWith("execve(\"" + p + "\", [\"" + p + "\"]"), lines.get(0));
        assertTrue(lines.get(1).matches("syscall_500\\(.*\\) +=  ?-1 ENOSYS \\(Function not implemented\\)"),
                lines.get(1));
        assertTrue(lines.get(2).matches("exit_group\\(3\\) += \\?"), lines.get(2));
        assertEquals("+++ exited with 3 +++", lines.get(3));
    }

    @Test
    void rootConfinesTheGuest() throws Exception {
        Path root = Files.createDirectory(dir.resolve("root"));
        Path p = program("root/prog", addi(A0, 0, 7), addi(A7, 0, 94), ECALL);
        assertEquals(7, cli("run", "--root", root.toString(), "/prog").status());
        assertEquals(127, cli("run", "--root", root.toString(), p.toString()).status(),
                "host paths are not visible inside --root");
        assertEquals(7, cli("run", "--root", root.toString(), "/../../prog").status(), ".. stops at the root");
    }

    @Test
    void memorySizesTakeBinarySuffixes() throws Exception {
        assertEquals(64L << 20, Main.Run.parseSize("64M"));
        assertEquals(64L << 20, Main.Run.parseSize("64m"));
        assertEquals(2L << 30, Main.Run.parseSize("2G"));
        assertEquals(2L << 30, Main.Run.parseSize("2GiB"));
        assertEquals(512L << 10, Main.Run.parseSize("512K"));
        assertEquals(1L << 40, Main.Run.parseSize("1T"));
        assertEquals(100_000_000, Main.Run.parseSize("100000000"));
        for (String bad : new String[] {"", "M", "1.5G", "-1G", "12X", "99999999999T"}) {
            assertEquals(-1, Main.Run.parseSize(bad), bad);
        }
        Result r = cli("run", "--memory", "lots", "/bin/true");
        assertEquals(125, r.status());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("jkernel: --memory lots: "), r.err());
    }

    /** --memory: what the guest sees as the machine's memory, and the OOM killer's one line (guest/api/oom.c). */
    @Test
    void memoryLimitsTheGuests() throws Exception {
        String oom = dev.jkernel.guest.GuestPrograms.make("out/static/api/oom").toString();
        Result info = cli("run", "--memory", "64M", oom, "info");
        assertEquals(0, info.status(), info.err());
        assertTrue(info.out().startsWith("sysinfo totalram 67108864\nMemTotal:          65536 kB\n"), info.out());
        Result killed = cli("run", "--memory", "32M", oom, "child", "1000");
        assertEquals(0, killed.status(), killed.err());
        assertEquals("child: killed by signal 9\nparent: touched 4 MiB\n", killed.out());
        assertTrue(killed.err().startsWith("jkernel: Memory cgroup out of memory: Killed process "), killed.err());
        assertEquals(1, killed.err().lines().count(), killed.err());
        Result alone = cli("run", "--memory", "32M", oom, "grow", "100");
        assertEquals(128 + 9, alone.status(), "pid 1 is killed when it is the only choice");
    }

    @Test
    void usageErrorsAreNotStackTraces() throws Exception {
        Result r = cli("run");
        assertNotEquals(0, r.status());
        assertFalse(r.err().contains("\tat "), r.err());
        Result bad = cli("run", "--root", dir.resolve("nope").toString(), "/x");
        assertNotEquals(0, bad.status());
        assertEquals(1, bad.err().lines().count(), bad.err());
    }

    /** --deterministic: the same seed twice gives the same output and the same strace; the seed is honoured. */
    @Test
    void deterministicRunsRepeat() throws Exception {
        String prog = dev.jkernel.guest.GuestPrograms.make("out/static/api/interleave").toString();
        Result a = cli("run", "--deterministic", "11", "--strace", prog);
        Result b = cli("run", "--deterministic", "11", "--strace", prog);
        Result c = cli("run", "--deterministic", "12", prog);
        assertEquals(0, a.status(), a.err());
        assertTrue(a.err().contains("clone("), a.err());
        assertEquals(a, b);
        assertNotEquals(a.out(), c.out(), "another seed, another interleaving");
        assertEquals(2, cli("run", "--deterministic", "x", prog).status(), "a seed is a number");
    }
}
