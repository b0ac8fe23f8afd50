/* Timer signals: alarm, setitimer(ITIMER_REAL)/getitimer, POSIX timers (timer_create with SIGEV_SIGNAL, SIGEV_NONE and
 * SIGEV_THREAD_ID, timer_settime/timer_gettime/timer_getoverrun/timer_delete) and overruns. Only counts, orderings and
 * bounds are printed, never times. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static volatile int alarms, rt_hits, rt_code, rt_value;
static volatile pid_t rt_tid;

static void on_alarm(int sig) { alarms++; }

static void on_rt(int sig, siginfo_t *si, void *uc)
{
    rt_hits++;
    rt_code = si->si_code;
    rt_value = si->si_value.sival_int;
    rt_tid = gettid();
}

static void on(int sig, void (*fn)(int, siginfo_t *, void *), void (*plain)(int))
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    if (fn) {
        sa.sa_sigaction = fn;
        sa.sa_flags = SA_SIGINFO;
    } else {
        sa.sa_handler = plain;
    }
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
}

/* sigsuspend with everything unblocked until *counter reaches n */
static void await_count(volatile int *counter, int n)
{
    sigset_t none;
    sigemptyset(&none);
    while (*counter < n)
        sigsuspend(&none);
}

static void block(int sig, int how)
{
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, sig);
    sigprocmask(how, &s, NULL);
}

static void test_alarm(void)
{
    on(SIGALRM, NULL, on_alarm);
    block(SIGALRM, SIG_BLOCK);
    printf("alarm(5) with none set: %u\n", alarm(5));
    unsigned left = alarm(0);
    printf("alarm(0) after alarm(5): between 4 and 5: %d\n", left >= 4 && left <= 5);
    printf("alarm(0) again: %u\n", alarm(0));
    alarm(1);
    await_count(&alarms, 1);
    printf("alarm(1): SIGALRM %d\n", alarms);
    struct itimerval it;
    getitimer(ITIMER_REAL, &it);
    printf("after it fired, getitimer: value zero %d\n", it.it_value.tv_sec == 0 && it.it_value.tv_usec == 0);
}

static void test_itimer(void)
{
    alarms = 0;
    struct itimerval it = {{0, 20000}, {0, 20000}}, old, cur;
    setitimer(ITIMER_REAL, &it, &old);
    printf("setitimer: old value zero %d\n", old.it_value.tv_sec == 0 && old.it_value.tv_usec == 0);
    getitimer(ITIMER_REAL, &cur);
    printf("getitimer: interval 20 ms %d, value within it %d\n",
           cur.it_interval.tv_sec == 0 && cur.it_interval.tv_usec == 20000,
           cur.it_value.tv_sec == 0 && cur.it_value.tv_usec > 0 && cur.it_value.tv_usec <= 20000);
    await_count(&alarms, 5);
    struct itimerval off = {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &off, &old);
    printf("periodic ITIMER_REAL: %d SIGALRMs, then disarmed (old interval 20 ms %d)\n", alarms,
           old.it_interval.tv_usec == 20000);
    /* alarm and ITIMER_REAL are one timer */
    setitimer(ITIMER_REAL, &(struct itimerval){{0, 0}, {7, 0}}, NULL);
    unsigned left = alarm(0);
    printf("alarm(0) after setitimer(7 s): between 6 and 7: %d\n", left >= 6 && left <= 7);
    errno = 0;
    int r = setitimer(12345, &it, NULL);
    printf("setitimer(bad which): %d %s\n", r, strerror(errno));
    block(SIGALRM, SIG_UNBLOCK);
    signal(SIGALRM, SIG_DFL);
}

struct thread {
    pid_t tid;
    sem_t ready, done;
};

static void *thread_main(void *arg)
{
    struct thread *t = arg;
    t->tid = gettid();
    sem_post(&t->ready);
    while (sem_wait(&t->done) != 0)
        ;
    return NULL;
}

