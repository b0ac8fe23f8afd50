/* Default signal actions seen from the parent: termination (WIFSIGNALED, WTERMSIG, WCOREDUMP), stop and continue
 * (waitpid with WUNTRACED|WCONTINUED), signals ignored by default, SIGCHLD with its CLD_* codes, SA_NOCLDSTOP,
 * SA_NOCLDWAIT and SIG_IGN for SIGCHLD (auto-reaped children), SIGPIPE. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static void describe(const char *what, int st)
{
    if (WIFEXITED(st))
        printf("%s: exited %d\n", what, WEXITSTATUS(st));
    else if (WIFSIGNALED(st))
        printf("%s: killed by %s, core dumped %d\n", what, strsignal(WTERMSIG(st)), !!WCOREDUMP(st));
    else if (WIFSTOPPED(st))
        printf("%s: stopped by %s\n", what, strsignal(WSTOPSIG(st)));
    else if (WIFCONTINUED(st))
        printf("%s: continued\n", what);
    else
        printf("%s: status %#x\n", what, st);
}

/* fork that flushes stdio first and stops the program when it fails (never returns -1) */
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

static void child_sleeps(void)
{
    for (;;)
        pause();
}

static void nocore(void)
{
    /* A limit below a page dumps no core to a file, and 1 means none to a core_pattern pipe either. */
    struct rlimit rl = {1, 1};
    setrlimit(RLIMIT_CORE, &rl);
}

static void test_terminations(void)
{
    int st;
    pid_t c = xfork();
    if (c == 0) {
        raise(SIGTERM);
        _exit(99);
    }
    waitpid(c, &st, 0);
    describe("raise(SIGTERM)", st);

    c = xfork();
    if (c == 0)
        child_sleeps();
    kill(c, SIGKILL);
    waitpid(c, &st, 0);
    describe("kill(child, SIGKILL)", st);

    c = xfork();
    if (c == 0) {
        nocore();
        int *volatile bad = (int *)16;
        *bad = 1;
        _exit(99);
    }
    waitpid(c, &st, 0);
    describe("store to address 16", st);

    c = xfork();
    if (c == 0) {
        nocore();
        abort();
    }
    waitpid(c, &st, 0);
    describe("abort()", st);

    c = xfork();
    if (c == 0) {
        /* With SIGABRT ignored, abort() restores the default action and still ends the process with SIGABRT. */
        nocore();
        signal(SIGABRT, SIG_IGN);
        abort();
    }
    waitpid(c, &st, 0);
    describe("abort() with SIGABRT ignored", st);

    c = xfork();
    if (c == 0) {
        raise(SIGUSR1);
        _exit(99);
    }
    waitpid(c, &st, 0);
    describe("raise(SIGUSR1)", st);

    c = xfork();
    if (c == 0) {
        raise(SIGRTMIN + 3);
        _exit(99);
    }
    waitpid(c, &st, 0);
    printf("raise(SIGRTMIN+3): killed %d, by SIGRTMIN+%d\n", WIFSIGNALED(st), WTERMSIG(st) - SIGRTMIN);

    /* A blocked fatal signal stays pending until the mask is restored. */
    c = xfork();
    if (c == 0) {
        sigset_t s;
        sigemptyset(&s);
        sigaddset(&s, SIGTERM);
        sigprocmask(SIG_BLOCK, &s, NULL);
        raise(SIGTERM);
        printf("child: still alive with SIGTERM blocked\n");
        fflush(stdout);
        sigprocmask(SIG_UNBLOCK, &s, NULL);
        printf("child: not reached\n");
        _exit(99);
    }
    waitpid(c, &st, 0);
    describe("SIGTERM blocked, then unblocked", st);
}

