/*
 * fpu_vectors: runs every RISC-V F/D computational instruction over a built-in list of operand bit patterns and
 * every rounding mode, printing one line per case:
 *
 *   op rm a [b [c]] -> result flags
 *
 * (all numbers hex; FP operands are the raw 64-bit register contents, so single-precision operands that are not
 * properly NaN-boxed can be tested; integer operands are the 64-bit x register contents). The rounding mode is set
 * with fsrm and the instruction uses the dynamic rounding mode. Deterministic, reads nothing, exits 0.
 */
#include <stdint.h>
#include <stdio.h>

typedef uint64_t u64;

/* ---- instruction runners: each returns the result register and stores fflags ---- */

static unsigned g_flags;

#define FF2(fn, mn)                                                                                              \
    static u64 fn(u64 a, u64 b, u64 c) {                                                                         \
        u64 r, fl;                                                                                               \
        (void)c;                                                                                                 \
        __asm__ volatile("fmv.d.x ft0,%2\n\tfmv.d.x ft1,%3\n\tfsflags zero\n\t" mn " ft2,ft0,ft1\n\t"            \
                         "frflags %1\n\tfmv.x.d %0,ft2"                                                          \
                         : "=r"(r), "=r"(fl) : "r"(a), "r"(b) : "ft0", "ft1", "ft2");                            \
        g_flags = (unsigned)fl;                                                                                  \
        return r;                                                                                                \
    }
#define XF2(fn, mn)                                                                                              \
    static u64 fn(u64 a, u64 b, u64 c) {                                                                         \
        u64 r, fl;                                                                                               \
        (void)c;                                                                                                 \
        __asm__ volatile("fmv.d.x ft0,%2\n\tfmv.d.x ft1,%3\n\tfsflags zero\n\t" mn " %0,ft0,ft1\n\t"             \
                         "frflags %1"                                                                            \
                         : "=&r"(r), "=r"(fl) : "r"(a), "r"(b) : "ft0", "ft1");                                  \
        g_flags = (unsigned)fl;                                                                                  \
        return r;                                                                                                \
    }
#define FF3(fn, mn)                                                                                              \
    static u64 fn(u64 a, u64 b, u64 c) {                                                                         \
        u64 r, fl;                                                                                               \
        __asm__ volatile("fmv.d.x ft0,%2\n\tfmv.d.x ft1,%3\n\tfmv.d.x ft3,%4\n\tfsflags zero\n\t" mn              \
                         " ft2,ft0,ft1,ft3\n\tfrflags %1\n\tfmv.x.d %0,ft2"                                      \
                         : "=r"(r), "=r"(fl) : "r"(a), "r"(b), "r"(c) : "ft0", "ft1", "ft2", "ft3");             \
        g_flags = (unsigned)fl;                                                                                  \
        return r;                                                                                                \
    }
#define FF1(fn, mn)                                                                                              \
    static u64 fn(u64 a, u64 b, u64 c) {                                                                         \
        u64 r, fl;                                                                                               \
        (void)b;                                                                                                 \
        (void)c;                                                                                                 \
        __asm__ volatile("fmv.d.x ft0,%2\n\tfsflags zero\n\t" mn " ft2,ft0\n\tfrflags %1\n\tfmv.x.d %0,ft2"       \
                         : "=r"(r), "=r"(fl) : "r"(a) : "ft0", "ft2");                                           \
        g_flags = (unsigned)fl;                                                                                  \
        return r;                                                                                                \
    }
#define XF1(fn, mn)                                                                                              \
    static u64 fn(u64 a, u64 b, u64 c) {                                                                         \
        u64 r, fl;                                                                                               \
        (void)b;                                                                                                 \
        (void)c;                                                                                                 \
        __asm__ volatile("fmv.d.x ft0,%2\n\tfsflags zero\n\t" mn " %0,ft0\n\tfrflags %1"                         \
                         : "=&r"(r), "=r"(fl) : "r"(a) : "ft0");                                                 \
        g_flags = (unsigned)fl;                                                                                  \
        return r;                                                                                                \
    }
