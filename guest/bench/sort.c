/* Benchmark: sorts N (argv[1]) pseudo-random 64-bit keys with qsort (indirect calls) and with an inline merge sort. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static void merge_sort(uint64_t *a, uint64_t *tmp, size_t n)
{
    for (size_t width = 1; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = lo + width < n ? lo + width : n, hi = lo + 2 * width < n ? lo + 2 * width : n;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi)
                tmp[k++] = a[i] <= a[j] ? a[i++] : a[j++];
            while (i < mid) tmp[k++] = a[i++];
            while (j < hi) tmp[k++] = a[j++];
        }
        memcpy(a, tmp, n * sizeof *a);
    }
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? (size_t)atol(argv[1]) : 200000;
    uint64_t *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b), *tmp = malloc(n * sizeof *tmp);
    uint64_t s = 88172645463325252ULL;
    for (size_t i = 0; i < n; i++) {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        a[i] = b[i] = s % 1000000007ULL;
    }
    qsort(a, n, sizeof *a, cmp);
    merge_sort(b, tmp, n);
    uint64_t h = 1469598103934665603ULL;
    int same = 1;
    for (size_t i = 0; i < n; i++) {
        same &= a[i] == b[i];
        h = (h ^ a[i]) * 1099511628211ULL;
    }
    printf("sorted %zu keys twice, agree=%d hash=%016llx\n", n, same, (unsigned long long)h);
    return 0;
}
