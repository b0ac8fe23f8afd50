package dev.jkernel;

import dev.jkernel.arch.riscv64.Rv64Vdso;
import dev.jkernel.guest.GuestPrograms;
import dev.jkernel.kernel.Kernel;
import dev.jkernel.kernel.KernelConfig;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * riscv64 glibc really calls into jkernel's vDSO. guest/tests/vdso_auxv (statically linked, run with --strace) finds
 * the vDSO through AT_SYSINFO_EHDR, and its clock_gettime calls still reach the kernel as syscalls (the vDSO's
 * {@code ecall}); a child that unmaps the vDSO then dies of SIGSEGV exactly at {@code __vdso_clock_gettime}, the
 * address glibc's dl_vdso_vsym resolved by name and version LINUX_4.15. A signal handler's return address is
 * {@code __vdso_rt_sigreturn}, and returning through it works. The dynamically linked build (ld.so takes
 * the vDSO in as a loaded object) runs in GuestProgramsTest with the same expectations.
 */
class VdsoGuestTest {
    @Test
    void staticGlibcCallsClockGettimeThroughTheVdso() throws Exception {
        GuestPrograms.ensureBuilt();
        String prog = GuestPrograms.guestDir().resolve("out/static/tests/vdso_auxv").toString();
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream(),
                trace = new ByteArrayOutputStream();
        KernelConfig config = KernelConfig.of(InputStream.nullInputStream(), out, err)
                .withCwd(GuestPrograms.guestDir().toString())
                .withStrace(new PrintStream(trace, true, StandardCharsets.UTF_8));
        int status = new Kernel(config).run(prog, List.of(prog, "-v"), GuestPrograms.environment());
        String stdout = out.toString(StandardCharsets.UTF_8), stderr = err.toString(StandardCharsets.UTF_8);
        String strace = trace.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, stdout + stderr);

        Matcher m = Pattern.compile("(?m)^vdso base 0x([0-9a-f]+)\n").matcher(stdout);
        assertTrue(m.find(), stdout);
        long base = Long.parseUnsignedLong(m.group(1), 16);
        String expected = new String(GuestPrograms.readBytes(
                GuestPrograms.guestDir().resolve("tests/vdso_auxv.expected")), StandardCharsets.UTF_8);
        Matcher r = Pattern.compile("(?m)^handler returns to 0x([0-9a-f]+)\n").matcher(stdout);
        assertTrue(r.find(), stdout);
        assertEquals(base + Rv64Vdso.rtSigreturnOffset(), Long.parseUnsignedLong(r.group(1), 16),
                "a signal handler's ra is __vdso_rt_sigreturn");
        assertEquals(expected, stdout.replace(m.group(), "").replace(r.group(), ""));

        assertTrue(strace.contains("clock_gettime(CLOCK_MONOTONIC, "), strace);
        assertTrue(strace.contains("clock_getres(CLOCK_MONOTONIC, "), strace);
        assertTrue(strace.contains("getcpu("), strace);
        long at = base + Rv64Vdso.symbol(Rv64Vdso.CLOCK_GETTIME);
        assertTrue(stderr.contains("killed by SIGSEGV at pc 0x" + Long.toHexString(at) + ":"),
                "the child faults on fetching __vdso_clock_gettime (0x" + Long.toHexString(at) + "):\n" + stderr);
    }
}
