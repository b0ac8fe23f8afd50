/* Synchronous signals from faults: SIGSEGV (SEGV_MAPERR, SEGV_ACCERR, si_addr), siglongjmp out of the handler,
 * SIGILL on an illegal instruction skipped by editing the saved pc, SIGTRAP on a breakpoint, SIGBUS past the end of a
 * mapped file, faults with SIGSEGV blocked or ignored or inside their own handler (fatal), and a stack overflow caught
 * on an alternate signal stack (sigaltstack, SA_ONSTACK). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

static sigjmp_buf env;
static volatile int got_sig, got_code;
static void *volatile got_addr;

static void catcher(int sig, siginfo_t *si, void *uc)
{
    got_sig = sig;
    got_code = si->si_code;
    got_addr = si->si_addr;
    siglongjmp(env, 1);
}

static void on(int sig, void (*fn)(int, siginfo_t *, void *), int flags)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = fn;
    sa.sa_flags = SA_SIGINFO | flags;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
}

static const char *codename(int sig, int code)
{
    if (sig == SIGSEGV && code == SEGV_MAPERR) return "SEGV_MAPERR";
    if (sig == SIGSEGV && code == SEGV_ACCERR) return "SEGV_ACCERR";
    if (sig == SIGBUS && code == BUS_ADRERR) return "BUS_ADRERR";
    if (sig == SIGBUS && code == BUS_ADRALN) return "BUS_ADRALN";
    if (sig == SIGILL && code == ILL_ILLOPC) return "ILL_ILLOPC";
    return "other";
}

static long pagesize;

/* stores to a small address, which is never mapped */
static void poke(uintptr_t a)
{
    int *volatile p = (int *)a;
    *p = 0;
}