#define FX1(fn, mn)                                                                                              \
    static u64 fn(u64 a, u64 b, u64 c) {                                                                         \
        u64 r, fl;                                                                                               \
        (void)b;                                                                                                 \
        (void)c;                                                                                                 \
        __asm__ volatile("fsflags zero\n\t" mn " ft2,%2\n\tfrflags %1\n\tfmv.x.d %0,ft2"                         \
                         : "=r"(r), "=r"(fl) : "r"(a) : "ft2");                                                  \
        g_flags = (unsigned)fl;                                                                                  \
        return r;                                                                                                \
    }

#define BOTH(M, op) M(op##_s, #op ".s") M(op##_d, #op ".d")
BOTH(FF2, fadd) BOTH(FF2, fsub) BOTH(FF2, fmul) BOTH(FF2, fdiv)
BOTH(FF2, fmin) BOTH(FF2, fmax) BOTH(FF2, fsgnj) BOTH(FF2, fsgnjn) BOTH(FF2, fsgnjx)
BOTH(XF2, feq) BOTH(XF2, flt) BOTH(XF2, fle)
BOTH(FF3, fmadd) BOTH(FF3, fmsub) BOTH(FF3, fnmsub) BOTH(FF3, fnmadd)
BOTH(FF1, fsqrt) BOTH(XF1, fclass)
FF1(fcvt_s_d, "fcvt.s.d") FF1(fcvt_d_s, "fcvt.d.s")
XF1(fcvt_w_s, "fcvt.w.s") XF1(fcvt_wu_s, "fcvt.wu.s") XF1(fcvt_l_s, "fcvt.l.s") XF1(fcvt_lu_s, "fcvt.lu.s")
XF1(fcvt_w_d, "fcvt.w.d") XF1(fcvt_wu_d, "fcvt.wu.d") XF1(fcvt_l_d, "fcvt.l.d") XF1(fcvt_lu_d, "fcvt.lu.d")
FX1(fcvt_s_w, "fcvt.s.w") FX1(fcvt_s_wu, "fcvt.s.wu") FX1(fcvt_s_l, "fcvt.s.l") FX1(fcvt_s_lu, "fcvt.s.lu")
FX1(fcvt_d_w, "fcvt.d.w") FX1(fcvt_d_wu, "fcvt.d.wu") FX1(fcvt_d_l, "fcvt.d.l") FX1(fcvt_d_lu, "fcvt.d.lu")
XF1(fmv_x_w, "fmv.x.w") XF1(fmv_x_d, "fmv.x.d") FX1(fmv_w_x, "fmv.w.x") FX1(fmv_d_x, "fmv.d.x")

typedef u64 (*runner)(u64, u64, u64);

static int g_rm;

/* Output without printf (cheap under an instruction-set interpreter): lines go to a buffer flushed by fwrite. */
static char obuf[1 << 16];
static size_t olen;

static void flush_out(void) {
    fwrite(obuf, 1, olen, stdout);
    olen = 0;
}
static void put_str(const char *s) {
    while (*s) obuf[olen++] = *s++;
}
static void put_hex(u64 v) {
    char tmp[16];
    int n = 0;
    do {
        tmp[n++] = "0123456789abcdef"[v & 15];
        v >>= 4;
    } while (v);
    while (n) obuf[olen++] = tmp[--n];
}

static void emit(const char *name, int nops, runner fn, u64 a, u64 b, u64 c) {
    __asm__ volatile("fsrm %0" : : "r"((u64)g_rm));
    u64 r = fn(a, b, c);
    if (olen > sizeof(obuf) - 256) flush_out();
    put_str(name);
    obuf[olen++] = ' ';
    obuf[olen++] = (char)('0' + g_rm);
    obuf[olen++] = ' ';
    put_hex(a);
    if (nops > 1) {
        obuf[olen++] = ' ';
        put_hex(b);
    }
    if (nops > 2) {
        obuf[olen++] = ' ';
        put_hex(c);
    }
    put_str(" -> ");
    put_hex(r);
    obuf[olen++] = ' ';
    put_hex(g_flags);
    obuf[olen++] = '\n';
}

/* ---- operand lists ---- */

#define B(x) (0xffffffff00000000ull | (u64)(x)) /* NaN-boxed single */

