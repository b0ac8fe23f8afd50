/*
 * riscv64 rseq helpers shared by the rseq tests and the rseq benchmark: the signature and a per-cpu counter
 * increment whose commit is a single store. Returns 0 when it committed, 1 when the kernel aborted the section.
 */
#ifndef JK_RSEQ_RISCV_H
#define JK_RSEQ_RISCV_H

#include <linux/rseq.h>

#define RSEQ_SIG 0xf1401073

static inline int percpu_inc(struct rseq *r, long *base)
{
    int ret;
    __asm__ volatile(
        ".pushsection __rseq_cs, \"aw\"\n"
        ".balign 32\n"
        "3: .word 0, 0\n"
        "   .dword 1f, 2f - 1f, 4f\n"
        ".popsection\n"
        "lla t0, 3b\n"
        "sd t0, %[cs]\n"
        "1:\n"
        "lw t1, %[cpu]\n"
        "slli t1, t1, 3\n"
        "add t1, t1, %[base]\n"
        "ld t2, 0(t1)\n"
        "addi t2, t2, 1\n"
        "sd t2, 0(t1)\n"
        "2:\n"
        "li %[ret], 0\n"
        "j 5f\n"
        ".word 0xf1401073\n"
        "4: li %[ret], 1\n"
        "5:\n"
        : [ret] "=&r"(ret), [cs] "=m"(r->rseq_cs)
        : [cpu] "m"(r->cpu_id), [base] "r"(base)
        : "t0", "t1", "t2", "memory");
    return ret;
}

#endif
