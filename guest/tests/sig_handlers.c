/* Signal handlers: rt_sigaction with and without SA_SIGINFO, siginfo fields, SA_RESETHAND, SA_NODEFER, nested
 * delivery, the mask inside a handler, rt_sigprocmask and rt_sigpending, standard signals coalescing and real-time
 * signals queueing with their values, SIGKILL/SIGSTOP, and a handler that edits its ucontext. Handlers only append
 * to a log; main prints it. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

static char logbuf[4096];
static volatile int loglen;

static void logs(const char *s)
{
    while (*s && loglen < (int)sizeof logbuf - 1)
        logbuf[loglen++] = *s++;
}

static void logn(long n)
{
    char tmp[24];
    int i = sizeof tmp;
    tmp[--i] = 0;
    int neg = n < 0;
    if (neg)
        n = -n;
    do
        tmp[--i] = '0' + n % 10;
    while ((n /= 10) && i > 1);
    if (neg)
        tmp[--i] = '-';
    logs(tmp + i);
}

static void flushlog(const char *title)
{
    logbuf[loglen] = 0;
    printf("%s: %s\n", title, logbuf);
    loglen = 0;
}

static void sethandler(int sig, void (*fn)(int), int flags, const sigset_t *mask)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = fn;
    sa.sa_flags = flags;
    if (mask)
        sa.sa_mask = *mask;
    else
        sigemptyset(&sa.sa_mask);
    if (sigaction(sig, &sa, NULL) != 0)
        printf("sigaction(%d) failed: %s\n", sig, strerror(errno));
}

static void setinfo(int sig, void (*fn)(int, siginfo_t *, void *), int flags, const sigset_t *mask)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = fn;
    sa.sa_flags = flags | SA_SIGINFO;
    if (mask)
        sa.sa_mask = *mask;
    else
        sigemptyset(&sa.sa_mask);
    if (sigaction(sig, &sa, NULL) != 0)
        printf("sigaction(%d) failed: %s\n", sig, strerror(errno));
}

static const char *signame(int sig)
{
    if (sig == SIGUSR1)
        return "USR1";
    if (sig == SIGUSR2)
        return "USR2";
    if (sig == SIGTERM)
        return "TERM";
    if (sig == SIGHUP)
        return "HUP";
    if (sig >= SIGRTMIN && sig <= SIGRTMAX) {
        static char buf[4][16];
        static int k;
        char *b = buf[k++ & 3];
        snprintf(b, 16, "RTMIN+%d", sig - SIGRTMIN);
        return b;
    }
    return "?";
}

static const char *codename(int code)
{
    switch (code) {
    case SI_USER: return "SI_USER";
    case SI_QUEUE: return "SI_QUEUE";
    case SI_TKILL: return "SI_TKILL";
    case SI_KERNEL: return "SI_KERNEL";
    default: return "other";
    }
}

/* ---- SA_SIGINFO and the siginfo fields ---- */
static siginfo_t last;
static int infohits;

static void info_handler(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    last = *si;
    infohits++;
    if (sig != si->si_signo)
        logs("signo mismatch ");
}

static void test_siginfo(void)
{
    setinfo(SIGUSR1, info_handler, 0, NULL);
    union sigval v = {.sival_int = 4242};
    printf("sigqueue: %d\n", sigqueue(getpid(), SIGUSR1, v));
    printf("  hits %d signo %s code %s pid-is-self %d uid-is-self %d value %d\n", infohits, signame(last.si_signo),
           codename(last.si_code), last.si_pid == getpid(), last.si_uid == getuid(), last.si_value.sival_int);
    printf("kill: %d\n", kill(getpid(), SIGUSR1));
    printf("  hits %d signo %s code %s pid-is-self %d uid-is-self %d\n", infohits, signame(last.si_signo),
           codename(last.si_code), last.si_pid == getpid(), last.si_uid == getuid());
    printf("raise: %d\n", raise(SIGUSR1));
    printf("  hits %d signo %s code %s pid-is-self %d\n", infohits, signame(last.si_signo), codename(last.si_code),
           last.si_pid == getpid());
    printf("tgkill: %ld\n", syscall(SYS_tgkill, (long)getpid(), (long)gettid(), (long)SIGUSR1));
    printf("  hits %d signo %s code %s\n", infohits, signame(last.si_signo), codename(last.si_code));
    /* rt_sigqueueinfo with a positive si_code from user space is refused (only the kernel may claim those). */
    siginfo_t forged;
    memset(&forged, 0, sizeof forged);
    forged.si_signo = SIGUSR1;
    forged.si_code = SI_KERNEL;
    long r = syscall(SYS_rt_sigqueueinfo, (long)getpid(), (long)SIGUSR1, &forged);
    printf("rt_sigqueueinfo with si_code SI_KERNEL: %ld %s, hits %d\n", r, r ? strerror(errno) : "", infohits);
    signal(SIGUSR1, SIG_DFL);
}

