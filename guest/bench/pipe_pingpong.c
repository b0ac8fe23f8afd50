/* Benchmark: pipe ping-pong between two processes, N (argv[1]) round trips of one byte each way. */
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
    long n = argc > 1 ? atol(argv[1]) : 20000, bad = 0;
    int down[2], up[2];
    if (pipe(down) || pipe(up)) {
        perror("pipe");
        return 1;
    }
    fflush(stdout);
    double t0 = now();
    pid_t p = fork();
    if (p < 0) {
        perror("fork");
        return 1;
    }
    if (p == 0) {
        close(down[1]);
        close(up[0]);
        unsigned char c;
        while (read(down[0], &c, 1) == 1) {
            c++;
            if (write(up[1], &c, 1) != 1)
                _exit(1);
        }
        _exit(0);
    }
    close(down[0]);
    close(up[1]);
    for (long i = 0; i < n; i++) {
        unsigned char c = (unsigned char)i, r = 0;
        if (write(down[1], &c, 1) != 1 || read(up[0], &r, 1) != 1) {
            bad++;
            break;
        }
        bad += r != (unsigned char)(c + 1);
    }
    close(down[1]);
    int st;
    waitpid(p, &st, 0);
    double t1 = now();
    fprintf(stderr, "pipe ping-pong %.0f ns/round trip\n", (t1 - t0) * 1e9 / n);
    printf("%ld pipe round trips, %ld wrong, child status %d\n", n, bad, WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    return 0;
}
