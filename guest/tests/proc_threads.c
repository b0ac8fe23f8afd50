/* Threads: pthread_create/join of 8 and of 200 threads alive at once (a barrier), distinct gettid and thread-local
 * storage, equal getpid, values through pthread_exit/return/join, raw clone with CLONE_CHILD_CLEARTID and
 * CLONE_PARENT_SETTID (what pthread_join relies on), a thread ending with SYS_exit alone, exit_group from a non-main
 * thread killing the others, the main thread's pthread_exit leaving the process alive, and mutex/condvar stress with
 * exact totals. */
#include "proc_common.h"
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>

static __thread int tls_value = 7;

struct info {
    int index;
    pid_t tid, pid;
    int tls_before, tls_after;
};

static void *small(void *arg)
{
    struct info *in = arg;
    in->tid = gettid();
    in->pid = getpid();
    in->tls_before = tls_value;
    tls_value = 1000 + in->index;
    sched_yield();
    in->tls_after = tls_value;
    if (in->index % 2)
        pthread_exit((void *)(long)(in->index * in->index));
    return (void *)(long)(in->index * in->index);
}

static int cmp_pid(const void *a, const void *b)
{
    return *(const pid_t *)a - *(const pid_t *)b;
}

enum { MANY = 200 };
static pthread_barrier_t barrier;
static pid_t many_tids[MANY];
static int alive_at_barrier[MANY];
static volatile int started;

static void *many(void *arg)
{
    long i = (long)arg;
    many_tids[i] = gettid();
    __atomic_add_fetch(&started, 1, __ATOMIC_SEQ_CST);
    pthread_barrier_wait(&barrier);
    /* Everyone passed the barrier only after all MANY+1 arrived: all were alive at once. */
    alive_at_barrier[i] = __atomic_load_n(&started, __ATOMIC_SEQ_CST);
    return (void *)(i + 1);
}

/* Raw clone thread (no TLS of its own: touches nothing but these globals). */
static volatile int raw_flag;
static int raw_fn(void *arg)
{
    (void)arg;
    raw_flag = 42;
    return 0;   /* glibc's clone then calls SYS_exit: this thread only */
}

static void *exit_alone(void *arg)
{
    (void)arg;
    syscall(SYS_exit, 0L);   /* the thread ends; the process goes on */
    return (void *)1L;
}

static void *block_forever(void *arg)
{
    char c;
    read(*(int *)arg, &c, 1);
    return NULL;
}
static void *exit_group_thread(void *arg)
{
    (void)arg;
    sleep_ms(10);
    exit(17);   /* exit_group: the whole process ends, the blocked threads too */
}

static int out_fd;
static void *outlive_main(void *arg)
{
    (void)arg;
    sleep_ms(30);
    write(out_fd, "thread outlived main", 20);
    return NULL;   /* the last thread: the process exits with status 0 */
}

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t not_empty = PTHREAD_COND_INITIALIZER, not_full = PTHREAD_COND_INITIALIZER;
static long counter;
enum { QN = 16, PRODUCERS = 4, ITEMS = 1500, INCS = 4000 };
static long queue[QN];
static int qhead, qcount, producers_done;
static long consumed_sum, consumed_count;

static void *incrementer(void *arg)
{
    (void)arg;
    for (int i = 0; i < INCS; i++) {
        pthread_mutex_lock(&mu);
        counter++;
        pthread_mutex_unlock(&mu);
    }
    return NULL;
}

static void *producer(void *arg)
{
    long base = (long)arg * ITEMS;
    for (long i = 1; i <= ITEMS; i++) {
        pthread_mutex_lock(&mu);
        while (qcount == QN)
            pthread_cond_wait(&not_full, &mu);
        queue[(qhead + qcount) % QN] = base + i;
        qcount++;
        pthread_cond_signal(&not_empty);
        pthread_mutex_unlock(&mu);
    }
    pthread_mutex_lock(&mu);
    producers_done++;
    pthread_cond_broadcast(&not_empty);
    pthread_mutex_unlock(&mu);
    return NULL;
}

static void *consumer(void *arg)
{
    (void)arg;
    for (;;) {
        pthread_mutex_lock(&mu);
        while (qcount == 0 && producers_done < PRODUCERS)
            pthread_cond_wait(&not_empty, &mu);
        if (qcount == 0) {
            pthread_mutex_unlock(&mu);
            return NULL;
        }
        long v = queue[qhead];
        qhead = (qhead + 1) % QN;
        qcount--;
        consumed_sum += v;
        consumed_count++;
        pthread_cond_signal(&not_full);
        pthread_mutex_unlock(&mu);
    }
}