static void test_posix_timers(void)
{
    int sig = SIGRTMIN;
    on(sig, on_rt, NULL);
    block(sig, SIG_BLOCK);
    timer_t t;
    struct sigevent ev;
    memset(&ev, 0, sizeof ev);
    ev.sigev_notify = SIGEV_SIGNAL;
    ev.sigev_signo = sig;
    ev.sigev_value.sival_int = 7;
    printf("timer_create(CLOCK_MONOTONIC, SIGEV_SIGNAL): %d\n", timer_create(CLOCK_MONOTONIC, &ev, &t));
    struct itimerspec its = {{0, 0}, {0, 10000000L}}, cur;
    timer_settime(t, 0, &its, NULL);
    await_count(&rt_hits, 1);
    printf("one-shot: signals %d, SI_TIMER %d, value %d, in the main thread %d\n", rt_hits, rt_code == SI_TIMER,
           rt_value, rt_tid == gettid());
    timer_gettime(t, &cur);
    printf("expired one-shot: disarmed %d\n", cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec == 0);
    its.it_value.tv_sec = 10;
    its.it_value.tv_nsec = 0;
    timer_settime(t, 0, &its, NULL);
    timer_gettime(t, &cur);
    printf("armed for 10 s: between 9 and 10 s %d\n", cur.it_value.tv_sec == 9 || (cur.it_value.tv_sec == 10
           && cur.it_value.tv_nsec == 0));
    /* an absolute expiry already in the past fires at once */
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    its.it_value = now;
    timer_settime(t, TIMER_ABSTIME, &its, NULL);
    await_count(&rt_hits, 2);
    printf("TIMER_ABSTIME in the past: signals %d\n", rt_hits);

    /* overrun: a 1 ms periodic timer whose signal stays blocked for 50 ms queues one signal */
    its.it_interval.tv_nsec = 1000000L;
    its.it_value.tv_sec = 0;
    its.it_value.tv_nsec = 1000000L;
    timer_settime(t, 0, &its, NULL);
    usleep(50000);
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, sig);
    siginfo_t si;
    sigwaitinfo(&s, &si);
    int overrun = timer_getoverrun(t); /* the overrun of the signal just accepted */
    its.it_value.tv_nsec = 0;
    timer_settime(t, 0, &its, NULL); /* disarm (a signal from a later expiry may be pending: it is not printed) */
    while (sigtimedwait(&s, NULL, &(struct timespec){0, 0}) > 0)
        ;
    printf("periodic, blocked 50 ms: one signal, si_overrun > 5 %d, timer_getoverrun matches %d\n",
           si.si_overrun > 5, overrun == si.si_overrun);
    sigset_t pend;
    printf("timer_delete: %d\n", timer_delete(t));
    errno = 0;
    int r = timer_gettime(t, &cur);
    printf("timer_gettime after delete: %d %s\n", r, strerror(errno));

    /* SIGEV_NONE: no signal, but the timer counts down */
    ev.sigev_notify = SIGEV_NONE;
    timer_create(CLOCK_MONOTONIC, &ev, &t);
    its.it_interval.tv_nsec = 0;
    its.it_value.tv_nsec = 20000000L;
    timer_settime(t, 0, &its, NULL);
    usleep(40000);
    timer_gettime(t, &cur);
    sigpending(&pend);
    printf("SIGEV_NONE: expired %d, signal pending %d\n", cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec == 0,
           sigismember(&pend, sig));
    timer_delete(t);

    /* SIGEV_THREAD_ID: the signal goes to the thread named */
    block(sig, SIG_UNBLOCK);
    struct thread th;
    sem_init(&th.ready, 0, 0);
    sem_init(&th.done, 0, 0);
    pthread_t pt;
    pthread_create(&pt, NULL, thread_main, &th);
    sem_wait(&th.ready);
    block(sig, SIG_BLOCK); /* the main thread blocks it: only the named thread can take it */
    memset(&ev, 0, sizeof ev);
    ev.sigev_notify = SIGEV_THREAD_ID;
    ev.sigev_signo = sig;
    ev.sigev_value.sival_int = 9;
    ev._sigev_un._tid = th.tid;
    printf("timer_create(SIGEV_THREAD_ID): %d\n", timer_create(CLOCK_REALTIME, &ev, &t));
    its.it_value.tv_nsec = 5000000L;
    timer_settime(t, 0, &its, NULL);
    for (int i = 0; i < 5000 && rt_hits < 3; i++)
        usleep(1000);
    printf("SIGEV_THREAD_ID: signals %d, value %d, in that thread %d\n", rt_hits, rt_value, rt_tid == th.tid);
    timer_delete(t);
    sem_post(&th.done);
    pthread_join(pt, NULL);

    /* errors */
    errno = 0;
    r = timer_create(12345, &ev, &t);
    printf("timer_create(bad clock): %d %s\n", r, strerror(errno));
    ev.sigev_notify = SIGEV_SIGNAL;
    ev.sigev_signo = 65;
    errno = 0;
    r = timer_create(CLOCK_MONOTONIC, &ev, &t);
    printf("timer_create(signal 65): %d %s\n", r, strerror(errno));
    block(sig, SIG_UNBLOCK);
    signal(sig, SIG_DFL);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    test_alarm();
    test_itimer();
    test_posix_timers();
    printf("done\n");
    return 0;
}
