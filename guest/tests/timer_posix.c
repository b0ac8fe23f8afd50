/* POSIX timers: timer_create (clocks, sigevents, errors), timer_settime (relative, absolute, interval, old value),
 * timer_gettime, overruns counted while the signal is pending, timer_delete, SIGEV_THREAD_ID, fork. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long tcreate(long clock, struct sigevent *sev, int *id)
{
    long r = syscall(SYS_timer_create, clock, sev, id);
    return r < 0 ? -errno : r;
}
static long tset(int id, long flags, const struct itimerspec *n, struct itimerspec *o)
{
    long r = syscall(SYS_timer_settime, (long)id, flags, n, o);
    return r < 0 ? -errno : r;
}
static long tget(int id, struct itimerspec *c)
{
    long r = syscall(SYS_timer_gettime, (long)id, c);
    return r < 0 ? -errno : r;
}
static long tdel(int id)
{
    long r = syscall(SYS_timer_delete, (long)id);
    return r < 0 ? -errno : r;
}
static const char *e(long r) { return r < 0 ? strerror((int)-r) : "ok"; }

static struct sigevent sigev(int notify, int signo, int value)
{
    struct sigevent s;
    memset(&s, 0, sizeof s);
    s.sigev_notify = notify;
    s.sigev_signo = signo;
    s.sigev_value.sival_int = value;
    return s;
}

static void errors(void)
{
    struct sigevent s = sigev(SIGEV_SIGNAL, SIGUSR1, 0);
    int id;
    static const long clocks[] = {CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID,
                                  CLOCK_MONOTONIC_RAW, CLOCK_REALTIME_COARSE, CLOCK_MONOTONIC_COARSE, CLOCK_BOOTTIME,
                                  10, CLOCK_TAI, 12, -1, 1000};
    for (unsigned i = 0; i < sizeof clocks / sizeof clocks[0]; i++) {
        long r = tcreate(clocks[i], &s, &id);
        printf("clock %ld: %s\n", clocks[i], e(r));
        if (r == 0)
            tdel(id);
    }
    struct sigevent bad = sigev(SIGEV_SIGNAL, 0, 0);
    printf("signo 0: %s\n", e(tcreate(CLOCK_MONOTONIC, &bad, &id)));
    bad.sigev_signo = 65;
    printf("signo 65: %s\n", e(tcreate(CLOCK_MONOTONIC, &bad, &id)));
    bad = sigev(SIGEV_NONE, 0, 0);
    long r = tcreate(CLOCK_MONOTONIC, &bad, &id);
    printf("SIGEV_NONE signo 0: %s\n", e(r));
    if (r == 0)
        tdel(id);
    for (int n = 3; n <= 6; n++) {
        if (n == 4)
            continue;
        bad = sigev(n, SIGUSR1, 0);
        printf("sigev_notify %d: %s\n", n, e(tcreate(CLOCK_MONOTONIC, &bad, &id)));
    }
    printf("bad sevp: %s\n", e(tcreate(CLOCK_MONOTONIC, (void *)8, &id)));
    printf("bad timerid pointer: %s\n", e(tcreate(CLOCK_MONOTONIC, &s, (void *)8)));
    /* SIGEV_THREAD_ID naming a thread of another process. */
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        pause();
        _exit(0);
    }
    if (pid > 0) {
        bad = sigev(SIGEV_THREAD_ID, SIGUSR1, 0);
        bad._sigev_un._tid = pid;
        printf("SIGEV_THREAD_ID other process: %s\n", e(tcreate(CLOCK_MONOTONIC, &bad, &id)));
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
    }
    struct itimerspec its = {{0, 0}, {1, 0}}, cur;
    printf("settime unknown id: %s\n", e(tset(12345, 0, &its, NULL)));
    printf("gettime unknown id: %s\n", e(tget(12345, &cur)));
    printf("delete unknown id: %s\n", e(tdel(12345)));
    printf("delete -1: %s\n", e(tdel(-1)));
    long ov = syscall(SYS_timer_getoverrun, 12345L);
    printf("getoverrun unknown id: %s\n", e(ov < 0 ? -errno : ov));
    tcreate(CLOCK_MONOTONIC, &s, &id);
    printf("settime NULL: %s\n", e(tset(id, 0, NULL, NULL)));
    struct itimerspec b1 = {{0, 0}, {0, 1000000000}};
    printf("settime nsec 1e9: %s\n", e(tset(id, 0, &b1, NULL)));
    struct itimerspec b2 = {{0, -1}, {1, 0}};
    printf("settime interval nsec -1: %s\n", e(tset(id, 0, &b2, NULL)));
    struct itimerspec b3 = {{0, 0}, {-1, 0}};
    printf("settime sec -1: %s\n", e(tset(id, 0, &b3, NULL)));
    printf("settime unknown flags: %s\n", e(tset(id, 6, &its, NULL)));
    printf("settime bad pointer: %s\n", e(tset(id, 0, (void *)8, NULL)));
    printf("gettime bad pointer: %s\n", e(tget(id, (void *)8)));
    printf("delete: %s\n", e(tdel(id)));
    printf("delete again: %s\n", e(tdel(id)));
}

