package dev.jkernel.arch.riscv64;

import static dev.jkernel.arch.riscv64.SoftFloat.D;
import static dev.jkernel.arch.riscv64.SoftFloat.NV;
import static dev.jkernel.arch.riscv64.SoftFloat.NX;
import static dev.jkernel.arch.riscv64.SoftFloat.RNE;
import static dev.jkernel.arch.riscv64.SoftFloat.S;

/**
 * The F and D extensions' computational instructions (OP-FP and the four fused multiply-add opcodes), exact to the
 * RISC-V spec: all rounding modes, fflags, NaN-boxing, canonical NaNs. Loads and stores of FP registers are the
 * interpreter's (they are memory operations).
 *
 * <p>Round-to-nearest-even arithmetic on ordinary operands runs on the host's IEEE doubles, with the inexact flag
 * found by error-free transformations (TwoSum, the FMA-computed product error, division and square-root remainders,
 * ErrFma). Everything else (other rounding modes, NaNs, infinities, results near the subnormal or overflow range) goes
 * to the exact {@link SoftFloat}.
 */
public final class Rv64Fpu {
    private Rv64Fpu() {}

    private static final long BOX = 0xFFFFFFFF00000000L;
    private static final int CANON_S = 0x7fc00000;
    /** Bounds inside which the error-free transformations used by the fast path are exact. */
    private static final double TINY = 0x1p-900, HUGE = 0x1p900;

