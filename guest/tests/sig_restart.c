/* Blocking system calls interrupted by signals, and their restarts: read on a pipe with and without SA_RESTART,
 * waitpid, futex and pthread_cond_wait, nanosleep (EINTR with the remaining time; after SIGSTOP and SIGCONT it sleeps
 * on), poll/ppoll/select (EINTR even with SA_RESTART), sigsuspend, pause, no double restart when two signals are
 * delivered at the end of one interrupted call, sigtimedwait/sigwaitinfo and signalfd.
 *
 * Each scenario runs in a child (the subject) that blocks and then prints what its call returned; the parent waits
 * until the subject sleeps in the kernel (the state in /proc/PID/stat), signals it, and then lets the call finish. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int ctl[2]; /* the parent writes to ctl[1] to release a subject blocked reading ctl[0] */
static int rep[2]; /* the subject writes a byte to rep[1] each time it has printed a result */
static volatile int hits1, hits2;

static void h1(int sig) { hits1++; }
static void h2(int sig) { hits2++; }

static void on(int sig, void (*fn)(int), int flags)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = fn;
    sa.sa_flags = flags;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static void msleep(int ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* The state letter of /proc/PID/stat: 'S' while the subject sleeps in a system call. */
static char state(pid_t pid)
{
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return 0;
    buf[n] = 0;
    char *p = strrchr(buf, ')');
    return p && p[1] == ' ' ? p[2] : 0;
}

/* Waits until the subject sleeps in the kernel (at most about 5 s; without /proc, a fixed pause). */
static void wait_blocked(pid_t pid)
{
    for (int i = 0; i < 5000; i++) {
        char s = state(pid);
        if (s == 0) {
            msleep(300);
            return;
        }
        if (s == 'S')
            return;
        msleep(1);
    }
}

static pid_t subject(void (*fn)(void))
{
    fflush(stdout);
    if (pipe(ctl) != 0 || pipe(rep) != 0) {
        perror("pipe");
        exit(1);
    }
    pid_t c = fork();
    if (c < 0) {
        perror("fork");
        exit(1);
    }
    if (c == 0) {
        close(rep[0]);
        fn();
        fflush(stdout);
        _exit(0);
    }
    close(ctl[0]);
    close(rep[1]);
    return c;
}

/* Waits for the subject's next result. */
static void await_result(void)
{
    char b;
    read(rep[0], &b, 1);
}

/* Waits for the subject to end. The release pipe closes only then: its end of file must not race with a signal. */
static void finish(pid_t c)
{
    int st;
    waitpid(c, &st, 0);
    close(ctl[1]);
    close(rep[0]);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
        printf("  (subject ended with status %#x)\n", st);
}

static void release(void)
{
    write(ctl[1], "data", 4);
}

static void result(const char *what, long r)
{
    if (r < 0)
        printf("  %s: -1 %s, handlers ran %d %d\n", what, strerror(errno), hits1, hits2);
    else
        printf("  %s: %ld, handlers ran %d %d\n", what, r, hits1, hits2);
    fflush(stdout);
    write(rep[1], "r", 1);
}

/* ---- read on a pipe ---- */
static void read_subject(void)
{
    char buf[8];
    errno = 0;
    ssize_t r = read(ctl[0], buf, sizeof buf);
    result("read", r);
    if (r > 0)
        printf("  got %.*s\n", (int)r, buf);
}

static void read_restart(void)
{
    on(SIGUSR1, h1, SA_RESTART);
    read_subject();
}

static void read_norestart(void)
{
    on(SIGUSR1, h1, 0);
    read_subject();
}

static void test_read(void)
{
    printf("read, SA_RESTART:\n");
    pid_t c = subject(read_restart);
    wait_blocked(c);
    kill(c, SIGUSR1);
    wait_blocked(c);
    release();
    finish(c);

    printf("read, no SA_RESTART:\n");
    c = subject(read_norestart);
    wait_blocked(c);
    kill(c, SIGUSR1);
    finish(c);

    /* A signal that is ignored, or whose default action is to ignore it, does not interrupt anything. */
    printf("read, SIGWINCH (ignored by default):\n");
    c = subject(read_subject);
    wait_blocked(c);
    kill(c, SIGWINCH);
    wait_blocked(c);
    release();
    finish(c);
}

/* ---- waitpid ---- */
static void waitpid_subject(void)
{
    pid_t g = fork();
    if (g == 0) {
        char b;
        read(ctl[0], &b, 1); /* the grandchild exits when the parent releases it */
        _exit(4);
    }
    int st = 0;
    errno = 0;
    pid_t r = waitpid(g, &st, 0);
    if (r == g) {
        printf("  waitpid: the child, exited %d, handlers ran %d\n", WEXITSTATUS(st), hits1);
        fflush(stdout);
        write(rep[1], "r", 1);
    } else
        result("waitpid", r);
    if (r != g)
        waitpid(g, &st, 0);
}

static void waitpid_restart(void)
{
    on(SIGUSR1, h1, SA_RESTART);
    waitpid_subject();
}

static void waitpid_norestart(void)
{
    on(SIGUSR1, h1, 0);
    waitpid_subject();
}

static void test_waitpid(void)
{
    printf("waitpid, SA_RESTART:\n");
    pid_t c = subject(waitpid_restart);
    wait_blocked(c);
    kill(c, SIGUSR1);
    wait_blocked(c);
    release();
    finish(c);

    printf("waitpid, no SA_RESTART:\n");
    c = subject(waitpid_norestart);
    wait_blocked(c);
    kill(c, SIGUSR1);
    await_result();
    release();
    finish(c);
}

/* ---- futex and pthread_cond_wait ---- */
static int futex_word;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int ready;

static void *waker(void *arg)
{
    char b;
    read(ctl[0], &b, 1);
    pthread_mutex_lock(&mu);
    ready = 1;
    __atomic_store_n(&futex_word, 1, __ATOMIC_SEQ_CST);
    pthread_cond_signal(&cv);
    pthread_mutex_unlock(&mu);
    syscall(SYS_futex, &futex_word, (long)FUTEX_WAKE_PRIVATE, 1L, NULL, NULL, 0L);
    return NULL;
}

static pthread_t start_waker(void)
{
    /* The waker blocks every signal: the process-directed signals go to the main thread. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    pthread_t t;
    pthread_create(&t, NULL, waker, NULL);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return t;
}

static void cond_subject(void)
{
    on(SIGUSR1, h1, 0); /* pthread_cond_wait does not return because of a signal, SA_RESTART or not */
    pthread_t t = start_waker();
    pthread_mutex_lock(&mu);
    while (!ready)
        pthread_cond_wait(&cv, &mu);
    pthread_mutex_unlock(&mu);
    printf("  pthread_cond_wait returned with the predicate set, handlers ran %d\n", hits1);
    pthread_join(t, NULL);
}

static void futex_subject(int flags)
{
    on(SIGUSR1, h1, flags);
    pthread_t t = start_waker();
    errno = 0;
    long r = syscall(SYS_futex, &futex_word, (long)FUTEX_WAIT_PRIVATE, 0L, NULL, NULL, 0L);
    result("FUTEX_WAIT", r);
    pthread_join(t, NULL);
}

static void futex_restart(void) { futex_subject(SA_RESTART); }
static void futex_norestart(void) { futex_subject(0); }

static void test_futex(void)
{
    printf("pthread_cond_wait:\n");
    pid_t c = subject(cond_subject);
    wait_blocked(c);
    kill(c, SIGUSR1);
    wait_blocked(c);
    release();
    finish(c);

    printf("FUTEX_WAIT, SA_RESTART:\n");
    c = subject(futex_restart);
    wait_blocked(c);
    kill(c, SIGUSR1);
    wait_blocked(c);
    release();
    finish(c);

    printf("FUTEX_WAIT, no SA_RESTART:\n");
    c = subject(futex_norestart);
    wait_blocked(c);
    kill(c, SIGUSR1);
    await_result();
    release();
    finish(c);
}

/* ---- nanosleep ---- */
static void nanosleep_subject(int flags)
{
    on(SIGUSR1, h1, flags);
    struct timespec req = {5, 0}, rem = {-1, -1};
    errno = 0;
    int r = nanosleep(&req, &rem);
    result("nanosleep(5 s)", r);
    printf("  remaining between 0 and 5 s: %d\n", rem.tv_sec >= 0 && rem.tv_nsec >= 0 && rem.tv_nsec < 1000000000
           && (rem.tv_sec > 0 || rem.tv_nsec > 0) && rem.tv_sec < 5);
}

static void nanosleep_restart(void) { nanosleep_subject(SA_RESTART); }
static void nanosleep_norestart(void) { nanosleep_subject(0); }

static void nanosleep_stopped(void)
{
    struct timespec req = {0, 400000000L}, rem = {0, 0};
    double t0 = now();
    errno = 0;
    int r = nanosleep(&req, &rem);
    double t = now() - t0;
    result("nanosleep(0.4 s) across SIGSTOP and SIGCONT", r);
    printf("  slept at least 0.4 s: %d\n", t >= 0.4);
    /* clock_nanosleep too (the restart block keeps the absolute expiry) */
    t0 = now();
    req.tv_nsec = 300000000L;
    errno = 0;
    r = clock_nanosleep(CLOCK_MONOTONIC, 0, &req, NULL);
    t = now() - t0;
    printf("  clock_nanosleep(0.3 s) across SIGSTOP and SIGCONT: %d, slept at least 0.3 s: %d\n", r, t >= 0.3);
}

static void stop_and_continue(pid_t c)
{
    int st;
    wait_blocked(c);
    kill(c, SIGSTOP);
    waitpid(c, &st, WUNTRACED);
    msleep(20);
    kill(c, SIGCONT);
    waitpid(c, &st, WCONTINUED);
}

static void test_nanosleep(void)
{
    printf("nanosleep, SA_RESTART:\n");
    pid_t c = subject(nanosleep_restart);
    wait_blocked(c);
    kill(c, SIGUSR1);
    finish(c);

    printf("nanosleep, no SA_RESTART:\n");
    c = subject(nanosleep_norestart);
    wait_blocked(c);
    kill(c, SIGUSR1);
    finish(c);

    printf("nanosleep, stopped and continued:\n");
    c = subject(nanosleep_stopped);
    stop_and_continue(c);
    stop_and_continue(c);
    finish(c);
}

/* ---- poll, ppoll, select: never restarted after a handler ---- */
static void poll_subject(void)
{
    on(SIGUSR1, h1, SA_RESTART);
    struct pollfd p = {.fd = ctl[0], .events = POLLIN};
    errno = 0;
    int r = poll(&p, 1, -1);
    result("poll (SA_RESTART)", r);
    struct timespec ts = {10, 0};
    errno = 0;
    r = ppoll(&p, 1, &ts, NULL);
    result("ppoll (SA_RESTART)", r);
    fd_set rd;
    FD_ZERO(&rd);
    FD_SET(ctl[0], &rd);
    errno = 0;
    r = select(ctl[0] + 1, &rd, NULL, NULL, NULL);
    result("select (SA_RESTART)", r);
    /* ppoll with a mask that unblocks SIGUSR2 for the call only */
    sigset_t block, during;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR2);
    on(SIGUSR2, h2, SA_RESTART);
    sigprocmask(SIG_BLOCK, &block, NULL);
    sigemptyset(&during);
    errno = 0;
    r = ppoll(&p, 1, NULL, &during);
    result("ppoll with SIGUSR2 unblocked during the call", r);
    sigset_t after;
    sigprocmask(SIG_BLOCK, NULL, &after);
    printf("  SIGUSR2 blocked again after ppoll: %d\n", sigismember(&after, SIGUSR2));
    /* and with the pipe readable, poll reports it */
    r = poll(&p, 1, -1);
    printf("  poll after release: %d revents POLLIN %d\n", r, !!(p.revents & POLLIN));
}