static void values(void)
{
    struct sigevent s = sigev(SIGEV_NONE, 0, 0);
    int id;
    tcreate(CLOCK_MONOTONIC, &s, &id);
    struct itimerspec cur, old;
    tget(id, &cur);
    printf("new timer: %ld %ld %ld %ld\n", (long)cur.it_value.tv_sec, cur.it_value.tv_nsec,
           (long)cur.it_interval.tv_sec, cur.it_interval.tv_nsec);
    struct itimerspec its = {{1, 500}, {10, 0}};
    tset(id, 0, &its, NULL);
    tget(id, &cur);
    printf("interval read back: %ld %ld\n", (long)cur.it_interval.tv_sec, cur.it_interval.tv_nsec);
    printf("value in (9s,10s]: %d\n", cur.it_value.tv_sec == 9 || (cur.it_value.tv_sec == 10 && cur.it_value.tv_nsec == 0));
    struct itimerspec zero = {{5, 0}, {0, 0}};
    tset(id, 0, &zero, &old);
    printf("old interval: %ld %ld, old value in (9s,10s]: %d\n", (long)old.it_interval.tv_sec, old.it_interval.tv_nsec,
           old.it_value.tv_sec == 9 || (old.it_value.tv_sec == 10 && old.it_value.tv_nsec == 0));
    tget(id, &cur);
    /* Linux quirk: a SIGEV_NONE timer "disarmed" by a zero value still reads its old expiry; the interval goes. */
    printf("zero value: old expiry still read %d, interval %ld\n", cur.it_value.tv_sec == 9,
           (long)cur.it_interval.tv_sec);
    /* A SIGEV_NONE one-shot that has expired reads as zero; a periodic one keeps counting down. */
    struct itimerspec shot = {{0, 0}, {0, 1000000}};
    tset(id, 0, &shot, NULL);
    usleep(5000);
    tget(id, &cur);
    printf("SIGEV_NONE expired: %ld %ld\n", (long)cur.it_value.tv_sec, cur.it_value.tv_nsec);
    struct itimerspec per = {{0, 2000000}, {0, 2000000}};
    tset(id, 0, &per, NULL);
    usleep(5000);
    tget(id, &cur);
    printf("SIGEV_NONE periodic: value in (0,2ms]: %d\n", cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec > 0 &&
           cur.it_value.tv_nsec <= 2000000);
    tdel(id);
}

