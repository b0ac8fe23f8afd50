/* Loads and stores of every width and extension, aligned, misaligned and across a page boundary. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

static unsigned char *buf;

static void fill(void)
{
    for (int i = 0; i < 8192; i++)
        buf[i] = (unsigned char)(i * 37 + 0x81);
}

#define LOAD(op, T)                                                         \
    static void l_##op(long off)                                            \
    {                                                                       \
        int64_t r;                                                          \
        __asm__ volatile(#op " %0, 0(%1)" : "=r"(r) : "r"(buf + off) : "memory"); \
        printf("%-3s %5ld %016llx\n", #op, off, (unsigned long long)r);    \
    }
LOAD(lb, int8_t) LOAD(lbu, uint8_t) LOAD(lh, int16_t) LOAD(lhu, uint16_t) LOAD(lw, int32_t) LOAD(lwu, uint32_t)
LOAD(ld, int64_t)

#define STORE(op)                                                           \
    static void s_##op(long off, int64_t v)                                 \
    {                                                                       \
        fill();                                                             \
        __asm__ volatile(#op " %0, 0(%1)" : : "r"(v), "r"(buf + off) : "memory"); \
        uint64_t a, b;                                                      \
        memcpy(&a, buf + (off & ~7L) , 8);                                  \
        memcpy(&b, buf + (off & ~7L) + 8, 8);                               \
        printf("%-3s %5ld %016llx %016llx\n", #op, off, (unsigned long long)a, (unsigned long long)b); \
    }
STORE(sb) STORE(sh) STORE(sw) STORE(sd)

int main(void)
{
    buf = mmap(0, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (buf == MAP_FAILED)
        return 1;
    fill();
    long offs[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 13, 4088, 4089, 4090, 4091, 4092, 4093, 4094, 4095, 4096};
    for (unsigned k = 0; k < sizeof offs / sizeof offs[0]; k++) {
        long o = offs[k];
        l_lb(o); l_lbu(o); l_lh(o); l_lhu(o); l_lw(o); l_lwu(o); l_ld(o);
        s_sb(o, 0x0123456789abcdefLL); s_sh(o, 0x0123456789abcdefLL); s_sw(o, 0x0123456789abcdefLL);
        s_sd(o, 0x0123456789abcdefLL);
    }
    /* negative offsets from a base register */
    int64_t r;
    __asm__ volatile("ld %0, -8(%1)" : "=r"(r) : "r"(buf + 4096) : "memory");
    printf("ld -8 %016llx\n", (unsigned long long)r);
    __asm__ volatile("lw %0, -2047(%1)" : "=r"(r) : "r"(buf + 4096) : "memory");
    printf("lw -2047 %016llx\n", (unsigned long long)r);
    __asm__ volatile("lbu %0, 2047(%1)" : "=r"(r) : "r"(buf + 4096) : "memory");
    printf("lbu 2047 %016llx\n", (unsigned long long)r);
    /* FP loads/stores: flw NaN-boxes, fsw stores the low word */
    uint64_t f = 0;
    __asm__ volatile("flw ft0, 0(%1)\n\tfsd ft0, 0(%2)\n\t" : "=m"(f) : "r"(buf + 16), "r"(&f) : "ft0", "memory");
    printf("flw %016llx\n", (unsigned long long)f);
    __asm__ volatile("fld ft0, 3(%1)\n\tfsw ft0, 0(%2)\n\t" : "=m"(f) : "r"(buf), "r"(&f) : "ft0", "memory");
    printf("fsw %016llx\n", (unsigned long long)f);
    return 0;
}
