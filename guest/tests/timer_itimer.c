/* setitimer/getitimer and alarm: ITIMER_REAL signals and reloads, values count down, errors, fork clears them,
 * ITIMER_VIRTUAL and ITIMER_PROF fire on CPU time. Prints counts and comparisons, never times. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t alrm, vtalrm, prof;
static void on_alrm(int s) { (void)s; alrm++; }
static void on_vt(int s) { (void)s; vtalrm++; }
static void on_prof(int s) { (void)s; prof++; }

static int err(long r) { return r < 0 ? errno : 0; }

static void check_errors(void)
{
    struct itimerval v = {{0, 0}, {0, 1000000}};
    printf("usec 1000000: %s\n", strerror(err(setitimer(ITIMER_REAL, &v, NULL))));
    struct itimerval v2 = {{0, -1}, {1, 0}};
    printf("interval usec -1: %s\n", strerror(err(setitimer(ITIMER_REAL, &v2, NULL))));
    struct itimerval v3 = {{0, 0}, {-1, 0}};
    printf("sec -1: %s\n", strerror(err(setitimer(ITIMER_REAL, &v3, NULL))));
    struct itimerval ok = {{0, 0}, {1, 0}};
    printf("which 3: %s\n", strerror(err(syscall(SYS_setitimer, 3L, &ok, NULL))));
    printf("which -1: %s\n", strerror(err(syscall(SYS_setitimer, -1L, &ok, NULL))));
    printf("getitimer which 3: %s\n", strerror(err(syscall(SYS_getitimer, 3L, &v))));
    printf("getitimer bad pointer: %s\n", strerror(err(syscall(SYS_getitimer, 0L, (void *)8))));
    printf("setitimer bad pointer: %s\n", strerror(err(syscall(SYS_setitimer, 0L, (void *)8, NULL))));
    getitimer(ITIMER_REAL, &v);
    printf("still disarmed: %d\n", v.it_value.tv_sec == 0 && v.it_value.tv_usec == 0);
}

static void check_values(void)
{
    struct itimerval set = {{2, 500000}, {10, 0}}, cur, old;
    setitimer(ITIMER_REAL, &set, NULL);
    getitimer(ITIMER_REAL, &cur);
    printf("interval read back: %ld %ld\n", (long)cur.it_interval.tv_sec, (long)cur.it_interval.tv_usec);
    printf("value counts down: %d\n", cur.it_value.tv_sec < 10 || (cur.it_value.tv_sec == 10 && cur.it_value.tv_usec == 0));
    printf("value above 9s: %d\n", cur.it_value.tv_sec >= 9);
    struct itimerval zero = {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &zero, &old);
    printf("old interval: %ld %ld\n", (long)old.it_interval.tv_sec, (long)old.it_interval.tv_usec);
    printf("old value in (9s,10s]: %d\n", old.it_value.tv_sec == 9 || (old.it_value.tv_sec == 10 && old.it_value.tv_usec == 0));
    getitimer(ITIMER_REAL, &cur);
    printf("after disarm: %ld %ld %ld %ld\n", (long)cur.it_value.tv_sec, (long)cur.it_value.tv_usec,
           (long)cur.it_interval.tv_sec, (long)cur.it_interval.tv_usec);
    /* A zero value disarms and drops the interval too. */
    struct itimerval ivonly = {{1, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &ivonly, NULL);
    getitimer(ITIMER_REAL, &cur);
    printf("interval without value: %ld\n", (long)cur.it_interval.tv_sec);
    /* NULL new value disarms. */
    setitimer(ITIMER_REAL, &set, NULL);
    syscall(SYS_setitimer, 0L, NULL, &old);
    getitimer(ITIMER_REAL, &cur);
    printf("NULL disarms: old armed %d, now %ld\n", old.it_value.tv_sec > 0, (long)cur.it_value.tv_sec);
}