static void test_poll(void)
{
    printf("poll family:\n");
    pid_t c = subject(poll_subject);
    for (int i = 0; i < 3; i++) {
        wait_blocked(c);
        kill(c, SIGUSR1);
        await_result();
    }
    wait_blocked(c);
    kill(c, SIGUSR2);
    await_result();
    release();
    finish(c);
}

/* ---- sigsuspend and pause ---- */
static void suspend_subject(void)
{
    on(SIGUSR1, h1, SA_RESTART);
    on(SIGUSR2, h2, SA_RESTART);
    sigset_t block, wait_mask, after;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigprocmask(SIG_BLOCK, &block, NULL);
    sigfillset(&wait_mask);
    sigdelset(&wait_mask, SIGUSR1);
    errno = 0;
    int r = sigsuspend(&wait_mask); /* SIGUSR2 stays pending (blocked during the call), SIGUSR1 ends it */
    result("sigsuspend", r);
    sigprocmask(SIG_BLOCK, NULL, &after);
    printf("  mask restored: USR1 blocked %d\n", sigismember(&after, SIGUSR1));
    sigprocmask(SIG_UNBLOCK, &block, NULL);
    errno = 0;
    r = pause();
    result("pause", r);
}

static void pause_stopped(void)
{
    on(SIGUSR1, h1, 0);
    errno = 0;
    int r = pause(); /* a stop and continue do not end it; the handled signal does */
    result("pause after SIGSTOP and SIGCONT, then SIGUSR1", r);
}

