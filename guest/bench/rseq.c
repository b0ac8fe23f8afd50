/*
 * Benchmark: N (argv[1]) per-cpu counter increments in an rseq critical section. riscv64 registers its own struct
 * rseq (glibc 2.36 does not); x86_64 uses the one glibc registered. qemu-user has no rseq: it cannot run this.
 */
#define _GNU_SOURCE
#include <linux/rseq.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static long counters[256];

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

#if defined(__riscv)
#include "../rseq/rseq_riscv.h"

static struct rseq __thread rs __attribute__((aligned(32)));

static struct rseq *rseq_area(void)
{
    if (syscall(SYS_rseq, &rs, sizeof(rs), 0, RSEQ_SIG) != 0)
        return NULL;
    return &rs;
}

#elif defined(__x86_64__)
#include <sys/rseq.h>

static struct rseq *rseq_area(void)
{
    if (__rseq_size == 0)
        return NULL;
    return (struct rseq *)((char *)__builtin_thread_pointer() + __rseq_offset);
}

static int percpu_inc(struct rseq *r, long *base)
{
    int ret;
    __asm__ volatile(
        ".pushsection __rseq_cs, \"aw\"\n"
        ".balign 32\n"
        "3: .long 0, 0\n"
        "   .quad 1f, 2f - 1f, 4f\n"
        ".popsection\n"
        "leaq 3b(%%rip), %%rax\n"
        "movq %%rax, %[cs]\n"
        "1:\n"
        "movl %[cpu], %%eax\n"
        "leaq (%[base], %%rax, 8), %%rcx\n"
        "movq (%%rcx), %%rdx\n"
        "addq $1, %%rdx\n"
        "movq %%rdx, (%%rcx)\n"
        "2:\n"
        "xorl %[ret], %[ret]\n"
        "jmp 5f\n"
        ".long 0x53053053\n"
        "4: movl $1, %[ret]\n"
        "5:\n"
        : [ret] "=&r"(ret), [cs] "=m"(r->rseq_cs)
        : [cpu] "m"(r->cpu_id), [base] "r"(base)
        : "rax", "rcx", "rdx", "memory");
    return ret;
}
#endif

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 1000000;
    struct rseq *r = rseq_area();
    if (!r) {
        fprintf(stderr, "rseq unavailable\n");
        return 1;
    }
    long aborts = 0;
    double t0 = now();
    for (long i = 0; i < n; i++)
        while (percpu_inc(r, counters))
            aborts++;
    double t1 = now();
    long total = 0;
    for (int i = 0; i < 256; i++)
        total += counters[i];
    fprintf(stderr, "rseq increment %.1f ns/op (%ld aborts)\n", (t1 - t0) * 1e9 / n, aborts);
    printf("%ld increments, total %ld\n", n, total);
    return total == n ? 0 : 2;
}
