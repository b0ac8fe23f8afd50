/* signalfd4: create and update, read struct signalfd_siginfo records (kill, sigqueue, tgkill, timers, itimers),
 * blocking and non-blocking reads, interruption, errors, flags, fork. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long sfd4(long fd, sigset_t *m, long size, long flags)
{
    long r = syscall(SYS_signalfd4, fd, m, size, flags);
    return r < 0 ? -errno : r;
}
static const char *e(long r) { return r < 0 ? strerror((int)-r) : "ok"; }
static long rd(int fd, void *b, size_t n)
{
    long r = read(fd, b, n);
    return r < 0 ? -errno : r;
}

static volatile sig_atomic_t usr2;
static void on_usr2(int s) { (void)s; usr2++; }

int main(void)
{
    sigset_t m;
    sigemptyset(&m);
    sigaddset(&m, SIGUSR1);
    sigaddset(&m, SIGRTMIN);
    sigaddset(&m, SIGRTMIN + 1);
    sigaddset(&m, SIGALRM);
    sigprocmask(SIG_BLOCK, &m, NULL);

    /* Errors. */
    printf("bad flags: %s\n", e(sfd4(-1, &m, 8, 1)));
    printf("sizemask 4: %s\n", e(sfd4(-1, &m, 4, 0)));
    printf("sizemask 16: %s\n", e(sfd4(-1, &m, 16, 0)));
    printf("bad mask pointer: %s\n", e(sfd4(-1, (void *)8, 8, 0)));
    printf("fd not a signalfd: %s\n", e(sfd4(0, &m, 8, 0)));
    printf("fd not open: %s\n", e(sfd4(99, &m, 8, 0)));
    printf("fd -2: %s\n", e(sfd4(-2, &m, 8, 0)));

    int fd = (int)sfd4(-1, &m, 8, SFD_NONBLOCK | SFD_CLOEXEC);
    printf("created: %d\n", fd >= 0);
    printf("cloexec %d, nonblock %d\n", fcntl(fd, F_GETFD) & FD_CLOEXEC, (fcntl(fd, F_GETFL) & O_NONBLOCK) != 0);
    struct signalfd_siginfo si[4];
    printf("empty read: %s\n", e(rd(fd, si, sizeof si)));
    printf("short buffer: %s\n", e(rd(fd, si, 127)));
    char c = 0;
    printf("write: %s\n", e(write(fd, &c, 1) < 0 ? -errno : 0));

    /* kill: SI_USER with pid and uid. */
    kill(getpid(), SIGUSR1);
    printf("short buffer with a signal pending: %s\n", e(rd(fd, si, 100)));
    long n = rd(fd, si, sizeof si);
    printf("kill: %ld bytes, signo %u code %d pid ok %d uid ok %d\n", n, si[0].ssi_signo, si[0].ssi_code,
           si[0].ssi_pid == (unsigned)getpid(), si[0].ssi_uid == getuid());
    printf("then empty: %s\n", e(rd(fd, si, sizeof si)));

    /* sigqueue: real-time signals queue in order, several records per read. */
    for (int i = 1; i <= 3; i++)
        sigqueue(getpid(), SIGRTMIN, (union sigval){.sival_int = i * 10});
    n = rd(fd, si, sizeof si);
    printf("sigqueue x3: %ld bytes:", n);
    for (int i = 0; i < n / (long)sizeof si[0]; i++)
        printf(" %d/%d/%d", si[i].ssi_signo == (unsigned)SIGRTMIN, si[i].ssi_code, si[i].ssi_int);
    printf("\n");
    for (int i = 1; i <= 3; i++)
        sigqueue(getpid(), SIGRTMIN, (union sigval){.sival_int = i});
    n = rd(fd, si, 2 * sizeof si[0] + 50);
    printf("buffer for two: %ld bytes, first %d\n", n, si[0].ssi_int);
    n = rd(fd, si, sizeof si);
    printf("the rest: %ld bytes, value %d\n", n, si[0].ssi_int);

    /* Lowest signal first; thread-directed (tgkill) before process-directed. */
    kill(getpid(), SIGALRM);
    kill(getpid(), SIGUSR1);
    syscall(SYS_tgkill, (long)getpid(), (long)gettid(), (long)SIGALRM);
    n = rd(fd, si, sizeof si);
    printf("order:");
    for (int i = 0; i < n / (long)sizeof si[0]; i++)
        printf(" %u/%d", si[i].ssi_signo, si[i].ssi_code);
    printf("\n");

    /* Updating the mask: only SIGUSR1 now. */
    printf("update returns fd: %d\n", sfd4(fd, &(sigset_t){{0}}, 8, 0) == fd);
    sigset_t only;
    sigemptyset(&only);
    sigaddset(&only, SIGUSR1);
    sigaddset(&only, SIGKILL);
    sigaddset(&only, SIGSTOP);
    sfd4(fd, &only, 8, 0);
    kill(getpid(), SIGALRM);
    printf("SIGALRM outside the mask: %s\n", e(rd(fd, si, sizeof si)));
    kill(getpid(), SIGUSR1);
    n = rd(fd, si, sizeof si);
    printf("SIGUSR1 inside: %ld %u\n", n, si[0].ssi_signo);
    sfd4(fd, &m, 8, 0);
    n = rd(fd, si, sizeof si);
    printf("SIGALRM after widening: %ld %u\n", n, si[0].ssi_signo);

    /* A POSIX timer's signal: SI_TIMER, ssi_tid is the timer id, ssi_int/ssi_ptr the value, ssi_overrun counted. */
    timer_t t;
    struct sigevent sev;
    memset(&sev, 0, sizeof sev);
    sev.sigev_notify = SIGEV_SIGNAL;
    sev.sigev_signo = SIGRTMIN + 1;
    sev.sigev_value.sival_int = 7;
    timer_create(CLOCK_MONOTONIC, &sev, &t);
    struct itimerspec per = {{0, 2000000}, {0, 2000000}};
    timer_settime(t, 0, &per, NULL);
    usleep(20000);
    n = rd(fd, si, sizeof si[0]); /* one record: the re-armed timer may fire again at once */
    printf("timer: %ld bytes, signo ok %d code %d int %d ptr %llu overrun>=3 %d getoverrun agrees %d\n", n,
           si[0].ssi_signo == (unsigned)SIGRTMIN + 1, si[0].ssi_code, si[0].ssi_int, (unsigned long long)si[0].ssi_ptr,
           si[0].ssi_overrun >= 3, (int)si[0].ssi_overrun == timer_getoverrun(t));
    timer_delete(t);
    while (rd(fd, si, sizeof si) > 0)
        ;

    /* setitimer's SIGALRM: SI_KERNEL. */
    struct itimerval once = {{0, 0}, {0, 5000}};
    setitimer(ITIMER_REAL, &once, NULL);
    /* Wait for it through poll rather than a fixed sleep: a loaded machine may deliver it late. */
    struct pollfd ready = {.fd = fd, .events = POLLIN};
    poll(&ready, 1, 10000);
    n = rd(fd, si, sizeof si);
    printf("itimer: %ld %u code %d\n", n, si[0].ssi_signo, si[0].ssi_code);

    /* Blocking reads: a second descriptor without SFD_NONBLOCK; a child sends the signal later. */
    int bfd = (int)sfd4(-1, &m, 8, 0);
    printf("blocking fd cloexec %d\n", fcntl(bfd, F_GETFD) & FD_CLOEXEC);
    fflush(stdout);
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0) {
        /* The child reads its own signals: none pending (fork does not copy them). */
        kill(getpid(), SIGUSR1);
        struct signalfd_siginfo c1;
        long r = rd(fd, &c1, sizeof c1);
        long r2 = rd(fd, &c1, sizeof c1);
        printf("child reads its own: %ld pid ok %d, then %s\n", r, c1.ssi_pid == (unsigned)getpid(), e(r2));
        fflush(stdout);
        usleep(20000);
        if (parent > 0)
            kill(parent, SIGUSR1);
        _exit(0);
    }
    n = rd(bfd, si, sizeof si);
    printf("blocking read woken: %ld %u from child %d\n", n, si[0].ssi_signo, si[0].ssi_pid == (unsigned)pid);
    if (pid > 0)
        waitpid(pid, NULL, 0);

    /* A handled signal outside the mask interrupts a blocking read: EINTR without SA_RESTART. */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr2;
    sigaction(SIGUSR2, &sa, NULL);
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        usleep(20000);
        if (parent > 0)
            kill(parent, SIGUSR2);
        _exit(0);
    }
    n = rd(bfd, si, sizeof si);
    printf("interrupted: %s, handler ran %d\n", e(n), (int)usr2);
    if (pid > 0)
        waitpid(pid, NULL, 0);
    /* With SA_RESTART the read goes on and returns the next signal of the mask. */
    sa.sa_flags = SA_RESTART;
    sigaction(SIGUSR2, &sa, NULL);
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        usleep(20000);
        if (parent > 0)
            kill(parent, SIGUSR2);
        usleep(20000);
        if (parent > 0)
            kill(parent, SIGUSR1);
        _exit(0);
    }
    n = rd(bfd, si, sizeof si);
    printf("restarted: %ld %u, handler ran %d\n", n, si[0].ssi_signo, (int)usr2);
    if (pid > 0)
        waitpid(pid, NULL, 0);

    /* SIGCHLD through a signalfd: CLD_EXITED with pid and status. */
    sigaddset(&m, SIGCHLD);
    sigprocmask(SIG_BLOCK, &m, NULL);
    sfd4(fd, &m, 8, 0);
    sfd4(bfd, &m, 8, 0);
    while (rd(fd, si, sizeof si) > 0)
        ;
    fflush(stdout);
    pid = fork();
    if (pid == 0)
        _exit(3);
    n = rd(bfd, si, sizeof si);
    printf("SIGCHLD: %ld %u code %d pid ok %d status %d\n", n, si[0].ssi_signo, si[0].ssi_code,
           si[0].ssi_pid == (unsigned)pid, si[0].ssi_status);
    if (pid > 0)
        waitpid(pid, NULL, 0);
    close(fd);
    close(bfd);
    return 0;
}
