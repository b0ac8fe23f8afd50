/* mincore: resident pages of an anonymous mapping, and the errors. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static void report(const char *what, long r) {
    if (r < 0)
        printf("%s = -1 %s\n", what, strerrorname_np(errno));
    else
        printf("%s = %ld\n", what, r);
}
#define T(expr) report(#expr, (long)(expr))

int main(void) {
    long pg = sysconf(_SC_PAGESIZE);
    char *m = mmap(NULL, 4 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    unsigned char vec[8];
    memset(vec, 0xee, sizeof vec);
    T(mincore(m, 4 * pg, vec));
    printf("untouched: %d %d %d %d\n", vec[0], vec[1], vec[2], vec[3]);
    m[0] = 1;
    m[2 * pg + 5] = 1;
    T(mincore(m, 4 * pg, vec));
    printf("written 0 and 2: %d %d %d %d\n", vec[0], vec[1], vec[2], vec[3]);
    memset(vec, 0xee, sizeof vec);
    T(mincore(m, 2 * pg + 1, vec));
    printf("partial length: %d %d %d %d\n", vec[0], vec[1], vec[2], vec[3]);
    T(mincore(m, 0, vec));
    int local = 1;
    T(mincore((void *)((unsigned long)&local & ~(pg - 1)), 1, vec));
    printf("stack page: %d\n", vec[0]);

    T(mincore(m + 1, pg, vec));
    T(mincore(m, 4 * pg, (unsigned char *)0x10));
    char *ro = mmap(NULL, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    T(mincore(m, 4 * pg, (unsigned char *)ro));
    munmap(m + 3 * pg, pg);
    T(mincore(m, 4 * pg, vec));
    T(mincore(m + 3 * pg, pg, vec));
    T(mincore(m, 3 * pg, vec));
    T(mincore((void *)(1UL << 60), pg, vec));
    return 0;
}
