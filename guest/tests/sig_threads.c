/* Signals and threads, fork, exec: a process-directed signal goes to a thread that does not block it, tgkill reaches
 * the thread named, masks are per thread (and inherited by new threads), a fatal signal kills every thread, exec
 * resets caught signals to SIG_DFL but keeps ignored ones, the mask and pending signals, fork inherits handlers, mask
 * and alternate stack but not pending signals (the exec is of /proc/self/exe with the argument stage2), and clone3
 * with CLONE_CLEAR_SIGHAND resets the handlers. */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/sched.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile pid_t handled_by;
static volatile int hits;

static void record(int sig)
{
    handled_by = gettid();
    hits++;
}

static void on(int sig, void (*fn)(int))
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = fn;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
}

static const char *disposition(int sig)
{
    struct sigaction sa;
    sigaction(sig, NULL, &sa);
    return sa.sa_handler == SIG_DFL ? "SIG_DFL" : sa.sa_handler == SIG_IGN ? "SIG_IGN" : "a handler";
}

static pid_t xfork(void)
{
    fflush(stdout);
    pid_t p = fork();
    if (p < 0) {
        perror("fork");
        exit(1);
    }
    return p;
}

static void describe(const char *what, int st)
{
    if (WIFEXITED(st))
        printf("%s: exited %d\n", what, WEXITSTATUS(st));
    else if (WIFSIGNALED(st))
        printf("%s: killed by %s\n", what, strsignal(WTERMSIG(st)));
    else
        printf("%s: status %#x\n", what, st);
}

/* ---- routing ---- */
struct worker {
    pthread_t thread;
    pid_t tid;
    int block; /* block SIGUSR1 in this thread */
    sem_t ready, done;
    sigset_t mask_at_start;
};

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    pthread_sigmask(SIG_BLOCK, NULL, &w->mask_at_start);
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR1);
    pthread_sigmask(w->block ? SIG_BLOCK : SIG_UNBLOCK, &s, NULL);
    w->tid = gettid();
    sem_post(&w->ready);
    while (sem_wait(&w->done) != 0)
        ; /* EINTR when the signal lands here */
    return NULL;
}

static void start(struct worker *w, int block)
{
    w->block = block;
    sem_init(&w->ready, 0, 0);
    sem_init(&w->done, 0, 0);
    pthread_create(&w->thread, NULL, worker_main, w);
    sem_wait(&w->ready);
}

static void stop(struct worker *w)
{
    sem_post(&w->done);
    pthread_join(w->thread, NULL);
}

static void wait_hits(int n)
{
    for (int i = 0; i < 5000 && hits < n; i++)
        usleep(1000);
}

static void test_routing(void)
{
    on(SIGUSR1, record);
    sigset_t s, mine;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR1);
    sigaddset(&s, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &s, NULL); /* main blocks SIGUSR1 and SIGHUP */
    struct worker a, b, c;
    start(&a, 1);
    start(&b, 0);
    start(&c, 1);
    printf("a new thread starts with its creator's mask: SIGHUP %d\n", sigismember(&a.mask_at_start, SIGHUP));
    kill(getpid(), SIGUSR1);
    wait_hits(1);
    printf("kill(process): handled %d, by the one thread that does not block it %d\n", hits, handled_by == b.tid);
    /* tgkill to a thread that blocks the signal: pending for that thread only */
    syscall(SYS_tgkill, (long)getpid(), (long)a.tid, (long)SIGUSR1);
    usleep(20000);
    printf("tgkill(thread that blocks it): handled %d\n", hits);
    /* tgkill to the unblocked thread */
    syscall(SYS_tgkill, (long)getpid(), (long)b.tid, (long)SIGUSR1);
    wait_hits(2);
    printf("tgkill(b): handled %d, by b %d\n", hits, handled_by == b.tid);
    /* the main thread's mask did not change through the workers' */
    pthread_sigmask(SIG_BLOCK, NULL, &mine);
    printf("main still blocks SIGUSR1 %d\n", sigismember(&mine, SIGUSR1));
    sigset_t pend;
    sigpending(&pend); /* the thread's own pending set plus the process's */
    printf("main sees SIGUSR1 pending %d (pending for a, not for main)\n", sigismember(&pend, SIGUSR1));
    stop(&b);
    stop(&c);
    /* a process-directed signal while every thread blocks it stays pending for the process... */
    kill(getpid(), SIGUSR1);
    sigpending(&pend);
    printf("every thread blocks it: pending for the process %d, handled %d\n", sigismember(&pend, SIGUSR1), hits);
    /* ...and goes to the first thread that unblocks it */
    pthread_sigmask(SIG_UNBLOCK, &s, NULL);
    printf("main unblocks: handled %d, by main %d\n", hits, handled_by == gettid());
    stop(&a); /* a exits with its own SIGUSR1 still pending: never delivered */
    printf("after a exited: handled %d\n", hits);
    /* pthread_kill and pthread_sigqueue */
    struct worker d;
    start(&d, 0);
    pthread_kill(d.thread, SIGUSR1);
    wait_hits(4);
    printf("pthread_kill: handled %d, by d %d\n", hits, handled_by == d.tid);
    stop(&d);
    signal(SIGUSR1, SIG_DFL);
}