static const u64 SVALS[] = {
    B(0x00000000), B(0x80000000), B(0x00000001), B(0x80000001), B(0x007fffff), B(0x807fffff), B(0x00800000),
    B(0x80800000), B(0x3f800000), B(0xbf800000), B(0x3fc00000), B(0xbfc00000), B(0x7f7fffff), B(0xff7fffff),
    B(0x7f800000), B(0xff800000), B(0x7fc00000), B(0x7f800001), B(0xffc00123), B(0x3f800001), B(0x40400000),
    B(0x3dcccccd), B(0x3f7fffff), B(0x7f000000), B(0x00000003), B(0x00c00000), B(0x3f000000), B(0xc0200000),
    B(0x4f000000), B(0xcf000000), B(0x5f000000), B(0xdf000000), B(0x4f800000), B(0x5f800000), B(0x4effffff),
    B(0x0d800000), B(0x33800000), B(0x4b800001),
    0x000000003f800000ull, /* 1.0 not NaN-boxed */
    0xfffffffe40000000ull, /* 2.0 improperly boxed */
};
static const u64 DVALS[] = {
    0x0000000000000000ull, 0x8000000000000000ull, 0x0000000000000001ull, 0x8000000000000001ull,
    0x000fffffffffffffull, 0x800fffffffffffffull, 0x0010000000000000ull, 0x8010000000000000ull,
    0x3ff0000000000000ull, 0xbff0000000000000ull, 0x3ff8000000000000ull, 0xbff8000000000000ull,
    0x7fefffffffffffffull, 0xffefffffffffffffull, 0x7ff0000000000000ull, 0xfff0000000000000ull,
    0x7ff8000000000000ull, 0x7ff0000000000001ull, 0xfff8000000000123ull, 0x3ff0000000000001ull,
    0x4008000000000000ull, 0x3fb999999999999aull, 0x3fefffffffffffffull, 0x7fe0000000000000ull,
    0x0000000000000003ull, 0x0018000000000000ull, 0x3fe0000000000000ull, 0xc004000000000000ull,
    0x41e0000000000000ull, 0xc1e0000000000000ull, 0x43e0000000000000ull, 0xc3e0000000000000ull,
    0x41f0000000000000ull, 0x43f0000000000000ull, 0x41dfffffffc00000ull, 0xc1e0000000100000ull,
    0x41efffffffe00000ull, 0x1ff0000000000000ull, 0x3ca0000000000000ull, 0x4340000000000001ull,
    0x36a0000000000000ull, 0x47e0000000000001ull, 0x7ff4000000000000ull,
};
/* Extra operands for the one-operand instructions (conversion boundaries and rounding to integers). */
static const u64 SCVT[] = {B(0xbf000000), B(0xbe99999a), B(0x3f333333), B(0x3fc00001), B(0x4f7fffff),
                           B(0x5effffff), B(0x5f7fffff), B(0xdeffffff), B(0xcf000001), B(0x4e800000),
                           B(0x40100000), B(0x40500000), B(0x00400000), B(0x1f800000), B(0x5f000000)};
static const u64 DCVT[] = {0xbfe0000000000000ull, 0xbfd3333333333333ull, 0x3fe6666666666666ull,
                           0x41efffffffff0000ull, 0x41efffffffe00001ull, 0x43dfffffffffffffull,
                           0x43efffffffffffffull, 0xc3dfffffffffffffull, 0xc1e0000000200000ull,
                           0x41dfffffffe00000ull, 0x4004000000000000ull, 0x400a000000000000ull,
                           0x3810000000000000ull, 0x380fffffffffffffull, 0x36a0000000000001ull,
                           0x47efffffe0000000ull, 0x47efffffefffffffull, 0x47efffff00000000ull,
                           0x3e70000000000000ull};
/* Small lists for the three-operand instructions (full cube). */
static const u64 SFMA[] = {B(0x00000000), B(0x80000000), B(0x00000001), B(0x3f800000), B(0xbfc00000),
                           B(0x7f7fffff), B(0x7f800000), B(0x7fc00000), B(0x7f800001), B(0x33800000)};
