/*
 * The rseq ABI under jkernel (riscv64 only): registration errors exactly as Linux returns them, the auxv entries,
 * fork keeping the registration, new threads and exec starting without one, an abort on signal delivery and SIGSEGV
 * for malformed critical-section descriptors.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/rseq.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define RSEQ_SIG 0xf1401073

static struct rseq __thread rs __attribute__((aligned(32)));
static char raw[128] __attribute__((aligned(64)));

static long sys_rseq(void *p, unsigned len, int flags, unsigned sig)
{
    long r = syscall(SYS_rseq, p, len, flags, sig);
    return r < 0 ? -errno : r;
}

static void *thread_check(void *arg)
{
    (void)arg;
    /* A new thread starts unregistered: unregistering fails, registering succeeds. */
    printf("new thread: unregister=%ld, register=%ld\n", sys_rseq(&rs, sizeof(rs), RSEQ_FLAG_UNREGISTER, RSEQ_SIG),
           sys_rseq(&rs, sizeof(rs), 0, RSEQ_SIG));
    return NULL;
}

static volatile int stop_loop;
static void on_usr1(int sig) { (void)sig; }

/* Spins inside a critical section until a signal aborts it; returns 1 if it left through the abort handler. */
static int spin_until_signal(void)
{
    int aborted;
    __asm__ volatile(
        ".pushsection __rseq_cs, \"aw\"\n"
        ".balign 32\n"
        "3: .word 0, 0\n"
        "   .dword 1f, 2f - 1f, 4f\n"
        ".popsection\n"
        "lla t0, 3b\n"
        "sd t0, %[cs]\n"
        "1: j 1b\n"
        "2:\n"
        "li %[ab], 0\n"
        "j 5f\n"
        ".word 0xf1401073\n"
        "4: li %[ab], 1\n"
        "5:\n"
        : [ab] "=&r"(aborted), [cs] "=m"(rs.rseq_cs)
        :
        : "t0", "memory");
    return aborted;
}

static void *killer(void *arg)
{
    usleep(100000);
    pthread_kill(*(pthread_t *)arg, SIGUSR1);
    return NULL;
}

/*
 * A descriptor whose abort_ip lies inside the section: when the kernel needs it (a signal is delivered inside the
 * section: tkill(self, SIGUSR1) from within it) it must kill the process with SIGSEGV.
 */
static void bad_descriptor(void)
{
    long tid = syscall(SYS_gettid);
    __asm__ volatile(
        ".pushsection __rseq_cs, \"aw\"\n"
        ".balign 32\n"
        "3: .word 0, 0\n"
        "   .dword 1f, 2f - 1f, 1f\n"
        ".popsection\n"
        "lla t0, 3b\n"
        "sd t0, %[cs]\n"
        "1: mv a0, %[tid]\n"
        "li a1, 10\n"
        "li a7, 130\n"
        "ecall\n"
        "2:\n"
        : [cs] "=m"(rs.rseq_cs)
        : [tid] "r"(tid)
        : "t0", "a0", "a1", "a7", "memory");
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "exec") == 0) {
        rs.cpu_id = (unsigned)-1;
        printf("after exec: register=%ld\n", sys_rseq(&rs, sizeof(rs), 0, RSEQ_SIG));
        return 0;
    }
    printf("AT_RSEQ_FEATURE_SIZE=%lu AT_RSEQ_ALIGN=%lu\n", getauxval(27), getauxval(28));
    rs.cpu_id = (unsigned)-1;
    printf("misaligned: %ld\n", sys_rseq(raw + 8, 32, 0, RSEQ_SIG));
    printf("short: %ld\n", sys_rseq(&rs, 16, 0, RSEQ_SIG));
    printf("bad flags: %ld\n", sys_rseq(&rs, 32, 2, RSEQ_SIG));
    printf("unmapped: %ld\n", sys_rseq((void *)(1UL << 40), 32, 0, RSEQ_SIG));
    printf("register: %ld\n", sys_rseq(&rs, sizeof(rs), 0, RSEQ_SIG));
    printf("cpu published: %d\n", rs.cpu_id != (unsigned)-1 && rs.cpu_id == rs.cpu_id_start);
    printf("again, same place: %ld\n", sys_rseq(&rs, sizeof(rs), 0, RSEQ_SIG));
    printf("again, other sig: %ld\n", sys_rseq(&rs, sizeof(rs), 0, RSEQ_SIG + 1));
    printf("again, elsewhere: %ld\n", sys_rseq(raw, 32, 0, RSEQ_SIG));
    printf("unregister, other sig: %ld\n", sys_rseq(&rs, sizeof(rs), RSEQ_FLAG_UNREGISTER, RSEQ_SIG + 1));
    printf("unregister, elsewhere: %ld\n", sys_rseq(raw, 32, RSEQ_FLAG_UNREGISTER, RSEQ_SIG));
    printf("unregister: %ld, cpu_id reset=%d\n", sys_rseq(&rs, sizeof(rs), RSEQ_FLAG_UNREGISTER, RSEQ_SIG),
           rs.cpu_id == (unsigned)-1);
    printf("unregister twice: %ld\n", sys_rseq(&rs, sizeof(rs), RSEQ_FLAG_UNREGISTER, RSEQ_SIG));
    printf("register: %ld\n", sys_rseq(&rs, sizeof(rs), 0, RSEQ_SIG));

    pthread_t th;
    pthread_create(&th, NULL, thread_check, NULL);
    pthread_join(th, NULL);

    fflush(stdout);
    pid_t p = fork();
    if (p == 0) {
        printf("forked child: still registered=%ld\n", sys_rseq(&rs, sizeof(rs), 0, RSEQ_SIG));
        fflush(stdout);
        _exit(0);
    }
    int st;
    waitpid(p, &st, 0);

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sigaction(SIGUSR1, &sa, NULL);
    pthread_t self = pthread_self(), k;
    pthread_create(&k, NULL, killer, &self);
    printf("signal aborted the section: %d\n", spin_until_signal());
    pthread_join(k, NULL);

    fflush(stdout);
    p = fork();
    if (p == 0) {
        bad_descriptor();
        _exit(0);
    }
    waitpid(p, &st, 0);
    printf("malformed descriptor: signaled=%d sig=%d\n", WIFSIGNALED(st), WIFSIGNALED(st) ? WTERMSIG(st) : 0);

    fflush(stdout);
    p = fork();
    if (p == 0) {
        execl("/proc/self/exe", "rseq_abi", "exec", (char *)NULL);
        _exit(99);
    }
    waitpid(p, &st, 0);
    return 0;
}