static void test_stop_continue(int stopsig)
{
    int st;
    pid_t c = xfork();
    if (c == 0) {
        /* In a process group of its own whose parent is in another group of the session: not orphaned, so the
         * job-control stop signals other than SIGSTOP take effect too. */
        setpgid(0, 0);
        child_sleeps();
    }
    setpgid(c, c);
    kill(c, stopsig);
    pid_t r = waitpid(c, &st, WUNTRACED);
    describe(r == c ? "waitpid(WUNTRACED)" : "waitpid failed", st);
    /* The stop is reported once. */
    r = waitpid(c, &st, WUNTRACED | WNOHANG);
    printf("again with WNOHANG: %d\n", r);
    kill(c, SIGCONT);
    r = waitpid(c, &st, WCONTINUED);
    describe(r == c ? "waitpid(WCONTINUED)" : "waitpid failed", st);
    r = waitpid(c, &st, WCONTINUED | WNOHANG);
    printf("again with WNOHANG: %d\n", r);
    kill(c, SIGTERM);
    waitpid(c, &st, 0);
    describe("then SIGTERM", st);
}

static void test_ignored_by_default(void)
{
    int st;
    pid_t c = xfork();
    if (c == 0) {
        raise(SIGCHLD);
        raise(SIGURG);
        raise(SIGWINCH);
        raise(SIGCONT);
        _exit(7);
    }
    waitpid(c, &st, 0);
    describe("raise(SIGCHLD, SIGURG, SIGWINCH, SIGCONT)", st);
    /* SIG_IGN for a fatal signal */
    c = xfork();
    if (c == 0) {
        signal(SIGTERM, SIG_IGN);
        signal(SIGINT, SIG_IGN);
        raise(SIGTERM);
        kill(getpid(), SIGINT);
        _exit(8);
    }
    waitpid(c, &st, 0);
    describe("SIGTERM, SIGINT ignored", st);
}

/* SIGCHLD: the handler records si_code and si_status; the parent waits for each with sigsuspend. */
static volatile int chld_count;
static int chld_code[8], chld_status[8], chld_pid_ok[8];
static pid_t expected_child;

static void chld_handler(int sig, siginfo_t *si, void *uc)
{
    int i = chld_count;
    if (i < 8) {
        chld_code[i] = si->si_code;
        chld_status[i] = si->si_status;
        chld_pid_ok[i] = si->si_pid == expected_child;
    }
    chld_count = i + 1;
}

static const char *cldname(int code)
{
    switch (code) {
    case CLD_EXITED: return "CLD_EXITED";
    case CLD_KILLED: return "CLD_KILLED";
    case CLD_DUMPED: return "CLD_DUMPED";
    case CLD_STOPPED: return "CLD_STOPPED";
    case CLD_CONTINUED: return "CLD_CONTINUED";
    case CLD_TRAPPED: return "CLD_TRAPPED";
    default: return "?";
    }
}

static void await_chld(int n, const sigset_t *unblocked)
{
    while (chld_count < n)
        sigsuspend(unblocked);
    int i = n - 1;
    printf("SIGCHLD %d: %s status %d from the child %d\n", n, cldname(chld_code[i]), chld_status[i],
           chld_pid_ok[i]);
}