/* ---- a plain handler, SA_RESETHAND ---- */
static int plainhits;
static void plain_handler(int sig)
{
    plainhits++;
    logs(signame(sig));
    logs(" ");
}

static void test_resethand(void)
{
    sethandler(SIGUSR2, plain_handler, SA_RESETHAND, NULL);
    raise(SIGUSR2);
    struct sigaction old;
    sigaction(SIGUSR2, NULL, &old);
    printf("SA_RESETHAND: hits %d, handler now %s\n", plainhits,
           old.sa_handler == SIG_DFL ? "SIG_DFL" : "still installed");
    /* An ignored signal is discarded when sent, unless it is blocked: then it stays pending (the handler may change
     * before it is unblocked)... */
    signal(SIGUSR2, SIG_IGN);
    raise(SIGUSR2);
    sigset_t set, pend;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR2);
    sigprocmask(SIG_BLOCK, &set, NULL);
    raise(SIGUSR2);
    sigpending(&pend);
    printf("ignored and blocked: pending %d\n", sigismember(&pend, SIGUSR2));
    /* ...and a blocked pending signal is discarded when its action becomes SIG_IGN. */
    signal(SIGUSR2, plain_handler);
    raise(SIGUSR2);
    sigpending(&pend);
    int before = sigismember(&pend, SIGUSR2);
    signal(SIGUSR2, SIG_IGN);
    sigpending(&pend);
    printf("pending then ignored: pending before %d after %d\n", before, sigismember(&pend, SIGUSR2));
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    printf("after unblock: hits %d\n", plainhits);
    signal(SIGUSR2, SIG_DFL);
    loglen = 0;
}

/* ---- SA_NODEFER and re-entrancy ---- */
static int depth, calls;
static void reentrant_handler(int sig)
{
    depth++;
    logs("enter");
    logn(depth);
    logs(" ");
    if (++calls == 1)
        raise(sig);
    logs("leave");
    logn(depth);
    logs(" ");
    depth--;
}

static void test_nodefer(void)
{
    sethandler(SIGUSR1, reentrant_handler, SA_NODEFER, NULL);
    raise(SIGUSR1);
    flushlog("SA_NODEFER");
    calls = 0;
    sethandler(SIGUSR1, reentrant_handler, 0, NULL);
    raise(SIGUSR1);
    flushlog("default (deferred)");
    signal(SIGUSR1, SIG_DFL);
}

/* ---- nested delivery: a handler interrupted by another signal ---- */
static void outer_handler(int sig)
{
    logs("outer-enter ");
    raise(SIGUSR2);
    logs("outer-leave ");
}

static void inner_handler(int sig)
{
    logs("inner ");
}

static void test_nested(void)
{
    sethandler(SIGUSR1, outer_handler, 0, NULL);
    sethandler(SIGUSR2, inner_handler, 0, NULL);
    raise(SIGUSR1);
    flushlog("nested");
    sigset_t m;
    sigemptyset(&m);
    sigaddset(&m, SIGUSR2);
    sethandler(SIGUSR1, outer_handler, 0, &m);
    raise(SIGUSR1);
    flushlog("USR2 in sa_mask");
    signal(SIGUSR1, SIG_DFL);
    signal(SIGUSR2, SIG_DFL);
}

/* ---- the mask inside a handler ---- */
static sigset_t inside;
static void mask_handler(int sig)
{
    sigprocmask(SIG_BLOCK, NULL, &inside);
    /* Changes to the mask inside a handler are undone by sigreturn. */
    sigset_t more;
    sigemptyset(&more);
    sigaddset(&more, SIGHUP);
    sigprocmask(SIG_BLOCK, &more, NULL);
}

static void test_mask(void)
{
    sigset_t m, after;
    sigemptyset(&m);
    sigaddset(&m, SIGUSR2);
    sethandler(SIGUSR1, mask_handler, 0, &m);
    raise(SIGUSR1);
    sigprocmask(SIG_BLOCK, NULL, &after);
    printf("mask in handler: USR1 %d USR2 %d TERM %d; after return: USR1 %d USR2 %d HUP %d\n",
           sigismember(&inside, SIGUSR1), sigismember(&inside, SIGUSR2), sigismember(&inside, SIGTERM),
           sigismember(&after, SIGUSR1), sigismember(&after, SIGUSR2), sigismember(&after, SIGHUP));
    sethandler(SIGUSR1, mask_handler, SA_NODEFER, &m);
    raise(SIGUSR1);
    printf("mask in SA_NODEFER handler: USR1 %d USR2 %d\n", sigismember(&inside, SIGUSR1),
           sigismember(&inside, SIGUSR2));
    signal(SIGUSR1, SIG_DFL);
}

