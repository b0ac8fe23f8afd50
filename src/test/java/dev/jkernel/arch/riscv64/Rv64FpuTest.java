package dev.jkernel.arch.riscv64;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Focused tests: illegal encodings, x0 discard, and the fast paths against the exact SoftFloat. */
class Rv64FpuTest {

    static int opfp(int funct5, int fmt, int rs2, int rs1, int funct3, int rd) {
        return 0x53 | rd << 7 | funct3 << 12 | rs1 << 15 | rs2 << 20 | fmt << 25 | funct5 << 27;
    }

    static int r4(int opcode, int fmt, int rs3, int rs2, int rs1, int funct3, int rd) {
        return opcode | rd << 7 | funct3 << 12 | rs1 << 15 | rs2 << 20 | fmt << 25 | rs3 << 27;
    }

    static Rv64Context ctx(int frm) {
        Rv64Context c = new Rv64Context();
        SplittableRandom r = new SplittableRandom(42);
        for (int i = 1; i < 32; i++) c.x[i] = r.nextLong();
        for (int i = 0; i < 32; i++) c.f[i] = i % 2 == 0 ? r.nextLong() : 0xFFFFFFFF00000000L | r.nextInt() & 0xFFFFFFFFL;
        c.f[1] = Double.doubleToRawLongBits(1.0 / 3);
        c.f[2] = 0xFFFFFFFF00000000L | Float.floatToRawIntBits(0.1f);
        c.fcsr = frm << 5 | 0x3;
        return c;
    }

    static void assertIllegal(int insn, int frm) {
        Rv64Context c = ctx(frm);
        Rv64Context before = c.copy();
        assertFalse(Rv64Fpu.execute(c, insn), () -> String.format("insn %08x frm %d should be illegal", insn, frm));
        assertArrayEquals(before.x, c.x);
        assertArrayEquals(before.f, c.f);
        assertEquals(before.fcsr, c.fcsr);
        assertEquals(before.pc, c.pc);
    }

    static void assertLegal(int insn, int frm) {
        assertTrue(Rv64Fpu.execute(ctx(frm), insn), () -> String.format("insn %08x frm %d should be legal", insn, frm));
    }

    /** Every instruction that has a rounding-mode field, with funct3 = RM. */
    static int[] roundingInsns(int rm) {
        return new int[] {
            opfp(0x00, 1, 2, 1, rm, 3), opfp(0x01, 0, 2, 1, rm, 3), opfp(0x02, 1, 2, 1, rm, 3),
            opfp(0x03, 0, 2, 1, rm, 3), opfp(0x0b, 1, 0, 1, rm, 3), opfp(0x08, 0, 1, 1, rm, 3),
            opfp(0x08, 1, 0, 2, rm, 3), opfp(0x18, 1, 0, 1, rm, 5), opfp(0x18, 0, 3, 2, rm, 5),
            opfp(0x1a, 1, 2, 7, rm, 3), opfp(0x1a, 0, 1, 7, rm, 3), r4(0x43, 1, 4, 2, 1, rm, 3),
            r4(0x47, 0, 4, 2, 2, rm, 3), r4(0x4b, 1, 4, 2, 1, rm, 3), r4(0x4f, 0, 4, 2, 2, rm, 3),
        };
    }

    @Test
    void reservedRoundingModesAreIllegal() {
        for (int rm : new int[] {5, 6})
            for (int insn : roundingInsns(rm)) assertIllegal(insn, 0);
        for (int frm : new int[] {5, 6, 7})
            for (int insn : roundingInsns(7)) assertIllegal(insn, frm);
        for (int rm = 0; rm <= 4; rm++) {
            for (int insn : roundingInsns(rm)) {
                assertLegal(insn, 7); // a static rm does not look at frm
                assertLegal(insn, rm);
            }
            for (int insn : roundingInsns(7)) assertLegal(insn, rm);
        }
    }

    @Test
    void nonRoundingInstructionsIgnoreFrm() {
        // FSGNJ, FMIN, FEQ, FCLASS, FMV do not use frm; an invalid frm does not make them illegal.
        int[] insns = {opfp(0x04, 1, 2, 1, 0, 3), opfp(0x05, 0, 2, 1, 1, 3), opfp(0x14, 1, 2, 1, 2, 5),
            opfp(0x1c, 0, 0, 1, 1, 5), opfp(0x1c, 1, 0, 1, 0, 5), opfp(0x1e, 0, 0, 7, 0, 3)};
        for (int insn : insns) assertLegal(insn, 7);
    }