static const u64 DFMA[] = {0x0000000000000000ull, 0x8000000000000000ull, 0x0000000000000001ull,
                           0x3ff0000000000000ull, 0xbff8000000000000ull, 0x7fefffffffffffffull,
                           0x7ff0000000000000ull, 0x7ff8000000000000ull, 0x7ff0000000000001ull,
                           0x3ca0000000000000ull};
static const u64 IVALS[] = {
    0, 1, 2, 3, 0xffffffffffffffffull, 0xfffffffffffffffeull, 0x7fffffffull, 0x80000000ull, 0xffffffff80000000ull,
    0xffffffffull, 0x100000000ull, 0x1000001ull, 0x1000003ull, 0xffffffffff000001ull, 0x7fffffbfull, 0x7fffffc0ull,
    0x7fffffffffffffffull, 0x8000000000000000ull, 0x8000000000000001ull, 0x20000000000001ull, 0x20000000000003ull,
    0xfffffffffffffc00ull, 0xfffffffffffffbffull, 0xfffffffffffff800ull, 0x123456789abcdef0ull,
    0xdeadbeef12345678ull, 0x00000000deadbeefull, 0xffffffff7fffffffull, 0x0000000080000001ull,
    0x7ffffffffffffdffull, 0x7ffffffffffffe00ull,
};
#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* Random-case counts (override with -D for a larger offline run). */
#ifndef RAND_ITERS
#define RAND_ITERS 300
#endif
#ifndef FMA_ITERS
#define FMA_ITERS 600
#endif
#ifndef SEED
#define SEED 0x9e3779b97f4a7c15ull
#endif

/* ---- deterministic pseudo-random operands ---- */

static u64 rng_state;
static u64 rnd(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}
/* A random mantissa that is often sparse (few set bits, or runs of ones), to hit exact and halfway cases. */
static u64 rmant(int bits) {
    u64 m;
    switch (rnd() % 4) {
    case 0: m = rnd(); break;
    case 1: m = (1ull << (rnd() % bits)) | (1ull << (rnd() % bits)); break;
    case 2: m = ~0ull << (rnd() % bits); break;
    default: m = (~0ull >> (rnd() % 64)) ^ (1ull << (rnd() % bits)); break;
    }
    return m & ((1ull << bits) - 1);
}
/* Random exponent: mostly near the middle, sometimes near the subnormal or overflow boundaries. */
static int rexp(int bias, int emax) {
    switch (rnd() % 6) {
    case 0: return (int)(rnd() % 4);
    case 1: return emax - 1 - (int)(rnd() % 4);
    case 2: return (int)(rnd() % emax);
    default: return bias - 30 + (int)(rnd() % 60);
    }
}
static u64 rand_d(void) {
    return ((rnd() & 1) << 63) | ((u64)rexp(1023, 2047) << 52) | rmant(52);
}
static u64 rand_s(void) {
    return B(((rnd() & 1) << 31) | ((u64)rexp(127, 255) << 23) | rmant(23));
}
/* b with an exponent close to a's (cancellation, alignment shifts near the precision). */
static u64 near_d(u64 a) {
    int e = (int)((a >> 52) & 0x7ff) + (int)(rnd() % 120) - 60;
    if (e < 0) e = 0;
    if (e > 2046) e = 2046;
    return ((rnd() & 1) << 63) | ((u64)e << 52) | rmant(52);
}
static u64 near_s(u64 a) {
    int e = (int)((a >> 23) & 0xff) + (int)(rnd() % 56) - 28;
    if (e < 0) e = 0;
    if (e > 254) e = 254;
    return B(((rnd() & 1) << 31) | ((u64)e << 23) | rmant(23));
}

struct op {
    const char *name;
    int nops;
    runner fn;
    int rounds; /* 1: loop over all five rounding modes */
};

static void pairs(const struct op *o, const u64 *v, int n) {
    for (int rm = 0; rm < (o->rounds ? 5 : 1); rm++) {
        g_rm = rm;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) emit(o->name, 2, o->fn, v[i], v[j], 0);
    }
}

