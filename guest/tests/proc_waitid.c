/* waitid: P_PID, P_PGID (including id 0, the caller's group), P_ALL; WEXITED, WNOHANG (0 with si_pid 0 while the
 * child runs), WNOWAIT (the child stays reapable); the siginfo fields si_signo/si_code/si_pid/si_uid/si_status;
 * argument errors; a NULL infop and a non-NULL rusage (the raw syscall's fifth argument); __WCLONE/__WALL with clone
 * children whose exit_signal is 0 (no signals are involved anywhere). In show(), an expected pid of 0 means "no child
 * to report": then si_pid and si_uid must be 0 (Linux zeroes the whole record). */
#include "proc_common.h"
#include <sys/resource.h>

static void show(const char *what, int r, siginfo_t *si, pid_t expect)
{
    if (r < 0) {
        printf("%s = -1 %s\n", what, strerrorname_np(errno));
        return;
    }
    printf("%s = %d: si_signo=%s si_code=%s si_pid%s si_uid%s si_status=%d\n", what, r,
           si->si_signo == SIGCHLD ? "SIGCHLD" : si->si_signo == 0 ? "0" : "other",
           si->si_code == CLD_EXITED ? "CLD_EXITED" : si->si_code == 0 ? "0" : "other",
           si->si_pid == expect && expect != 0 ? "=child" : si->si_pid == 0 ? "=0" : "=other",
           si->si_uid == getuid() && expect != 0 ? "=uid" : si->si_uid == 0 ? "=0" : "=other", si->si_status);
}

/* A child that blocks until fd reaches EOF (or gets a byte), then exits with code. */
static pid_t blocked_child(int fds[2], int code, pid_t pgid)
{
    pid_t p = xfork();
    if (p == 0) {
        if (pgid >= 0)
            setpgid(0, pgid);
        close(fds[1]);
        char c;
        read(fds[0], &c, 1);
        _exit(code);
    }
    if (pgid >= 0)
        setpgid(p, pgid ? pgid : p);
    return p;
}

static int cmp_int(const void *a, const void *b)
{
    return *(const int *)a - *(const int *)b;
}