    @Test
    void badFormatsAndFunctsAreIllegal() {
        for (int fmt = 2; fmt <= 3; fmt++) {
            assertIllegal(opfp(0x00, fmt, 2, 1, 0, 3), 0); // FADD.H / FADD.Q
            assertIllegal(opfp(0x1c, fmt, 0, 1, 0, 5), 0); // FMV.X.H
            assertIllegal(r4(0x43, fmt, 4, 2, 1, 0, 3), 0); // FMADD.H / .Q
        }
        for (int funct5 : new int[] {0x06, 0x07, 0x09, 0x0a, 0x0c, 0x10, 0x15, 0x19, 0x1b, 0x1d, 0x1f})
            assertIllegal(opfp(funct5, 1, 0, 1, 0, 3), 0);
        assertIllegal(opfp(0x0b, 1, 1, 1, 0, 3), 0); // FSQRT with rs2 != 0
        assertIllegal(opfp(0x04, 1, 2, 1, 3, 3), 0); // FSGNJ funct3 3
        assertIllegal(opfp(0x05, 0, 2, 1, 2, 3), 0); // FMIN funct3 2
        assertIllegal(opfp(0x14, 1, 2, 1, 3, 3), 0); // FEQ funct3 3
        assertIllegal(opfp(0x08, 0, 0, 1, 0, 3), 0); // FCVT.S.S
        assertIllegal(opfp(0x08, 1, 1, 1, 0, 3), 0); // FCVT.D.D
        assertIllegal(opfp(0x08, 0, 2, 1, 0, 3), 0); // FCVT.S.H
        assertIllegal(opfp(0x18, 1, 4, 1, 0, 3), 0); // FCVT.?.D rs2 4
        assertIllegal(opfp(0x1a, 0, 5, 1, 0, 3), 0);
        assertIllegal(opfp(0x1c, 1, 1, 1, 0, 3), 0); // FMV.X.D with rs2 != 0
        assertIllegal(opfp(0x1c, 1, 0, 1, 2, 3), 0); // funct3 2
        assertIllegal(opfp(0x1e, 1, 0, 1, 1, 3), 0); // FMV.D.X funct3 1
        assertIllegal(0x07 | 3 << 7 | 3 << 12, 0); // FLD: not ours
        assertIllegal(0x33, 0); // ADD
    }

    @Test
    void x0IsNeverWritten() {
        int[] insns = {
            opfp(0x14, 1, 2, 1, 2, 0), opfp(0x14, 1, 1, 1, 0, 0), opfp(0x14, 0, 2, 2, 1, 0), // FEQ.D FLE.D FLT.S
            opfp(0x1c, 1, 0, 1, 1, 0), opfp(0x1c, 0, 0, 2, 1, 0), // FCLASS
            opfp(0x1c, 1, 0, 1, 0, 0), opfp(0x1c, 0, 0, 2, 0, 0), // FMV.X.D, FMV.X.W
            opfp(0x18, 1, 0, 1, 1, 0), opfp(0x18, 1, 3, 1, 0, 0), opfp(0x18, 0, 2, 2, 4, 0), // FCVT.W.D ...
        };
        for (int insn : insns) {
            Rv64Context c = ctx(0);
            assertTrue(Rv64Fpu.execute(c, insn));
            assertEquals(0, c.x[0], () -> String.format("insn %08x wrote x0", insn));
        }
        // But the flags are still raised: FCVT.W.D x0, f1 of 1/3 is inexact.
        Rv64Context c = ctx(0);
        c.fcsr = 0;
        assertTrue(Rv64Fpu.execute(c, opfp(0x18, 1, 0, 1, 1, 0)));
        assertEquals(SoftFloat.NX, c.fcsr);
    }

    @Test
    void flagsAccrueAndFrmIsKept() {
        Rv64Context c = ctx(0);
        c.fcsr = 3 << 5 | SoftFloat.DZ;
        c.f[1] = Double.doubleToRawLongBits(1.0);
        c.f[2] = Double.doubleToRawLongBits(3.0);
        assertTrue(Rv64Fpu.execute(c, opfp(0x03, 1, 2, 1, 7, 3))); // FDIV.D dyn (RUP)
        assertEquals(3 << 5 | SoftFloat.DZ | SoftFloat.NX, c.fcsr);
        assertEquals(Math.nextUp(1.0 / 3), Double.longBitsToDouble(c.f[3]));
    }