int main(void)
{
    pid_t me = getpid();
    check("main thread: gettid() == getpid()", gettid() == me);

    /* 1. Eight threads. */
    pthread_t th[8];
    struct info in[8];
    for (int i = 0; i < 8; i++) {
        in[i].index = i;
        if (pthread_create(&th[i], NULL, small, &in[i]) != 0)
            return 1;
    }
    long sum = 0;
    pid_t tids[9];
    int ok_pid = 1, ok_tls = 1;
    for (int i = 0; i < 8; i++) {
        void *ret;
        pthread_join(th[i], &ret);
        sum += (long)ret;
        tids[i] = in[i].tid;
        ok_pid &= in[i].pid == me;
        ok_tls &= in[i].tls_before == 7 && in[i].tls_after == 1000 + i;
    }
    tids[8] = me;
    qsort(tids, 9, sizeof tids[0], cmp_pid);
    int distinct = 1;
    for (int i = 1; i < 9; i++)
        distinct &= tids[i] != tids[i - 1];
    printf("8 threads: sum of joined values = %ld (140)\n", sum);
    check("8 threads: getpid() equal in all", ok_pid);
    check("8 threads and main: gettid() distinct", distinct);
    check("thread-local storage starts at its initializer in each thread", ok_tls);
    check("main's thread-local value untouched", tls_value == 7);

    /* 2. 200 threads alive at once. */
    pthread_attr_t at;
    pthread_attr_init(&at);
    pthread_attr_setstacksize(&at, 64 * 1024);
    pthread_barrier_init(&barrier, NULL, MANY + 1);
    static pthread_t mt[MANY];
    int created = 0;
    for (long i = 0; i < MANY; i++) {
        int e = pthread_create(&mt[i], &at, many, (void *)i);
        if (e != 0) {
            printf("pthread_create #%ld: %s\n", i, strerrorname_np(e));
            break;
        }
        created++;
    }
    printf("created %d threads\n", created);
    if (created != MANY)
        return 1;
    pthread_barrier_wait(&barrier);
    sum = 0;
    int all_alive = 1;
    for (int i = 0; i < MANY; i++) {
        void *ret;
        pthread_join(mt[i], &ret);
        sum += (long)ret;
        all_alive &= alive_at_barrier[i] == MANY;
    }
    qsort(many_tids, MANY, sizeof many_tids[0], cmp_pid);
    distinct = 1;
    for (int i = 1; i < MANY; i++)
        distinct &= many_tids[i] != many_tids[i - 1] && many_tids[i] != me;
    printf("200 threads: sum of joined values = %ld (20100)\n", sum);
    check("200 threads were all alive at the barrier", all_alive);
    check("200 threads: gettid() distinct", distinct);
    pthread_barrier_destroy(&barrier);
    pthread_attr_destroy(&at);

    /* 3. Raw clone: CLONE_PARENT_SETTID writes the tid, CLONE_CHILD_CLEARTID zeroes it and futex-wakes at exit. */
    enum { STK = 256 * 1024 };
    char *stack = malloc(STK);
    static volatile pid_t ctid;
    ctid = -1;
    int flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM |
                CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID;
    pid_t t = clone(raw_fn, stack + STK, flags, NULL, &ctid, NULL, &ctid);
    check("raw clone thread created", t > 0);
    int saw_tid = 0;
    for (;;) {
        pid_t v = ctid;
        if (v == 0)
            break;
        if (v == t)
            saw_tid = 1;
        syscall(SYS_futex, &ctid, FUTEX_WAIT, v, NULL, NULL, 0);
    }
    check("CLONE_PARENT_SETTID stored the tid (or the thread had already cleared it)", saw_tid || raw_flag == 42);
    check("CLONE_CHILD_CLEARTID cleared it after the thread ran", ctid == 0 && raw_flag == 42);
    free(stack);

    /* 4. A thread that calls SYS_exit directly: joinable (the kernel clears its tid), the process continues. */
    pthread_t ta;
    pthread_create(&ta, NULL, exit_alone, NULL);
    check("join of a thread that used SYS_exit", pthread_join(ta, NULL) == 0);

    /* 5. exit() in a non-main thread ends every thread of the process. */
    pid_t p = xfork();
    if (p == 0) {
        int q[2];
        pipe(q);
        pthread_t b;
        for (int i = 0; i < 3; i++)
            pthread_create(&b, NULL, block_forever, &q[0]);
        pthread_create(&b, NULL, exit_group_thread, NULL);
        block_forever(&q[0]);
        _exit(1);
    }
    printf("exit(17) from a thread, others blocked: status %d\n", wait_status(p));

    /* 6. The main thread's pthread_exit: the process lives on until its last thread returns. */
    int pfd[2];
    pipe(pfd);
    p = xfork();
    if (p == 0) {
        close(pfd[0]);
        out_fd = pfd[1];
        pthread_t b;
        pthread_create(&b, NULL, outlive_main, NULL);
        pthread_exit(NULL);
    }
    close(pfd[1]);
    char buf[64] = {0};
    read_full(pfd[0], buf, sizeof buf - 1);
    close(pfd[0]);
    printf("main thread pthread_exit()ed: pipe got \"%s\", status %d\n", buf, wait_status(p));

    /* 7. Mutex and condition-variable stress. */
    pthread_t w[8];
    for (int i = 0; i < 8; i++)
        pthread_create(&w[i], NULL, incrementer, NULL);
    for (int i = 0; i < 8; i++)
        pthread_join(w[i], NULL);
    printf("8 threads x %d mutex-protected increments = %ld\n", INCS, counter);
    for (long i = 0; i < PRODUCERS; i++)
        pthread_create(&w[i], NULL, producer, (void *)i);
    for (int i = 4; i < 8; i++)
        pthread_create(&w[i], NULL, consumer, NULL);
    for (int i = 0; i < 8; i++)
        pthread_join(w[i], NULL);
    long n = (long)PRODUCERS * ITEMS;
    printf("condvar queue: %ld items consumed, sum %ld (expected %ld)\n", consumed_count, consumed_sum,
           n * (n + 1) / 2);
    return finish();
}