int main(void)
{
    siginfo_t si;
    int r;

    /* 1. P_PID, WEXITED. */
    pid_t p = xfork();
    if (p == 0)
        _exit(5);
    memset(&si, 0, sizeof si);
    r = waitid(P_PID, p, &si, WEXITED);
    show("waitid(P_PID, child, WEXITED)", r, &si, p);
    p = xfork();
    if (p == 0)
        _exit(300);
    memset(&si, 0, sizeof si);
    r = waitid(P_PID, p, &si, WEXITED | WSTOPPED | WCONTINUED);
    show("_exit(300): waitid(WEXITED|WSTOPPED|WCONTINUED)", r, &si, p);

    /* 2. WNOHANG while the child runs: 0, and si_pid/si_signo zeroed. */
    int q[2];
    pipe(q);
    p = blocked_child(q, 8, -1);
    close(q[0]);
    memset(&si, 0xff, sizeof si);
    r = waitid(P_PID, p, &si, WEXITED | WNOHANG);
    show("running child: waitid(WEXITED|WNOHANG)", r, &si, 0);
    memset(&si, 0xff, sizeof si);
    r = waitid(P_ALL, 0, &si, WEXITED | WNOHANG);
    show("running child: waitid(P_ALL, WEXITED|WNOHANG)", r, &si, 0);
    close(q[1]);
    memset(&si, 0, sizeof si);
    r = waitid(P_PID, p, &si, WEXITED);
    show("released: waitid(P_PID, child, WEXITED)", r, &si, p);

    /* 3. WNOWAIT leaves the child reapable. */
    p = xfork();
    if (p == 0)
        _exit(6);
    memset(&si, 0, sizeof si);
    r = waitid(P_PID, p, &si, WEXITED | WNOWAIT);
    show("waitid(WEXITED|WNOWAIT)", r, &si, p);
    memset(&si, 0, sizeof si);
    r = waitid(P_ALL, 0, &si, WEXITED | WNOWAIT);
    show("again, P_ALL, WNOWAIT", r, &si, p);
    int st = 0;
    pid_t w = waitpid(p, &st, WNOHANG);
    printf("waitpid(child, WNOHANG) after WNOWAIT: %s, status %d\n", w == p ? "=child" : "other", WEXITSTATUS(st));
    memset(&si, 0, sizeof si);
    r = waitid(P_PID, p, &si, WEXITED);
    show("after reaping: waitid(P_PID, child)", r, &si, p);

    /* 4. P_ALL. */
    pid_t a = xfork();
    if (a == 0)
        _exit(1);
    pid_t b = xfork();
    if (b == 0)
        _exit(2);
    int got[2];
    int both = 1;
    for (int i = 0; i < 2; i++) {
        memset(&si, 0, sizeof si);
        r = waitid(P_ALL, 0, &si, WEXITED);
        got[i] = si.si_status;
        both &= r == 0 && (si.si_pid == a || si.si_pid == b) && si.si_code == CLD_EXITED;
    }
    qsort(got, 2, sizeof got[0], cmp_int);
    printf("P_ALL twice: statuses %d and %d\n", got[0], got[1]);
    check("P_ALL reported both children", both);
    memset(&si, 0, sizeof si);
    r = waitid(P_ALL, 0, &si, WEXITED);
    show("P_ALL with no children", r, &si, 0);

    /* 5. P_PGID: A leads a group that B joins; C stays in ours. */
    pipe(q);
    pid_t pa = blocked_child(q, 31, 0);
    pid_t pb = blocked_child(q, 32, pa);
    pid_t pc = blocked_child(q, 33, -1);
    close(q[0]);
    check("A leads its group and B joined it", getpgid(pa) == pa && getpgid(pb) == pa && getpgid(pc) == getpgrp());
    close(q[1]);
    int sts[2];
    both = 1;
    for (int i = 0; i < 2; i++) {
        memset(&si, 0, sizeof si);
        r = waitid(P_PGID, pa, &si, WEXITED);
        sts[i] = si.si_status;
        both &= r == 0 && (si.si_pid == pa || si.si_pid == pb);
    }
    qsort(sts, 2, sizeof sts[0], cmp_int);
    printf("P_PGID(A) twice: statuses %d and %d\n", sts[0], sts[1]);
    check("P_PGID reported A and B", both);
    memset(&si, 0, sizeof si);
    r = waitid(P_PGID, pa, &si, WEXITED | WNOHANG);
    show("P_PGID(A) when the group is gone", r, &si, 0);
    memset(&si, 0, sizeof si);
    r = waitid(P_PGID, 0, &si, WEXITED);
    show("P_PGID(0) (our own group) reaps C", r, &si, pc);

    /* 6. Argument errors. */
    p = xfork();
    if (p == 0)
        _exit(9);
    errno = 0;
    r = waitid(P_PID, p, &si, 0);
    show("options 0", r, &si, p);
    r = waitid(P_PID, p, &si, WEXITED | 0x00100000);
    show("unknown option bit 0x00100000", r, &si, p);
    r = waitid((idtype_t)77, p, &si, WEXITED);
    show("idtype 77", r, &si, p);
    r = waitid(P_PID, 0, &si, WEXITED);
    show("P_PID with id 0", r, &si, p);
    long lr = syscall(SYS_waitid, P_PID, -1L, &si, (long)WEXITED, NULL);
    show("P_PID with id -1", (int)lr, &si, p);
    lr = syscall(SYS_waitid, P_PGID, -1L, &si, (long)WEXITED, NULL);
    show("P_PGID with id -1", (int)lr, &si, p);
    lr = syscall(SYS_waitid, P_PID, (long)p, (void *)16, (long)(WEXITED | WNOWAIT), NULL);
    show("bad infop pointer with WNOWAIT", (int)lr, &si, p);

    /* 7. A NULL infop and a rusage through the raw syscall. */
    struct rusage ru;
    memset(&ru, 0xff, sizeof ru);
    lr = syscall(SYS_waitid, P_PID, (long)p, NULL, (long)(WEXITED | WNOWAIT), &ru);
    printf("raw waitid(NULL infop, rusage, WNOWAIT) = %ld, rusage sane %s\n", lr,
           ru.ru_utime.tv_sec >= 0 && ru.ru_utime.tv_usec >= 0 && ru.ru_utime.tv_usec < 1000000 &&
                   ru.ru_stime.tv_usec >= 0 && ru.ru_stime.tv_usec < 1000000 ? "yes" : "no");
    memset(&si, 0, sizeof si);
    lr = syscall(SYS_waitid, P_PID, (long)p, &si, (long)WEXITED, &ru);
    show("raw waitid(infop, rusage)", (int)lr, &si, p);

    /* 8. Clone children with exit_signal 0 are seen only with __WCLONE or __WALL. */
    fflush(stdout);
    pid_t c1 = syscall(SYS_clone, 0L, 0L, NULL, NULL, 0L);
    if (c1 == 0)
        _exit(41);
    fflush(stdout);
    pid_t c2 = syscall(SYS_clone, 0L, 0L, NULL, NULL, 0L);
    if (c2 == 0)
        _exit(42);
    check("two clone children (exit_signal 0)", c1 > 0 && c2 > 0);
    pid_t n1 = xfork();
    if (n1 == 0)
        _exit(43);
    memset(&si, 0, sizeof si);
    r = waitid(P_PID, c1, &si, WEXITED | WNOHANG);
    show("clone child: waitid(P_PID, WEXITED|WNOHANG) without __WCLONE", r, &si, c1);
    memset(&si, 0, sizeof si);
    r = waitid(P_PID, c1, &si, WEXITED | __WCLONE);
    show("clone child: waitid(P_PID, WEXITED|__WCLONE)", r, &si, c1);
    w = waitpid(n1, &st, __WCLONE | WNOHANG);
    printf("normal child: waitpid(__WCLONE|WNOHANG) = %s\n", w < 0 ? strerrorname_np(errno) : "a pid");
    w = waitpid(-1, &st, 0);
    printf("waitpid(-1, 0) reaps the normal child only: %s, status %d\n", w == n1 ? "yes" : "no", WEXITSTATUS(st));
    w = waitpid(-1, &st, WNOHANG);
    printf("waitpid(-1, WNOHANG) with only a clone child left = %s\n", w < 0 ? strerrorname_np(errno) : "a pid");
    w = waitpid(-1, &st, __WALL);
    printf("waitpid(-1, __WALL) reaps the other clone child: %s, status %d\n", w == c2 ? "yes" : "no",
           WEXITSTATUS(st));
    w = waitpid(-1, &st, __WALL | WNOHANG);
    printf("then waitpid(-1, __WALL|WNOHANG) = %s\n", w < 0 ? strerrorname_np(errno) : "a pid");
    return finish();
}