/* ---- rt_sigprocmask, rt_sigpending, coalescing and queueing ---- */
static void test_block(void)
{
    sigset_t set, pend, old;
    plainhits = 0;
    sethandler(SIGUSR1, plain_handler, 0, NULL);
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigprocmask(SIG_BLOCK, &set, &old);
    printf("old mask has USR1: %d\n", sigismember(&old, SIGUSR1));
    raise(SIGUSR1);
    raise(SIGUSR1);
    kill(getpid(), SIGUSR1);
    sigpending(&pend);
    printf("blocked: hits %d, pending USR1 %d USR2 %d\n", plainhits, sigismember(&pend, SIGUSR1),
           sigismember(&pend, SIGUSR2));
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    printf("unblocked: hits %d (standard signals coalesce)\n", plainhits);
    sigpending(&pend);
    printf("pending USR1 now %d\n", sigismember(&pend, SIGUSR1));
    /* SIG_SETMASK and an invalid 'how' */
    sigprocmask(SIG_SETMASK, &set, NULL);
    sigprocmask(SIG_SETMASK, NULL, &old);
    printf("SIG_SETMASK: USR1 %d\n", sigismember(&old, SIGUSR1));
    errno = 0;
    int r = sigprocmask(12345, &set, NULL);
    printf("bad how: %d %s\n", r, strerror(errno));
    long rr = syscall(SYS_rt_sigprocmask, (long)SIG_BLOCK, &set, NULL, 4L);
    printf("rt_sigprocmask with sigsetsize 4: %ld %s\n", rr, strerror(errno));
    sigemptyset(&set);
    sigprocmask(SIG_SETMASK, &set, NULL);
    signal(SIGUSR1, SIG_DFL);
    loglen = 0;
}

static void rt_handler(int sig, siginfo_t *si, void *uc)
{
    logs(signame(sig));
    logs("=");
    logn(si->si_value.sival_int);
    logs(" ");
}

static void test_rt_queue(void)
{
    int a = SIGRTMIN, b = SIGRTMIN + 1;
    sigset_t set, all;
    sigemptyset(&set);
    sigaddset(&set, a);
    sigaddset(&set, b);
    sigaddset(&set, SIGUSR1);
    sigfillset(&all);
    /* Handlers that block everything: delivery is one at a time, lowest signal number first, each real-time
     * signal's instances in the order they were sent. */
    setinfo(a, rt_handler, 0, &all);
    setinfo(b, rt_handler, 0, &all);
    setinfo(SIGUSR1, rt_handler, 0, &all);
    sigprocmask(SIG_BLOCK, &set, NULL);
    int vals_b[] = {1, 2, 3}, vals_a[] = {10, 20};
    for (int i = 0; i < 3; i++)
        sigqueue(getpid(), b, (union sigval){.sival_int = vals_b[i]});
    sigqueue(getpid(), SIGUSR1, (union sigval){.sival_int = 7});
    sigqueue(getpid(), SIGUSR1, (union sigval){.sival_int = 8});
    for (int i = 0; i < 2; i++)
        sigqueue(getpid(), a, (union sigval){.sival_int = vals_a[i]});
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    flushlog("queued, handlers block all");
    /* Handlers that block only themselves: the next pending signal's frame is set up on top of the previous one
     * before that handler runs, so the last-chosen runs first. */
    setinfo(a, rt_handler, 0, NULL);
    setinfo(b, rt_handler, 0, NULL);
    sigdelset(&set, SIGUSR1);
    sigprocmask(SIG_BLOCK, &set, NULL);
    for (int i = 0; i < 3; i++)
        sigqueue(getpid(), b, (union sigval){.sival_int = vals_b[i]});
    for (int i = 0; i < 2; i++)
        sigqueue(getpid(), a, (union sigval){.sival_int = vals_a[i]});
    sigset_t pend;
    sigpending(&pend);
    printf("pending RTMIN %d RTMIN+1 %d\n", sigismember(&pend, a), sigismember(&pend, b));
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    flushlog("queued, handlers block themselves");
    signal(a, SIG_DFL);
    signal(b, SIG_DFL);
    signal(SIGUSR1, SIG_DFL);
}

