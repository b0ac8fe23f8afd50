package dev.jkernel.arch.riscv64;

import java.math.BigInteger;

/**
 * Exact IEEE 754 binary32/binary64 arithmetic with RISC-V semantics: five rounding modes, accrued exception flags,
 * tininess detected after rounding, canonical NaNs. This is the slow path of {@link Rv64Fpu}: every operation first
 * computes the exact result (as an integer significand times a power of two, with a sticky bit where the exact result
 * is not finite in binary) and then rounds it once in {@link #roundPack}.
 *
 * <p>Values are passed as raw bit patterns in a long; a single-precision value occupies the low 32 bits (upper bits
 * zero). One instance accumulates the flags of one instruction.
 */
final class SoftFloat {
    static final int RNE = 0, RTZ = 1, RDN = 2, RUP = 3, RMM = 4;
    static final int NV = 16, DZ = 8, OF = 4, UF = 2, NX = 1;

    /** A binary interchange format's parameters. */
    static final class Fmt {
        final int fracBits, bias, p;
        final long fracMask, signBit, infBits, maxBits, canonNaN, quietBit, absMask;

        Fmt(int expBits, int fracBits) {
            this.fracBits = fracBits;
            this.p = fracBits + 1;
            this.bias = (1 << (expBits - 1)) - 1;
            this.fracMask = (1L << fracBits) - 1;
            this.signBit = 1L << (expBits + fracBits);
            this.absMask = signBit - 1;
            this.infBits = ((1L << expBits) - 1) << fracBits;
            this.maxBits = infBits - 1;
            this.quietBit = 1L << (fracBits - 1);
            this.canonNaN = infBits | quietBit;
        }

        boolean isNaN(long x) { return (x & absMask) > infBits; }
        boolean isSNaN(long x) { return isNaN(x) && (x & quietBit) == 0; }
        boolean isInf(long x) { return (x & absMask) == infBits; }
        boolean isZero(long x) { return (x & absMask) == 0; }
        boolean neg(long x) { return (x & signBit) != 0; }

        /** Significand (with the implicit bit) of a finite value: value = sig * 2^exp. */
        long sig(long x) {
            long e = (x & absMask) >>> fracBits;
            return e == 0 ? x & fracMask : (x & fracMask) | (1L << fracBits);
        }

        int exp(long x) {
            int e = (int) ((x & absMask) >>> fracBits);
            return (e == 0 ? 1 : e) - bias - fracBits;
        }

        long zero(boolean neg) { return neg ? signBit : 0; }
        long inf(boolean neg) { return neg ? signBit | infBits : infBits; }
    }

    static final Fmt S = new Fmt(8, 23);
    static final Fmt D = new Fmt(11, 52);

    final int rm;
    int flags;

    SoftFloat(int rm) {
        this.rm = rm;
    }

    // ---------------------------------------------------------------- rounding

