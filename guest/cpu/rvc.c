/* RVC: every compressed integer instruction executed explicitly (the rest of the program is compiled for rv64gc
 * and uses them implicitly everywhere). */
#include <stdint.h>
#include <stdio.h>

static const int64_t V[] = {0, 1, -1, 0x7fffffff, 0x80000000LL, INT64_MAX, INT64_MIN, 0x123456789abcdef0LL, -12345};
#define N (int)(sizeof V / sizeof V[0])

static void out(const char *op, int64_t a, int64_t b, int64_t r)
{
    printf("%-10s %016llx %016llx %016llx\n", op, (unsigned long long)a, (unsigned long long)b, (unsigned long long)r);
}

#define C2(name, insn)                                                       \
    static void t_##name(void)                                               \
    {                                                                        \
        for (int i = 0; i < N; i++)                                          \
            for (int j = 0; j < N; j++) {                                    \
                register int64_t a0 __asm__("a0") = V[i];                    \
                register int64_t a1 __asm__("a1") = V[j];                    \
                __asm__ volatile(".option push\n\t.option rvc\n\t" insn "\n\t.option pop" : "+r"(a0) : "r"(a1)); \
                out(insn, V[i], V[j], a0);                                   \
            }                                                                \
    }
C2(sub, "c.sub a0, a1") C2(xor, "c.xor a0, a1") C2(or, "c.or a0, a1") C2(and, "c.and a0, a1")
C2(subw, "c.subw a0, a1") C2(addw, "c.addw a0, a1") C2(add, "c.add a0, a1") C2(mv, "c.mv a0, a1")

#define C1(name, insn)                                                       \
    static void t_##name(void)                                               \
    {                                                                        \
        for (int i = 0; i < N; i++) {                                        \
            register int64_t a0 __asm__("a0") = V[i];                        \
            __asm__ volatile(".option push\n\t.option rvc\n\t" insn "\n\t.option pop" : "+r"(a0)); \
            out(insn, V[i], 0, a0);                                          \
        }                                                                    \
    }
C1(addi1, "c.addi a0, 1") C1(addim32, "c.addi a0, -32") C1(addi31, "c.addi a0, 31")
C1(addiw0, "c.addiw a0, 0") C1(addiw_1, "c.addiw a0, -1") C1(addiw31, "c.addiw a0, 31")
C1(li, "c.li a0, -7") C1(lui, "c.lui a0, 0xfffe1") C1(lui2, "c.lui a0, 31")
C1(srli1, "c.srli a0, 1") C1(srli63, "c.srli a0, 63") C1(srli32, "c.srli a0, 32")
C1(srai1, "c.srai a0, 1") C1(srai63, "c.srai a0, 63") C1(srai31, "c.srai a0, 31")
C1(andi, "c.andi a0, -2") C1(andi2, "c.andi a0, 21")
C1(slli1, "c.slli a0, 1") C1(slli63, "c.slli a0, 63") C1(slli33, "c.slli a0, 33")

static int64_t memory[64];

static void t_mem(void)
{
    for (int k = 0; k < 64; k++)
        memory[k] = (int64_t)0x0102030405060708LL * (k + 1) ^ (k * 0x1111);
    register int64_t *s0 __asm__("s0") = memory;
    register int64_t a0 __asm__("a0");
    register int64_t a1 __asm__("a1");
    register int64_t a2 __asm__("a2");
    __asm__ volatile(".option push\n\t.option rvc\n\t"
                     "c.ld a0, 8(s0)\n\tc.lw a1, 124(s0)\n\tc.ld a2, 248(s0)\n\t"
                     "c.sd a0, 0(s0)\n\tc.sw a1, 16(s0)\n\t"
                     ".option pop"
                     : "=&r"(a0), "=&r"(a1), "=&r"(a2) : "r"(s0) : "memory");
    out("c.ld/lw", a0, a1, a2);
    out("c.sd/sw", memory[0], memory[2], 0);
    /* stack-pointer relative forms */
    int64_t r1, r2, r3;
    __asm__ volatile(".option push\n\t.option rvc\n\t"
                     "c.addi16sp sp, -64\n\t"
                     "c.addi4spn a3, sp, 8\n\t"
                     "c.sdsp %3, 0(sp)\n\tc.swsp %4, 8(sp)\n\t"
                     "c.ldsp %0, 0(sp)\n\tc.lwsp %1, 8(sp)\n\t"
                     "sub %2, a3, sp\n\t"
                     "c.fsdsp ft0, 16(sp)\n\tc.fldsp ft1, 16(sp)\n\t"
                     "c.addi16sp sp, 64\n\t"
                     ".option pop"
                     : "=&r"(r1), "=&r"(r2), "=&r"(r3) : "r"((int64_t)0x1122334455667788LL), "r"((int64_t)-3)
                     : "a3", "ft1", "memory");
    out("sp-rel", r1, r2, r3);
    uint64_t d = 0x4004000000000000ULL, e = 0;
    register uint64_t *p __asm__("a4") = &d;
    register uint64_t *q __asm__("a5") = &e;
    __asm__ volatile(".option push\n\t.option rvc\n\tc.fld fa0, 0(a4)\n\tc.fsd fa0, 0(a5)\n\t.option pop"
                     : : "r"(p), "r"(q) : "fa0", "memory");
    printf("c.fld/c.fsd %016llx\n", (unsigned long long)e);
}

static void t_ctl(void)
{
    int64_t r = 0;
    for (int i = 0; i < N; i++) {
        register int64_t a0 __asm__("a0") = V[i];
        register int64_t a1 __asm__("a1") = 0;
        __asm__ volatile(".option push\n\t.option rvc\n\t"
                         "c.beqz a0, 1f\n\tc.addi a1, 1\n1:\tc.bnez a0, 2f\n\tc.addi a1, 2\n2:\t"
                         "c.j 3f\n\tc.addi a1, 4\n3:\t"
                         ".option pop"
                         : "+r"(a1) : "r"(a0));
        r = r * 8 + a1;
    }
    out("branches", r, 0, 0);
    int64_t link, target;
    __asm__ volatile(".option push\n\t.option rvc\n\t"
                     "lla a2, 1f\n\tc.jalr a2\n\t"
                     "j 2f\n"
                     "1:\tmv %0, ra\n\tlla %1, 1b\n\tc.jr ra\n"
                     "2:\n\t.option pop"
                     : "=&r"(link), "=&r"(target) : : "a2", "ra");
    out("c.jalr", link - target, 0, 0);
}

int main(void)
{
    t_sub(); t_xor(); t_or(); t_and(); t_subw(); t_addw(); t_add(); t_mv();
    t_addi1(); t_addim32(); t_addi31(); t_addiw0(); t_addiw_1(); t_addiw31(); t_li(); t_lui(); t_lui2();
    t_srli1(); t_srli63(); t_srli32(); t_srai1(); t_srai63(); t_srai31(); t_andi(); t_andi2();
    t_slli1(); t_slli63(); t_slli33();
    t_mem();
    t_ctl();
    return 0;
}
