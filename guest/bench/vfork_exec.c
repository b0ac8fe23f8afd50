/* Benchmark: vfork + execve of this program (/proc/self/exe) with an argument that makes it exit at once + waitpid,
 * N (argv[1]) rounds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "exit") == 0)
        return 7;
    long n = argc > 1 ? atol(argv[1]) : 150, bad = 0;
    char *av[] = {argv[0], "exit", NULL};
    fflush(stdout);
    double t0 = now();
    for (long i = 0; i < n; i++) {
        pid_t p = vfork();
        if (p < 0) {
            perror("vfork");
            return 1;
        }
        if (p == 0) {
            execve("/proc/self/exe", av, environ);
            _exit(127);
        }
        int st;
        bad += waitpid(p, &st, 0) != p || !WIFEXITED(st) || WEXITSTATUS(st) != 7;
    }
    double t1 = now();
    fprintf(stderr, "vfork+exec+exit+wait %.0f ns/op\n", (t1 - t0) * 1e9 / n);
    printf("%ld vfork+exec+wait rounds, %ld failed\n", n, bad);
    return 0;
}