static void delivery(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGRTMIN);
    sigaddset(&set, SIGALRM);
    sigaddset(&set, SIGUSR1);
    sigprocmask(SIG_BLOCK, &set, NULL);
    siginfo_t si;
    struct timespec now = {0, 0};

    int id;
    struct sigevent s = sigev(SIGEV_SIGNAL, SIGRTMIN, 42);
    tcreate(CLOCK_MONOTONIC, &s, &id);
    struct itimerspec per = {{0, 10000000}, {0, 10000000}};
    tset(id, 0, &per, NULL);
    int ok = 1;
    for (int i = 0; i < 3; i++) {
        int sig = sigwaitinfo(&set, &si);
        ok &= sig == SIGRTMIN && si.si_code == SI_TIMER && si.si_value.sival_int == 42 && si.si_timerid == id;
    }
    printf("three periodic SIGRTMIN with SI_TIMER, value, timer id: %d\n", ok);

    /* Expirations while the signal is pending are one signal with an overrun. */
    struct itimerspec fast = {{0, 2000000}, {0, 2000000}};
    tset(id, 0, &fast, NULL);
    usleep(30000);
    int sig = sigtimedwait(&set, &si, &now);
    long gov = syscall(SYS_timer_getoverrun, (long)id);
    printf("one signal %d, overrun >= 5: %d, getoverrun agrees: %d\n", sig == SIGRTMIN, si.si_overrun >= 5,
           gov == si.si_overrun);
    printf("nothing more queued: %d\n", sigtimedwait(&set, &si, &now) < 0 && errno == EAGAIN);
    struct itimerspec zero = {{0, 0}, {0, 0}};
    tset(id, 0, &zero, NULL);
    printf("getoverrun after settime: %ld\n", syscall(SYS_timer_getoverrun, (long)id));

    /* A one-shot: signal once, then reads as disarmed. */
    struct itimerspec once = {{0, 0}, {0, 5000000}};
    tset(id, 0, &once, NULL);
    sig = sigwaitinfo(&set, &si);
    struct itimerspec cur;
    tget(id, &cur);
    printf("one-shot: signal %d overrun %d, then %ld %ld\n", sig == SIGRTMIN, si.si_overrun,
           (long)cur.it_value.tv_sec, cur.it_value.tv_nsec);

    /* A signal still queued from an arming that was replaced or deleted is dropped when dequeued. */
    tset(id, 0, &once, NULL);
    usleep(20000);
    sigset_t pend;
    sigpending(&pend);
    printf("pending before disarm: %d\n", sigismember(&pend, SIGRTMIN));
    tset(id, 0, &zero, NULL);
    printf("after disarm, sigtimedwait: %s\n", sigtimedwait(&set, &si, &now) < 0 ? strerror(errno) : "got one");
    tset(id, 0, &once, NULL);
    usleep(20000);
    tdel(id);
    printf("after delete, sigtimedwait: %s\n", sigtimedwait(&set, &si, &now) < 0 ? strerror(errno) : "got one");

    /* TIMER_ABSTIME, in the future and in the past. */
    tcreate(CLOCK_MONOTONIC, &s, &id);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    struct itimerspec abs = {{0, 0}, {t0.tv_sec, t0.tv_nsec}};
    abs.it_value.tv_nsec += 20000000;
    if (abs.it_value.tv_nsec >= 1000000000) {
        abs.it_value.tv_sec++;
        abs.it_value.tv_nsec -= 1000000000;
    }
    tset(id, TIMER_ABSTIME, &abs, NULL);
    sig = sigwaitinfo(&set, &si);
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    int after = t1.tv_sec > abs.it_value.tv_sec || (t1.tv_sec == abs.it_value.tv_sec && t1.tv_nsec >= abs.it_value.tv_nsec);
    printf("absolute: signal %d, not early %d\n", sig == SIGRTMIN, after);
    abs.it_value = t0;
    tset(id, TIMER_ABSTIME, &abs, NULL);
    sig = sigwaitinfo(&set, &si);
    printf("absolute in the past fires: %d\n", sig == SIGRTMIN);
    tdel(id);

    /* Other clocks. */
    static const long clocks[] = {CLOCK_REALTIME, CLOCK_BOOTTIME, CLOCK_TAI};
    for (int i = 0; i < 3; i++) {
        tcreate(clocks[i], &s, &id);
        tset(id, 0, &once, NULL);
        sig = sigwaitinfo(&set, &si);
        printf("clock %ld fires: %d\n", clocks[i], sig == SIGRTMIN && si.si_code == SI_TIMER);
        tdel(id);
    }
    struct timespec rt;
    clock_gettime(CLOCK_REALTIME, &rt);
    tcreate(CLOCK_REALTIME, &s, &id);
    struct itimerspec rabs = {{0, 0}, {rt.tv_sec, rt.tv_nsec}};
    rabs.it_value.tv_nsec += 10000000;
    if (rabs.it_value.tv_nsec >= 1000000000) {
        rabs.it_value.tv_sec++;
        rabs.it_value.tv_nsec -= 1000000000;
    }
    tset(id, TIMER_ABSTIME, &rabs, NULL);
    sig = sigwaitinfo(&set, &si);
    printf("realtime absolute fires: %d\n", sig == SIGRTMIN);
    tdel(id);

    /* NULL sevp: SIGALRM with the timer id as value. */
    tcreate(CLOCK_MONOTONIC, NULL, &id);
    tset(id, 0, &once, NULL);
    sig = sigwaitinfo(&set, &si);
    printf("NULL sevp: SIGALRM %d, value is id %d, code %d\n", sig == SIGALRM, si.si_value.sival_int == id,
           si.si_code);
    tdel(id);

    /* Standard signals coalesce with a pending one from kill: the timer signal still counts on dequeue. */
    s = sigev(SIGEV_SIGNAL, SIGUSR1, 9);
    tcreate(CLOCK_MONOTONIC, &s, &id);
    tset(id, 0, &once, NULL);
    sig = sigwaitinfo(&set, &si);
    printf("SIGUSR1 timer: %d value %d\n", sig == SIGUSR1, si.si_value.sival_int);
    tdel(id);

    /* A CPU-time clock fires only as the process runs. */
    struct sigevent sc = sigev(SIGEV_SIGNAL, SIGRTMIN, 5);
    tcreate(CLOCK_PROCESS_CPUTIME_ID, &sc, &id);
    struct itimerspec cpu = {{0, 5000000}, {0, 5000000}};
    tset(id, 0, &cpu, NULL);
    int got = 0;
    volatile unsigned long spin = 0;
    while (got < 2) {
        spin++;
        if ((spin & 0xffff) == 0 && sigtimedwait(&set, &si, &now) == SIGRTMIN)
            got++;
    }
    printf("process CPU clock timer: %d signals\n", got);
    tdel(id);
    tcreate(CLOCK_THREAD_CPUTIME_ID, &sc, &id);
    tset(id, 0, &cpu, NULL);
    got = 0;
    while (got < 2) {
        spin++;
        if ((spin & 0xffff) == 0 && sigtimedwait(&set, &si, &now) == SIGRTMIN)
            got++;
    }
    printf("thread CPU clock timer: %d signals\n", got);
    tdel(id);
}