    /**
     * Executes one OP-FP (0x53), FMADD (0x43), FMSUB (0x47), FNMSUB (0x4b) or FNMADD (0x4f) instruction on ctx, and
     * returns true; returns false (changing nothing) if the instruction is illegal, including a reserved rounding mode.
     * Does not touch ctx.pc.
     */
    public static boolean execute(Rv64Context ctx, int insn) {
        int opcode = insn & 0x7f;
        int fmt = (insn >>> 25) & 3;
        if (fmt > 1) return false;
        boolean dbl = fmt == 1;
        int rd = (insn >>> 7) & 31, funct3 = (insn >>> 12) & 7, rs1 = (insn >>> 15) & 31, rs2 = (insn >>> 20) & 31;
        long[] f = ctx.f;
        if (opcode != 0x53) {
            if (opcode != 0x43 && opcode != 0x47 && opcode != 0x4b && opcode != 0x4f) return false;
            int rm = roundingMode(ctx, funct3);
            if (rm < 0) return false;
            boolean negProd = opcode >= 0x4b, negAdd = opcode == 0x47 || opcode == 0x4f;
            int rs3 = insn >>> 27;
            if (dbl) f[rd] = fmaD(ctx, f[rs1], f[rs2], f[rs3], negProd, negAdd, rm);
            else f[rd] = box(fmaS(ctx, unbox(f[rs1]), unbox(f[rs2]), unbox(f[rs3]), negProd, negAdd, rm));
            return true;
        }
        int funct5 = insn >>> 27;
        switch (funct5) {
            case 0x00, 0x01, 0x02, 0x03 -> { // FADD FSUB FMUL FDIV
                int rm = roundingMode(ctx, funct3);
                if (rm < 0) return false;
                if (dbl) f[rd] = arithD(ctx, funct5, f[rs1], f[rs2], rm);
                else f[rd] = box(arithS(ctx, funct5, unbox(f[rs1]), unbox(f[rs2]), rm));
                return true;
            }
            case 0x0b -> { // FSQRT
                if (rs2 != 0) return false;
                int rm = roundingMode(ctx, funct3);
                if (rm < 0) return false;
                if (dbl) f[rd] = sqrtD(ctx, f[rs1], rm);
                else f[rd] = box(sqrtS(ctx, unbox(f[rs1]), rm));
                return true;
            }
            case 0x04 -> { // FSGNJ FSGNJN FSGNJX
                if (funct3 > 2) return false;
                if (dbl) {
                    long a = f[rs1], b = f[rs2];
                    f[rd] = (a & Long.MAX_VALUE) | signInject(funct3, a, b, Long.MIN_VALUE);
                } else {
                    int a = unbox(f[rs1]), b = unbox(f[rs2]);
                    f[rd] = box((a & Integer.MAX_VALUE) | (int) signInject(funct3, a, b, Integer.MIN_VALUE));
                }
                return true;
            }
            case 0x05 -> { // FMIN FMAX
                if (funct3 > 1) return false;
                boolean max = funct3 == 1;
                if (dbl) f[rd] = minMaxD(ctx, f[rs1], f[rs2], max);
                else f[rd] = box(minMaxS(ctx, unbox(f[rs1]), unbox(f[rs2]), max));
                return true;
            }
            case 0x08 -> { // FCVT.S.D (fmt S, rs2 1) / FCVT.D.S (fmt D, rs2 0)
                if (rs2 != (dbl ? 0 : 1)) return false;
                int rm = roundingMode(ctx, funct3);
                if (rm < 0) return false;
                f[rd] = dbl ? cvtDS(ctx, unbox(f[rs1])) : box(cvtSD(ctx, f[rs1], rm));
                return true;
            }
            case 0x14 -> { // FLE FLT FEQ
                if (funct3 > 2) return false;
                long r = dbl ? compareD(ctx, funct3, f[rs1], f[rs2]) : compareS(ctx, funct3, unbox(f[rs1]), unbox(f[rs2]));
                if (rd != 0) ctx.x[rd] = r;
                return true;
            }
            case 0x18 -> { // FCVT.{W,WU,L,LU}.fmt
                if (rs2 > 3) return false;
                int rm = roundingMode(ctx, funct3);
                if (rm < 0) return false;
                SoftFloat sf = new SoftFloat(rm);
                long r = dbl ? sf.toInt(D, f[rs1], rs2) : sf.toInt(S, unbox(f[rs1]) & 0xFFFFFFFFL, rs2);
                ctx.fcsr |= sf.flags;
                if (rd != 0) ctx.x[rd] = r;
                return true;
            }
            case 0x1a -> { // FCVT.fmt.{W,WU,L,LU}
                if (rs2 > 3) return false;
                int rm = roundingMode(ctx, funct3);
                if (rm < 0) return false;
                SoftFloat sf = new SoftFloat(rm);
                long v = ctx.x[rs1];
                long r = dbl ? sf.fromInt(D, v, rs2) : box((int) sf.fromInt(S, v, rs2));
                ctx.fcsr |= sf.flags;
                f[rd] = r;
                return true;
            }
            case 0x1c -> { // FMV.X.W / FMV.X.D, FCLASS
                if (rs2 != 0 || funct3 > 1) return false;
                long r;
                if (funct3 == 0) r = dbl ? f[rs1] : (long) (int) f[rs1];
                else r = dbl ? classify(D, f[rs1]) : classify(S, unbox(f[rs1]) & 0xFFFFFFFFL);
                if (rd != 0) ctx.x[rd] = r;
                return true;
            }
            case 0x1e -> { // FMV.W.X / FMV.D.X
                if (rs2 != 0 || funct3 != 0) return false;
                long v = ctx.x[rs1];
                f[rd] = dbl ? v : box((int) v);
                return true;
            }
            default -> {
                return false;
            }
        }
    }

    /** The effective rounding mode for an rm field, or -1 if it is reserved (or dynamic with an invalid frm). */
    private static int roundingMode(Rv64Context ctx, int rm) {
        if (rm == 7) rm = (ctx.fcsr >>> 5) & 7;
        return rm > 4 ? -1 : rm;
    }

    private static long box(int bits) {
        return BOX | (bits & 0xFFFFFFFFL);
    }

    /** A single-precision operand: the low half if properly NaN-boxed, else the canonical NaN. */
    private static int unbox(long v) {
        return (v & BOX) == BOX ? (int) v : CANON_S;
    }

    private static long signInject(int funct3, long a, long b, long signBit) {
        return switch (funct3) {
            case 0 -> b & signBit;
            case 1 -> ~b & signBit;
            default -> (a ^ b) & signBit;
        };
    }