    @Test
    void singleResultsAreNaNBoxed() {
        Rv64Context c = ctx(0);
        c.f[1] = 0xFFFFFFFF00000000L | Float.floatToRawIntBits(1.5f);
        c.f[2] = 0x0000000040000000L; // 2.0 not boxed: the canonical NaN
        assertTrue(Rv64Fpu.execute(c, opfp(0x00, 0, 1, 1, 0, 3)));
        assertEquals(0xFFFFFFFF40400000L, c.f[3]);
        assertTrue(Rv64Fpu.execute(c, opfp(0x00, 0, 2, 1, 0, 3)));
        assertEquals(0xFFFFFFFF7FC00000L, c.f[3]);
        c.x[7] = 0x123456789abcdef0L;
        assertTrue(Rv64Fpu.execute(c, opfp(0x1e, 0, 0, 7, 0, 3))); // FMV.W.X
        assertEquals(0xFFFFFFFF9abcdef0L, c.f[3]);
        assertTrue(Rv64Fpu.execute(c, opfp(0x1c, 0, 0, 3, 0, 8))); // FMV.X.W sign-extends
        assertEquals(0xFFFFFFFF9abcdef0L, c.x[8]);
    }

    @Test
    void randomEncodingsNeverThrow() {
        SplittableRandom r = new SplittableRandom(7);
        int[] opcodes = {0x53, 0x43, 0x47, 0x4b, 0x4f};
        Rv64Context c = new Rv64Context();
        for (int i = 0; i < 1_000_000; i++) {
            if (i % 64 == 0) {
                for (int k = 1; k < 32; k++) c.x[k] = r.nextLong();
                for (int k = 0; k < 32; k++)
                    c.f[k] = switch (r.nextInt(3)) {
                        case 0 -> r.nextLong();
                        case 1 -> 0xFFFFFFFF00000000L | r.nextInt() & 0xFFFFFFFFL;
                        default -> randomD(r);
                    };
            }
            c.fcsr = r.nextInt(256);
            int insn = r.nextInt() & ~0x7f | opcodes[r.nextInt(opcodes.length)];
            Rv64Fpu.execute(c, insn);
            assertEquals(0, c.x[0]);
            assertTrue(c.fcsr >= 0 && c.fcsr < 256);
        }
    }

    // ------------------------------------------------------------ fast paths vs the exact slow path

    static long randomD(SplittableRandom r) {
        long sign = r.nextBoolean() ? Long.MIN_VALUE : 0;
        int e = switch (r.nextInt(8)) {
            case 0 -> r.nextInt(4);
            case 1 -> 2046 - r.nextInt(4);
            case 2 -> r.nextInt(2047);
            case 3 -> 1023 - 900 + r.nextInt(20) - 10;
            default -> 1023 + r.nextInt(80) - 40;
        };
        long m = switch (r.nextInt(3)) {
            case 0 -> r.nextLong();
            case 1 -> (1L << r.nextInt(52)) | (1L << r.nextInt(52));
            default -> -1L << r.nextInt(53);
        };
        return sign | (long) e << 52 | m & ((1L << 52) - 1);
    }

    static int randomS(SplittableRandom r) {
        int sign = r.nextBoolean() ? Integer.MIN_VALUE : 0;
        int e = switch (r.nextInt(6)) {
            case 0 -> r.nextInt(4);
            case 1 -> 254 - r.nextInt(4);
            case 2 -> r.nextInt(255);
            default -> 127 + r.nextInt(60) - 30;
        };
        int m = switch (r.nextInt(3)) {
            case 0 -> r.nextInt();
            case 1 -> (1 << r.nextInt(23)) | (1 << r.nextInt(23));
            default -> -1 << r.nextInt(24);
        };
        return sign | e << 23 | m & ((1 << 23) - 1);
    }

