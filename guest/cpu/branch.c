/* Branches, jumps and set-less-than over edge values. */
#include <stdint.h>
#include <stdio.h>

static const int64_t V[] = {0, 1, -1, 2, -2, 0x7fffffff, 0x80000000LL, -0x80000000LL, INT64_MAX, INT64_MIN,
                            INT64_MIN + 1, (int64_t)0x8000000000000001ULL};
#define N (int)(sizeof V / sizeof V[0])

#define BR(op)                                                                   \
    static int b_##op(int64_t a, int64_t b)                                      \
    {                                                                            \
        int r;                                                                   \
        __asm__ volatile("li %0, 1\n\t" #op " %1, %2, 1f\n\tli %0, 0\n1:"        \
                         : "=&r"(r) : "r"(a), "r"(b));                           \
        return r;                                                                \
    }
BR(beq) BR(bne) BR(blt) BR(bge) BR(bltu) BR(bgeu)

static long jal_link(void)
{
    long a, b;
    __asm__ volatile("jal %0, 1f\n1:\n\tauipc %1, 0\n" : "=r"(a), "=r"(b));
    return b - a;
}

static long jalr_odd(void)
{
    long r, t;
    __asm__ volatile("lla %1, 1f\n\taddi %1, %1, 1\n\tli %0, 5\n\tjalr x0, 0(%1)\n\tli %0, 6\n1:\n" : "=&r"(r), "=&r"(t));
    return r;
}

int main(void)
{
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++)
            printf("%016llx %016llx %d%d%d%d%d%d\n", (unsigned long long)V[i], (unsigned long long)V[j],
                   b_beq(V[i], V[j]), b_bne(V[i], V[j]), b_blt(V[i], V[j]), b_bge(V[i], V[j]),
                   b_bltu(V[i], V[j]), b_bgeu(V[i], V[j]));
    printf("jal link delta %ld\n", jal_link());
    printf("jalr odd target %ld\n", jalr_odd());
    /* a computed jump table and recursion */
    long acc = 0;
    for (int k = 0; k < 1000; k++) {
        switch (k % 7) {
        case 0: acc += k; break;
        case 1: acc ^= k << 3; break;
        case 2: acc -= k * 3; break;
        case 3: acc |= 1L << (k % 63); break;
        case 4: acc = acc * 31 + 7; break;
        case 5: acc >>= 1; break;
        default: acc += 11; break;
        }
    }
    printf("switch %016llx\n", (unsigned long long)acc);
    return 0;
}
