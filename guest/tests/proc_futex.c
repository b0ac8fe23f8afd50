/* futex: FUTEX_WAIT (EAGAIN on a value mismatch, ETIMEDOUT after a relative timeout), FUTEX_WAIT_BITSET with absolute
 * CLOCK_MONOTONIC and CLOCK_REALTIME deadlines, FUTEX_WAKE counts, FUTEX_REQUEUE, FUTEX_CMP_REQUEUE (and its
 * EAGAIN), FUTEX_WAKE_OP (every operation, both outcomes of the comparison), FUTEX_WAKE_BITSET, private and shared
 * variants, a shared futex across fork on MAP_SHARED memory, argument errors, and a futex mutex under contention.
 *
 * Wake counts are only deterministic if the waiters are known to be asleep. park() gets them there: waiters sleep on
 * a staging word, and the main thread moves them with FUTEX_CMP_REQUEUE (nr_wake 0) onto the target word until all
 * n have been moved. A requeued waiter stays asleep (with its bitset) until woken on the target. */
#include "proc_common.h"
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sys/mman.h>

static long futex(int *uaddr, int op, int val, const void *timeout_or_val2, int *uaddr2, int val3)
{
    return syscall(SYS_futex, uaddr, (long)op, (long)val, timeout_or_val2, uaddr2, (long)val3);
}
#define VAL2(n) ((const void *)(long)(n))

struct waiter {
    int *stage, *go, bitset, priv;
    pthread_t th;
};
static int woke;

static void *wait_thread(void *arg)
{
    struct waiter *w = arg;
    while (!__atomic_load_n(w->go, __ATOMIC_SEQ_CST))
        if (futex(w->stage, FUTEX_WAIT_BITSET | w->priv, 0, NULL, NULL, w->bitset) < 0 && errno != EAGAIN &&
            errno != EINTR)
            return NULL;   /* a broken futex: do not spin (park() reports it) */
    __atomic_add_fetch(&woke, 1, __ATOMIC_SEQ_CST);
    return NULL;
}

/* Moves n sleepers from stage to target; gives up (exit 1) on an error or after ~5 s. */
static void park(int *stage, int *target, int n, int priv)
{
    int moved = 0;
    for (int tries = 0; moved < n; tries++) {
        long r = futex(stage, FUTEX_CMP_REQUEUE | priv, 0, VAL2(INT_MAX), target, 0);
        if (r > 0)
            moved += r;
        else if (r < 0 || tries > 5000) {
            printf("park: only %d of %d waiters ever slept (last: %ld %s)\n", moved, n, r,
                   r < 0 ? strerrorname_np(errno) : "");
            exit(1);
        } else
            sleep_ms(1);
    }
}

static void start(struct waiter *w, int *stage, int *go, int bitset, int priv)
{
    w->stage = stage;
    w->go = go;
    w->bitset = bitset;
    w->priv = priv;
    pthread_create(&w->th, NULL, wait_thread, w);
}

static void show(const char *what, long r)
{
    if (r < 0)
        printf("%s = -1 %s\n", what, strerrorname_np(errno));
    else
        printf("%s = %ld\n", what, r);
    fflush(stdout);
}

