/* futex(2) between threads: wait/wake counts, requeue, cmp_requeue, wake_op comparisons, bitsets, timeouts that
 * lose to a wake, and a lost-wake-up stress test. Waiters are counted with a self-requeue (wakes nobody). */
#include "futex_common.h"
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

static uint32_t fa, fb;
static atomic_int woke;

struct waiter { uint32_t *f; int op; uint32_t val; uint32_t bitset; long ret; int err; const struct timespec *to; };

static void *waiter(void *p)
{
    struct waiter *w = p;
    if (w->op == FUTEX_WAIT_BITSET_PRIVATE) {
        w->ret = fx(w->f, w->op, w->val, NULL, NULL, w->bitset);
    } else {
        w->ret = fx(w->f, w->op, w->val, w->to, NULL, 0);
    }
    w->err = errno;
    atomic_fetch_add(&woke, 1);
    return NULL;
}

static void start(pthread_t *t, struct waiter *w, int n, uint32_t *f, int op)
{
    for (int i = 0; i < n; i++) {
        w[i] = (struct waiter){f, op, *f, FUTEX_BITSET_MATCH_ANY, -100, 0};
        pthread_create(&t[i], NULL, waiter, &w[i]);
    }
}

static void join(pthread_t *t, struct waiter *w, int n, const char *what)
{
    int ok = 0;
    for (int i = 0; i < n; i++) {
        pthread_join(t[i], NULL);
        ok += w[i].ret == 0;
    }
    printf("  %s: %d of %d returned 0\n", what, ok, n);
}

static void settle(void)
{
    struct timespec ts = {0, 2000000};
    nanosleep(&ts, NULL);
}

static uint32_t cw;
static volatile int cw_stop;

static void *cmp_waiter(void *p)
{
    (void)p;
    while (!cw_stop) {
        uint32_t v = __atomic_load_n(&cw, __ATOMIC_SEQ_CST);
        if (fx(&cw, FUTEX_WAIT_PRIVATE, v, NULL, NULL, 0) == 0) {
            atomic_fetch_add(&woke, 1);
        }
    }
    return NULL;
}