static void test_sigchld(void)
{
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGCHLD);
    sigprocmask(SIG_BLOCK, &block, &old);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = chld_handler;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGCHLD, &sa, NULL);
    chld_count = 0;

    int st;
    pid_t c = xfork();
    if (c == 0)
        _exit(3);
    expected_child = c;
    await_chld(1, &old);
    waitpid(c, &st, 0);

    c = xfork();
    if (c == 0) {
        setpgid(0, 0);
        child_sleeps();
    }
    setpgid(c, c);
    expected_child = c;
    kill(c, SIGSTOP);
    await_chld(2, &old);
    waitpid(c, &st, WUNTRACED);
    kill(c, SIGCONT);
    await_chld(3, &old);
    waitpid(c, &st, WCONTINUED);
    kill(c, SIGKILL);
    await_chld(4, &old);
    waitpid(c, &st, 0);

    /* SA_NOCLDSTOP: no SIGCHLD for stop and continue, still one for the termination */
    sa.sa_flags = SA_SIGINFO | SA_NOCLDSTOP;
    sigaction(SIGCHLD, &sa, NULL);
    c = xfork();
    if (c == 0) {
        setpgid(0, 0);
        child_sleeps();
    }
    setpgid(c, c);
    expected_child = c;
    kill(c, SIGSTOP);
    waitpid(c, &st, WUNTRACED);
    describe("SA_NOCLDSTOP child", st);
    kill(c, SIGCONT);
    waitpid(c, &st, WCONTINUED);
    describe("SA_NOCLDSTOP child", st);
    sigset_t pend;
    sigpending(&pend);
    printf("SA_NOCLDSTOP: SIGCHLD pending after stop and continue: %d\n", sigismember(&pend, SIGCHLD));
    kill(c, SIGTERM);
    await_chld(5, &old);
    waitpid(c, &st, 0);
    describe("SA_NOCLDSTOP child", st);
    sigprocmask(SIG_SETMASK, &old, NULL);
    signal(SIGCHLD, SIG_DFL);
}

static void test_autoreap(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_DFL;
    sa.sa_flags = SA_NOCLDWAIT;
    sigaction(SIGCHLD, &sa, NULL);
    pid_t c = xfork();
    if (c == 0)
        _exit(5);
    errno = 0;
    int st;
    pid_t r = wait(&st);
    printf("SA_NOCLDWAIT: wait %d %s\n", r, strerror(errno));

    signal(SIGCHLD, SIG_IGN);
    c = xfork();
    if (c == 0)
        _exit(5);
    errno = 0;
    r = waitpid(c, &st, 0);
    printf("SIGCHLD ignored: waitpid %d %s\n", r, strerror(errno));
    signal(SIGCHLD, SIG_DFL);

    /* The default action keeps zombies for wait. */
    c = xfork();
    if (c == 0)
        _exit(5);
    r = waitpid(c, &st, 0);
    printf("SIGCHLD default: reaped %d, ", r == c);
    describe("status", st);
}

static volatile int pipe_hits;
static void pipe_handler(int sig)
{
    pipe_hits++;
}

static void test_sigpipe(void)
{
    int st;
    pid_t c = xfork();
    if (c == 0) {
        int p[2];
        pipe(p);
        close(p[0]);
        write(p[1], "x", 1);
        _exit(99);
    }
    waitpid(c, &st, 0);
    describe("write to a pipe without readers", st);

    int p[2];
    pipe(p);
    close(p[0]);
    signal(SIGPIPE, SIG_IGN);
    errno = 0;
    ssize_t r = write(p[1], "x", 1);
    printf("SIGPIPE ignored: write %zd %s\n", r, strerror(errno));
    signal(SIGPIPE, pipe_handler);
    errno = 0;
    r = write(p[1], "x", 1);
    printf("SIGPIPE caught: write %zd %s, handler ran %d\n", r, strerror(errno), pipe_hits);
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGPIPE);
    sigprocmask(SIG_BLOCK, &s, NULL);
    errno = 0;
    r = write(p[1], "x", 1);
    sigset_t pend;
    sigpending(&pend);
    printf("SIGPIPE blocked: write %zd %s, pending %d\n", r, strerror(errno), sigismember(&pend, SIGPIPE));
    sigprocmask(SIG_UNBLOCK, &s, NULL);
    printf("unblocked: handler ran %d\n", pipe_hits);
    close(p[1]);
    signal(SIGPIPE, SIG_DFL);
}

int main(void)
{
    test_terminations();
    test_stop_continue(SIGSTOP);
    test_stop_continue(SIGTSTP);
    test_ignored_by_default();
    test_sigchld();
    test_autoreap();
    test_sigpipe();
    printf("done\n");
    return 0;
}