    /**
     * Rounds (-1)^neg * mag * 2^e (mag > 0, mag < 2^62) to format f. If mag was shortened its lowest bit must be a
     * sticky bit, and it must have kept at least p+2 significant bits.
     */
    long roundPack(Fmt f, boolean neg, long mag, int e) {
        int p = f.p;
        int n = 64 - Long.numberOfLeadingZeros(mag);
        int bigE = e + n - 1; // exponent of the leading bit
        int emin = 1 - f.bias;
        boolean normal = bigE >= emin;
        int lsbExp = (normal ? bigE : emin) - (p - 1);
        int drop = lsbExp - e;
        long q;
        boolean rbit, sticky;
        if (drop <= 0) {
            q = mag << -drop;
            rbit = false;
            sticky = false;
        } else if (drop >= 63) {
            q = 0;
            rbit = false;
            sticky = true;
        } else {
            q = mag >>> drop;
            rbit = ((mag >>> (drop - 1)) & 1) != 0;
            sticky = (mag & ((1L << (drop - 1)) - 1)) != 0;
        }
        boolean inexact = rbit || sticky;
        if (increment(neg, q, rbit, sticky)) q++;
        long sign = f.zero(neg);
        if (normal) {
            if (q == 1L << p) {
                q >>>= 1;
                lsbExp++;
            }
            int er = lsbExp + p - 1;
            if (er > f.bias) {
                flags |= OF | NX;
                boolean toInf = switch (rm) {
                    case RTZ -> false;
                    case RDN -> neg;
                    case RUP -> !neg;
                    default -> true;
                };
                return sign | (toInf ? f.infBits : f.maxBits);
            }
            if (inexact) flags |= NX;
            return sign | ((long) (er + f.bias) << f.fracBits) | (q & f.fracMask);
        }
        // Subnormal range (q == 2^(p-1) encodes the minimum normal number naturally).
        if (inexact) {
            boolean tiny = true;
            if (bigE == emin - 1) {
                // Would rounding to p bits with an unbounded exponent reach 2^emin?
                int drop2 = drop - 1;
                if (drop2 > 0) {
                    long q2 = drop2 >= 63 ? 0 : mag >>> drop2;
                    boolean r2 = drop2 <= 63 && ((mag >>> (drop2 - 1)) & 1) != 0;
                    boolean s2 = drop2 >= 2 && (mag & ((1L << (drop2 - 1)) - 1)) != 0;
                    if (q2 == (1L << p) - 1 && increment(neg, q2, r2, s2)) tiny = false;
                }
            }
            flags |= tiny ? UF | NX : NX;
        }
        return sign | q;
    }

    private boolean increment(boolean neg, long q, boolean rbit, boolean sticky) {
        return switch (rm) {
            case RNE -> rbit && (sticky || (q & 1) != 0);
            case RTZ -> false;
            case RDN -> neg && (rbit || sticky);
            case RUP -> !neg && (rbit || sticky);
            default -> rbit; // RMM
        };
    }

    /** roundPack for an arbitrarily long exact significand (shortened to 62 bits with a sticky bit). */
    long roundPackBig(Fmt f, boolean neg, BigInteger mag, int e) {
        int n = mag.bitLength();
        if (n <= 62) return roundPack(f, neg, mag.longValue(), e);
        int sh = n - 62;
        long m = mag.shiftRight(sh).longValue();
        if (mag.getLowestSetBit() < sh) m |= 1;
        return roundPack(f, neg, m, e + sh);
    }

    /** roundPack for an unsigned 64-bit significand. */
    long roundPackU(Fmt f, boolean neg, long mag, int e) {
        while ((mag >>> 62) != 0) {
            mag = (mag >>> 1) | (mag & 1);
            e++;
        }
        return roundPack(f, neg, mag, e);
    }

    private long nan(Fmt f, long a, long b) {
        if (f.isSNaN(a) || f.isSNaN(b)) flags |= NV;
        return f.canonNaN;
    }

    private long invalid(Fmt f) {
        flags |= NV;
        return f.canonNaN;
    }

    private long exactZero(Fmt f) {
        return f.zero(rm == RDN);
    }

    // ---------------------------------------------------------------- arithmetic

    long add(Fmt f, long a, long b) {
        if (f.isNaN(a) || f.isNaN(b)) return nan(f, a, b);
        boolean na = f.neg(a), nb = f.neg(b);
        if (f.isInf(a)) return f.isInf(b) && na != nb ? invalid(f) : a;
        if (f.isInf(b)) return b;
        if (f.isZero(a)) return f.isZero(b) ? (na == nb ? a : exactZero(f)) : b;
        if (f.isZero(b)) return a;
        return sum(f, na, BigInteger.valueOf(f.sig(a)), f.exp(a), nb, BigInteger.valueOf(f.sig(b)), f.exp(b));
    }

    long sub(Fmt f, long a, long b) {
        return add(f, a, f.isNaN(b) ? b : b ^ f.signBit);
    }

    /** Rounds (-1)^na*ma*2^ea + (-1)^nb*mb*2^eb (both non-zero). */
    private long sum(Fmt f, boolean na, BigInteger ma, int ea, boolean nb, BigInteger mb, int eb) {
        int e = Math.min(ea, eb);
        BigInteger x = ma.shiftLeft(ea - e), y = mb.shiftLeft(eb - e);
        if (na) x = x.negate();
        if (nb) y = y.negate();
        BigInteger s = x.add(y);
        if (s.signum() == 0) return exactZero(f);
        return roundPackBig(f, s.signum() < 0, s.abs(), e);
    }

