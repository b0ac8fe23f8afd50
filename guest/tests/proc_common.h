/* Shared helpers for the proc_* guest tests (the process model: fork, clone, exec, wait, threads, futex, pipes).
 * Results print as "what = value", "what = -1 ENAME", or "what: ok" / "what: FAILED (detail)", never raw pids,
 * addresses or times. Every kill() is guarded by pid > 0 (these programs also run natively and under qemu, where
 * kill(-1, ...) or kill(0, ...) would hit the whole machine). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

__attribute__((unused)) static long report(const char *what, long r)
{
    if (r < 0)
        printf("%s = -1 %s\n", what, strerrorname_np(errno));
    else
        printf("%s = %ld\n", what, r);
    fflush(stdout);
    return r;
}
#define T(expr) report(#expr, (long)(expr))

__attribute__((unused)) static int failures;
/* Prints "what: ok", or "what: FAILED" with errno's name, and counts the failure. */
__attribute__((unused)) static int check(const char *what, int cond)
{
    if (cond)
        printf("%s: ok\n", what);
    else {
        printf("%s: FAILED (errno %s)\n", what, errno ? strerrorname_np(errno) : "0");
        failures++;
    }
    fflush(stdout);
    return cond;
}

/* kill() that never targets a process group, every process, or a failed fork's -1. */
__attribute__((unused)) static int safe_kill(pid_t pid, int sig)
{
    if (pid <= 0)
        return -1;
    return kill(pid, sig);
}

/* fork() with stdio flushed first; exits the test if fork fails (never returns -1). */
__attribute__((unused)) static pid_t xfork(void)
{
    fflush(stdout);
    fflush(stderr);
    pid_t p = fork();
    if (p < 0) {
        printf("fork: FAILED (%s)\n", strerrorname_np(errno));
        exit(1);
    }
    return p;
}

/* Waits for pid; returns its exit status (0..255), 1000 + signal if killed, or -1 (errno set) on error. */
__attribute__((unused)) static int wait_status(pid_t pid)
{
    int st;
    pid_t r;
    do
        r = waitpid(pid, &st, 0);
    while (r < 0 && errno == EINTR);
    if (r < 0)
        return -1;
    if (WIFEXITED(st))
        return WEXITSTATUS(st);
    if (WIFSIGNALED(st))
        return 1000 + WTERMSIG(st);
    return 2000;
}

__attribute__((unused)) static double mono_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

__attribute__((unused)) static void sleep_ms(long ms)
{
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&t, &t) != 0 && errno == EINTR)
        ;
}

/* read()/write() of exactly n bytes (pipes may return less); returns n, or what it got before EOF/error. */
__attribute__((unused)) static ssize_t read_full(int fd, void *buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, (char *)buf + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += r;
    }
    return got;
}
__attribute__((unused)) static ssize_t write_full(int fd, const void *buf, size_t n)
{
    size_t put = 0;
    while (put < n) {
        ssize_t r = write(fd, (const char *)buf + put, n - put);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        put += r;
    }
    return put;
}

/* Ends main: prints the failure count; exit status 1 when something failed. */
__attribute__((unused)) static int finish(void)
{
    printf("%d failed\n", failures);
    fflush(stdout);
    return failures ? 1 : 0;
}