/* ---- a fatal signal kills every thread ---- */
static void *sleeper(void *arg)
{
    for (;;)
        pause();
    return NULL;
}

static void test_fatal(void)
{
    int st;
    pid_t c = xfork();
    if (c == 0) {
        pthread_t t[3];
        for (int i = 0; i < 3; i++)
            pthread_create(&t[i], NULL, sleeper, NULL);
        kill(getpid(), SIGTERM);
        for (;;)
            pause();
    }
    waitpid(c, &st, 0);
    describe("SIGTERM to a process of 4 threads", st);

    c = xfork();
    if (c == 0) {
        struct worker w;
        start(&w, 0);
        /* directed at a non-main thread, the default action still ends the whole process */
        syscall(SYS_tgkill, (long)getpid(), (long)w.tid, (long)SIGUSR2);
        for (;;)
            pause();
    }
    waitpid(c, &st, 0);
    describe("tgkill(SIGUSR2) to a second thread", st);

    c = xfork();
    if (c == 0) {
        pthread_t t;
        pthread_create(&t, NULL, sleeper, NULL);
        /* the main thread exits; the process lives on in the other thread until a signal ends it */
        syscall(SYS_exit, 0L);
    }
    usleep(50000);
    int r = waitpid(c, &st, WNOHANG);
    printf("main thread exited, another runs: reaped %d\n", r == c);
    kill(c, SIGKILL);
    waitpid(c, &st, 0);
    describe("then SIGKILL", st);
}

/* ---- exec ---- */
static void stage2(void)
{
    sigset_t m, pend;
    sigprocmask(SIG_BLOCK, NULL, &m);
    sigpending(&pend);
    printf("after exec: USR1 %s, USR2 %s, TERM %s; SIGHUP blocked %d pending %d; SIGINT blocked %d\n",
           disposition(SIGUSR1), disposition(SIGUSR2), disposition(SIGTERM), sigismember(&m, SIGHUP),
           sigismember(&pend, SIGHUP), sigismember(&m, SIGINT));
    stack_t ss;
    sigaltstack(NULL, &ss);
    printf("after exec: alternate stack disabled %d\n", !!(ss.ss_flags & SS_DISABLE));
    fflush(stdout);
    raise(SIGHUP); /* still SIG_DFL: unblocking lets the pending one end the process */
    sigprocmask(SIG_UNBLOCK, &m, NULL);
    _exit(60);
}