    /** Runs insn (RNE, f1/f2/f3 operands, result in f4) and returns {result, flags}. */
    static long[] run(int insn, long a, long b, long c) {
        Rv64Context ctx = new Rv64Context();
        ctx.f[1] = a;
        ctx.f[2] = b;
        ctx.f[3] = c;
        assertTrue(Rv64Fpu.execute(ctx, insn));
        return new long[] {ctx.f[4], ctx.fcsr};
    }

    @Test
    void fastPathsAgreeWithSoftFloat() {
        SplittableRandom r = new SplittableRandom(2024);
        SoftFloat.Fmt d = SoftFloat.D, s = SoftFloat.S;
        for (int i = 0; i < 300_000; i++) {
            long a = randomD(r), b = randomD(r), c = randomD(r);
            if (i % 3 == 0) { // near cancellation: c ~ -(a*b)
                c = Double.doubleToRawLongBits(-(Double.longBitsToDouble(a) * Double.longBitsToDouble(b)));
                c += r.nextInt(5) - 2;
            }
            if (i % 5 == 0) b = (a & 0xfff0000000000000L) + (r.nextLong() & 0x003fffffffffffffL) - (1L << 53);
            for (int op = 0; op < 4; op++) {
                SoftFloat sf = new SoftFloat(0);
                long want = switch (op) {
                    case 0 -> sf.add(d, a, b);
                    case 1 -> sf.sub(d, a, b);
                    case 2 -> sf.mul(d, a, b);
                    default -> sf.div(d, a, b);
                };
                check(opfp(op, 1, 2, 1, 0, 4), a, b, c, want, sf.flags);
            }
            SoftFloat sf = new SoftFloat(0);
            check(opfp(0x0b, 1, 0, 1, 0, 4), a, b, c, sf.sqrt(d, a & Long.MAX_VALUE), sf.flags, a & Long.MAX_VALUE);
            for (int k = 0; k < 4; k++) {
                sf = new SoftFloat(0);
                long want = sf.fma(d, a, b, c, k >= 2, k == 1 || k == 3);
                check(r4(0x43 + 4 * k, 1, 3, 2, 1, 0, 4), a, b, c, want, sf.flags);
            }
            sf = new SoftFloat(0);
            long want = sf.convert(d, s, a) | 0xFFFFFFFF00000000L;
            check(opfp(0x08, 0, 1, 1, 0, 4), a, b, c, want, sf.flags);

            long sa = randomS(r) & 0xFFFFFFFFL, sb = randomS(r) & 0xFFFFFFFFL, sc = randomS(r) & 0xFFFFFFFFL;
            if (i % 3 == 0) {
                sc = Float.floatToRawIntBits(-(Float.intBitsToFloat((int) sa) * Float.intBitsToFloat((int) sb)));
                sc = (sc + r.nextInt(5) - 2) & 0xFFFFFFFFL;
            }
            for (int op = 0; op < 4; op++) {
                sf = new SoftFloat(0);
                want = switch (op) {
                    case 0 -> sf.add(s, sa, sb);
                    case 1 -> sf.sub(s, sa, sb);
                    case 2 -> sf.mul(s, sa, sb);
                    default -> sf.div(s, sa, sb);
                };
                check(opfp(op, 0, 2, 1, 0, 4), box(sa), box(sb), box(sc), box(want), sf.flags);
            }
            sf = new SoftFloat(0);
            want = sf.sqrt(s, sa & 0x7fffffffL);
            check(opfp(0x0b, 0, 0, 1, 0, 4), box(sa & 0x7fffffffL), 0, 0, box(want), sf.flags);
            for (int k = 0; k < 4; k++) {
                sf = new SoftFloat(0);
                want = sf.fma(s, sa, sb, sc, k >= 2, k == 1 || k == 3);
                check(r4(0x43 + 4 * k, 0, 3, 2, 1, 0, 4), box(sa), box(sb), box(sc), box(want), sf.flags);
            }
        }
    }

    static long box(long v) {
        return 0xFFFFFFFF00000000L | v;
    }

    static void check(int insn, long a, long b, long c, long want, int flags) {
        check(insn, a, b, c, want, flags, a);
    }

    static void check(int insn, long a, long b, long c, long want, int flags, long a1) {
        long[] got = run(insn, a1, b, c);
        if (got[0] != want || got[1] != flags)
            throw new AssertionError(String.format("insn %08x %x %x %x: fast %x/%x, exact %x/%x", insn, a1, b, c,
                    got[0], got[1], want, flags));
    }
}
