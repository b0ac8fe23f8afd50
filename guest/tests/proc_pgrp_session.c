/* Process groups and sessions: setsid (new session and group led by the caller; EPERM for a group leader),
 * getsid/getpgid/getpgrp, setpgid rules and errors (EPERM for a session leader, for a group in another session and
 * for a group that does not exist; ESRCH for a process that is not a child; EINVAL for a negative pgid; EACCES once
 * the child has exec'd), and the process group of a 3-stage pipeline reaped with waitpid(-pgid). Everything runs in
 * a child that first calls setsid(), so nothing depends on the session the test was started in. */
#include "proc_common.h"

static pid_t top_pgrp;

static void say(const char *what, int cond)
{
    printf("%s: %s\n", what, cond ? "yes" : "no");
    fflush(stdout);
}

/* A child that blocks until fd gets EOF, then exits with code. */
static pid_t waiter(int fd, int closefd, int code)
{
    pid_t p = xfork();
    if (p == 0) {
        close(closefd);
        char c;
        read(fd, &c, 1);
        _exit(code);
    }
    return p;
}

static int cmp_int(const void *a, const void *b)
{
    return *(const int *)a - *(const int *)b;
}

static int session(void)
{
    pid_t s = getpid();
    say("S is not a group leader before setsid", getpgrp() != s);
    pid_t r = setsid();
    say("setsid() returns the caller's pid", r == s);
    say("getsid(0) == getpid()", getsid(0) == s);
    say("getpgrp() == getpgid(0) == getpid()", getpgrp() == s && getpgid(0) == s);
    say("getsid(parent) differs from ours", getsid(getppid()) != s);
    say("getpgid(parent) is the parent's group", getpgid(getppid()) == top_pgrp);
    T(setsid());
    T(setpgid(0, 0));
    T(setpgid(0, top_pgrp));

    /* A reaped child: its pid names no process and no group. */
    pid_t dead = xfork();
    if (dead == 0)
        _exit(0);
    wait_status(dead);
    T(getpgid(dead));
    T(getsid(dead));
    T(setpgid(dead, 0));
    T(setpgid(getppid(), 0));   /* not our child */
    T(setpgid(0, -1));
    T(setpgid(-1, 0));

    int go[2];
    pipe(go);
    /* G1: made a group leader by both sides (the usual race-free idiom); a group leader cannot setsid. */
    pid_t g1 = xfork();
    if (g1 == 0) {
        close(go[1]);
        setpgid(0, 0);
        int e = setsid() == -1 && errno == EPERM;
        char c;
        read(go[0], &c, 1);
        _exit(e && getsid(0) == s ? 11 : 12);
    }
    T(setpgid(g1, g1) == 0 && getpgid(g1) == g1);
    /* G2: joins G1's group. */
    pid_t g2 = waiter(go[0], go[1], 13);
    T(setpgid(g2, g1));
    say("getpgid(G2) == G1", getpgid(g2) == g1);
    say("getsid(G2) == S", getsid(g2) == s);
    T(setpgid(g2, top_pgrp));   /* a group of another session */
    T(setpgid(g2, dead));       /* no such group */
    T(setpgid(g2, g2));         /* back to a group of its own */
    say("getpgid(G2) == G2", getpgid(g2) == g2);
    /* G3: not a group leader, so setsid works. */
    pid_t g3 = xfork();
    if (g3 == 0) {
        pid_t me = getpid();
        _exit(setsid() == me && getsid(0) == me && getpgrp() == me ? 14 : 15);
    }
    printf("G3 setsid status %d (14)\n", wait_status(g3));
    T(setpgid(g3, g3));   /* reaped */

    /* E: after exec, setpgid on it is EACCES. A close-on-exec pipe tells us when the exec happened. */
    int ex[2];
    pipe2(ex, O_CLOEXEC);
    char fdarg[16];
    snprintf(fdarg, sizeof fdarg, "%d", go[0]);
    pid_t e = xfork();
    if (e == 0) {
        close(ex[0]);
        close(go[1]);
        char *av[] = {"proc_pgrp_session", "wait-pipe", fdarg, NULL};
        execv("/proc/self/exe", av);
        int err = errno;
        write(ex[1], &err, sizeof err);
        _exit(127);
    }
    close(ex[1]);
    int err = 0;
    ssize_t n = read(ex[0], &err, sizeof err);
    close(ex[0]);
    printf("E exec'd: %s\n", n == 0 ? "yes" : strerrorname_np(err));
    T(setpgid(e, e));
    T(setpgid(e, g1));
    close(go[0]);
    close(go[1]);   /* releases G1, G2 and E */
    printf("G1 %d, G2 %d, E %d\n", wait_status(g1), wait_status(g2), wait_status(e));

    /* A pipeline: three stages in one new group, led by the first. */
    int p1[2], p2[2], p3[2];
    pipe(go);
    pipe(p1);
    pipe(p2);
    pipe(p3);
    pid_t st[3];
    for (int i = 0; i < 3; i++) {
        st[i] = xfork();
        if (st[i] == 0) {
            setpgid(0, i == 0 ? 0 : st[0]);
            close(go[1]);
            char c;
            read(go[0], &c, 1);
            int in = i == 0 ? -1 : i == 1 ? p1[0] : p2[0];
            int out = i == 0 ? p1[1] : i == 1 ? p2[1] : p3[1];
            int fds[] = {p1[0], p1[1], p2[0], p2[1], p3[0], p3[1]};
            for (int k = 0; k < 6; k++)
                if (fds[k] != in && fds[k] != out)
                    close(fds[k]);
            char buf[64];
            if (i == 0) {
                write(out, "through the pipeline", 20);
            } else {
                ssize_t m = read_full(in, buf, sizeof buf);
                for (ssize_t k = 0; k < m; k++)
                    if (i == 1 && buf[k] >= 'a' && buf[k] <= 'z')
                        buf[k] -= 32;
                if (i == 2)
                    write(out, "[", 1);
                write(out, buf, m);
                if (i == 2)
                    write(out, "]", 1);
            }
            pid_t leader = i == 0 ? getpid() : st[0];
            _exit(getpgrp() == leader && getsid(0) == s ? 20 + i : 29);
        }
        setpgid(st[i], st[0]);
    }
    say("all three stages in the first stage's group", getpgid(st[0]) == st[0] && getpgid(st[1]) == st[0] &&
                                                           getpgid(st[2]) == st[0]);
    close(go[0]);
    close(go[1]);
    close(p1[0]);
    close(p1[1]);
    close(p2[0]);
    close(p2[1]);
    close(p3[1]);
    char out[64] = {0};
    read_full(p3[0], out, sizeof out - 1);
    close(p3[0]);
    printf("pipeline output: %s\n", out);
    int codes[3];
    for (int i = 0; i < 3; i++) {
        int status;
        pid_t w = waitpid(-st[0], &status, 0);
        codes[i] = w > 0 ? WEXITSTATUS(status) : -1;
    }
    qsort(codes, 3, sizeof codes[0], cmp_int);
    printf("waitpid(-pgid) x3: %d %d %d\n", codes[0], codes[1], codes[2]);
    T(waitpid(-st[0], NULL, 0));
    return finish();
}

int main(int argc, char **argv)
{
    if (argc > 2 && strcmp(argv[1], "wait-pipe") == 0) {
        char c;
        return read(atoi(argv[2]), &c, 1) == 0 ? 16 : 17;
    }
    top_pgrp = getpgrp();
    pid_t s = xfork();
    if (s == 0)
        _exit(session());
    printf("session child status %d\n", wait_status(s));
    return 0;
}
