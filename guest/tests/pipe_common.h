/* Shared helpers for the pipe_* guest tests: results print as "expr = value" or "expr = -1 ENAME". */
#define _GNU_SOURCE
#pragma GCC diagnostic ignored "-Wnonnull"
#pragma GCC diagnostic ignored "-Wstringop-overflow"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long report(const char *what, long r) {
    if (r < 0)
        printf("%s = -1 %s\n", what, strerrorname_np(errno));
    else
        printf("%s = %ld\n", what, r);
    fflush(stdout);
    return r;
}
#define T(expr) report(#expr, (long)(expr))
#define BADPTR ((void *)0x10)

/* Sleeps ms milliseconds. */
__attribute__((unused)) static void msleep(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

/* Writes all of buf, or dies. */
__attribute__((unused)) static void write_all(int fd, const void *buf, size_t n) {
    const char *p = buf;
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w <= 0) {
            perror("write_all");
            _exit(99);
        }
        p += w;
        n -= (size_t)w;
    }
}

/* Waits for pid and prints how it ended. */
__attribute__((unused)) static void reap(const char *who, pid_t pid) {
    int st = 0;
    if (waitpid(pid, &st, 0) != pid) {
        printf("%s: waitpid failed\n", who);
        return;
    }
    if (WIFEXITED(st))
        printf("%s exited %d\n", who, WEXITSTATUS(st));
    else
        printf("%s killed by %d\n", who, WTERMSIG(st));
    fflush(stdout);
}