    long mul(Fmt f, long a, long b) {
        if (f.isNaN(a) || f.isNaN(b)) return nan(f, a, b);
        boolean neg = f.neg(a) != f.neg(b);
        if (f.isInf(a) || f.isInf(b)) return f.isZero(a) || f.isZero(b) ? invalid(f) : f.inf(neg);
        if (f.isZero(a) || f.isZero(b)) return f.zero(neg);
        BigInteger m = BigInteger.valueOf(f.sig(a)).multiply(BigInteger.valueOf(f.sig(b)));
        return roundPackBig(f, neg, m, f.exp(a) + f.exp(b));
    }

    long div(Fmt f, long a, long b) {
        if (f.isNaN(a) || f.isNaN(b)) return nan(f, a, b);
        boolean neg = f.neg(a) != f.neg(b);
        if (f.isInf(a)) return f.isInf(b) ? invalid(f) : f.inf(neg);
        if (f.isInf(b)) return f.zero(neg);
        if (f.isZero(b)) {
            if (f.isZero(a)) return invalid(f);
            flags |= DZ;
            return f.inf(neg);
        }
        if (f.isZero(a)) return f.zero(neg);
        long sa = f.sig(a), sb = f.sig(b);
        int la = 64 - Long.numberOfLeadingZeros(sa), lb = 64 - Long.numberOfLeadingZeros(sb);
        int k = Math.max(0, f.p + 3 + lb - la);
        BigInteger[] qr = BigInteger.valueOf(sa).shiftLeft(k).divideAndRemainder(BigInteger.valueOf(sb));
        BigInteger q = qr[0].shiftLeft(1);
        if (qr[1].signum() != 0) q = q.setBit(0);
        return roundPackBig(f, neg, q, f.exp(a) - f.exp(b) - k - 1);
    }

    long sqrt(Fmt f, long a) {
        if (f.isNaN(a)) return nan(f, a, a);
        if (f.isZero(a)) return a;
        if (f.neg(a)) return invalid(f);
        if (f.isInf(a)) return a;
        long s = f.sig(a);
        int e = f.exp(a);
        if ((e & 1) != 0) {
            s <<= 1;
            e--;
        }
        // Scale so that the root has at least p+3 bits.
        int ls = 64 - Long.numberOfLeadingZeros(s);
        int k = Math.max(0, (2 * (f.p + 3) - ls + 1) / 2);
        BigInteger m = BigInteger.valueOf(s).shiftLeft(2 * k);
        BigInteger r = m.sqrt();
        BigInteger q = r.shiftLeft(1);
        if (!r.multiply(r).equals(m)) q = q.setBit(0);
        return roundPackBig(f, false, q, (e - 2 * k) / 2 - 1);
    }

    /**
     * Fused (-1)^negProd * a * b + (-1)^negAdd * c with one rounding (FMADD: false,false; FMSUB: false,true; FNMSUB:
     * true,false; FNMADD: true,true).
     */
    long fma(Fmt f, long a, long b, long c, boolean negProd, boolean negAdd) {
        boolean infZero = (f.isInf(a) && f.isZero(b)) || (f.isZero(a) && f.isInf(b));
        if (f.isNaN(a) || f.isNaN(b) || f.isNaN(c)) {
            if (f.isSNaN(a) || f.isSNaN(b) || f.isSNaN(c) || infZero) flags |= NV;
            return f.canonNaN;
        }
        if (infZero) return invalid(f);
        boolean np = (f.neg(a) != f.neg(b)) != negProd;
        boolean nc = f.neg(c) != negAdd;
        long cc = c ^ (negAdd ? f.signBit : 0);
        if (f.isInf(a) || f.isInf(b)) {
            if (f.isInf(c) && np != nc) return invalid(f);
            return f.inf(np);
        }
        if (f.isInf(c)) return cc;
        boolean prodZero = f.isZero(a) || f.isZero(b);
        if (prodZero) {
            if (f.isZero(c)) return np == nc ? f.zero(np) : exactZero(f);
            return cc;
        }
        BigInteger m = BigInteger.valueOf(f.sig(a)).multiply(BigInteger.valueOf(f.sig(b)));
        int ep = f.exp(a) + f.exp(b);
        if (f.isZero(c)) return roundPackBig(f, np, m, ep);
        return sum(f, np, m, ep, nc, BigInteger.valueOf(f.sig(c)), f.exp(c));
    }

