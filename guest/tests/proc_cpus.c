/* CPUs and sleeping: sched_getaffinity's count against sysconf(_SC_NPROCESSORS_ONLN) (only whether they agree and
 * are >= 1), getcpu within the affinity mask, sched_setaffinity to one CPU and getcpu then reporting it (also from a
 * thread and across fork), affinity errors, sched_yield, sched_getscheduler, nanosleep and clock_nanosleep (relative
 * and TIMER_ABSTIME, on CLOCK_MONOTONIC and CLOCK_REALTIME) sleeping at least as long as asked, and EINVAL for bad
 * timespecs and clocks. */
#include "proc_common.h"
#include <pthread.h>
#include <sched.h>

static int getcpu_now(void)
{
    unsigned cpu = 0, node = 0;
    if (syscall(SYS_getcpu, &cpu, &node, NULL) != 0)
        return -1;
    return (int)cpu;
}

static int pinned_cpu;
static void *thread_cpu(void *arg)
{
    (void)arg;
    int ok = 1;
    for (int i = 0; i < 50; i++) {
        ok &= getcpu_now() == pinned_cpu;
        sched_yield();
    }
    return (void *)(long)ok;
}

static double real_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static struct timespec ts_after(clockid_t clk, long ms)
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
    cpu_set_t set, orig;
    CPU_ZERO(&orig);
    T(sched_getaffinity(0, sizeof orig, &orig));
    int count = CPU_COUNT(&orig);
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    printf("affinity count >= 1: %s; equals sysconf(_SC_NPROCESSORS_ONLN): %s; nprocs_conf >= online: %s\n",
           count >= 1 ? "yes" : "no", count == online ? "yes" : "no",
           sysconf(_SC_NPROCESSORS_CONF) >= online ? "yes" : "no");
    long raw = syscall(SYS_sched_getaffinity, 0L, sizeof orig, &set);
    printf("raw sched_getaffinity returns a size > 0 and a multiple of 8: %s\n", raw > 0 && raw % 8 == 0 ? "yes" : "no");
    errno = 0;
    raw = syscall(SYS_sched_getaffinity, 0L, 1L, &set);
    printf("raw sched_getaffinity with size 1 = %ld %s\n", raw, raw < 0 ? strerrorname_np(errno) : "");
    raw = syscall(SYS_sched_getaffinity, 0L, sizeof orig, (void *)16);
    printf("raw sched_getaffinity into a bad pointer = %ld %s\n", raw, raw < 0 ? strerrorname_np(errno) : "");
    int c = getcpu_now();
    printf("getcpu succeeds and is in the mask: %s\n", c >= 0 && CPU_ISSET(c, &orig) ? "yes" : "no");
    unsigned only_cpu = 0;
    T(syscall(SYS_getcpu, &only_cpu, NULL, NULL));

    /* Pin to the highest CPU in the mask. */
    pinned_cpu = -1;
    for (int i = 0; i < CPU_SETSIZE; i++)
        if (CPU_ISSET(i, &orig))
            pinned_cpu = i;
    CPU_ZERO(&set);
    CPU_SET(pinned_cpu, &set);
    T(sched_setaffinity(0, sizeof set, &set));
    int ok = 1;
    for (int i = 0; i < 50; i++) {
        ok &= getcpu_now() == pinned_cpu;
        sched_yield();
    }
    printf("pinned: getcpu reports the pinned CPU 50 times: %s\n", ok ? "yes" : "no");
    CPU_ZERO(&set);
    sched_getaffinity(0, sizeof set, &set);
    printf("sched_getaffinity after pinning: %d CPU, the pinned one: %s\n", CPU_COUNT(&set),
           CPU_ISSET(pinned_cpu, &set) ? "yes" : "no");
    pthread_t t;
    void *ret;
    pthread_create(&t, NULL, thread_cpu, NULL);
    pthread_join(t, &ret);
    printf("a new thread inherits the pinning: %s\n", ret ? "yes" : "no");
    pid_t p = xfork();
    if (p == 0) {
        cpu_set_t s;
        sched_getaffinity(0, sizeof s, &s);
        _exit(CPU_COUNT(&s) == 1 && CPU_ISSET(pinned_cpu, &s) && getcpu_now() == pinned_cpu ? 0 : 1);
    }
    printf("a forked child inherits the pinning: %s\n", wait_status(p) == 0 ? "yes" : "no");
    CPU_ZERO(&set);
    T(sched_setaffinity(0, sizeof set, &set));   /* empty mask */
    T(sched_setaffinity(0, sizeof orig, &orig));
    CPU_ZERO(&set);
    sched_getaffinity(0, sizeof set, &set);
    printf("restored: %s\n", CPU_EQUAL(&set, &orig) ? "yes" : "no");
    p = xfork();
    if (p == 0)
        _exit(0);
    wait_status(p);
    T(sched_setaffinity(p, sizeof orig, &orig));   /* reaped: no such process */

    T(sched_yield());
    T(sched_getscheduler(0));
    struct sched_param sp = {99};
    T(sched_getparam(0, &sp));
    printf("priority %d\n", sp.sched_priority);

    /* Sleeping. */
    struct timespec ts = {0, 20 * 1000000}, rem = {9, 9};
    double t0 = mono_now();
    T(nanosleep(&ts, &rem));
    printf("nanosleep 20 ms slept at least 20 ms: %s\n", mono_now() - t0 >= 0.020 ? "yes" : "no");
    t0 = mono_now();
    printf("clock_nanosleep(MONOTONIC, relative 20 ms) = %d\n", clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, NULL));
    printf("  slept at least 20 ms: %s\n", mono_now() - t0 >= 0.020 ? "yes" : "no");
    struct timespec dl = ts_after(CLOCK_MONOTONIC, 20);
    printf("clock_nanosleep(MONOTONIC, TIMER_ABSTIME +20 ms) = %d\n",
           clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &dl, NULL));
    printf("  woke at or after the deadline: %s\n", mono_now() >= dl.tv_sec + dl.tv_nsec * 1e-9 ? "yes" : "no");
    dl = ts_after(CLOCK_REALTIME, 20);
    printf("clock_nanosleep(REALTIME, TIMER_ABSTIME +20 ms) = %d\n",
           clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &dl, NULL));
    printf("  woke at or after the deadline: %s\n", real_now() >= dl.tv_sec + dl.tv_nsec * 1e-9 ? "yes" : "no");
    struct timespec past = {1, 0};
    t0 = mono_now();
    printf("clock_nanosleep(MONOTONIC, TIMER_ABSTIME, 1 s after boot) = %d\n",
           clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &past, NULL));
    printf("  returned at once: %s\n", mono_now() - t0 < 0.5 ? "yes" : "no");
    struct timespec zero = {0, 0};
    T(nanosleep(&zero, NULL));
    struct timespec bad1 = {0, 1000000000}, bad2 = {0, -1}, bad3 = {-1, 0};
    T(nanosleep(&bad1, NULL));
    T(nanosleep(&bad2, NULL));
    T(nanosleep(&bad3, NULL));
    T(nanosleep(NULL, NULL));
    printf("clock_nanosleep(MONOTONIC, tv_nsec 1e9) = %s\n", strerrorname_np(clock_nanosleep(CLOCK_MONOTONIC, 0, &bad1, NULL)));
    printf("clock_nanosleep(MONOTONIC, ABSTIME, tv_sec -1) = %s\n",
           strerrorname_np(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &bad3, NULL)));
    printf("clock_nanosleep(clock 99) = %s\n", strerrorname_np(clock_nanosleep(99, 0, &ts, NULL)));
    printf("clock_nanosleep(CLOCK_THREAD_CPUTIME_ID) = %s\n",
           strerrorname_np(clock_nanosleep(CLOCK_THREAD_CPUTIME_ID, 0, &ts, NULL)));
    printf("clock_nanosleep(flags 2) = %d\n", clock_nanosleep(CLOCK_MONOTONIC, 2, &zero, NULL));
    return finish();
}
