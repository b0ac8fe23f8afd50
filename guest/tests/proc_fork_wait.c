/* fork and wait: exit codes through waitpid/wait4/wait, WIFEXITED/WEXITSTATUS, zombies that stay until reaped,
 * ECHILD, WNOHANG while a child runs, getppid in the child, separate memory and shared file offsets, stdio flushing
 * at exit, a 3-level fork chain and a 3x3 tree, and 50 children reaped in the order they are released. */
#include "proc_common.h"
#include <sys/resource.h>

static int global = 100;

int main(void)
{
    pid_t me = getpid();
    int st;

    /* 1. A child's exit code; getppid() in the child is the parent; fork returns 0 in the child. */
    pid_t p = xfork();
    if (p == 0)
        _exit(getppid() == me && getpid() != me ? 7 : 99);
    check("fork returns a new pid in the parent", p > 0 && p != me);
    pid_t w = waitpid(p, &st, 0);
    check("waitpid returns the child's pid", w == p);
    printf("WIFEXITED=%d WEXITSTATUS=%d WIFSIGNALED=%d (7: child saw getppid() == parent)\n", WIFEXITED(st),
           WEXITSTATUS(st), WIFSIGNALED(st));

    /* 2. Exit codes are taken modulo 256. */
    int codes[] = {0, 1, 42, 255, 256, 257, -1};
    for (unsigned i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        p = xfork();
        if (p == 0)
            _exit(codes[i]);
        printf("_exit(%d) -> WEXITSTATUS %d\n", codes[i], wait_status(p));
    }

    /* 3. exit() flushes stdio in the child, _exit() does not; the parent's flushed buffer is not printed twice. */
    printf("before fork (flushed once)\n");
    p = xfork();
    if (p == 0) {
        printf("child: printed and exit()ed\n");
        exit(0);
    }
    wait_status(p);
    p = xfork();
    if (p == 0) {
        printf("child: this _exit()ed text is lost");
        _exit(0);
    }
    wait_status(p);
    printf("after the children\n");

    /* 4. The child's memory is a copy; file offsets of inherited descriptors are shared. */
    p = xfork();
    if (p == 0) {
        global = 5;
        _exit(global);
    }
    printf("child changed its copy to %d, parent still has %d\n", wait_status(p), global);
    char dir[] = "/tmp/jkprocXXXXXX";
    if (!mkdtemp(dir))
        return 1;
    char path[64];
    snprintf(path, sizeof path, "%s/f", dir);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    write(fd, "parent ", 7);
    p = xfork();
    if (p == 0) {
        write(fd, "child ", 6);
        _exit(0);
    }
    wait_status(p);
    write(fd, "parent-again", 12);
    printf("offset after parent+child+parent writes = %ld\n", (long)lseek(fd, 0, SEEK_CUR));
    char buf[64] = {0};
    pread(fd, buf, sizeof buf - 1, 0);
    printf("file: %s\n", buf);
    close(fd);
    unlink(path);
    rmdir(dir);

    /* 5. A zombie stays until reaped: kill(pid, 0) finds it; after waitpid, ESRCH; waiting again is ECHILD. */
    p = xfork();
    if (p == 0)
        _exit(3);
    siginfo_t si;
    memset(&si, 0, sizeof si);
    check("waitid(WNOWAIT) sees the exited child", waitid(P_PID, p, &si, WEXITED | WNOWAIT) == 0 && si.si_pid == p);
    check("the zombie still exists (kill(pid, 0) == 0)", safe_kill(p, 0) == 0);
    check("waitpid reaps it", waitpid(p, &st, 0) == p && WEXITSTATUS(st) == 3);
    errno = 0;
    check("after reaping, kill(pid, 0) fails with ESRCH", safe_kill(p, 0) == -1 && errno == ESRCH);
    errno = 0;
    T(waitpid(p, &st, 0));
    T(wait(NULL));
    T(waitpid(-1, &st, WNOHANG));
    T(waitpid(getppid(), &st, 0));   /* not our child */

    /* 6. WNOHANG returns 0 while the child runs; blocking waitpid then gets it. */
    int pfd[2];
    pipe(pfd);
    p = xfork();
    if (p == 0) {
        close(pfd[1]);
        char c;
        read(pfd[0], &c, 1);   /* returns 0 when the parent closes its end */
        _exit(11);
    }
    close(pfd[0]);
    T(waitpid(p, &st, WNOHANG));
    T(waitpid(-1, &st, WNOHANG));
    close(pfd[1]);
    check("after releasing it, waitpid(-1) returns the child", waitpid(-1, &st, 0) == p);
    printf("status %d\n", WEXITSTATUS(st));

    /* 7. wait4 fills a struct rusage; wait(&st) and waitpid(0, ...) (our process group) also reap. */
    p = xfork();
    if (p == 0)
        _exit(12);
    struct rusage ru;
    memset(&ru, 0xff, sizeof ru);
    check("wait4 with rusage", wait4(p, &st, 0, &ru) == p && WEXITSTATUS(st) == 12 && ru.ru_utime.tv_sec >= 0 &&
                                   ru.ru_utime.tv_usec >= 0 && ru.ru_utime.tv_usec < 1000000);
    p = xfork();
    if (p == 0)
        _exit(13);
    check("wait(&st)", wait(&st) == p && WEXITSTATUS(st) == 13);
    p = xfork();
    if (p == 0)
        _exit(14);
    check("waitpid(0, ...) reaps a child of our process group", waitpid(0, &st, 0) == p && WEXITSTATUS(st) == 14);
    p = xfork();
    if (p == 0)
        _exit(15);
    check("waitpid(-pgrp, ...) likewise", waitpid(-getpgrp(), &st, 0) == p && WEXITSTATUS(st) == 15);

    /* 8. A chain of three levels: each level checks getppid() and adds 10 to its child's status. */
    p = xfork();
    if (p == 0) {
        pid_t a = getpid();
        pid_t q = xfork();
        if (q == 0) {
            pid_t b = getpid();
            if (getppid() != a)
                _exit(100);
            pid_t r = xfork();
            if (r == 0)
                _exit(getppid() == b ? 3 : 101);
            _exit(wait_status(r) + 10);
        }
        _exit(wait_status(q) + 10);
    }
    printf("3-level chain status = %d\n", wait_status(p));

    /* 9. A 3x3 tree: child i has grandchildren j exiting with 3*i+j; child i exits with their sum. */
    pid_t kids[3];
    for (int i = 0; i < 3; i++) {
        kids[i] = xfork();
        if (kids[i] == 0) {
            pid_t g[3];
            for (int j = 0; j < 3; j++) {
                g[j] = xfork();
                if (g[j] == 0)
                    _exit(3 * i + j);
            }
            int sum = 0;
            for (int j = 2; j >= 0; j--)
                sum += wait_status(g[j]);
            errno = 0;
            _exit(wait(NULL) == -1 && errno == ECHILD ? sum : 200);
        }
    }
    for (int i = 0; i < 3; i++)
        printf("tree child %d status = %d\n", i, wait_status(kids[i]));

    /* 10. 50 children, each released through its own pipe in a shuffled order: waitpid(-1) returns exactly the
     * released one each time. Then 50 more that exit at once, reaped by pid in reverse order. */
    enum { N = 50 };
    pid_t pids[N];
    int rel[N];
    for (int i = 0; i < N; i++) {
        int q[2];
        pipe(q);
        pids[i] = xfork();
        if (pids[i] == 0) {
            close(q[1]);
            for (int k = 0; k < i; k++)
                close(rel[k]);
            char c;
            _exit(read(q[0], &c, 1) == 1 ? i : 250);
        }
        close(q[0]);
        rel[i] = q[1];
    }
    int in_order = 1;
    for (int k = 0; k < N; k++) {
        int i = (k * 17 + 5) % N;
        write(rel[i], "x", 1);
        close(rel[i]);
        pid_t r = waitpid(-1, &st, 0);
        if (r != pids[i] || !WIFEXITED(st) || WEXITSTATUS(st) != i) {
            in_order = 0;
            printf("release %d: expected child %d, got %s\n", k, i, r == pids[i] ? "it with a wrong status" : "another");
        }
    }
    check("50 children reaped in release order", in_order);
    for (int i = 0; i < N; i++) {
        pids[i] = xfork();
        if (pids[i] == 0)
            _exit(i + 1);
    }
    int all = 1;
    for (int i = N - 1; i >= 0; i--)
        all &= wait_status(pids[i]) == i + 1;
    check("50 children reaped by pid in reverse order with their statuses", all);
    errno = 0;
    check("then wait() says ECHILD", wait(NULL) == -1 && errno == ECHILD);
    return finish();
}
