/*
 * Per-cpu counters with restartable sequences (riscv64 only: qemu-user has no rseq and the native build is x86).
 * Usage: rseq_percpu THREADS ITERATIONS
 * Each thread registers its own struct rseq, then increments counter[cpu] ITERATIONS times in a critical section
 * whose commit is a single store; an abort (preemption, migration, signal) retries. The total must be exact however
 * often the kernel preempts; the program prints the total, whether cpu_id matched getcpu, and whether aborts happened.
 */
#define _GNU_SOURCE
#include "rseq_riscv.h"
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAX_CPUS 64

static struct rseq __thread rs __attribute__((aligned(32)));
static long counters[MAX_CPUS];
static long aborts;
static long iterations;
static int cpu_mismatch;

static void *worker(void *arg)
{
    (void)arg;
    if (syscall(SYS_rseq, &rs, sizeof(rs), 0, RSEQ_SIG) != 0) {
        perror("rseq");
        exit(2);
    }
    /* A preemption may migrate us around the getcpu call, even away and back (cpu_id reads 1, getcpu says 0, cpu_id
     * reads 1 again: two migrations, both published). So the check is that a quiet reading exists: one in 100 tries
     * where cpu_id before, getcpu, and cpu_id after all agree. A kernel that publishes the wrong cpu never gives one. */
    unsigned cpu, before, after;
    int tries = 0;
    do {
        before = __atomic_load_n(&rs.cpu_id, __ATOMIC_RELAXED);
        syscall(SYS_getcpu, &cpu, NULL, NULL);
        after = __atomic_load_n(&rs.cpu_id, __ATOMIC_RELAXED);
    } while (!(before == after && cpu == after) && ++tries < 100);
    if (!(before == after && cpu == after))
        __atomic_store_n(&cpu_mismatch, 1, __ATOMIC_RELAXED);
    for (long i = 0; i < iterations; i++) {
        while (percpu_inc(&rs, counters))
            __atomic_add_fetch(&aborts, 1, __ATOMIC_RELAXED);
    }
    if (syscall(SYS_rseq, &rs, sizeof(rs), RSEQ_FLAG_UNREGISTER, RSEQ_SIG) != 0) {
        perror("rseq unregister");
        exit(3);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    int threads = argc > 1 ? atoi(argv[1]) : 4;
    iterations = argc > 2 ? atol(argv[2]) : 100000;
    pthread_t t[64];
    for (int i = 0; i < threads; i++)
        pthread_create(&t[i], NULL, worker, NULL);
    for (int i = 0; i < threads; i++)
        pthread_join(t[i], NULL);
    long total = 0;
    for (int i = 0; i < MAX_CPUS; i++)
        total += counters[i];
    printf("total %ld of %ld\n", total, threads * iterations);
    printf("cpu_id matched getcpu: %s\n", cpu_mismatch ? "no" : "yes");
    fprintf(stderr, "aborts %ld\n", aborts);
    return total == threads * iterations ? 0 : 1;
}