    // ---------------------------------------------------------------- double precision

    private static long arithD(Rv64Context ctx, int op, long x, long y, int rm) {
        if (rm == RNE) {
            double a = Double.longBitsToDouble(x), b = Double.longBitsToDouble(y);
            switch (op) {
                case 0, 1 -> {
                    if (op == 1) b = -b;
                    double r = a + b, ar = Math.abs(r);
                    if ((ar > Double.MIN_NORMAL && ar <= Double.MAX_VALUE) || r == 0) {
                        double bb = r - a;
                        if ((a - (r - bb)) + (b - bb) != 0) ctx.fcsr |= NX;
                        return Double.doubleToRawLongBits(r);
                    }
                }
                case 2 -> {
                    double r = a * b, ar = Math.abs(r);
                    if (ar >= TINY && ar <= Double.MAX_VALUE) {
                        if (Math.fma(a, b, -r) != 0) ctx.fcsr |= NX;
                        return Double.doubleToRawLongBits(r);
                    }
                    if (r == 0 && (a == 0 || b == 0)) return Double.doubleToRawLongBits(r);
                }
                default -> {
                    double r = a / b, ar = Math.abs(r);
                    if (ar >= TINY && ar <= HUGE && Math.abs(a) >= TINY) {
                        if (Math.fma(-r, b, a) != 0) ctx.fcsr |= NX;
                        return Double.doubleToRawLongBits(r);
                    }
                    if (r == 0 && a == 0) return Double.doubleToRawLongBits(r);
                }
            }
        }
        SoftFloat sf = new SoftFloat(rm);
        long r = switch (op) {
            case 0 -> sf.add(D, x, y);
            case 1 -> sf.sub(D, x, y);
            case 2 -> sf.mul(D, x, y);
            default -> sf.div(D, x, y);
        };
        ctx.fcsr |= sf.flags;
        return r;
    }

    private static long sqrtD(Rv64Context ctx, long x, int rm) {
        if (rm == RNE) {
            double a = Double.longBitsToDouble(x);
            if (a >= TINY && a <= Double.MAX_VALUE) {
                double r = Math.sqrt(a);
                if (Math.fma(r, r, -a) != 0) ctx.fcsr |= NX;
                return Double.doubleToRawLongBits(r);
            }
            if (a == 0) return x;
        }
        SoftFloat sf = new SoftFloat(rm);
        long r = sf.sqrt(D, x);
        ctx.fcsr |= sf.flags;
        return r;
    }

    private static long fmaD(Rv64Context ctx, long x, long y, long z, boolean negProd, boolean negAdd, int rm) {
        if (rm == RNE) {
            double a = Double.longBitsToDouble(x), b = Double.longBitsToDouble(y), c = Double.longBitsToDouble(z);
            if (negProd) a = -a;
            if (negAdd) c = -c;
            double u1 = a * b, au1 = Math.abs(u1);
            if (au1 >= TINY && au1 <= HUGE && Math.abs(c) <= HUGE) {
                double r1 = Math.fma(a, b, c);
                if (Math.abs(r1) >= TINY) {
                    // ErrFma (Boldo and Muller): a*b + c - r1 == gamma + alpha2 exactly.
                    double u2 = Math.fma(a, b, -u1);
                    double al1 = c + u2, t = al1 - c, al2 = (c - (al1 - t)) + (u2 - t);
                    double be1 = u1 + al1;
                    t = be1 - u1;
                    double be2 = (u1 - (be1 - t)) + (al1 - t);
                    double gamma = (be1 - r1) + be2;
                    if (gamma != -al2) ctx.fcsr |= NX;
                    return Double.doubleToRawLongBits(r1);
                }
            } else if ((a == 0 || b == 0) && Math.abs(a) <= Double.MAX_VALUE && Math.abs(b) <= Double.MAX_VALUE
                    && Math.abs(c) <= Double.MAX_VALUE) {
                return Double.doubleToRawLongBits(Math.fma(a, b, c)); // exactly c, or a signed zero
            }
        }
        SoftFloat sf = new SoftFloat(rm);
        long r = sf.fma(D, x, y, z, negProd, negAdd);
        ctx.fcsr |= sf.flags;
        return r;
    }