static void check_real(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alrm;
    sigaction(SIGALRM, &sa, NULL);
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGALRM);
    sigprocmask(SIG_BLOCK, &block, &old);
    struct itimerval per = {{0, 10000}, {0, 10000}};
    setitimer(ITIMER_REAL, &per, NULL);
    while (alrm < 3)
        sigsuspend(&old);
    struct itimerval zero = {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &zero, NULL);
    printf("periodic SIGALRMs: %d\n", (int)alrm);
    /* While SIGALRM stays blocked, expirations coalesce into one pending signal. */
    alrm = 0;
    setitimer(ITIMER_REAL, &per, NULL);
    usleep(50000);
    setitimer(ITIMER_REAL, &zero, NULL);
    sigset_t pend;
    sigpending(&pend);
    printf("pending while blocked: %d\n", sigismember(&pend, SIGALRM));
    sigprocmask(SIG_SETMASK, &old, NULL);
    printf("delivered once unblocked: %d\n", (int)alrm);
    /* One-shot. */
    alrm = 0;
    struct itimerval once = {{0, 0}, {0, 20000}};
    sigprocmask(SIG_BLOCK, &block, NULL);
    setitimer(ITIMER_REAL, &once, NULL);
    while (alrm < 1)
        sigsuspend(&old);
    struct itimerval cur;
    getitimer(ITIMER_REAL, &cur);
    printf("one-shot fired %d, disarmed after %d\n", (int)alrm, cur.it_value.tv_sec == 0 && cur.it_value.tv_usec == 0);
    sigprocmask(SIG_SETMASK, &old, NULL);
}

static void check_alarm(void)
{
    printf("alarm(5) first: %u\n", alarm(5));
    printf("alarm(0) returns: %u\n", alarm(0));
    printf("alarm(0) again: %u\n", alarm(0));
    alrm = 0;
    struct itimerval once = {{0, 0}, {0, 20000}};
    alarm(1);
    printf("alarm(1) then alarm(0) leaves: %u\n", alarm(0));
    setitimer(ITIMER_REAL, &once, NULL);
    sigset_t none;
    sigemptyset(&none);
    sigsuspend(&none); /* pause() is ppoll(NULL, 0, NULL, NULL) in glibc: keep to the timer syscalls */
    printf("sigsuspend woken by SIGALRM: %d\n", (int)alrm);
}

static void check_fork(void)
{
    struct itimerval set = {{1, 0}, {30, 0}}, cur;
    setitimer(ITIMER_REAL, &set, NULL);
    setitimer(ITIMER_VIRTUAL, &set, NULL);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        struct itimerval r, v;
        getitimer(ITIMER_REAL, &r);
        getitimer(ITIMER_VIRTUAL, &v);
        printf("child: real %ld %ld, virtual %ld %ld\n", (long)r.it_value.tv_sec, (long)r.it_interval.tv_sec,
               (long)v.it_value.tv_sec, (long)v.it_interval.tv_sec);
        fflush(stdout);
        _exit(0);
    }
    if (pid > 0)
        waitpid(pid, NULL, 0);
    getitimer(ITIMER_REAL, &cur);
    printf("parent still armed: %d\n", cur.it_value.tv_sec > 0);
    struct itimerval zero = {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &zero, NULL);
    setitimer(ITIMER_VIRTUAL, &zero, NULL);
}

static void check_cpu(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_vt;
    sigaction(SIGVTALRM, &sa, NULL);
    sa.sa_handler = on_prof;
    sigaction(SIGPROF, &sa, NULL);
    struct itimerval per = {{0, 10000}, {0, 10000}}, cur;
    setitimer(ITIMER_VIRTUAL, &per, NULL);
    getitimer(ITIMER_VIRTUAL, &cur);
    printf("virtual armed: %d, interval %ld\n", cur.it_value.tv_sec > 0 || cur.it_value.tv_usec > 0,
           (long)cur.it_interval.tv_usec);
    volatile unsigned long spin = 0;
    while (vtalrm < 2)
        spin++;
    struct itimerval zero = {{0, 0}, {0, 0}};
    setitimer(ITIMER_VIRTUAL, &zero, NULL);
    printf("SIGVTALRM at least twice: %d\n", vtalrm >= 2);
    setitimer(ITIMER_PROF, &per, NULL);
    while (prof < 2)
        spin++;
    setitimer(ITIMER_PROF, &zero, NULL);
    printf("SIGPROF at least twice: %d\n", prof >= 2);
    /* Sleeping uses no CPU time: a CPU timer does not fire meanwhile. */
    vtalrm = 0;
    struct itimerval once = {{0, 0}, {0, 50000}};
    setitimer(ITIMER_VIRTUAL, &once, NULL);
    usleep(100000);
    printf("no SIGVTALRM while asleep: %d\n", vtalrm == 0);
    setitimer(ITIMER_VIRTUAL, &zero, NULL);
}

int main(void)
{
    check_errors();
    check_values();
    check_real();
    check_alarm();
    check_fork();
    check_cpu();
    return 0;
}
