/*
 * Benchmarks end by printing on stderr how many instructions they retired, read from the riscv64 instret counter
 * (rdinstret), so bench/run can show jkernel's guest instructions per second. Native builds print nothing; under
 * qemu-user the counter does not count instructions, and bench/run ignores the line there.
 */
#include <stdio.h>

static void report_instret(void)
{
#if defined(__riscv)
    unsigned long n;
    __asm__ volatile("rdinstret %0" : "=r"(n));
    fprintf(stderr, "instret %lu\n", n);
#endif
}
