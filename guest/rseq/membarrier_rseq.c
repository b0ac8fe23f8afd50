/*
 * membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ) argument handling as Linux 6.1's kernel/sched/membarrier.c has
 * it: MEMBARRIER_CMD_FLAG_CPU is the only flag, and only for that command; a cpu_id past the last CPU targets
 * nothing and succeeds; a negative cpu_id with the flag means every CPU, as without the flag.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/membarrier.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

static long mb(int cmd, unsigned flags, int cpu)
{
    long r = syscall(SYS_membarrier, cmd, flags, cpu);
    return r < 0 ? -errno : r;
}

int main(void)
{
    printf("before registering: %ld\n", mb(MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ, 0, 0));
    printf("register: %ld\n", mb(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_RSEQ, 0, 0));
    printf("all cpus: %ld\n", mb(MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ, 0, 0));
    printf("cpu 0: %ld\n", mb(MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ, MEMBARRIER_CMD_FLAG_CPU, 0));
    printf("cpu -1 (every cpu): %ld\n", mb(MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ, MEMBARRIER_CMD_FLAG_CPU, -1));
    printf("cpu -1000 (every cpu): %ld\n",
           mb(MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ, MEMBARRIER_CMD_FLAG_CPU, -1000));
    printf("cpu 4096 (none): %ld\n", mb(MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ, MEMBARRIER_CMD_FLAG_CPU, 4096));
    printf("unknown flag: %ld\n", mb(MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ, 2, 0));
    printf("cpu flag on another command: %ld\n",
           mb(MEMBARRIER_CMD_PRIVATE_EXPEDITED, MEMBARRIER_CMD_FLAG_CPU, 0));
    return 0;
}
