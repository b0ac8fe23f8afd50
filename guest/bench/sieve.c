/* Benchmark: sieve of Eratosthenes up to N (argv[1]), repeated R times (argv[2]). Integer loads/stores, branches. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 2000000;
    int reps = argc > 2 ? atoi(argv[2]) : 1;
    unsigned char *composite = malloc(n + 1);
    long count = 0;
    for (int r = 0; r < reps; r++) {
        memset(composite, 0, n + 1);
        count = 0;
        for (long i = 2; i <= n; i++) {
            if (composite[i])
                continue;
            count++;
            for (long j = i * i; j <= n; j += i)
                composite[j] = 1;
        }
    }
    printf("primes up to %ld: %ld (x%d)\n", n, count, reps);
    free(composite);
    return 0;
}
