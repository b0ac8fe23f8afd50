/* flock: shared and exclusive locks per open file description, LOCK_NB, conversion, dup/fork sharing, release on
 * the last close, a blocked lock granted by an unlock, a blocked lock interrupted by a signal, and the errors. */
#include "fs_common.h"
#include <signal.h>
#include <sys/file.h>
#include <sys/wait.h>

static void on_alarm(int sig) { (void)sig; }

int main(void) {
    enter_tmpdir();
    int a = open("f", O_RDWR | O_CREAT | O_TRUNC, 0644);
    int b = open("f", O_RDONLY);
    int c = open("f", O_WRONLY);

    T(flock(a, LOCK_SH));
    T(flock(b, LOCK_SH | LOCK_NB));
    T(flock(c, LOCK_EX | LOCK_NB));
    T(flock(a, LOCK_EX | LOCK_NB));
    T(flock(b, LOCK_UN));
    T(flock(a, LOCK_EX | LOCK_NB));
    T(flock(a, LOCK_EX));
    T(flock(b, LOCK_SH | LOCK_NB));
    T(flock(a, LOCK_SH));
    T(flock(b, LOCK_SH | LOCK_NB));
    T(flock(a, LOCK_UN));
    T(flock(b, LOCK_UN));
    T(flock(b, LOCK_UN));

    /* dup shares the lock; it goes with the last close of the description. */
    int d = open("f", O_RDONLY);
    T(flock(d, LOCK_EX));
    int d2 = dup(d);
    T(flock(d2, LOCK_EX | LOCK_NB));
    close(d);
    T(flock(c, LOCK_SH | LOCK_NB));
    close(d2);
    T(flock(c, LOCK_SH | LOCK_NB));
    T(flock(c, LOCK_UN));

    /* Errors. */
    T(flock(a, 0));
    T(flock(a, LOCK_SH | LOCK_EX));
    T(flock(a, LOCK_NB));
    T(flock(a, 16));
    T(flock(-1, LOCK_SH));
    T(flock(99, LOCK_UN));
    int path = open("f", O_PATH);
    T(flock(path, LOCK_SH));
    int p[2];
    T(pipe(p));
    T(flock(p[0], LOCK_EX | LOCK_NB));
    T(flock(p[1], LOCK_EX | LOCK_NB));
    T(flock(p[0], LOCK_UN));

    /* fork: the parent holds LOCK_EX on a; the child shares a but not b. */
    T(flock(a, LOCK_EX));
    int ready[2], done[2];
    pipe(ready);
    pipe(done);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        int r1 = flock(b, LOCK_SH | LOCK_NB) < 0 ? errno : 0;
        int r2 = flock(a, LOCK_EX | LOCK_NB) < 0 ? errno : 0;
        char x = 1;
        write(ready[1], &x, 1);
        int r3 = flock(b, LOCK_SH) < 0 ? errno : 0; /* blocks until the parent unlocks */
        char msg[64];
        int n = snprintf(msg, sizeof msg, "%s %s %s", r1 ? strerrorname_np(r1) : "0",
                         r2 ? strerrorname_np(r2) : "0", r3 ? strerrorname_np(r3) : "0");
        write(done[1], msg, n);
        _exit(0);
    }
    char x;
    T(read(ready[0], &x, 1));
    T(flock(a, LOCK_UN));
    char msg[64] = {0};
    T(read(done[0], msg, sizeof msg - 1) > 0);
    printf("child: nb shared %s\n", msg);
    int st;
    waitpid(pid, &st, 0);
    T(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    /* The child's b was its own copy of the description: its exit closed only that, so b still holds LOCK_SH. */
    T(flock(c, LOCK_EX | LOCK_NB));
    T(flock(b, LOCK_UN));
    T(flock(c, LOCK_EX | LOCK_NB));

    /* A blocked flock interrupted by a handled signal (no SA_RESTART) fails with EINTR. */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sigaction(SIGALRM, &sa, NULL);
    alarm(1);
    T(flock(a, LOCK_EX));
    alarm(0);
    T(flock(c, LOCK_UN));
    T(flock(a, LOCK_EX | LOCK_NB));

    close(a);
    close(b);
    close(c);
    close(path);
    close(p[0]);
    close(p[1]);
    unlink("f");
    cleanup();
    return 0;
}