    private static long minMaxD(Rv64Context ctx, long x, long y, boolean max) {
        double a = Double.longBitsToDouble(x), b = Double.longBitsToDouble(y);
        if (a != a || b != b) {
            if (D.isSNaN(x) || D.isSNaN(y)) ctx.fcsr |= NV;
            if (a != a && b != b) return D.canonNaN;
            return a != a ? y : x;
        }
        if (a == b) return max ? x & y : x | y; // equal values; for +-0 the sign decides
        return (a < b) != max ? x : y;
    }

    private static long compareD(Rv64Context ctx, int funct3, long x, long y) {
        double a = Double.longBitsToDouble(x), b = Double.longBitsToDouble(y);
        if (a != a || b != b) {
            if (funct3 != 2 || D.isSNaN(x) || D.isSNaN(y)) ctx.fcsr |= NV;
            return 0;
        }
        boolean r = switch (funct3) {
            case 0 -> a <= b;
            case 1 -> a < b;
            default -> a == b;
        };
        return r ? 1 : 0;
    }

    private static long cvtDS(Rv64Context ctx, int x) {
        float a = Float.intBitsToFloat(x);
        if (a == a) return Double.doubleToRawLongBits(a);
        if (S.isSNaN(x & 0xFFFFFFFFL)) ctx.fcsr |= NV;
        return D.canonNaN;
    }

    private static int cvtSD(Rv64Context ctx, long x, int rm) {
        if (rm == RNE) {
            double a = Double.longBitsToDouble(x);
            float r = (float) a;
            float ar = Math.abs(r);
            if ((ar > Float.MIN_NORMAL && ar <= Float.MAX_VALUE) || a == 0) {
                if (r != a) ctx.fcsr |= NX;
                return Float.floatToRawIntBits(r);
            }
        }
        SoftFloat sf = new SoftFloat(rm);
        int r = (int) sf.convert(D, S, x);
        ctx.fcsr |= sf.flags;
        return r;
    }

    // ---------------------------------------------------------------- single precision

    /** Rounds an exact-or-correctly-prepared double to float when the result is an ordinary normal number. */
    private static boolean normalS(float r) {
        float ar = Math.abs(r);
        return ar > Float.MIN_NORMAL && ar <= Float.MAX_VALUE;
    }

    private static int arithS(Rv64Context ctx, int op, int x, int y, int rm) {
        if (rm == RNE) {
            double a = Float.intBitsToFloat(x), b = Float.intBitsToFloat(y);
            switch (op) {
                case 0, 1 -> {
                    if (op == 1) b = -b;
                    // Double rounding through binary64 is innocuous for a single addition (53 >= 2*24+2).
                    double s = a + b;
                    float r = (float) s;
                    if (normalS(r) || s == 0) {
                        double bb = s - a;
                        if (r != s || (a - (s - bb)) + (b - bb) != 0) ctx.fcsr |= NX;
                        return Float.floatToRawIntBits(r);
                    }
                }
                case 2 -> {
                    double s = a * b; // exact
                    float r = (float) s;
                    if (normalS(r) || s == 0) {
                        if (r != s) ctx.fcsr |= NX;
                        return Float.floatToRawIntBits(r);
                    }
                }
                default -> {
                    double s = a / b;
                    float r = (float) s;
                    if (normalS(r)) {
                        if (r != s || Math.fma(-s, b, a) != 0) ctx.fcsr |= NX;
                        return Float.floatToRawIntBits(r);
                    }
                    if (s == 0 && a == 0) return Float.floatToRawIntBits(r);
                }
            }
        }
        SoftFloat sf = new SoftFloat(rm);
        long ux = x & 0xFFFFFFFFL, uy = y & 0xFFFFFFFFL;
        long r = switch (op) {
            case 0 -> sf.add(S, ux, uy);
            case 1 -> sf.sub(S, ux, uy);
            case 2 -> sf.mul(S, ux, uy);
            default -> sf.div(S, ux, uy);
        };
        ctx.fcsr |= sf.flags;
        return (int) r;
    }