static void test_suspend(void)
{
    printf("sigsuspend and pause:\n");
    pid_t c = subject(suspend_subject);
    wait_blocked(c);
    kill(c, SIGUSR2); /* blocked during sigsuspend: stays pending */
    msleep(5);
    wait_blocked(c);
    kill(c, SIGUSR1);
    await_result();
    wait_blocked(c);
    kill(c, SIGUSR2);
    finish(c);

    c = subject(pause_stopped);
    stop_and_continue(c);
    wait_blocked(c);
    kill(c, SIGUSR1);
    finish(c);
}

/* ---- no double restart ----
 * The subject blocks in read(2) through an ecall/syscall preceded by an instruction that counts its executions. The
 * parent stops it, queues SIGUSR1 and SIGUSR2, and continues it: both handlers run at the end of the one interrupted
 * call. The call must be rewound once (the counter stays 1) and then return the data. */
static long counted_read(int fd, void *buf, long n, long *count)
{
#if defined(__riscv)
    register long a0 __asm__("a0") = fd;
    register long a1 __asm__("a1") = (long)buf;
    register long a2 __asm__("a2") = n;
    register long a7 __asm__("a7") = SYS_read;
    long c = *count;
    __asm__ volatile(".option push\n\t.option norvc\n\taddi %1, %1, 1\n\tecall\n\t.option pop"
                     : "+r"(a0), "+r"(c)
                     : "r"(a1), "r"(a2), "r"(a7)
                     : "memory");
    *count = c;
    return a0;
#elif defined(__x86_64__)
    long ret;
    unsigned int c = *count;
    /* inc %ebx is 2 bytes, like syscall: rewinding twice would run it again */
    __asm__ volatile("inc %%ebx\n\tsyscall"
                     : "=a"(ret), "+b"(c)
                     : "0"((long)SYS_read), "D"((long)fd), "S"(buf), "d"(n)
                     : "rcx", "r11", "memory");
    *count = c;
    return ret;
#endif
}

