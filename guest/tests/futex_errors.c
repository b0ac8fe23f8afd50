/* futex(2) argument checking and non-blocking results: EAGAIN, ETIMEDOUT, EINVAL, EFAULT, ENOSYS, wake counts. */
#include "futex_common.h"
#include <limits.h>
#include <sys/mman.h>

int main(void)
{
    static uint32_t word = 5, other = 7;
    uint32_t *unaligned = (uint32_t *)((char *)&word + 1);
    struct timespec zero = {0, 0}, short_rel = {0, 20000000}, bad_nsec = {0, 1000000000L}, neg = {-1, 0};
    struct timespec neg_nsec = {0, -1};
    char *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *none = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    void *unmapped = (void *)16;

    printf("wait value differs: %s\n", res(fx(&word, FUTEX_WAIT_PRIVATE, 4, NULL, NULL, 0)));
    printf("wait value differs (shared): %s\n", res(fx(&word, FUTEX_WAIT, 4, NULL, NULL, 0)));
    printf("wait zero timeout: %s\n", res(fx(&word, FUTEX_WAIT_PRIVATE, 5, &zero, NULL, 0)));
    long long t0 = now_ns(CLOCK_MONOTONIC);
    printf("wait 20ms relative: %s\n", res(fx(&word, FUTEX_WAIT_PRIVATE, 5, &short_rel, NULL, 0)));
    printf("  took >= 20ms: %s\n", now_ns(CLOCK_MONOTONIC) - t0 >= 20000000 ? "yes" : "no");

    struct timespec abs;
    clock_gettime(CLOCK_MONOTONIC, &abs);
    abs.tv_nsec += 20000000;
    if (abs.tv_nsec >= 1000000000L) { abs.tv_sec++; abs.tv_nsec -= 1000000000L; }
    t0 = now_ns(CLOCK_MONOTONIC);
    printf("wait_bitset absolute monotonic: %s\n",
           res(fx(&word, FUTEX_WAIT_BITSET_PRIVATE, 5, &abs, NULL, FUTEX_BITSET_MATCH_ANY)));
    printf("  took >= 20ms: %s\n", now_ns(CLOCK_MONOTONIC) - t0 >= 20000000 ? "yes" : "no");
    clock_gettime(CLOCK_REALTIME, &abs);
    abs.tv_nsec += 20000000;
    if (abs.tv_nsec >= 1000000000L) { abs.tv_sec++; abs.tv_nsec -= 1000000000L; }
    long long r0 = now_ns(CLOCK_REALTIME);
    printf("wait_bitset absolute realtime: %s\n",
           res(fx(&word, FUTEX_WAIT_BITSET_PRIVATE | FUTEX_CLOCK_REALTIME, 5, &abs, NULL, FUTEX_BITSET_MATCH_ANY)));
    printf("  took >= 20ms: %s\n", now_ns(CLOCK_REALTIME) - r0 >= 20000000 ? "yes" : "no");
    struct timespec past = {1, 0};
    printf("wait_bitset deadline in the past: %s\n",
           res(fx(&word, FUTEX_WAIT_BITSET_PRIVATE, 5, &past, NULL, -1)));
    printf("wait_bitset past deadline, value differs: %s\n",
           res(fx(&word, FUTEX_WAIT_BITSET_PRIVATE, 6, &past, NULL, -1)));
    printf("wait_bitset realtime epoch: %s\n",
           res(fx(&word, FUTEX_WAIT_BITSET | FUTEX_CLOCK_REALTIME, 5, &past, NULL, -1)));

    printf("wait tv_nsec 1e9: %s\n", res(fx(&word, FUTEX_WAIT_PRIVATE, 5, &bad_nsec, NULL, 0)));
    printf("wait tv_nsec -1: %s\n", res(fx(&word, FUTEX_WAIT_PRIVATE, 5, &neg_nsec, NULL, 0)));
    printf("wait tv_sec -1: %s\n", res(fx(&word, FUTEX_WAIT_PRIVATE, 5, &neg, NULL, 0)));
    printf("wait bad timespec, value differs: %s\n", res(fx(&word, FUTEX_WAIT_PRIVATE, 4, &bad_nsec, NULL, 0)));
    printf("wait timeout unmapped: %s\n", res(fx(&word, FUTEX_WAIT_PRIVATE, 5, unmapped, NULL, 0)));
    printf("wait CLOCK_REALTIME: %s\n", res(fx(&word, FUTEX_WAIT_PRIVATE | FUTEX_CLOCK_REALTIME, 5, &zero, NULL, 0)));
    printf("wait CLOCK_REALTIME bad timespec: %s\n",
           res(fx(&word, FUTEX_WAIT_PRIVATE | FUTEX_CLOCK_REALTIME, 5, &bad_nsec, NULL, 0)));
    printf("wake CLOCK_REALTIME: %s\n", res(fx(&word, FUTEX_WAKE_PRIVATE | FUTEX_CLOCK_REALTIME, 1, NULL, NULL, 0)));
    printf("wait_bitset bitset 0: %s\n", res(fx(&word, FUTEX_WAIT_BITSET_PRIVATE, 5, &zero, NULL, 0)));
    printf("wake_bitset bitset 0: %s\n", res(fx(&word, FUTEX_WAKE_BITSET_PRIVATE, 1, NULL, NULL, 0)));

    printf("wait unaligned: %s\n", res(fx(unaligned, FUTEX_WAIT_PRIVATE, 5, NULL, NULL, 0)));
    printf("wake unaligned: %s\n", res(fx(unaligned, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0)));
    printf("wait unmapped: %s\n", res(fx(unmapped, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0)));
    printf("wait unmapped (shared): %s\n", res(fx(unmapped, FUTEX_WAIT, 0, NULL, NULL, 0)));
    printf("wait PROT_NONE: %s\n", res(fx(none, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0)));
    printf("wait read-only, value differs: %s\n", res(fx(ro, FUTEX_WAIT_PRIVATE, 1, NULL, NULL, 0)));
    printf("wait read-only (shared), value differs: %s\n", res(fx(ro, FUTEX_WAIT, 1, NULL, NULL, 0)));
    printf("wake unmapped (private): %s\n", res(fx(unmapped, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0)));
    printf("wake unmapped (shared): %s\n", res(fx(unmapped, FUTEX_WAKE, 1, NULL, NULL, 0)));
    printf("wake kernel address: %s\n", res(fx((void *)-4096L, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0)));

    printf("wake nobody: %s\n", res(fx(&word, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0)));
    printf("wake nobody (shared): %s\n", res(fx(&word, FUTEX_WAKE, 1, NULL, NULL, 0)));
    printf("requeue nobody: %s\n", res(fx(&word, FUTEX_REQUEUE_PRIVATE, 1, (void *)1L, &other, 0)));
    printf("requeue nr_wake -1: %s\n", res(fx(&word, FUTEX_REQUEUE_PRIVATE, -1, (void *)1L, &other, 0)));
    printf("requeue nr_requeue -1: %s\n", res(fx(&word, FUTEX_REQUEUE_PRIVATE, 1, (void *)0xffffffffL, &other, 0)));
    printf("requeue uaddr2 unaligned: %s\n", res(fx(&word, FUTEX_REQUEUE_PRIVATE, 1, (void *)1L, unaligned, 0)));
    printf("cmp_requeue value differs: %s\n", res(fx(&word, FUTEX_CMP_REQUEUE_PRIVATE, 1, (void *)1L, &other, 4)));
    printf("cmp_requeue value equal: %s\n", res(fx(&word, FUTEX_CMP_REQUEUE_PRIVATE, 1, (void *)1L, &other, 5)));
    printf("cmp_requeue unmapped: %s\n", res(fx(unmapped, FUTEX_CMP_REQUEUE_PRIVATE, 1, (void *)1L, &other, 5)));
    printf("cmp_requeue unmapped uaddr2: %s\n", res(fx(&word, FUTEX_CMP_REQUEUE_PRIVATE, 1, (void *)1L, unmapped, 5)));

    /* FUTEX_WAKE_OP: each operation, each comparison, the shift flag, faults. */
    static const char *opn[] = {"SET", "ADD", "OR", "ANDN", "XOR"};
    for (int op = 0; op <= 4; op++) {
        other = 0xf0;
        long r = fx(&word, FUTEX_WAKE_OP_PRIVATE, 1, (void *)1L, &other, FUTEX_OP(op, 0x13, FUTEX_OP_CMP_EQ, 0xf0));
        printf("wake_op %s 0x13: %s word 0x%x\n", opn[op], res(r), other);
    }
    other = 0xff;
    long r = fx(&word, FUTEX_WAKE_OP_PRIVATE, 1, (void *)1L, &other,
                FUTEX_OP((FUTEX_OP_ANDN | FUTEX_OP_OPARG_SHIFT), 4, FUTEX_OP_CMP_EQ, 0));
    printf("wake_op ANDN 1<<4: %s word 0x%x\n", res(r), other);
    other = 0;
    r = fx(&word, FUTEX_WAKE_OP_PRIVATE, 1, (void *)1L, &other, FUTEX_OP(FUTEX_OP_SET, -1, FUTEX_OP_CMP_EQ, 0));
    printf("wake_op SET -1 (sign-extended): %s word 0x%x\n", res(r), other);
    other = 3;
    r = fx(&word, FUTEX_WAKE_OP_PRIVATE, 1, (void *)1L, &other, FUTEX_OP(FUTEX_OP_ADD, 1, 6, 0));
    printf("wake_op unknown comparison: %s word %u\n", res(r), other);
    other = 3;
    r = fx(&word, FUTEX_WAKE_OP_PRIVATE, 1, (void *)1L, &other, FUTEX_OP(5, 1, FUTEX_OP_CMP_EQ, 0));
    printf("wake_op unknown op: %s word %u\n", res(r), other);
    printf("wake_op uaddr2 unmapped: %s\n",
           res(fx(&word, FUTEX_WAKE_OP_PRIVATE, 1, (void *)1L, unmapped, FUTEX_OP(0, 1, 0, 0))));
    printf("wake_op uaddr2 read-only: %s\n",
           res(fx(&word, FUTEX_WAKE_OP_PRIVATE, 1, (void *)1L, ro, FUTEX_OP(0, 1, 0, 0))));
    printf("wake_op uaddr2 unaligned: %s\n",
           res(fx(&word, FUTEX_WAKE_OP_PRIVATE, 1, (void *)1L, unaligned, FUTEX_OP(0, 1, 0, 0))));
    printf("wake_op uaddr unmapped (shared): %s\n",
           res(fx(unmapped, FUTEX_WAKE_OP, 1, (void *)1L, &other, FUTEX_OP(0, 1, 0, 0))));

    printf("FUTEX_FD: %s\n", res(fx(&word, 2, 0, NULL, NULL, 0)));
    printf("op 14: %s\n", res(fx(&word, 14, 0, NULL, NULL, 0)));
    printf("op 1|512: %s\n", res(fx(&word, 1 | 512, 0, NULL, NULL, 0)));
    printf("op -1: %s\n", res(fx(&word, -1, 0, NULL, NULL, 0)));
    printf("word unchanged: %u\n", word);
    return 0;
}