    private static int sqrtS(Rv64Context ctx, int x, int rm) {
        if (rm == RNE) {
            double a = Float.intBitsToFloat(x);
            if (a > 0 && a <= Float.MAX_VALUE) {
                double s = Math.sqrt(a);
                float r = (float) s;
                if (r != s || Math.fma(s, s, -a) != 0) ctx.fcsr |= NX;
                return Float.floatToRawIntBits(r);
            }
            if (a == 0) return x;
        }
        SoftFloat sf = new SoftFloat(rm);
        int r = (int) sf.sqrt(S, x & 0xFFFFFFFFL);
        ctx.fcsr |= sf.flags;
        return r;
    }

    private static int fmaS(Rv64Context ctx, int x, int y, int z, boolean negProd, boolean negAdd, int rm) {
        if (rm == RNE) {
            double a = Float.intBitsToFloat(x), b = Float.intBitsToFloat(y), c = Float.intBitsToFloat(z);
            if (negProd) a = -a;
            if (negAdd) c = -c;
            double p = a * b; // exact
            double s = p + c, t = s - p, err = (p - (s - t)) + (c - t);
            // Round to odd in binary64, then to nearest in binary32: a correct single rounding (53 >= 24+2).
            double so = s;
            if (err != 0 && (Double.doubleToRawLongBits(s) & 1) == 0) so = err > 0 ? Math.nextUp(s) : Math.nextDown(s);
            float r = (float) so;
            if (normalS(r) || (s == 0 && err == 0)) {
                if (err != 0 || r != s) ctx.fcsr |= NX;
                return Float.floatToRawIntBits(r);
            }
        }
        SoftFloat sf = new SoftFloat(rm);
        int r = (int) sf.fma(S, x & 0xFFFFFFFFL, y & 0xFFFFFFFFL, z & 0xFFFFFFFFL, negProd, negAdd);
        ctx.fcsr |= sf.flags;
        return r;
    }

    private static int minMaxS(Rv64Context ctx, int x, int y, boolean max) {
        float a = Float.intBitsToFloat(x), b = Float.intBitsToFloat(y);
        if (a != a || b != b) {
            if (S.isSNaN(x & 0xFFFFFFFFL) || S.isSNaN(y & 0xFFFFFFFFL)) ctx.fcsr |= NV;
            if (a != a && b != b) return CANON_S;
            return a != a ? y : x;
        }
        if (a == b) return max ? x & y : x | y;
        return (a < b) != max ? x : y;
    }

    private static long compareS(Rv64Context ctx, int funct3, int x, int y) {
        float a = Float.intBitsToFloat(x), b = Float.intBitsToFloat(y);
        if (a != a || b != b) {
            if (funct3 != 2 || S.isSNaN(x & 0xFFFFFFFFL) || S.isSNaN(y & 0xFFFFFFFFL)) ctx.fcsr |= NV;
            return 0;
        }
        boolean r = switch (funct3) {
            case 0 -> a <= b;
            case 1 -> a < b;
            default -> a == b;
        };
        return r ? 1 : 0;
    }

    // ---------------------------------------------------------------- both

    /** FCLASS: the 10-bit class mask. */
    private static long classify(SoftFloat.Fmt fm, long x) {
        boolean neg = fm.neg(x);
        long abs = x & fm.absMask;
        int bit;
        if (fm.isNaN(x)) bit = fm.isSNaN(x) ? 8 : 9;
        else if (abs == fm.infBits) bit = neg ? 0 : 7;
        else if (abs == 0) bit = neg ? 3 : 4;
        else if (abs < (1L << fm.fracBits)) bit = neg ? 2 : 5;
        else bit = neg ? 1 : 6;
        return 1L << bit;
    }
}
