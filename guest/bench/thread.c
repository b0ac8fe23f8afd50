/* Benchmark: thread creation, N (argv[1]) rounds of pthread_create + pthread_join. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static void *body(void *arg)
{
    return (void *)((long)arg + 1);
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 3000, bad = 0;
    double t0 = now();
    for (long i = 0; i < n; i++) {
        pthread_t t;
        void *r;
        if (pthread_create(&t, NULL, body, (void *)i) != 0) {
            perror("pthread_create");
            return 1;
        }
        pthread_join(t, &r);
        bad += (long)r != i + 1;
    }
    double t1 = now();
    fprintf(stderr, "pthread create+join %.0f ns/op\n", (t1 - t0) * 1e9 / n);
    printf("%ld pthread create+join rounds, %ld wrong results\n", n, bad);
    return 0;
}
