/* Benchmark: process creation, N (argv[1]) rounds of fork + _exit in the child + waitpid in the parent. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
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
    long n = argc > 1 ? atol(argv[1]) : 500, bad = 0;
    fflush(stdout);
    double t0 = now();
    for (long i = 0; i < n; i++) {
        pid_t p = fork();
        if (p < 0) {
            perror("fork");
            return 1;
        }
        if (p == 0)
            _exit((int)(i & 0x7f));
        int st;
        bad += waitpid(p, &st, 0) != p || !WIFEXITED(st) || WEXITSTATUS(st) != (int)(i & 0x7f);
    }
    double t1 = now();
    fprintf(stderr, "fork+exit+wait %.0f ns/op\n", (t1 - t0) * 1e9 / n);
    printf("%ld fork+exit+wait rounds, %ld wrong statuses\n", n, bad);
    return 0;
}