static void test_segv(void)
{
    on(SIGSEGV, catcher, 0);
    char *p = mmap(NULL, pagesize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(p, pagesize);
    volatile char *vp = p + 123;
    if (sigsetjmp(env, 1) == 0) {
        (void)*vp;
        printf("read of an unmapped page: no signal\n");
    } else {
        printf("read of an unmapped page: %s %s, si_addr is the address %d\n", strsignal(got_sig),
               codename(got_sig, got_code), got_addr == (void *)vp);
    }
    p = mmap(NULL, pagesize, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    vp = p + 8;
    if (sigsetjmp(env, 1) == 0) {
        *vp = 1;
        printf("write to a read-only page: no signal\n");
    } else {
        printf("write to a read-only page: %s %s, si_addr is the address %d\n", strsignal(got_sig),
               codename(got_sig, got_code), got_addr == (void *)vp);
    }
    printf("reading it still works: %d\n", *vp);
    mprotect(p, pagesize, PROT_NONE);
    if (sigsetjmp(env, 1) == 0) {
        (void)*vp;
        printf("read of a PROT_NONE page: no signal\n");
    } else {
        printf("read of a PROT_NONE page: %s %s\n", strsignal(got_sig), codename(got_sig, got_code));
    }
    mprotect(p, pagesize, PROT_READ | PROT_WRITE);
    *vp = 5;
    printf("after mprotect(READ|WRITE): %d\n", *vp);
    munmap(p, pagesize);
    /* siglongjmp restored the signal mask saved by sigsetjmp: SIGSEGV is not left blocked. */
    sigset_t m;
    sigprocmask(SIG_BLOCK, NULL, &m);
    printf("SIGSEGV blocked after siglongjmp: %d\n", sigismember(&m, SIGSEGV));
    /* several faults in a row, each caught */
    int caught = 0;
    for (int i = 0; i < 5; i++) {
        if (sigsetjmp(env, 1) == 0)
            poke(8 * i + 8);
        else
            caught++;
    }
    printf("five faults caught: %d\n", caught);
    signal(SIGSEGV, SIG_DFL);
}

static volatile int ill_hits;
static volatile int ill_at_pc;

static void skip_handler(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    ill_hits++;
    got_code = si->si_code;
#if defined(__riscv)
    ill_at_pc = si->si_addr == (void *)uc->uc_mcontext.__gregs[REG_PC];
    uc->uc_mcontext.__gregs[REG_PC] += 2; /* c.unimp (.2byte 0) is two bytes */
#elif defined(__x86_64__)
    ill_at_pc = si->si_addr == (void *)uc->uc_mcontext.gregs[REG_RIP];
    uc->uc_mcontext.gregs[REG_RIP] += 2; /* ud2 is two bytes */
#endif
}

static volatile int trap_hits;
static void trap_handler(int sig, siginfo_t *si, void *ucv)
{
    trap_hits++;
#if defined(__riscv)
    ucontext_t *uc = ucv;
    uc->uc_mcontext.__gregs[REG_PC] += 4; /* the pc is the ebreak's own (4 bytes, uncompressed) */
#endif
    /* x86-64: int3 is a trap, the saved pc is already past it */
}

static void test_ill_trap(void)
{
    on(SIGILL, skip_handler, 0);
    int x = 1;
#if defined(__riscv)
    __asm__ volatile(".2byte 0\n\taddi %0, %0, 1" : "+r"(x));
#elif defined(__x86_64__)
    __asm__ volatile("ud2\n\tadd $1, %0" : "+r"(x));
#endif
    /* (no si_code: Linux says ILL_ILLOPC for riscv64's c.unimp and ILL_ILLOPN for x86-64's ud2) */
    printf("illegal instruction: handled %d, si_code from the kernel %d, si_addr is the pc %d, skipped and "
           "continued: x = %d\n", ill_hits, got_code > 0, ill_at_pc, x);
    signal(SIGILL, SIG_DFL);

    on(SIGTRAP, trap_handler, 0);
    x = 10;
#if defined(__riscv)
    __asm__ volatile(".option push\n\t.option norvc\n\tebreak\n\t.option pop\n\taddi %0, %0, 1" : "+r"(x));
#elif defined(__x86_64__)
    __asm__ volatile("int3\n\tadd $1, %0" : "+r"(x));
#endif
    printf("breakpoint: SIGTRAP handled %d, continued: x = %d\n", trap_hits, x);
    signal(SIGTRAP, SIG_DFL);
}

static void test_sigbus(void)
{
    char dir[] = "/tmp/jk-sigbus-XXXXXX";
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return;
    }
    char path[64];
    snprintf(path, sizeof path, "%s/f", dir);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    write(fd, "hello", 5);
    char *p = mmap(NULL, 2 * pagesize, PROT_READ, MAP_SHARED, fd, 0);
    on(SIGBUS, catcher, 0);
    printf("first page of a 5-byte file: %.5s, then zeros: %d\n", p, p[100]);
    volatile char *beyond = p + pagesize + 1;
    if (sigsetjmp(env, 1) == 0) {
        (void)*beyond;
        printf("page past the end of the file: no signal\n");
    } else {
        printf("page past the end of the file: %s %s, si_addr is the address %d\n", strsignal(got_sig),
               codename(got_sig, got_code), got_addr == (void *)beyond);
    }
    munmap(p, 2 * pagesize);
    close(fd);
    unlink(path);
    rmdir(dir);
    signal(SIGBUS, SIG_DFL);
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

static pid_t xfork(void)
{
    fflush(stdout);
    pid_t p = fork();
    if (p < 0) {
        perror("fork");
        exit(1);
    }
    if (p == 0) {
        struct rlimit rl = {1, 1}; /* no core files from the children that die */
        setrlimit(RLIMIT_CORE, &rl);
    }
    return p;
}

static void never(int sig)
{
    static const char msg[] = "handler ran\n";
    write(1, msg, sizeof msg - 1);
    _exit(50);
}

static void fault_again(int sig)
{
    static const char msg[] = "in the handler, faulting again\n";
    write(1, msg, sizeof msg - 1);
    poke(sig * 8);
    _exit(51);
}

static void test_fatal_faults(void)
{
    int st;
    pid_t c = xfork();
    if (c == 0) {
        signal(SIGSEGV, never);
        sigset_t s;
        sigemptyset(&s);
        sigaddset(&s, SIGSEGV);
        sigprocmask(SIG_BLOCK, &s, NULL);
        poke(24);
        _exit(52);
    }
    waitpid(c, &st, 0);
    describe("fault with SIGSEGV blocked", st);

    c = xfork();
    if (c == 0) {
        signal(SIGSEGV, SIG_IGN);
        poke(24);
        _exit(52);
    }
    waitpid(c, &st, 0);
    describe("fault with SIGSEGV ignored", st);

    c = xfork();
    if (c == 0) {
        signal(SIGSEGV, fault_again);
        poke(24);
        _exit(52);
    }
    waitpid(c, &st, 0);
    describe("fault in the SIGSEGV handler", st);

    c = xfork();
    if (c == 0) {
        sigset_t s;
        sigemptyset(&s);
        sigaddset(&s, SIGILL);
        sigprocmask(SIG_BLOCK, &s, NULL);
#if defined(__riscv)
        __asm__ volatile(".2byte 0");
#elif defined(__x86_64__)
        __asm__ volatile("ud2");
#endif
        _exit(52);
    }
    waitpid(c, &st, 0);
    describe("illegal instruction with SIGILL blocked", st);
}

/* ---- sigaltstack ---- */
static char *alt;
static size_t altsize;
static volatile int on_alt, alt_flags, depth_reached;

static void overflow_handler(int sig, siginfo_t *si, void *uc)
{
    char here;
    on_alt = &here >= alt && &here < alt + altsize;
    stack_t cur;
    sigaltstack(NULL, &cur);
    alt_flags = cur.ss_flags;
    /* Changing the alternate stack while running on it is refused. */
    stack_t other = {.ss_sp = alt, .ss_size = altsize, .ss_flags = 0};
    errno = 0;
    if (sigaltstack(&other, NULL) == -1 && errno == EPERM)
        alt_flags |= 0x10000;
    siglongjmp(env, 1);
}

static volatile int never_stop = -1;

static int recurse(int n)
{
    if (n == never_stop)
        return 0;
    volatile char pad[512];
    pad[0] = (char)n;
    depth_reached = n;
    return recurse(n + 1) + pad[0];
}

static void test_altstack(void)
{
    stack_t ss, old;
    sigaltstack(NULL, &old);
    printf("initially: SS_DISABLE %d\n", !!(old.ss_flags & SS_DISABLE));
    ss.ss_sp = malloc(1024);
    ss.ss_size = 1024;
    ss.ss_flags = 0;
    errno = 0;
    int r = sigaltstack(&ss, NULL);
    printf("1024-byte stack: %d %s\n", r, strerror(errno));
    free(ss.ss_sp);
    ss.ss_flags = 12345;
    ss.ss_sp = NULL;
    ss.ss_size = 1 << 16;
    errno = 0;
    r = sigaltstack(&ss, NULL);
    printf("bad flags: %d %s\n", r, strerror(errno));

    int st;
    pid_t c = xfork();
    if (c == 0) {
        struct rlimit rl = {256 << 10, 256 << 10};
        setrlimit(RLIMIT_STACK, &rl);
        altsize = 1 << 16;
        alt = malloc(altsize);
        ss.ss_sp = alt;
        ss.ss_size = altsize;
        ss.ss_flags = 0;
        sigaltstack(&ss, NULL);
        sigaltstack(NULL, &old);
        printf("child: installed, flags %d, size right %d\n", old.ss_flags, old.ss_size == altsize);
        on(SIGSEGV, overflow_handler, SA_ONSTACK);
        if (sigsetjmp(env, 1) == 0) {
            recurse(0);
        } else {
            printf("child: overflow caught on the alternate stack %d, SS_ONSTACK %d, EPERM on change %d, "
                   "deep %d\n", on_alt, !!(alt_flags & SS_ONSTACK), !!(alt_flags & 0x10000),
                   depth_reached > 100);
        }
        sigaltstack(NULL, &old);
        printf("child: after siglongjmp, SS_ONSTACK %d\n", !!(old.ss_flags & SS_ONSTACK));
        /* once more: the alternate stack is usable again */
        on_alt = 0;
        if (sigsetjmp(env, 1) == 0)
            recurse(0);
        printf("child: second overflow caught on the alternate stack %d\n", on_alt);
        ss.ss_flags = SS_DISABLE;
        sigaltstack(&ss, NULL);
        sigaltstack(NULL, &old);
        printf("child: disabled %d\n", !!(old.ss_flags & SS_DISABLE));
        fflush(stdout);
        /* without an alternate stack, the handler cannot run: the overflow kills */
        recurse(0);
        _exit(53);
    }
    waitpid(c, &st, 0);
    describe("overflow without an alternate stack", st);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    pagesize = sysconf(_SC_PAGESIZE);
    test_segv();
    test_ill_trap();
    test_sigbus();
    test_fatal_faults();
    test_altstack();
    printf("done\n");
    return 0;
}
