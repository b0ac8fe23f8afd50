/* Benchmark: signal delivery, N (argv[1]) round trips raise(SIGUSR1) -> handler -> rt_sigreturn. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static volatile long hits;

static void handler(int sig)
{
    hits++;
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 20000;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = handler;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGUSR1, &sa, NULL);
    double t0 = now();
    for (long i = 0; i < n; i++)
        raise(SIGUSR1);
    double t1 = now();
    /* Timings go to stderr so that stdout is comparable across runners. */
    fprintf(stderr, "raise+handler+sigreturn %.0f ns/round trip\n", (t1 - t0) * 1e9 / n);
    printf("%ld signals raised, %ld handled\n", n, hits);
    return hits == n ? 0 : 1;
}
