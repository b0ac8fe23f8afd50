/* Benchmark: futex ping-pong between two threads, N (argv[1]) round trips. Each side waits with FUTEX_WAIT_PRIVATE
 * until the shared turn word says it is its turn, flips it and wakes the other: two wakeups per round trip. */
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static int turn;   /* 0: main's turn, 1: the other thread's */
static long rounds;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static void wait_for(int want)
{
    int v;
    while ((v = __atomic_load_n(&turn, __ATOMIC_ACQUIRE)) != want)
        syscall(SYS_futex, &turn, FUTEX_WAIT_PRIVATE, v, NULL, NULL, 0);
}

static void pass_to(int who)
{
    __atomic_store_n(&turn, who, __ATOMIC_RELEASE);
    syscall(SYS_futex, &turn, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

static void *other(void *arg)
{
    long *count = arg;
    for (long i = 0; i < rounds; i++) {
        wait_for(1);
        ++*count;
        pass_to(0);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    rounds = argc > 1 ? atol(argv[1]) : 5000;
    long count = 0;
    pthread_t t;
    double t0 = now();
    pthread_create(&t, NULL, other, &count);
    for (long i = 0; i < rounds; i++) {
        wait_for(0);
        pass_to(1);
    }
    wait_for(0);
    pthread_join(t, NULL);
    double t1 = now();
    fprintf(stderr, "futex ping-pong %.0f ns/round trip\n", (t1 - t0) * 1e9 / rounds);
    printf("%ld futex round trips, other thread counted %ld\n", rounds, count);
    return 0;
}