static void double_subject(int flags1, int flags2)
{
    on(SIGUSR1, h1, flags1);
    on(SIGUSR2, h2, flags2);
    char buf[8];
    long count = 0;
    long r = counted_read(ctl[0], buf, sizeof buf, &count);
    if (r < 0)
        printf("  read: -1 %s, executed %ld time(s), handlers ran %d %d\n", strerror(-r), count, hits1, hits2);
    else
        printf("  read: %ld %.*s, executed %ld time(s), handlers ran %d %d\n", r, (int)r, buf, count, hits1, hits2);
}

static void double_rr(void) { double_subject(SA_RESTART, SA_RESTART); }
static void double_rn(void) { double_subject(SA_RESTART, 0); }
static void double_nr(void) { double_subject(0, SA_RESTART); }

static void test_double(void (*fn)(void), const char *title, int restarted)
{
    printf("%s\n", title);
    pid_t c = subject(fn);
    int st;
    wait_blocked(c);
    kill(c, SIGSTOP);
    waitpid(c, &st, WUNTRACED);
    kill(c, SIGUSR1);
    kill(c, SIGUSR2);
    kill(c, SIGCONT);
    waitpid(c, &st, WCONTINUED);
    if (restarted) {
        wait_blocked(c);
        release();
    }
    finish(c);
}

