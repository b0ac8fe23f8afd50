/* Orphans: with PR_SET_CHILD_SUBREAPER set in the test's top process (so nothing depends on the machine's init), a
 * grandchild whose parent exits is reparented to the top process (getppid() changes to it) and reaped there; a
 * zombie grandchild left unreaped by its exiting parent is reaped by the subreaper too; with a nearer subreaper in
 * between, orphans go to the nearest one. The subreaper flag is not inherited across fork. */
#include "proc_common.h"
#include <sys/prctl.h>

int main(void)
{
    pid_t top = getpid();
    T(prctl(PR_SET_CHILD_SUBREAPER, 1L, 0L, 0L, 0L));
    int flag = -1;
    T(prctl(PR_GET_CHILD_SUBREAPER, &flag, 0L, 0L, 0L));
    printf("PR_GET_CHILD_SUBREAPER -> %d\n", flag);

    /* 1. A forks B and exits; B waits until its parent changes, then reports whether it is now the top process. */
    int info[2];
    pipe(info);
    pid_t a = xfork();
    if (a == 0) {
        int f = -1;
        prctl(PR_GET_CHILD_SUBREAPER, &f, 0L, 0L, 0L);
        pid_t self = getpid();
        pid_t b = xfork();
        if (b == 0) {
            close(info[0]);
            int moved = 0;
            for (int i = 0; i < 5000 && !moved; i++) {   /* up to ~5 s */
                if (getppid() != self)
                    moved = 1;
                else
                    sleep_ms(1);
            }
            _exit(!moved ? 70 : getppid() == top ? 71 : 72);
        }
        write(info[1], &b, sizeof b);
        _exit(f == 0 ? 60 : 61);   /* 60: the flag was not inherited */
    }
    close(info[1]);
    pid_t b;
    read_full(info[0], &b, sizeof b);
    close(info[0]);
    printf("A exited with %d (60: subreaper flag not inherited)\n", wait_status(a));
    int st;
    pid_t w = waitpid(-1, &st, 0);
    printf("the subreaper reaps the orphan B: %s, status %d (71: B saw getppid() == subreaper)\n",
           w == b ? "yes" : "no", WEXITSTATUS(st));

    /* 2. A zombie left behind: A forks B, B exits, A exits without waiting; the subreaper reaps B by pid. */
    pipe(info);
    a = xfork();
    if (a == 0) {
        close(info[0]);
        pid_t bb = xfork();
        if (bb == 0)
            _exit(23);
        siginfo_t si;
        waitid(P_PID, bb, &si, WEXITED | WNOWAIT);   /* B is a zombie now; A does not reap it */
        write(info[1], &bb, sizeof bb);
        _exit(0);
    }
    close(info[1]);
    read_full(info[0], &b, sizeof b);
    close(info[0]);
    wait_status(a);
    printf("zombie orphan reaped by pid: status %d\n", wait_status(b));

    /* 3. A nearer subreaper: A sets the flag; A forks B; B forks C and exits; C goes to A, not to the top. */
    a = xfork();
    if (a == 0) {
        prctl(PR_SET_CHILD_SUBREAPER, 1L, 0L, 0L, 0L);
        pid_t self = getpid();
        int p2[2];
        pipe(p2);
        pid_t bb = xfork();
        if (bb == 0) {
            pid_t c = xfork();
            if (c == 0) {
                close(p2[0]);
                close(p2[1]);
                int moved = 0;
                for (int i = 0; i < 5000 && !moved; i++) {
                    if (getppid() == self)
                        moved = 1;
                    else
                        sleep_ms(1);
                }
                _exit(moved ? 81 : 82);
            }
            write(p2[1], &c, sizeof c);
            _exit(80);
        }
        close(p2[1]);
        pid_t c;
        read_full(p2[0], &c, sizeof c);
        int sb = wait_status(bb);
        int sc = wait_status(c);   /* reaped by A, its new parent */
        errno = 0;
        int none = wait(NULL) == -1 && errno == ECHILD;
        _exit(sb == 80 && sc == 81 && none ? 90 : 91);
    }
    printf("nearest subreaper reaped the orphan: A's status %d (90)\n", wait_status(a));
    errno = 0;
    check("the top process has no children left", wait(NULL) == -1 && errno == ECHILD);
    return finish();
}