static uint32_t counter_word, counter;
static void *stress(void *p)
{
    long n = (long)p;
    for (long i = 0; i < n; i++) {
        /* a one-word lock: 0 free, 1 locked, 2 locked with waiters */
        uint32_t c = 0;
        if (!__atomic_compare_exchange_n(&counter_word, &c, 1, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
            if (c != 2) {
                c = __atomic_exchange_n(&counter_word, 2, __ATOMIC_ACQUIRE);
            }
            while (c != 0) {
                fx(&counter_word, FUTEX_WAIT_PRIVATE, 2, NULL, NULL, 0);
                c = __atomic_exchange_n(&counter_word, 2, __ATOMIC_ACQUIRE);
            }
        }
        counter++;
        if (__atomic_fetch_sub(&counter_word, 1, __ATOMIC_RELEASE) != 1) {
            __atomic_store_n(&counter_word, 0, __ATOMIC_RELEASE);
            fx(&counter_word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
        }
    }
    return NULL;
}

int main(void)
{
    pthread_t t[8];
    struct waiter w[8];

    printf("wake 2 of 5:\n");
    start(t, w, 5, &fa, FUTEX_WAIT_PRIVATE);
    await_waiters(&fa, FUTEX_PRIVATE_FLAG, 5);
    printf("  waiting: %ld\n", waiters(&fa, FUTEX_PRIVATE_FLAG));
    printf("  wake(2): %s\n", res(fx(&fa, FUTEX_WAKE_PRIVATE, 2, NULL, NULL, 0)));
    while (atomic_load(&woke) < 2) settle();
    printf("  still waiting: %ld\n", waiters(&fa, FUTEX_PRIVATE_FLAG));
    printf("  shared wake on a private wait: %s\n", res(fx(&fa, FUTEX_WAKE, 3, NULL, NULL, 0)));
    printf("  wake(0) wakes one: %s\n", res(fx(&fa, FUTEX_WAKE_PRIVATE, 0, NULL, NULL, 0)));
    printf("  wake(INT_MAX): %s\n", res(fx(&fa, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0)));
    join(t, w, 5, "joined");

    printf("requeue 4 waiters: wake 1, move 2:\n");
    atomic_store(&woke, 0);
    start(t, w, 4, &fa, FUTEX_WAIT_PRIVATE);
    await_waiters(&fa, FUTEX_PRIVATE_FLAG, 4);
    printf("  requeue: %s\n", res(fx(&fa, FUTEX_REQUEUE_PRIVATE, 1, (void *)2L, &fb, 0)));
    while (atomic_load(&woke) < 1) settle();
    printf("  on a: %ld, on b: %ld\n", waiters(&fa, FUTEX_PRIVATE_FLAG), waiters(&fb, FUTEX_PRIVATE_FLAG));
    printf("  wake a: %s\n", res(fx(&fa, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0)));
    printf("  cmp_requeue b->a, wrong value: %s\n",
           res(fx(&fb, FUTEX_CMP_REQUEUE_PRIVATE, 0, (void *)5L, &fa, 1)));
    printf("  cmp_requeue b->a, wake 0 move 5: %s\n",
           res(fx(&fb, FUTEX_CMP_REQUEUE_PRIVATE, 0, (void *)5L, &fa, 0)));
    printf("  on a: %ld, on b: %ld\n", waiters(&fa, FUTEX_PRIVATE_FLAG), waiters(&fb, FUTEX_PRIVATE_FLAG));
    printf("  wake_op on a (1) and b: %s\n",
           res(fx(&fa, FUTEX_WAKE_OP_PRIVATE, 1, (void *)1L, &fb, FUTEX_OP(FUTEX_OP_ADD, 1, FUTEX_OP_CMP_EQ, 0))));
    printf("  b is now %u\n", fb);
    printf("  wake a: %s\n", res(fx(&fa, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0)));
    join(t, w, 4, "joined");

    printf("wake_op comparisons wake the waiter on uaddr2 when true:\n");
    static const char *cmpn[] = {"EQ", "NE", "LT", "LE", "GT", "GE"};
    pthread_t ct;
    atomic_store(&woke, 0);
    pthread_create(&ct, NULL, cmp_waiter, NULL);
    for (int cmp = 0; cmp <= 5; cmp++) {
        for (int old = -1; old <= 1; old++) {
            await_waiters(&cw, FUTEX_PRIVATE_FLAG, 1);
            __atomic_store_n(&cw, (uint32_t)old, __ATOMIC_SEQ_CST);
            long r = fx(&fa, FUTEX_WAKE_OP_PRIVATE, 1, (void *)1L, &cw, FUTEX_OP(FUTEX_OP_ADD, 0, cmp, 0));
            printf("  CMP_%s %2d vs 0: %s\n", cmpn[cmp], old, res(r));
        }
    }
    await_waiters(&cw, FUTEX_PRIVATE_FLAG, 1);
    cw_stop = 1;
    fx(&cw, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
    pthread_join(ct, NULL);

    printf("bitsets:\n");
    for (int i = 0; i < 3; i++) {
        w[i] = (struct waiter){&fa, FUTEX_WAIT_BITSET_PRIVATE, fa, 1u << i, -100, 0};
        pthread_create(&t[i], NULL, waiter, &w[i]);
    }
    await_waiters(&fa, FUTEX_PRIVATE_FLAG, 3);
    printf("  wake_bitset 0x2: %s\n", res(fx(&fa, FUTEX_WAKE_BITSET_PRIVATE, INT_MAX, NULL, NULL, 2)));
    pthread_join(t[1], NULL);
    printf("  waiter 0x2 returned %ld\n", w[1].ret);
    printf("  wake_bitset 0x8: %s\n", res(fx(&fa, FUTEX_WAKE_BITSET_PRIVATE, INT_MAX, NULL, NULL, 8)));
    printf("  plain wake: %s\n", res(fx(&fa, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0)));
    pthread_join(t[0], NULL);
    pthread_join(t[2], NULL);
    printf("  others returned %ld %ld\n", w[0].ret, w[2].ret);

    printf("a wake before the timeout:\n");
    static const struct timespec ten_s = {10, 0};
    w[0] = (struct waiter){&fa, FUTEX_WAIT_PRIVATE, fa, 0, -100, 0, &ten_s};
    pthread_create(&t[0], NULL, waiter, &w[0]);
    await_waiters(&fa, FUTEX_PRIVATE_FLAG, 1);
    printf("  wake: %s\n", res(fx(&fa, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0)));
    pthread_join(t[0], NULL);
    printf("  waiter returned %ld\n", w[0].ret);

    printf("lost wake-up stress:\n");
    for (int i = 0; i < 4; i++) {
        pthread_create(&t[i], NULL, stress, (void *)5000L);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
    }
    printf("  counter %u, lock word %u\n", counter, counter_word);
    return 0;
}
