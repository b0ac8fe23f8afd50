/* A extension: every AMO in .w and .d form (with aq/rl variants), LR/SC success and failure. */
#include <stdint.h>
#include <stdio.h>

static const int64_t V[] = {0, 1, -1, 5, -5, 0x7fffffff, 0x80000000LL, INT64_MAX, INT64_MIN,
                            (int64_t)0xffffffff00000001ULL};
#define N (int)(sizeof V / sizeof V[0])

static volatile int64_t mem;

#define AMO(name, op)                                                                    \
    static void a_##name(void)                                                           \
    {                                                                                    \
        for (int i = 0; i < N; i++)                                                      \
            for (int j = 0; j < N; j++) {                                                \
                int64_t r;                                                               \
                mem = V[i];                                                              \
                __asm__ volatile(op " %0, %1, (%2)" : "=r"(r) : "r"(V[j]), "r"(&mem) : "memory"); \
                printf("%-15s %016llx %016llx -> %016llx %016llx\n", op, (unsigned long long)V[i], \
                       (unsigned long long)V[j], (unsigned long long)r, (unsigned long long)mem); \
            }                                                                            \
    }
AMO(swapw, "amoswap.w") AMO(addw, "amoadd.w") AMO(xorw, "amoxor.w") AMO(andw, "amoand.w") AMO(orw, "amoor.w")
AMO(minw, "amomin.w") AMO(maxw, "amomax.w") AMO(minuw, "amominu.w") AMO(maxuw, "amomaxu.w")
AMO(swapd, "amoswap.d") AMO(addd, "amoadd.d") AMO(xord, "amoxor.d") AMO(andd, "amoand.d") AMO(ord, "amoor.d")
AMO(mind, "amomin.d") AMO(maxd, "amomax.d") AMO(minud, "amominu.d") AMO(maxud, "amomaxu.d")
AMO(addwaq, "amoadd.w.aq") AMO(swapdaqrl, "amoswap.d.aqrl") AMO(orwrl, "amoor.w.rl")

static void lrsc(void)
{
    int64_t old, fail, v;
    mem = 41;
    __asm__ volatile("lr.d %0, (%2)\n\taddi %0, %0, 1\n\tsc.d %1, %0, (%2)" : "=&r"(old), "=&r"(fail) : "r"(&mem)
                     : "memory");
    printf("lr/sc.d ok: fail=%lld mem=%lld\n", (long long)fail, (long long)mem);
    __asm__ volatile("sc.d %0, %1, (%2)" : "=&r"(fail) : "r"(7L), "r"(&mem) : "memory");
    printf("sc.d without lr: fail=%lld mem=%lld\n", (long long)fail, (long long)mem);
    mem = -2;
    __asm__ volatile("lr.w %0, (%2)\n\tsc.w %1, %3, (%2)" : "=&r"(v), "=&r"(fail) : "r"(&mem), "r"(0x1234L)
                     : "memory");
    printf("lr.w %lld sc.w fail=%lld mem=%016llx\n", (long long)v, (long long)fail, (unsigned long long)mem);
    /* a CAS loop like the compiler emits for __atomic_compare_exchange */
    int32_t w = 10;
    int32_t expect = 10;
    int ok = __atomic_compare_exchange_n(&w, &expect, 20, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    printf("cas ok=%d w=%d\n", ok, w);
    expect = 10;
    ok = __atomic_compare_exchange_n(&w, &expect, 30, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    printf("cas ok=%d w=%d expect=%d\n", ok, w, expect);
}

int main(void)
{
    a_swapw(); a_addw(); a_xorw(); a_andw(); a_orw(); a_minw(); a_maxw(); a_minuw(); a_maxuw();
    a_swapd(); a_addd(); a_xord(); a_andd(); a_ord(); a_mind(); a_maxd(); a_minud(); a_maxud();
    a_addwaq(); a_swapdaqrl(); a_orwrl();
    lrsc();
    return 0;
}
