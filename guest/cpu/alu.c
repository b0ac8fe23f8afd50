/* Integer ALU differential test: every RV64IM register-register and register-immediate operation over edge values.
 * Prints one line per (op, a, b) in hex; jkernel's output must equal qemu-riscv64's. */
#include <stdint.h>
#include <stdio.h>

static const int64_t V[] = {
    0, 1, -1, 2, -2, 3, 7, -7, 31, 32, 33, 63, 64, 0x7fffffff, 0x80000000LL, 0xffffffffLL, -0x80000000LL,
    0x100000000LL, 0x123456789abcdef0LL, (int64_t)0xfedcba9876543210ULL, INT64_MAX, INT64_MIN, INT64_MIN + 1,
    (int64_t)0x8000000000000001ULL, 12345678, -987654321, 0x5555555555555555LL, (int64_t)0xaaaaaaaaaaaaaaaaULL,
};
#define N (int)(sizeof V / sizeof V[0])

static void out(const char *op, int64_t a, int64_t b, int64_t r)
{
    printf("%-7s %016llx %016llx %016llx\n", op, (unsigned long long)a, (unsigned long long)b, (unsigned long long)r);
}

#define RR(op)                                                                   \
    static void t_##op(void)                                                     \
    {                                                                            \
        for (int i = 0; i < N; i++)                                              \
            for (int j = 0; j < N; j++) {                                        \
                int64_t r;                                                       \
                __asm__ volatile(#op " %0, %1, %2" : "=r"(r) : "r"(V[i]), "r"(V[j])); \
                out(#op, V[i], V[j], r);                                         \
            }                                                                    \
    }

RR(add) RR(sub) RR(sll) RR(slt) RR(sltu) RR(xor) RR(srl) RR(sra) RR(or) RR(and)
RR(addw) RR(subw) RR(sllw) RR(srlw) RR(sraw)
RR(mul) RR(mulh) RR(mulhsu) RR(mulhu) RR(div) RR(divu) RR(rem) RR(remu)
RR(mulw) RR(divw) RR(divuw) RR(remw) RR(remuw)

#define I1(op, imm)                                                         \
    do {                                                                    \
        int64_t r;                                                          \
        __asm__ volatile(#op " %0, %1, " #imm : "=r"(r) : "r"(V[i]));       \
        out(#op, V[i], imm, r);                                             \
    } while (0)

#define RI(op)                                                              \
    static void t_##op(void)                                                \
    {                                                                       \
        for (int i = 0; i < N; i++) {                                       \
            I1(op, 0); I1(op, 1); I1(op, -1); I1(op, 2047); I1(op, -2048);  \
            I1(op, 0x555); I1(op, -0x556); I1(op, 31); I1(op, 32);          \
        }                                                                   \
    }
RI(addi) RI(slti) RI(sltiu) RI(xori) RI(ori) RI(andi) RI(addiw)

#define SH(op)                                                              \
    static void t_##op(void)                                                \
    {                                                                       \
        for (int i = 0; i < N; i++) {                                       \
            I1(op, 0); I1(op, 1); I1(op, 7); I1(op, 31); I1(op, 32); I1(op, 33); I1(op, 63); \
        }                                                                   \
    }
#define SHW(op)                                                             \
    static void t_##op(void)                                                \
    {                                                                       \
        for (int i = 0; i < N; i++) {                                       \
            I1(op, 0); I1(op, 1); I1(op, 7); I1(op, 16); I1(op, 31);       \
        }                                                                   \
    }
SH(slli) SH(srli) SH(srai) SHW(slliw) SHW(srliw) SHW(sraiw)

static void t_lui(void)
{
    int64_t r;
#define L(imm) __asm__ volatile("lui %0, " #imm : "=r"(r)); out("lui", imm, 0, r)
    L(0); L(1); L(0x7ffff); L(0x80000); L(0xfffff); L(0x12345);
#undef L
}

int main(void)
{
    t_add(); t_sub(); t_sll(); t_slt(); t_sltu(); t_xor(); t_srl(); t_sra(); t_or(); t_and();
    t_addw(); t_subw(); t_sllw(); t_srlw(); t_sraw();
    t_mul(); t_mulh(); t_mulhsu(); t_mulhu(); t_div(); t_divu(); t_rem(); t_remu();
    t_mulw(); t_divw(); t_divuw(); t_remw(); t_remuw();
    t_addi(); t_slti(); t_sltiu(); t_xori(); t_ori(); t_andi(); t_addiw();
    t_slli(); t_srli(); t_srai(); t_slliw(); t_srliw(); t_sraiw();
    t_lui();
    return 0;
}