/* SIGEV_THREAD_ID: the signal is queued for that thread, not the process. (Only the main thread here: a second
 * thread needs futex-based pthread_join.) */
static void thread_id(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR2);
    sigprocmask(SIG_BLOCK, &set, NULL);
    struct sigevent s = sigev(SIGEV_THREAD_ID, SIGUSR2, 3);
    s._sigev_un._tid = gettid();
    int id;
    printf("SIGEV_THREAD_ID self: %s\n", e(tcreate(CLOCK_MONOTONIC, &s, &id)));
    struct itimerspec once = {{0, 0}, {0, 5000000}};
    tset(id, 0, &once, NULL);
    siginfo_t si;
    int sig = sigwaitinfo(&set, &si);
    printf("thread-directed: %d code %d value %d\n", sig == SIGUSR2, si.si_code, si.si_value.sival_int);
    tdel(id);
}

static void fork_clears(void)
{
    struct sigevent s = sigev(SIGEV_NONE, 0, 0);
    int id;
    tcreate(CLOCK_MONOTONIC, &s, &id);
    struct itimerspec its = {{0, 0}, {10, 0}};
    tset(id, 0, &its, NULL);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        struct itimerspec cur;
        printf("child gettime: %s\n", e(tget(id, &cur)));
        fflush(stdout);
        _exit(0);
    }
    if (pid > 0)
        waitpid(pid, NULL, 0);
    struct itimerspec cur;
    printf("parent gettime: %s\n", e(tget(id, &cur)));
    tdel(id);
}

int main(void)
{
    errors();
    values();
    delivery();
    thread_id();
    fork_clears();
    return 0;
}
