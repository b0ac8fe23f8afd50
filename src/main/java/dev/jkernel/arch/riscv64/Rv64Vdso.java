package dev.jkernel.arch.riscv64;

import dev.jkernel.syscall.ProcessSyscalls;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;

/**
 * The riscv64 vDSO ("linux-vdso.so.1"), the shared object every process finds at AT_SYSINFO_EHDR. It exports what
 * Linux's arch/riscv/kernel/vdso/vdso.lds.S exports, all of version LINUX_4.15: {@code __vdso_rt_sigreturn},
 * {@code __vdso_gettimeofday}, {@code __vdso_clock_gettime}, {@code __vdso_clock_getres}, {@code __vdso_getcpu},
 * {@code __vdso_flush_icache} and {@code __vdso_riscv_hwprobe}.
 *
 * <p>Each function makes the corresponding system call ({@code li a7, NR; ecall; ret}), so it answers exactly as the
 * syscall does, negative errno in a0 included (glibc treats vDSO results like syscall results). The signal return
 * trampoline is {@code li a7, 139; ecall}: the two 32-bit words (0x08b00893, 0x00000073) that libgcc's and gdb's
 * riscv64 Linux unwinders recognise as a signal frame. The image has no .eh_frame, so those unwinders fall back to
 * that recognition, which is what they need to unwind through a signal handler.
 *
 * <p>The image also has Linux's "Linux" note holding LINUX_VERSION_CODE for the release uname reports.
 *
 * <p>A faster clock_gettime would read a data page (vvar) mapped next to the image; the image is position-independent
 * and built by {@link VdsoImageBuilder}, so such a page can be added later without changing this API.
 */
public final class Rv64Vdso {
    private Rv64Vdso() {}

    public static final String SONAME = "linux-vdso.so.1";
    /** The version every symbol carries (glibc's VDSO_NAME for riscv). */
    public static final String VERSION = "LINUX_4.15";

    public static final String RT_SIGRETURN = "__vdso_rt_sigreturn";
    public static final String GETTIMEOFDAY = "__vdso_gettimeofday";
    public static final String CLOCK_GETTIME = "__vdso_clock_gettime";
    public static final String CLOCK_GETRES = "__vdso_clock_getres";
    public static final String GETCPU = "__vdso_getcpu";
    public static final String FLUSH_ICACHE = "__vdso_flush_icache";
    public static final String RISCV_HWPROBE = "__vdso_riscv_hwprobe";

    /** The exported symbols in image order. */
    public static final List<String> SYMBOLS = List.of(RT_SIGRETURN, GETTIMEOFDAY, CLOCK_GETTIME, CLOCK_GETRES,
            GETCPU, FLUSH_ICACHE, RISCV_HWPROBE);

    // Syscall numbers (asm-generic and riscv).
    static final int NR_CLOCK_GETTIME = 113, NR_CLOCK_GETRES = 114, NR_RT_SIGRETURN = 139, NR_GETCPU = 168,
            NR_GETTIMEOFDAY = 169, NR_RISCV_HWPROBE = 258, NR_RISCV_FLUSH_ICACHE = 259;

    /** e_flags: EF_RISCV_RVC | EF_RISCV_FLOAT_ABI_DOUBLE, as Debian's lp64d toolchain marks its objects. */
    public static final int E_FLAGS = 0x1 | 0x4;

    private static final int RA = 1, A7 = 17;

    // ---- instruction encoders (RV64I base formats) ----

    /** addi rd, rs1, imm (imm in -2048..2047). */
    static int addi(int rd, int rs1, int imm) {
        if (imm < -2048 || imm > 2047) {
            throw new IllegalArgumentException("immediate out of range: " + imm);
        }
        return (imm & 0xfff) << 20 | rs1 << 15 | 0 << 12 | rd << 7 | 0x13;
    }

    /** li rd, imm for a 12-bit immediate (the assembler's addi rd, x0, imm). */
    static int li(int rd, int imm) {
        return addi(rd, 0, imm);
    }

    /** ecall. */
    static int ecall() {
        return 0x00000073;
    }

    /** jalr rd, offset(rs1). */
    static int jalr(int rd, int rs1, int offset) {
        return (offset & 0xfff) << 20 | rs1 << 15 | 0 << 12 | rd << 7 | 0x67;
    }

    /** ret (jalr x0, 0(ra)). */
    static int ret() {
        return jalr(0, RA, 0);
    }

    /** A function that makes syscall {@code nr} with its arguments untouched and returns the result. */
    private static int[] syscallStub(int nr) {
        return new int[] {li(A7, nr), ecall(), ret()};
    }

    /** LINUX_VERSION_CODE of a release string "a.b.c...": a << 16 | b << 8 | min(c, 255). */
    static int versionCode(String release) {
        int[] v = new int[3];
        int i = 0;
        for (String part : release.split("[.-]", 4)) {
            if (i == 3 || part.isEmpty() || !part.chars().allMatch(Character::isDigit)) {
                break;
            }
            v[i++] = Integer.parseInt(part);
        }
        return v[0] << 16 | v[1] << 8 | Math.min(v[2], 255);
    }

    private static final VdsoImageBuilder.Image IMAGE = build();

    private static VdsoImageBuilder.Image build() {
        byte[] version = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN)
                .putInt(versionCode(ProcessSyscalls.UTS_RELEASE)).array();
        return new VdsoImageBuilder(Riscv64.EM_RISCV, E_FLAGS, SONAME, VERSION)
                .note("Linux", 0, version)
                // Never returns: rt_sigreturn resumes the interrupted context (or the kernel kills the task).
                .function(RT_SIGRETURN, li(A7, NR_RT_SIGRETURN), ecall())
                .function(GETTIMEOFDAY, syscallStub(NR_GETTIMEOFDAY))
                .function(CLOCK_GETTIME, syscallStub(NR_CLOCK_GETTIME))
                .function(CLOCK_GETRES, syscallStub(NR_CLOCK_GETRES))
                .function(GETCPU, syscallStub(NR_GETCPU))
                .function(FLUSH_ICACHE, syscallStub(NR_RISCV_FLUSH_ICACHE))
                .function(RISCV_HWPROBE, syscallStub(NR_RISCV_HWPROBE))
                .build();
    }

    /** A copy of the image (an ELF shared object linked at 0, to be mapped read+exec at a page boundary). */
    public static byte[] image() {
        return IMAGE.bytes().clone();
    }

    /** The image's length in bytes (the mapping is that rounded up to whole pages). */
    public static int imageSize() {
        return IMAGE.bytes().length;
    }

    /** The offset of exported symbol {@code name} from the image's start, or -1 if it exports no such symbol. */
    public static long symbol(String name) {
        Long off = IMAGE.offsets().get(name);
        return off == null ? -1 : off;
    }

    /** Every exported symbol with its offset, in image order. */
    public static Map<String, Long> symbols() {
        return IMAGE.offsets();
    }

    /** The offset of {@code __vdso_rt_sigreturn}: signal delivery sets ra to the vDSO base plus this. */
    public static long rtSigreturnOffset() {
        return symbol(RT_SIGRETURN);
    }
}
