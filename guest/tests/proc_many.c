/* 100 processes alive at once: each child reports "ready" on one pipe and then blocks on another until the parent
 * has heard from all of them; then every child exits with its own code and the parent reaps them all by pid. The
 * children also check that their pids are distinct (each writes its pid into the ready pipe; pipes keep 4-byte
 * writes whole). */
#include "proc_common.h"

enum { N = 100 };

static int cmp_pid(const void *a, const void *b)
{
    return *(const pid_t *)a - *(const pid_t *)b;
}

int main(void)
{
    int ready[2], go[2];
    if (pipe(ready) || pipe(go))
        return 1;
    pid_t me = getpid(), pids[N];
    for (int i = 0; i < N; i++) {
        pids[i] = xfork();
        if (pids[i] == 0) {
            close(ready[0]);
            close(go[1]);
            pid_t self = getpid();
            write(ready[1], &self, sizeof self);
            char c;
            ssize_t r = read(go[0], &c, 1);   /* EOF once the parent closes the write end */
            _exit(r == 0 && getppid() == me ? i + 1 : 200);
        }
    }
    close(ready[1]);
    close(go[0]);
    pid_t got[N + 1];
    ssize_t n = read_full(ready[0], got, N * sizeof(pid_t));
    printf("ready messages: %zd (from %d children)\n", n / (ssize_t)sizeof(pid_t), N);
    /* Every child is now blocked in read(go): all N exist at the same time. */
    int alive = 0;
    for (int i = 0; i < N; i++)
        alive += safe_kill(pids[i], 0) == 0;
    printf("alive before release: %d\n", alive);
    qsort(got, N, sizeof got[0], cmp_pid);
    int distinct = 1, match = 1;
    for (int i = 1; i < N; i++)
        distinct &= got[i] != got[i - 1];
    for (int i = 0; i < N; i++) {
        pid_t *f = bsearch(&pids[i], got, N, sizeof got[0], cmp_pid);
        match &= f != NULL && pids[i] != me;
    }
    check("pids distinct and equal to what fork returned", distinct && match);
    close(go[1]);   /* release everyone */
    int statuses_ok = 1;
    for (int i = N - 1; i >= 0; i--)
        statuses_ok &= wait_status(pids[i]) == i + 1;
    check("100 exit statuses, reaped by pid", statuses_ok);
    errno = 0;
    check("no children left", wait(NULL) == -1 && errno == ECHILD);
    n = read(ready[0], got, sizeof got);
    printf("ready pipe after all exited: read = %zd\n", n);
    return finish();
}