/* ---- SIGKILL, SIGSTOP and bad signal numbers ---- */
static void test_uncatchable(void)
{
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = plain_handler;
    int sigs[] = {SIGKILL, SIGSTOP};
    const char *names[] = {"SIGKILL", "SIGSTOP"};
    for (int i = 0; i < 2; i++) {
        errno = 0;
        int r = sigaction(sigs[i], &sa, NULL);
        printf("sigaction(%s, handler): %d %s\n", names[i], r, strerror(errno));
        sa.sa_handler = SIG_IGN;
        errno = 0;
        r = sigaction(sigs[i], &sa, NULL);
        printf("sigaction(%s, SIG_IGN): %d %s\n", names[i], r, strerror(errno));
        sa.sa_handler = plain_handler;
        r = sigaction(sigs[i], NULL, &old);
        printf("sigaction(%s) query: %d %s\n", names[i], r, old.sa_handler == SIG_DFL ? "SIG_DFL" : "?");
    }
    int bad[] = {0, 65, -1};
    for (int i = 0; i < 3; i++) {
        errno = 0;
        long r = syscall(SYS_rt_sigaction, (long)bad[i], NULL, &old, 8L);
        printf("rt_sigaction(%d): %ld %s\n", bad[i], r, strerror(errno));
    }
    errno = 0;
    long r = syscall(SYS_rt_sigaction, (long)SIGUSR1, NULL, &old, 16L);
    printf("rt_sigaction sigsetsize 16: %ld %s\n", r, strerror(errno));
    sigset_t set, got;
    sigfillset(&set);
    sigprocmask(SIG_SETMASK, &set, NULL);
    sigprocmask(SIG_SETMASK, NULL, &got);
    printf("block all: KILL %d STOP %d TERM %d\n", sigismember(&got, SIGKILL), sigismember(&got, SIGSTOP),
           sigismember(&got, SIGTERM));
    sigemptyset(&set);
    sigprocmask(SIG_SETMASK, &set, NULL);
    printf("kill(self, 0): %d\n", kill(getpid(), 0));
    errno = 0;
    int rk = kill(getpid(), 65);
    printf("kill(self, 65): %d %s\n", rk, strerror(errno));
}

/* ---- a handler that edits the interrupted context ---- */
static long newval;
static void edit_handler(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
#if defined(__riscv)
    uc->uc_mcontext.__gregs[REG_A0] = newval;
#elif defined(__x86_64__)
    uc->uc_mcontext.gregs[REG_RAX] = newval;
#endif
}

static void test_ucontext(void)
{
    setinfo(SIGUSR1, edit_handler, 0, NULL);
    /* The signal is delivered as tgkill returns 0; the handler changes the saved return-value register. */
    newval = 42;
    long r = syscall(SYS_tgkill, (long)getpid(), (long)gettid(), (long)SIGUSR1);
    printf("tgkill returned %ld after the handler set the saved result to 42\n", r);
    /* A result that looks like -ERESTARTSYS (-512) after sigreturn must not restart anything: rt_sigreturn is not a
     * restartable system call. */
    newval = -512;
    errno = 0;
    r = syscall(SYS_tgkill, (long)getpid(), (long)gettid(), (long)SIGUSR1);
    printf("with -512: returned %ld errno %d\n", r, errno);
    newval = -EINTR;
    errno = 0;
    r = syscall(SYS_tgkill, (long)getpid(), (long)gettid(), (long)SIGUSR1);
    printf("with -EINTR: returned %ld errno %s\n", r, strerror(errno));
    signal(SIGUSR1, SIG_DFL);
}

/* ---- sigaction's old value and flags round trip ---- */
static void test_roundtrip(void)
{
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = plain_handler;
    sa.sa_flags = SA_RESTART | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGHUP);
    sigaddset(&sa.sa_mask, SIGKILL);
    sigaction(SIGUSR2, &sa, NULL);
    sa.sa_handler = SIG_IGN;
    sa.sa_flags = 0;
    sigaction(SIGUSR2, &sa, &old);
    printf("old: handler %d restart %d nodefer %d siginfo %d mask HUP %d KILL %d\n", old.sa_handler == plain_handler,
           !!(old.sa_flags & SA_RESTART), !!(old.sa_flags & SA_NODEFER), !!(old.sa_flags & SA_SIGINFO),
           sigismember(&old.sa_mask, SIGHUP), sigismember(&old.sa_mask, SIGKILL));
    sigaction(SIGUSR2, NULL, &old);
    printf("now: ignored %d\n", old.sa_handler == SIG_IGN);
    signal(SIGUSR2, SIG_DFL);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    test_siginfo();
    test_resethand();
    test_nodefer();
    test_nested();
    test_mask();
    test_block();
    test_rt_queue();
    test_uncatchable();
    test_ucontext();
    test_roundtrip();
    printf("done\n");
    return 0;
}
