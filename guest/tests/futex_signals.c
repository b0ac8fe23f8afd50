/* Signals and futex waits: a handler interrupts a wait with EINTR, SA_RESTART restarts an untimed wait (a wake then
 * ends it), a timed wait is never restarted after a handler, and a wait restarted after SIGSTOP/SIGCONT keeps its
 * deadline. */
#include "futex_common.h"
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/wait.h>

static uint32_t word;
static atomic_int handled;

static void on_usr1(int sig)
{
    (void)sig;
    atomic_fetch_add(&handled, 1);
}

struct job { const struct timespec *to; long ret; int err; };

static void *waiter(void *p)
{
    struct job *j = p;
    j->ret = fx(&word, FUTEX_WAIT_PRIVATE, 0, j->to, NULL, 0);
    j->err = errno;
    return NULL;
}

static void handler(int flags)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sa.sa_flags = flags;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGUSR1, &sa, NULL);
}

static void run(const char *what, int flags, const struct timespec *to, int wake_after)
{
    pthread_t t;
    struct job j = {to, -100, 0};
    handler(flags);
    atomic_store(&handled, 0);
    pthread_create(&t, NULL, waiter, &j);
    await_waiters(&word, FUTEX_PRIVATE_FLAG, 1);
    pthread_kill(t, SIGUSR1);
    while (atomic_load(&handled) == 0) {
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
    if (wake_after) {
        await_waiters(&word, FUTEX_PRIVATE_FLAG, 1);
        printf("%s: waiting again after the handler; wake: %s\n", what,
               res(fx(&word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0)));
    }
    pthread_join(t, NULL);
    errno = j.err;
    printf("%s: handler ran %d time(s), wait returned %s\n", what, atomic_load(&handled), res(j.ret));
}

int main(void)
{
    static const struct timespec ten_s = {10, 0};
    run("untimed, no SA_RESTART", 0, NULL, 0);
    run("untimed, SA_RESTART", SA_RESTART, NULL, 1);
    run("timed, no SA_RESTART", 0, &ten_s, 0);
    run("timed, SA_RESTART", SA_RESTART, &ten_s, 0);

    /* a blocked signal does not interrupt */
    sigset_t set, old;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &set, &old);
    struct timespec short_to = {0, 30000000};
    raise(SIGUSR1);
    errno = 0;
    long r = fx(&word, FUTEX_WAIT_PRIVATE, 0, &short_to, NULL, 0);
    printf("blocked signal pending: wait returned %s\n", res(r));
    handler(0);
    atomic_store(&handled, 0);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    printf("unblocked: handler ran %d time(s)\n", atomic_load(&handled));

    /* stopped and continued: no handler runs, so the timed wait restarts (restart_syscall) to its deadline */
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        static uint32_t w;
        struct timespec to = {0, 300000000};
        long long t0 = now_ns(CLOCK_MONOTONIC);
        long rr = fx(&w, FUTEX_WAIT_PRIVATE, 0, &to, NULL, 0);
        int e = errno;
        long long took = now_ns(CLOCK_MONOTONIC) - t0;
        _exit(rr == -1 && e == ETIMEDOUT ? (took >= 300000000 ? 0 : 1) : (e == EINTR ? 2 : 3));
    }
    struct timespec ts = {0, 50000000};
    nanosleep(&ts, NULL);
    int st;
    if (pid > 0) {
        kill(pid, SIGSTOP);
        waitpid(pid, &st, WUNTRACED);
        printf("child stopped: %s\n", WIFSTOPPED(st) ? "yes" : "no");
        kill(pid, SIGCONT);
        waitpid(pid, &st, 0);
        printf("timed wait across stop/continue: exit %d (0: ETIMEDOUT at its deadline)\n",
               WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    }
    return 0;
}