/* ---- sigtimedwait, sigwaitinfo, signalfd: synchronous acceptance ---- */
static void test_sigwait(void)
{
    printf("sigtimedwait and sigwaitinfo:\n");
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigaddset(&set, SIGRTMIN);
    sigprocmask(SIG_BLOCK, &set, NULL);
    struct timespec ts = {0, 50000000L};
    siginfo_t si;
    errno = 0;
    int r = sigtimedwait(&set, &si, &ts);
    printf("  nothing pending, 50 ms: %d %s\n", r, strerror(errno));
    ts.tv_nsec = 0;
    errno = 0;
    r = sigtimedwait(&set, &si, &ts);
    printf("  nothing pending, zero timeout: %d %s\n", r, strerror(errno));
    sigqueue(getpid(), SIGRTMIN, (union sigval){.sival_int = 1});
    sigqueue(getpid(), SIGRTMIN, (union sigval){.sival_int = 2});
    kill(getpid(), SIGUSR1);
    for (int i = 0; i < 3; i++) {
        r = sigwaitinfo(&set, &si);
        if (r == SIGUSR1)
            printf("  sigwaitinfo: SIGUSR1 code SI_USER %d from self %d\n", si.si_code == SI_USER, si.si_pid == getpid());
        else
            printf("  sigwaitinfo: SIGRTMIN+%d value %d code SI_QUEUE %d\n", r - SIGRTMIN, si.si_value.sival_int,
                   si.si_code == SI_QUEUE);
    }
    sigset_t pend;
    sigpending(&pend);
    printf("  pending afterwards: %d %d\n", sigismember(&pend, SIGUSR1), sigismember(&pend, SIGRTMIN));
    /* a signal outside the set interrupts the wait */
    on(SIGUSR2, h2, SA_RESTART);
    pid_t parent = getpid();
    fflush(stdout);
    pid_t c = fork();
    if (c == 0) {
        wait_blocked(parent);
        kill(parent, SIGUSR2);
        _exit(0);
    }
    ts.tv_sec = 10;
    errno = 0;
    r = sigtimedwait(&set, &si, &ts);
    printf("  interrupted by a handled signal: %d %s, handler ran %d\n", r, strerror(errno), hits2);
    waitpid(c, NULL, 0);
    /* and one sent while waiting is accepted */
    c = fork();
    if (c == 0) {
        wait_blocked(parent);
        kill(parent, SIGUSR1);
        _exit(0);
    }
    r = sigwaitinfo(&set, &si);
    printf("  accepted while waiting: %s, from the child %d, SI_USER %d\n", r == SIGUSR1 ? "SIGUSR1" : "?",
           si.si_pid == c, si.si_code == SI_USER);
    waitpid(c, NULL, 0);
    signal(SIGUSR2, SIG_DFL);

    printf("signalfd:\n");
    int fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    struct signalfd_siginfo sfd;
    errno = 0;
    ssize_t n = read(fd, &sfd, sizeof sfd);
    printf("  empty: %zd %s\n", n, strerror(errno));
    struct pollfd p = {.fd = fd, .events = POLLIN};
    printf("  poll empty: %d\n", poll(&p, 1, 0));
    raise(SIGUSR1);
    sigqueue(getpid(), SIGRTMIN, (union sigval){.sival_int = 77});
    int pr = poll(&p, 1, 0);
    printf("  poll with two pending: %d revents POLLIN %d\n", pr, !!(p.revents & POLLIN));
    struct signalfd_siginfo two[2];
    n = read(fd, two, sizeof two);
    printf("  read: %zd bytes = %d records (%zu each)\n", n, (int)(n / (ssize_t)sizeof sfd), sizeof sfd);
    for (int i = 0; i < n / (ssize_t)sizeof sfd; i++)
        printf("  record: signo %s code %s pid self %d int %d\n", two[i].ssi_signo == (unsigned)SIGUSR1 ? "SIGUSR1"
               : two[i].ssi_signo == (unsigned)SIGRTMIN ? "SIGRTMIN" : "?",
               two[i].ssi_code == SI_TKILL ? "SI_TKILL" : two[i].ssi_code == SI_QUEUE ? "SI_QUEUE" : "?",
               two[i].ssi_pid == (unsigned)getpid(), two[i].ssi_int);
    errno = 0;
    n = read(fd, &sfd, sizeof sfd - 1);
    printf("  short buffer: %zd %s\n", n, strerror(errno));
    /* a blocking signalfd woken by a signal sent while it waits */
    sigset_t only;
    sigemptyset(&only);
    sigaddset(&only, SIGUSR1);
    int bfd = signalfd(-1, &only, 0);
    c = fork();
    if (c == 0) {
        wait_blocked(parent);
        kill(parent, SIGUSR1);
        _exit(0);
    }
    n = read(bfd, &sfd, sizeof sfd);
    printf("  blocking read: %zd, SIGUSR1 %d, SI_USER %d\n", n, sfd.ssi_signo == (unsigned)SIGUSR1,
           sfd.ssi_code == SI_USER);
    waitpid(c, NULL, 0);
    errno = 0;
    int bad = signalfd(-1, &only, 0x1234);
    printf("  signalfd with a bad flag: %d %s\n", bad, strerror(errno));
    close(fd);
    close(bfd);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    signal(SIGPIPE, SIG_IGN); /* a release after a subject has gone must not kill the test */
    test_read();
    test_waitpid();
    test_futex();
    test_nanosleep();
    test_poll();
    test_suspend();
    test_double(double_rr, "two signals during one read, both SA_RESTART:", 1);
    test_double(double_rn, "two signals, the first (SIGUSR1) SA_RESTART, the second not:", 1);
    test_double(double_nr, "two signals, the first (SIGUSR1) not SA_RESTART, the second is:", 0);
    test_sigwait();
    printf("done\n");
    return 0;
}