static void test_exec(void)
{
    const char *self = "/proc/self/exe";
    int st;
    pid_t c = xfork();
    if (c == 0) {
        on(SIGUSR1, record);
        signal(SIGUSR2, SIG_IGN);
        sigset_t m;
        sigemptyset(&m);
        sigaddset(&m, SIGHUP);
        sigaddset(&m, SIGINT);
        sigprocmask(SIG_BLOCK, &m, NULL);
        raise(SIGHUP);
        stack_t ss = {.ss_sp = malloc(65536), .ss_size = 65536, .ss_flags = 0};
        sigaltstack(&ss, NULL);
        char *argv[] = {(char *)self, "stage2", NULL};
        execv(self, argv);
        printf("execv failed: %s\n", strerror(errno));
        _exit(1);
    }
    waitpid(c, &st, 0);
    describe("exec'd child", st);
}

/* ---- fork ---- */
static void test_fork(void)
{
    on(SIGUSR1, record);
    signal(SIGUSR2, SIG_IGN);
    sigset_t m;
    sigemptyset(&m);
    sigaddset(&m, SIGHUP);
    sigprocmask(SIG_BLOCK, &m, NULL);
    raise(SIGHUP);
    char *alt = malloc(65536);
    stack_t ss = {.ss_sp = alt, .ss_size = 65536, .ss_flags = 0};
    sigaltstack(&ss, NULL);
    int st;
    pid_t c = xfork();
    if (c == 0) {
        sigset_t cm, pend;
        sigprocmask(SIG_BLOCK, NULL, &cm);
        sigpending(&pend);
        stack_t cs;
        sigaltstack(NULL, &cs);
        printf("forked child: USR1 %s, USR2 %s; SIGHUP blocked %d pending %d; altstack same %d\n",
               disposition(SIGUSR1), disposition(SIGUSR2), sigismember(&cm, SIGHUP), sigismember(&pend, SIGHUP),
               cs.ss_sp == alt && cs.ss_size == 65536 && cs.ss_flags == 0);
        hits = 0;
        raise(SIGUSR1);
        printf("forked child: its inherited handler ran %d\n", hits);
        fflush(stdout);
        _exit(0);
    }
    waitpid(c, &st, 0);
    describe("forked child", st);

    /* clone3 with CLONE_CLEAR_SIGHAND: handlers back to SIG_DFL, ignored stays ignored */
    struct clone_args args;
    memset(&args, 0, sizeof args);
    args.flags = CLONE_CLEAR_SIGHAND;
    args.exit_signal = SIGCHLD;
    fflush(stdout);
    long r = syscall(SYS_clone3, &args, sizeof args);
    if (r == 0) {
        char buf[200];
        int n = snprintf(buf, sizeof buf, "clone3(CLONE_CLEAR_SIGHAND) child: USR1 %s, USR2 %s\n",
                         disposition(SIGUSR1), disposition(SIGUSR2));
        write(1, buf, n);
        syscall(SYS_exit_group, 0L);
    }
    if (r < 0) {
        printf("clone3: %s\n", strerror(errno));
    } else {
        waitpid(r, &st, 0);
        describe("clone3 child", st);
    }
    /* CLONE_CLEAR_SIGHAND with CLONE_SIGHAND is refused */
    args.flags = CLONE_CLEAR_SIGHAND | CLONE_SIGHAND | CLONE_VM;
    errno = 0;
    r = syscall(SYS_clone3, &args, sizeof args);
    printf("clone3(CLONE_CLEAR_SIGHAND | CLONE_SIGHAND): %ld %s\n", r, strerror(errno));

    ss.ss_flags = SS_DISABLE;
    sigaltstack(&ss, NULL);
    sigprocmask(SIG_UNBLOCK, &m, NULL); /* the pending SIGHUP is caught now */
    signal(SIGUSR1, SIG_DFL);
    signal(SIGUSR2, SIG_DFL);
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc > 1 && strcmp(argv[1], "stage2") == 0)
        stage2();
    test_routing();
    test_fatal();
    test_exec();
    signal(SIGHUP, record); /* for the pending SIGHUP at the end of test_fork */
    hits = 0;
    test_fork();
    printf("SIGHUP caught after unblocking: %d\n", hits);
    printf("done\n");
    return 0;
}