int main(void) {
    rng_state = SEED;
    static const struct op bin_s[] = {
        {"fadd.s", 2, fadd_s, 1}, {"fsub.s", 2, fsub_s, 1}, {"fmul.s", 2, fmul_s, 1}, {"fdiv.s", 2, fdiv_s, 1},
        {"fmin.s", 2, fmin_s, 0}, {"fmax.s", 2, fmax_s, 0}, {"fsgnj.s", 2, fsgnj_s, 0},
        {"fsgnjn.s", 2, fsgnjn_s, 0}, {"fsgnjx.s", 2, fsgnjx_s, 0}, {"feq.s", 2, feq_s, 0},
        {"flt.s", 2, flt_s, 0}, {"fle.s", 2, fle_s, 0},
    };
    static const struct op bin_d[] = {
        {"fadd.d", 2, fadd_d, 1}, {"fsub.d", 2, fsub_d, 1}, {"fmul.d", 2, fmul_d, 1}, {"fdiv.d", 2, fdiv_d, 1},
        {"fmin.d", 2, fmin_d, 0}, {"fmax.d", 2, fmax_d, 0}, {"fsgnj.d", 2, fsgnj_d, 0},
        {"fsgnjn.d", 2, fsgnjn_d, 0}, {"fsgnjx.d", 2, fsgnjx_d, 0}, {"feq.d", 2, feq_d, 0},
        {"flt.d", 2, flt_d, 0}, {"fle.d", 2, fle_d, 0},
    };
    static const struct op fma_s[] = {
        {"fmadd.s", 3, fmadd_s, 1}, {"fmsub.s", 3, fmsub_s, 1}, {"fnmsub.s", 3, fnmsub_s, 1},
        {"fnmadd.s", 3, fnmadd_s, 1},
    };
    static const struct op fma_d[] = {
        {"fmadd.d", 3, fmadd_d, 1}, {"fmsub.d", 3, fmsub_d, 1}, {"fnmsub.d", 3, fnmsub_d, 1},
        {"fnmadd.d", 3, fnmadd_d, 1},
    };
    static const struct op un_s[] = {
        {"fsqrt.s", 1, fsqrt_s, 1}, {"fclass.s", 1, fclass_s, 0}, {"fcvt.d.s", 1, fcvt_d_s, 0},
        {"fcvt.w.s", 1, fcvt_w_s, 1}, {"fcvt.wu.s", 1, fcvt_wu_s, 1}, {"fcvt.l.s", 1, fcvt_l_s, 1},
        {"fcvt.lu.s", 1, fcvt_lu_s, 1}, {"fmv.x.w", 1, fmv_x_w, 0},
    };
    static const struct op un_d[] = {
        {"fsqrt.d", 1, fsqrt_d, 1}, {"fclass.d", 1, fclass_d, 0}, {"fcvt.s.d", 1, fcvt_s_d, 1},
        {"fcvt.w.d", 1, fcvt_w_d, 1}, {"fcvt.wu.d", 1, fcvt_wu_d, 1}, {"fcvt.l.d", 1, fcvt_l_d, 1},
        {"fcvt.lu.d", 1, fcvt_lu_d, 1}, {"fmv.x.d", 1, fmv_x_d, 0},
    };
    static const struct op un_i[] = {
        {"fcvt.s.w", 1, fcvt_s_w, 1}, {"fcvt.s.wu", 1, fcvt_s_wu, 1}, {"fcvt.s.l", 1, fcvt_s_l, 1},
        {"fcvt.s.lu", 1, fcvt_s_lu, 1}, {"fcvt.d.w", 1, fcvt_d_w, 0}, {"fcvt.d.wu", 1, fcvt_d_wu, 0},
        {"fcvt.d.l", 1, fcvt_d_l, 1}, {"fcvt.d.lu", 1, fcvt_d_lu, 1}, {"fmv.w.x", 1, fmv_w_x, 0},
        {"fmv.d.x", 1, fmv_d_x, 0},
    };

    /* Special values: all pairs / cubes / singles. */
    for (int k = 0; k < N(bin_s); k++) pairs(&bin_s[k], SVALS, N(SVALS));
    for (int k = 0; k < N(bin_d); k++) pairs(&bin_d[k], DVALS, N(DVALS));
    for (int k = 0; k < 4; k++)
        for (g_rm = 0; g_rm < 5; g_rm++) {
            for (int i = 0; i < N(SFMA); i++)
                for (int j = 0; j < N(SFMA); j++)
                    for (int l = 0; l < N(SFMA); l++) emit(fma_s[k].name, 3, fma_s[k].fn, SFMA[i], SFMA[j], SFMA[l]);
            for (int i = 0; i < N(DFMA); i++)
                for (int j = 0; j < N(DFMA); j++)
                    for (int l = 0; l < N(DFMA); l++) emit(fma_d[k].name, 3, fma_d[k].fn, DFMA[i], DFMA[j], DFMA[l]);
        }
    for (int k = 0; k < N(un_s); k++)
        for (g_rm = 0; g_rm < (un_s[k].rounds ? 5 : 1); g_rm++)
            for (int i = 0; i < N(SVALS) + N(SCVT); i++)
                emit(un_s[k].name, 1, un_s[k].fn, i < N(SVALS) ? SVALS[i] : SCVT[i - N(SVALS)], 0, 0);
    for (int k = 0; k < N(un_d); k++)
        for (g_rm = 0; g_rm < (un_d[k].rounds ? 5 : 1); g_rm++)
            for (int i = 0; i < N(DVALS) + N(DCVT); i++)
                emit(un_d[k].name, 1, un_d[k].fn, i < N(DVALS) ? DVALS[i] : DCVT[i - N(DVALS)], 0, 0);
    for (int k = 0; k < N(un_i); k++)
        for (g_rm = 0; g_rm < (un_i[k].rounds ? 5 : 1); g_rm++)
            for (int i = 0; i < N(IVALS); i++) emit(un_i[k].name, 1, un_i[k].fn, IVALS[i], 0, 0);

    /* Pseudo-random operands, every rounding mode. */
    for (int it = 0; it < RAND_ITERS; it++) {
        u64 a = rand_s(), b = (it & 1) ? near_s(a) : rand_s();
        u64 da = rand_d(), db = (it & 1) ? near_d(da) : rand_d();
        for (g_rm = 0; g_rm < 5; g_rm++) {
            for (int k = 0; k < 4; k++) {
                emit(bin_s[k].name, 2, bin_s[k].fn, a, b, 0);
                emit(bin_d[k].name, 2, bin_d[k].fn, da, db, 0);
            }
            emit("fsqrt.s", 1, fsqrt_s, a, 0, 0);
            emit("fsqrt.d", 1, fsqrt_d, da, 0, 0);
            emit("fcvt.s.d", 1, fcvt_s_d, db, 0, 0);
            for (int k = 3; k < 7; k++) {
                emit(un_s[k].name, 1, un_s[k].fn, a, 0, 0);
                emit(un_d[k].name, 1, un_d[k].fn, da, 0, 0);
            }
            for (int k = 0; k < 4; k++) {
                emit(un_i[k].name, 1, un_i[k].fn, rnd() >> (rnd() % 64), 0, 0);
                emit(un_i[k + 4].name, 1, un_i[k + 4].fn, rnd() >> (rnd() % 64), 0, 0);
            }
        }
    }
    /* Random fused multiply-adds, including addends that nearly cancel the product. */
    for (int it = 0; it < FMA_ITERS; it++) {
        u64 a = rand_s(), b = near_s(B(0x3f800000)), c;
        u64 da = rand_d(), db = near_d(0x3ff0000000000000ull), dc;
        g_rm = 0;
        if (it % 3 == 0) {
            c = near_s(a);
            dc = near_d(da);
        } else { /* c = -(a*b) rounded, perturbed in the last bits */
            c = fmul_s(a, b, 0) ^ 0x80000000ull;
            c += rnd() % 5;
            c -= 2;
            dc = fmul_d(da, db, 0) ^ 0x8000000000000000ull;
            dc += rnd() % 5;
            dc -= 2;
        }
        for (g_rm = 0; g_rm < 5; g_rm++) {
            int k = (int)(rnd() % 4);
            emit(fma_s[k].name, 3, fma_s[k].fn, a, b, c);
            emit(fma_d[k].name, 3, fma_d[k].fn, da, db, dc);
        }
    }
    flush_out();
    return 0;
}
