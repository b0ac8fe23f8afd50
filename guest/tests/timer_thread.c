/* Timers and threads: SIGEV_THREAD_ID queues for that thread only; a process-directed timer signal reaches the
 * thread that waits for it; a timer's signal goes to a thread that does not block it. */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static volatile int tid2;
static int got, code, value;
static sigset_t set;

static void *waiter(void *arg)
{
    (void)arg;
    tid2 = gettid();
    siginfo_t si;
    got = sigwaitinfo(&set, &si);
    code = si.si_code;
    value = si.si_value.sival_int;
    return NULL;
}

int main(void)
{
    sigemptyset(&set);
    sigaddset(&set, SIGUSR2);
    sigprocmask(SIG_BLOCK, &set, NULL);
    pthread_t th;
    pthread_create(&th, NULL, waiter, NULL);
    while (tid2 == 0)
        usleep(1000);
    usleep(10000);

    /* Directed at the main thread: the waiting thread must not get it. */
    struct sigevent s;
    memset(&s, 0, sizeof s);
    s.sigev_notify = SIGEV_THREAD_ID;
    s.sigev_signo = SIGUSR2;
    s.sigev_value.sival_int = 1;
    s._sigev_un._tid = gettid();
    timer_t t;
    printf("create for main thread: %d\n", timer_create(CLOCK_MONOTONIC, &s, &t));
    struct itimerspec once = {{0, 0}, {0, 5000000}};
    timer_settime(t, 0, &once, NULL);
    usleep(30000);
    sigset_t pend;
    sigpending(&pend);
    printf("pending for main: %d, waiter still waiting: %d\n", sigismember(&pend, SIGUSR2), got == 0);
    struct timespec now = {0, 0};
    siginfo_t si;
    int sig = sigtimedwait(&set, &si, &now);
    printf("main takes it: %d value %d\n", sig == SIGUSR2, si.si_value.sival_int);
    timer_delete(t);

    /* Directed at the other thread. */
    s.sigev_value.sival_int = 2;
    s._sigev_un._tid = tid2;
    printf("create for the other thread: %d\n", timer_create(CLOCK_MONOTONIC, &s, &t));
    timer_settime(t, 0, &once, NULL);
    pthread_join(th, NULL);
    printf("waiter got: %d code %d value %d\n", got == SIGUSR2, code, value);
    timer_delete(t);
    return 0;
}
