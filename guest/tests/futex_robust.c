/* Robust mutexes (the kernel's exit-time walk of the set_robust_list list) and pthread_join (CLONE_CHILD_CLEARTID's
 * futex wake at thread exit). */
#include "futex_common.h"
#include <pthread.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>

static pthread_mutex_t m, m2, m3;

static void *lock_and_die(void *p)
{
    pthread_mutex_lock(p);
    return NULL; /* exits holding the lock */
}

static void *lock_three_and_die(void *p)
{
    (void)p;
    pthread_mutex_lock(&m);
    pthread_mutex_lock(&m2);
    pthread_mutex_lock(&m3);
    return NULL;
}

static volatile int holder_ready;
static void *hold_then_die(void *p)
{
    pthread_mutex_lock(p);
    holder_ready = 1;
    struct timespec ts = {0, 50000000};
    nanosleep(&ts, NULL);
    return NULL;
}

/* A timed lock, so that a kernel without robust-list support (qemu-user) fails the test instead of hanging. */
static int lock_within(pthread_mutex_t *mx, int seconds)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += seconds;
    return pthread_mutex_timedlock(mx, &ts);
}

static void *blocked_locker(void *p)
{
    return (void *)(long)lock_within(p, 10);
}

static const char *name(int r)
{
    switch (r) {
    case 0: return "0";
    case EOWNERDEAD: return "EOWNERDEAD";
    case ENOTRECOVERABLE: return "ENOTRECOVERABLE";
    case EBUSY: return "EBUSY";
    case EDEADLK: return "EDEADLK";
    case ETIMEDOUT: return "ETIMEDOUT";
    default: return "other";
    }
}

static void init_robust(pthread_mutex_t *mx, int pshared)
{
    pthread_mutexattr_t a;
    pthread_mutexattr_init(&a);
    pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
    if (pshared) {
        pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
    }
    pthread_mutex_init(mx, &a);
    pthread_mutexattr_destroy(&a);
}

static void *retval(void *p)
{
    return (void *)((long)p * 2);
}

int main(void)
{
    pthread_t t, t2;
    init_robust(&m, 0);
    init_robust(&m2, 0);
    init_robust(&m3, 0);

    pthread_create(&t, NULL, lock_and_die, &m);
    pthread_join(t, NULL);
    int r = lock_within(&m, 2);
    printf("lock after owner died: %s\n", name(r));
    printf("consistent: %d\n", pthread_mutex_consistent(&m));
    pthread_mutex_unlock(&m);
    printf("lock again: %s\n", name(pthread_mutex_lock(&m)));
    pthread_mutex_unlock(&m);

    pthread_create(&t, NULL, lock_and_die, &m);
    pthread_join(t, NULL);
    printf("trylock after owner died: %s\n", name(pthread_mutex_trylock(&m)));
    pthread_mutex_unlock(&m); /* not made consistent: unusable from now on */
    printf("lock after unlock without consistent: %s\n", name(lock_within(&m, 2)));

    init_robust(&m, 0);
    pthread_create(&t, NULL, lock_three_and_die, NULL);
    pthread_join(t, NULL);
    printf("three locks held at exit: %s %s %s\n", name(pthread_mutex_trylock(&m)), name(pthread_mutex_trylock(&m2)),
           name(pthread_mutex_trylock(&m3)));

    /* a waiter blocked in the kernel when the owner dies is woken with EOWNERDEAD */
    init_robust(&m, 0);
    holder_ready = 0;
    pthread_create(&t, NULL, hold_then_die, &m);
    while (!holder_ready) {
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
    pthread_create(&t2, NULL, blocked_locker, &m);
    void *res2;
    pthread_join(t, NULL);
    pthread_join(t2, &res2);
    printf("blocked locker got: %s\n", name((int)(long)res2));

    /* process-shared robust mutex: the child dies holding it */
    pthread_mutex_t *pm = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    init_robust(pm, 1);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        pthread_mutex_lock(pm);
        _exit(0);
    }
    int st;
    waitpid(pid, &st, 0);
    printf("lock after child died holding it: %s\n", name(lock_within(pm, 2)));
    pthread_mutex_consistent(pm);
    pthread_mutex_unlock(pm);

    /* pthread_join relies on the kernel clearing and waking the tid word at thread exit */
    long sum = 0;
    for (int round = 0; round < 20; round++) {
        pthread_t ts[4];
        for (long i = 0; i < 4; i++) {
            pthread_create(&ts[i], NULL, retval, (void *)i);
        }
        for (int i = 0; i < 4; i++) {
            void *v;
            pthread_join(ts[i], &v);
            sum += (long)v;
        }
    }
    printf("joined 80 threads, sum of results %ld\n", sum);
    return 0;
}
