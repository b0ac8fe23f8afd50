/* Benchmark: syscall latency, N (argv[1]) getppid calls through syscall(2), then N clock_gettime calls. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 1000000;
    long ppid = getppid(), bad = 0;
    double t0 = now();
    for (long i = 0; i < n; i++)
        bad += syscall(SYS_getppid) != ppid;
    double t1 = now();
    struct timespec ts;
    for (long i = 0; i < n; i++)
        bad += syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts) != 0;
    double t2 = now();
    /* Timings go to stderr so that stdout is comparable across runners. */
    fprintf(stderr, "getppid %.0f ns/call, clock_gettime %.0f ns/call\n", (t1 - t0) * 1e9 / n, (t2 - t1) * 1e9 / n);
    printf("%ld getppid + %ld clock_gettime syscalls, %ld wrong results\n", n, n, bad);
    return 0;
}
