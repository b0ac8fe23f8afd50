/* riscv_hwprobe under jkernel (riscv64 only: neither the x86-64 oracle nor qemu 7.2 has it). The expected output
 * follows Documentation/arch/riscv/hwprobe.rst and jkernel's RV64IMAFDC harts. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define NR_hwprobe 258
struct pair { long long key; unsigned long long value; };

static long hwprobe(struct pair *p, long n, long setsize, void *cpus, long flags) {
    long r = syscall(NR_hwprobe, p, n, setsize, cpus, flags);
    return r < 0 ? -errno : r;
}

int main(void) {
    const char *names[] = {"MVENDORID", "MARCHID", "MIMPID", "BASE_BEHAVIOR", "IMA_EXT_0", "CPUPERF_0",
                           "ZICBOZ_BLOCK_SIZE", "HIGHEST_VIRT_ADDRESS", "TIME_CSR_FREQ", "MISALIGNED_SCALAR_PERF"};
    struct pair p[12];
    for (int i = 0; i < 12; i++) {
        p[i].key = i;
        p[i].value = 0x5555;
    }
    p[10].key = 1000;
    p[11].key = -7;
    printf("all cpus: %ld\n", hwprobe(p, 12, 0, NULL, 0));
    for (int i = 0; i < 10; i++)
        printf("  %s key %lld value %#llx\n", names[i], p[i].key, p[i].value);
    printf("  unknown 1000 -> key %lld value %llu\n", p[10].key, p[10].value);
    printf("  unknown -7 -> key %lld value %llu\n", p[11].key, p[11].value);

    unsigned long set = 1;
    struct pair q = {4, 0};
    long r = hwprobe(&q, 1, sizeof set, &set, 0);
    printf("cpu 0 only: %ld value %#llx\n", r, q.value);
    set = 0;
    printf("empty set: %ld\n", hwprobe(&q, 1, sizeof set, &set, 0));
    set = 1UL << 63;
    printf("offline cpu only: %ld\n", hwprobe(&q, 1, sizeof set, &set, 0));
    printf("set size 0 with pointer: %ld\n", hwprobe(&q, 1, 0, &set, 0));
    printf("null set with size: %ld\n", hwprobe(&q, 1, 8, NULL, 0));
    printf("bad flags: %ld\n", hwprobe(&q, 1, 0, NULL, 2));
    printf("bad pairs: %ld\n", hwprobe((struct pair *)8, 1, 0, NULL, 0));
    printf("no pairs, bad pointer: %ld\n", hwprobe((struct pair *)8, 0, 0, NULL, 0));

    /* RISCV_HWPROBE_WHICH_CPUS (1): the cpus having every pair. */
    unsigned long all = 0;
    struct pair w[2] = {{4, 3}, {3, 1}}; /* IMA_FD|IMA_C, base IMA */
    printf("which: %ld", hwprobe(w, 2, sizeof all, &all, 1));
    printf(" cpus %s\n", all == 0 ? "none" : (all & 1) ? "include cpu 0" : "exclude cpu 0");
    all = 0;
    w[0].value = 1ULL << 2; /* IMA_V: not implemented */
    r = hwprobe(w, 2, sizeof all, &all, 1);
    printf("which V: %ld cpus %#lx\n", r, all);
    all = 1;
    w[0].key = 9;
    w[0].value = 2; /* misaligned scalar: SLOW */
    r = hwprobe(w, 1, sizeof all, &all, 1);
    printf("which misaligned slow: %ld cpus %#lx\n", r, all);
    all = 1;
    w[0].value = 3; /* FAST: a value key must be equal */
    r = hwprobe(w, 1, sizeof all, &all, 1);
    printf("which misaligned fast: %ld cpus %#lx\n", r, all);
    all = 1;
    w[0].key = 4242;
    w[0].value = 7;
    r = hwprobe(w, 1, sizeof all, &all, 1);
    printf("which unknown: %ld cpus %#lx key %lld value %llu\n", r, all, w[0].key, w[0].value);
    printf("which null set: %ld\n", hwprobe(w, 1, 0, NULL, 1));
    printf("which bad flags: %ld\n", hwprobe(w, 1, sizeof all, &all, 3));

    /* glibc's vDSO-backed wrapper is not in Debian 12's glibc; the vDSO symbol is a syscall stub. */
    return 0;
}