static int mutex_word;
static long mutex_count;
static void lock(int *m)
{
    int c = 0;
    if (__atomic_compare_exchange_n(m, &c, 1, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
        return;
    if (c != 2)
        c = __atomic_exchange_n(m, 2, __ATOMIC_ACQUIRE);
    while (c != 0) {
        futex(m, FUTEX_WAIT_PRIVATE, 2, NULL, NULL, 0);
        c = __atomic_exchange_n(m, 2, __ATOMIC_ACQUIRE);
    }
}
static void unlock(int *m)
{
    if (__atomic_fetch_sub(m, 1, __ATOMIC_RELEASE) != 1) {
        __atomic_store_n(m, 0, __ATOMIC_RELEASE);
        futex(m, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
    }
}
static void *mutex_thread(void *arg)
{
    (void)arg;
    for (int i = 0; i < 5000; i++) {
        lock(&mutex_word);
        mutex_count++;
        unlock(&mutex_word);
    }
    return NULL;
}

static double real_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}
static struct timespec abs_after(clockid_t clk, long ms)
{
    struct timespec t;
    clock_gettime(clk, &t);
    t.tv_nsec += ms * 1000000L;
    t.tv_sec += t.tv_nsec / 1000000000L;
    t.tv_nsec %= 1000000000L;
    return t;
}

int main(void)
{
    static int word = 1, a, b, stage, go;
    long r;

    /* 1. Value mismatch, timeouts. */
    show("FUTEX_WAIT, value 1 expected 0", futex(&word, FUTEX_WAIT, 0, NULL, NULL, 0));
    show("FUTEX_WAIT_PRIVATE, value 1 expected 0", futex(&word, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0));
    struct timespec rel = {0, 20 * 1000000};
    double t0 = mono_now();
    r = futex(&word, FUTEX_WAIT, 1, &rel, NULL, 0);
    double el = mono_now() - t0;
    show("FUTEX_WAIT 20 ms relative", r);
    printf("  slept at least 20 ms: %s\n", el >= 0.020 ? "yes" : "no");
    struct timespec dl = abs_after(CLOCK_MONOTONIC, 20);
    r = futex(&word, FUTEX_WAIT_BITSET, 1, &dl, NULL, FUTEX_BITSET_MATCH_ANY);
    double end = mono_now();
    show("FUTEX_WAIT_BITSET, CLOCK_MONOTONIC deadline in 20 ms", r);
    printf("  woke at or after the deadline: %s\n", end >= dl.tv_sec + dl.tv_nsec * 1e-9 ? "yes" : "no");
    dl = abs_after(CLOCK_REALTIME, 20);
    r = futex(&word, FUTEX_WAIT_BITSET | FUTEX_CLOCK_REALTIME | FUTEX_PRIVATE_FLAG, 1, &dl, NULL,
              FUTEX_BITSET_MATCH_ANY);
    end = real_now();
    show("FUTEX_WAIT_BITSET_PRIVATE|FUTEX_CLOCK_REALTIME, deadline in 20 ms", r);
    printf("  woke at or after the deadline: %s\n", end >= dl.tv_sec + dl.tv_nsec * 1e-9 ? "yes" : "no");
    struct timespec past = {1, 0};
    show("FUTEX_WAIT_BITSET, deadline in the past", futex(&word, FUTEX_WAIT_BITSET, 1, &past, NULL, -1));
    struct timespec zero = {0, 0};
    show("FUTEX_WAIT, zero relative timeout", futex(&word, FUTEX_WAIT, 1, &zero, NULL, 0));

    /* 2. Argument errors. */
    struct timespec badns = {0, 1000000000};
    show("FUTEX_WAIT, tv_nsec 1e9", futex(&word, FUTEX_WAIT, 1, &badns, NULL, 0));
    struct timespec negs = {-1, 0};
    show("FUTEX_WAIT, tv_sec -1", futex(&word, FUTEX_WAIT, 1, &negs, NULL, 0));
    show("FUTEX_WAIT_BITSET, bitset 0", futex(&word, FUTEX_WAIT_BITSET, 1, NULL, NULL, 0));
    show("FUTEX_WAKE_BITSET, bitset 0", futex(&word, FUTEX_WAKE_BITSET, 1, NULL, NULL, 0));
    show("FUTEX_WAIT, unaligned address", futex((int *)((char *)&word + 1), FUTEX_WAIT, 1, NULL, NULL, 0));
    show("FUTEX_WAKE, unaligned address", futex((int *)((char *)&word + 2), FUTEX_WAKE, 1, NULL, NULL, 0));
    show("FUTEX_WAIT, NULL address", futex(NULL, FUTEX_WAIT, 1, NULL, NULL, 0));
    show("FUTEX_WAIT, bad timeout pointer", futex(&word, FUTEX_WAIT, 1, (void *)16, NULL, 0));
    show("futex op 99", futex(&word, 99, 1, NULL, NULL, 0));
    show("FUTEX_CLOCK_REALTIME with FUTEX_WAKE", futex(&word, FUTEX_WAKE | FUTEX_CLOCK_REALTIME, 1, NULL, NULL, 0));
    show("FUTEX_WAKE, no waiters", futex(&word, FUTEX_WAKE, 1, NULL, NULL, 0));
    show("FUTEX_WAKE_PRIVATE, no waiters", futex(&word, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0));

    /* 3. FUTEX_WAKE counts with 4 sleepers (shared ops, private memory). */
    struct waiter w[4];
    go = 0;
    for (int i = 0; i < 4; i++)
        start(&w[i], &stage, &go, FUTEX_BITSET_MATCH_ANY, 0);
    park(&stage, &a, 4, 0);
    printf("4 waiters parked on a\n");
    __atomic_store_n(&go, 1, __ATOMIC_SEQ_CST);
    show("FUTEX_WAKE(a, 1)", futex(&a, FUTEX_WAKE, 1, NULL, NULL, 0));
    show("FUTEX_WAKE(a, 2)", futex(&a, FUTEX_WAKE, 2, NULL, NULL, 0));
    show("FUTEX_WAKE(a, INT_MAX)", futex(&a, FUTEX_WAKE, INT_MAX, NULL, NULL, 0));
    show("FUTEX_WAKE(a, INT_MAX) again", futex(&a, FUTEX_WAKE, INT_MAX, NULL, NULL, 0));
    for (int i = 0; i < 4; i++)
        pthread_join(w[i].th, NULL);
    printf("woken threads: %d\n", woke);

    /* 4. FUTEX_REQUEUE and FUTEX_CMP_REQUEUE (private). */
    go = 0;
    woke = 0;
    for (int i = 0; i < 3; i++)
        start(&w[i], &stage, &go, FUTEX_BITSET_MATCH_ANY, FUTEX_PRIVATE_FLAG);
    park(&stage, &a, 3, FUTEX_PRIVATE_FLAG);
    __atomic_store_n(&go, 1, __ATOMIC_SEQ_CST);
    show("FUTEX_CMP_REQUEUE_PRIVATE(a, 1, 1, b), *a != val", futex(&a, FUTEX_CMP_REQUEUE_PRIVATE, 1, VAL2(1), &b, 5));
    show("FUTEX_CMP_REQUEUE_PRIVATE(a, 1, -1, b)", futex(&a, FUTEX_CMP_REQUEUE_PRIVATE, 1, VAL2(-1), &b, 0));
    show("FUTEX_REQUEUE_PRIVATE(a, wake 1, requeue 1, b)", futex(&a, FUTEX_REQUEUE_PRIVATE, 1, VAL2(1), &b, 0));
    show("FUTEX_WAKE_PRIVATE(a, INT_MAX)", futex(&a, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0));
    show("FUTEX_WAKE_PRIVATE(b, INT_MAX)", futex(&b, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0));
    for (int i = 0; i < 3; i++)
        pthread_join(w[i].th, NULL);
    printf("woken threads: %d\n", woke);

    /* 5. FUTEX_WAKE_OP: the operations on *uaddr2 (no waiters), then the wake counts. */
    struct {
        const char *name;
        int op, oparg, before;
    } ops[] = {
        {"SET 9", FUTEX_OP_SET, 9, 3},       {"ADD 5", FUTEX_OP_ADD, 5, 3},   {"OR 12", FUTEX_OP_OR, 12, 3},
        {"ANDN 1", FUTEX_OP_ANDN, 1, 3},     {"XOR 6", FUTEX_OP_XOR, 6, 3},
        {"SET 1<<4 (OPARG_SHIFT)", FUTEX_OP_SET | FUTEX_OP_OPARG_SHIFT, 4, 3},
    };
    for (unsigned i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        b = ops[i].before;
        r = futex(&a, FUTEX_WAKE_OP_PRIVATE, 1, VAL2(1), &b, FUTEX_OP(ops[i].op, ops[i].oparg, FUTEX_OP_CMP_EQ, 3));
        printf("FUTEX_WAKE_OP %s on 3 = %ld, *uaddr2 now %d\n", ops[i].name, r, b);
    }
    b = 3;
    show("FUTEX_WAKE_OP op 7", futex(&a, FUTEX_WAKE_OP_PRIVATE, 1, VAL2(1), &b, FUTEX_OP(7, 1, FUTEX_OP_CMP_EQ, 0)));
    printf("  *uaddr2 now %d\n", b);
    show("FUTEX_WAKE_OP, uaddr2 NULL", futex(&a, FUTEX_WAKE_OP_PRIVATE, 1, VAL2(1), NULL, 0));
    for (int cmp_true = 1; cmp_true >= 0; cmp_true--) {
        go = 0;
        woke = 0;
        int stage2 = 0;
        start(&w[0], &stage, &go, FUTEX_BITSET_MATCH_ANY, FUTEX_PRIVATE_FLAG);
        start(&w[1], &stage2, &go, FUTEX_BITSET_MATCH_ANY, FUTEX_PRIVATE_FLAG);
        park(&stage, &a, 1, FUTEX_PRIVATE_FLAG);
        park(&stage2, &b, 1, FUTEX_PRIVATE_FLAG);
        __atomic_store_n(&go, 1, __ATOMIC_SEQ_CST);
        b = 10;   /* the waiter on b only compares at FUTEX_WAIT time: it is already asleep */
        r = futex(&a, FUTEX_WAKE_OP_PRIVATE, 1, VAL2(1), &b,
                  FUTEX_OP(FUTEX_OP_ADD, 1, cmp_true ? FUTEX_OP_CMP_GT : FUTEX_OP_CMP_LT, 5));
        printf("FUTEX_WAKE_OP with a waiter on each word, comparison %s = %ld, *uaddr2 now %d\n",
               cmp_true ? "true" : "false", r, b);
        show("  then FUTEX_WAKE_PRIVATE(b, INT_MAX)", futex(&b, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0));
        pthread_join(w[0].th, NULL);
        pthread_join(w[1].th, NULL);
    }

    /* 6. FUTEX_WAKE_BITSET: waiters with bitsets 1, 2 and 3. */
    go = 0;
    woke = 0;
    a = 0;
    for (int i = 0; i < 3; i++)
        start(&w[i], &stage, &go, i + 1, FUTEX_PRIVATE_FLAG);
    park(&stage, &a, 3, FUTEX_PRIVATE_FLAG);
    __atomic_store_n(&go, 1, __ATOMIC_SEQ_CST);
    show("FUTEX_WAKE_BITSET(bitset 2)", futex(&a, FUTEX_WAKE_BITSET_PRIVATE, INT_MAX, NULL, NULL, 2));
    show("FUTEX_WAKE_BITSET(bitset 4)", futex(&a, FUTEX_WAKE_BITSET_PRIVATE, INT_MAX, NULL, NULL, 4));
    show("FUTEX_WAKE_BITSET(bitset 1)", futex(&a, FUTEX_WAKE_BITSET_PRIVATE, INT_MAX, NULL, NULL, 1));
    show("FUTEX_WAKE(INT_MAX)", futex(&a, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0));
    for (int i = 0; i < 3; i++)
        pthread_join(w[i].th, NULL);
    printf("woken threads: %d\n", woke);

    /* 7. A shared futex across fork, on MAP_SHARED memory. */
    int *sh = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    sh[0] = sh[1] = sh[2] = 0;   /* stage, target, go */
    pid_t p = xfork();
    if (p == 0) {
        while (!__atomic_load_n(&sh[2], __ATOMIC_SEQ_CST))
            if (futex(&sh[0], FUTEX_WAIT, 0, NULL, NULL, 0) < 0 && errno != EAGAIN && errno != EINTR)
                _exit(9);
        _exit(5);
    }
    park(&sh[0], &sh[1], 1, 0);
    printf("the child sleeps on the shared word\n");
    show("FUTEX_WAKE_PRIVATE from the parent", futex(&sh[1], FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0));
    __atomic_store_n(&sh[2], 1, __ATOMIC_SEQ_CST);
    show("FUTEX_WAKE (shared) from the parent", futex(&sh[1], FUTEX_WAKE, 1, NULL, NULL, 0));
    printf("child status %d\n", wait_status(p));
    munmap(sh, 4096);

    /* 8. A futex mutex under contention. */
    pthread_t m[4];
    for (int i = 0; i < 4; i++)
        pthread_create(&m[i], NULL, mutex_thread, NULL);
    for (int i = 0; i < 4; i++)
        pthread_join(m[i], NULL);
    printf("futex mutex: 4 threads x 5000 increments = %ld, word %d\n", mutex_count, mutex_word);
    return 0;
}