    // ---------------------------------------------------------------- conversions

    /** Converts between formats (from -> to). */
    long convert(Fmt from, Fmt to, long a) {
        if (from.isNaN(a)) {
            if (from.isSNaN(a)) flags |= NV;
            return to.canonNaN;
        }
        boolean neg = from.neg(a);
        if (from.isInf(a)) return to.inf(neg);
        if (from.isZero(a)) return to.zero(neg);
        return roundPack(to, neg, from.sig(a), from.exp(a));
    }

    static final int W = 0, WU = 1, L = 2, LU = 3;

    /** FCVT.{W,WU,L,LU}.fmt: the x-register result (32-bit results sign-extended). */
    long toInt(Fmt f, long a, int kind) {
        boolean neg = f.neg(a);
        if (f.isNaN(a) || f.isInf(a)) {
            flags |= NV;
            return (f.isNaN(a) || !neg) ? intMax(kind) : intMin(kind);
        }
        if (f.isZero(a)) return 0;
        long sig = f.sig(a);
        int exp = f.exp(a);
        long q;
        boolean inexact = false, overflow = false;
        if (exp >= 0) {
            int len = 64 - Long.numberOfLeadingZeros(sig);
            if (len + exp > 64) {
                overflow = true;
                q = 0;
            } else {
                q = sig << exp;
            }
        } else {
            int drop = -exp;
            boolean rbit, sticky;
            if (drop >= 63) {
                q = 0;
                rbit = false;
                sticky = true;
            } else {
                q = sig >>> drop;
                rbit = ((sig >>> (drop - 1)) & 1) != 0;
                sticky = (sig & ((1L << (drop - 1)) - 1)) != 0;
            }
            inexact = rbit || sticky;
            if (increment(neg, q, rbit, sticky)) q++;
        }
        long result;
        switch (kind) {
            case W, L -> {
                long limit = kind == W ? (neg ? 1L << 31 : (1L << 31) - 1) : (neg ? Long.MIN_VALUE : Long.MAX_VALUE);
                if (overflow || Long.compareUnsigned(q, limit) > 0) {
                    flags |= NV;
                    return neg ? intMin(kind) : intMax(kind);
                }
                result = neg ? -q : q;
            }
            default -> {
                if (neg) {
                    if (q != 0 || overflow) {
                        flags |= NV;
                        return 0;
                    }
                    result = 0;
                } else {
                    if (overflow || (kind == WU && Long.compareUnsigned(q, 0xffffffffL) > 0)) {
                        flags |= NV;
                        return intMax(kind);
                    }
                    result = kind == WU ? (long) (int) q : q;
                }
            }
        }
        if (inexact) flags |= NX;
        return result;
    }

    private static long intMax(int kind) {
        return switch (kind) {
            case W -> Integer.MAX_VALUE;
            case L -> Long.MAX_VALUE;
            default -> -1L; // WU (0xffffffff sign-extended) and LU
        };
    }

    private static long intMin(int kind) {
        return switch (kind) {
            case W -> Integer.MIN_VALUE;
            case L -> Long.MIN_VALUE;
            default -> 0;
        };
    }

    /** FCVT.fmt.{W,WU,L,LU} from the x-register value v. */
    long fromInt(Fmt f, long v, int kind) {
        switch (kind) {
            case W -> v = (int) v;
            case WU -> v &= 0xffffffffL;
            default -> { }
        }
        boolean neg = (kind == W || kind == L) && v < 0;
        long mag = neg ? -v : v;
        if (mag == 0) return 0;
        return roundPackU(f, neg, mag, 0);
    }
}
