/* Shared helpers of the futex_* tests: raw futex(2) calls and errno names. */
#include <errno.h>
#include <linux/futex.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

__attribute__((unused)) static long fx(void *uaddr, int op, int val, const void *timeout_or_val2, void *uaddr2, int val3)
{
    return syscall(SYS_futex, uaddr, (long)op, (long)val, timeout_or_val2, uaddr2, (long)val3);
}

/* The result as "N" or "-ENAME". */
__attribute__((unused)) static const char *res(long r)
{
    static char buf[8][32];
    static int slot;
    char *b = buf[slot++ & 7];
    if (r >= 0) {
        snprintf(b, 32, "%ld", r);
        return b;
    }
    const char *n;
    switch (errno) {
    case EAGAIN: n = "EAGAIN"; break;
    case EINVAL: n = "EINVAL"; break;
    case EFAULT: n = "EFAULT"; break;
    case ENOSYS: n = "ENOSYS"; break;
    case ETIMEDOUT: n = "ETIMEDOUT"; break;
    case EINTR: n = "EINTR"; break;
    case EPERM: n = "EPERM"; break;
    case ESRCH: n = "ESRCH"; break;
    default: snprintf(b, 32, "-errno%d", errno); return b;
    }
    snprintf(b, 32, "-%s", n);
    return b;
}

/* How many tasks wait on the futex at f: requeues them onto f itself, which wakes nobody and counts them. */
__attribute__((unused)) static long waiters(uint32_t *f, int flags)
{
    return fx(f, FUTEX_REQUEUE | flags, 0, (void *)(long)0x7fffffff, f, 0);
}

/* Spins (sleeping briefly) until n tasks wait on f. */
__attribute__((unused)) static void await_waiters(uint32_t *f, int flags, long n)
{
    for (int i = 0; i < 20000 && waiters(f, flags) != n; i++) {
        struct timespec ts = {0, 100000};
        nanosleep(&ts, NULL);
    }
}

__attribute__((unused)) static long long now_ns(clockid_t c)
{
    struct timespec ts;
    clock_gettime(c, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}
