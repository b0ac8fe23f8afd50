/* malloc/calloc/realloc/free stress: many sizes, including blocks above the 128 KiB mmap threshold; checksums only. */
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void fill(unsigned char *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (unsigned char)(seed + i * 7);
}

static int check(const unsigned char *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != (unsigned char)(seed + i * 7))
            return 0;
    return 1;
}

#define SLOTS 512

int main(void)
{
    static unsigned char *ptr[SLOTS];
    static size_t len[SLOTS];
    static unsigned seed[SLOTS];
    int bad = 0;
    unsigned long allocs = 0, reallocs = 0, frees = 0, aligned = 0;

    for (int round = 0; round < 3000; round++) {
        int s = next() % SLOTS;
        uint64_t r = next();
        size_t n;
        switch (r % 32) {
        case 0: n = 128 * 1024 + r % (512 * 1024); break;   /* mmap'd chunks */
        case 1: case 2: n = 4096 + r % 60000; break;
        default: n = 1 + r % 512; break;
        }
        if (ptr[s] && (r >> 8) % 3 == 0) {
            unsigned char *q = realloc(ptr[s], n);
            if (!q) { bad++; continue; }
            size_t keep = len[s] < n ? len[s] : n;
            if (!check(q, keep, seed[s])) bad++;
            fill(q, n, seed[s]);
            ptr[s] = q;
            len[s] = n;
            reallocs++;
        } else {
            if (ptr[s]) {
                if (!check(ptr[s], len[s], seed[s])) bad++;
                free(ptr[s]);
                frees++;
            }
            unsigned char *q = (r >> 8) % 3 == 1 ? calloc(1, n) : malloc(n);
            if (!q) { bad++; ptr[s] = NULL; continue; }
            if ((r >> 8) % 3 == 1)
                for (size_t i = 0; i < n; i++)
                    if (q[i]) { bad++; break; }
            aligned += ((uintptr_t)q & 15) == 0;
            seed[s] = (unsigned)r;
            fill(q, n, seed[s]);
            ptr[s] = q;
            len[s] = n;
            allocs++;
        }
    }
    uint64_t sum = 0;
    for (int s = 0; s < SLOTS; s++) {
        if (!ptr[s]) continue;
        if (!check(ptr[s], len[s], seed[s])) bad++;
        for (size_t i = 0; i < len[s]; i += 61)
            sum = sum * 1099511628211ULL + ptr[s][i];
        free(ptr[s]);
    }
    printf("allocs=%lu reallocs=%lu frees=%lu all 16-byte aligned=%s bad=%d checksum=%016llx\n", allocs, reallocs,
           frees, aligned == allocs ? "yes" : "no", bad, (unsigned long long)sum);

    /* A big calloc is zeroed; a big block survives growth through realloc (mremap on Linux). */
    size_t big = 2 << 20;
    unsigned char *b = calloc(big, 1);
    size_t nz = 0;
    for (size_t i = 0; i < big; i += 64) nz += b[i] != 0;
    fill(b, big, 3);
    b = realloc(b, 2 * big);
    printf("2 MiB calloc nonzero=%zu, grown to 4 MiB intact=%d\n", nz, check(b, big, 3));
    b = realloc(b, 1000);
    printf("shrunk to 1000 intact=%d\n", check(b, 1000, 3));
    free(b);

    void *al = aligned_alloc(4096, 3 * 4096);
    void *pm = NULL;
    int pr = posix_memalign(&pm, 256, 1000);
    void *ma = memalign(65536, 100);
    printf("aligned_alloc %d posix_memalign %d/%d memalign %d\n", ((uintptr_t)al & 4095) == 0, pr,
           ((uintptr_t)pm & 255) == 0, ((uintptr_t)ma & 65535) == 0);
    free(al);
    free(pm);
    free(ma);

    printf("malloc(0) freeable: ");
    free(malloc(0));
    printf("yes\nrealloc(NULL, 10) works: %s\n", (b = realloc(NULL, 10)) ? "yes" : "no");
    free(b);
    printf("huge malloc fails: %s\n", malloc(SIZE_MAX / 2) == NULL ? "yes" : "no");
    return bad != 0;
}
