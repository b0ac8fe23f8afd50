/* timerfd: create errors and flags, one-shot and periodic expiration counts, absolute arming, gettime after expiry
 * and disarm, the old value settime returns, nonblocking reads, poll, short reads, interrupted reads, readlink.
 * Prints counts and comparisons, never times. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

static int err(long r) { return r < 0 ? errno : 0; }

static void msleep(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {
    }
}

static int arm(int fd, int flags, long val_ms, long int_ms)
{
    struct itimerspec v = {{int_ms / 1000, (int_ms % 1000) * 1000000L}, {val_ms / 1000, (val_ms % 1000) * 1000000L}};
    return timerfd_settime(fd, flags, &v, NULL);
}

static long rd(int fd)
{
    uint64_t n = 0;
    ssize_t r = read(fd, &n, sizeof n);
    if (r < 0) {
        return -errno;
    }
    return r == 8 ? (long)n : -1000;
}

static void check_create(void)
{
    printf("clock 2 (cputime): %s\n", strerror(err(timerfd_create(CLOCK_PROCESS_CPUTIME_ID, 0))));
    printf("clock 4 (raw): %s\n", strerror(err(timerfd_create(CLOCK_MONOTONIC_RAW, 0))));
    printf("clock -1: %s\n", strerror(err(timerfd_create(-1, 0))));
    printf("bad flags: %s\n", strerror(err(timerfd_create(CLOCK_MONOTONIC, 1))));
    int a = timerfd_create(CLOCK_BOOTTIME_ALARM, 0);
    /* EPERM without CAP_WAKE_ALARM; a root run may create it */
    printf("alarm clock: %s\n", a >= 0 || errno == EPERM ? "ok" : strerror(errno));
    if (a >= 0) {
        close(a);
    }
    int clocks[] = {CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_BOOTTIME};
    for (int i = 0; i < 3; i++) {
        int fd = timerfd_create(clocks[i], 0);
        printf("clock %d: %s\n", clocks[i], fd >= 0 ? "ok" : strerror(errno));
        close(fd);
    }
    int fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
    printf("cloexec %d nonblock %d\n", fcntl(fd, F_GETFD) & FD_CLOEXEC, (fcntl(fd, F_GETFL) & O_NONBLOCK) != 0);
    char path[64], link[64] = {0};
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(path, link, sizeof link - 1);
    printf("readlink: %s\n", n > 0 ? link : strerror(errno));
    struct stat st;
    printf("fstat: %s\n", strerror(err(fstat(fd, &st))));
    close(fd);
}

static void check_errors(void)
{
    int fd = timerfd_create(CLOCK_MONOTONIC, 0);
    struct itimerspec v = {{0, 0}, {0, 1000000000L}}, cur;
    printf("nsec 1e9: %s\n", strerror(err(timerfd_settime(fd, 0, &v, NULL))));
    struct itimerspec v2 = {{0, -1}, {1, 0}};
    printf("interval nsec -1: %s\n", strerror(err(timerfd_settime(fd, 0, &v2, NULL))));
    struct itimerspec v3 = {{0, 0}, {-1, 0}};
    printf("sec -1: %s\n", strerror(err(timerfd_settime(fd, 0, &v3, NULL))));
    struct itimerspec ok = {{0, 0}, {1, 0}};
    printf("bad flags: %s\n", strerror(err(timerfd_settime(fd, 4, &ok, NULL))));
    printf("bad fd: %s\n", strerror(err(timerfd_settime(-1, 0, &ok, NULL))));
    printf("closed fd: %s\n", strerror(err(timerfd_gettime(999, &cur))));
    int p[2];
    pipe(p);
    printf("not a timerfd settime: %s\n", strerror(err(timerfd_settime(p[0], 0, &ok, NULL))));
    printf("not a timerfd gettime: %s\n", strerror(err(timerfd_gettime(p[0], &cur))));
    close(p[0]);
    close(p[1]);
    printf("bad pointer: %s\n", strerror(err(syscall(SYS_timerfd_settime, (long)fd, 0L, (void *)8, NULL))));
    timerfd_gettime(fd, &cur);
    printf("still disarmed: %d\n", cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec == 0);
    char small[4];
    printf("short read: %s\n", strerror(err(read(fd, small, sizeof small))));
    printf("write: %s\n", strerror(err(write(fd, "12345678", 8))));
    close(fd);
}

static void check_oneshot(void)
{
    int fd = timerfd_create(CLOCK_MONOTONIC, 0);
    arm(fd, 0, 30, 0);
    printf("one-shot read: %ld\n", rd(fd));
    struct itimerspec cur;
    timerfd_gettime(fd, &cur);
    printf("after expiry: value %ld.%09ld interval %ld.%09ld\n", (long)cur.it_value.tv_sec, cur.it_value.tv_nsec,
           (long)cur.it_interval.tv_sec, cur.it_interval.tv_nsec);
    fcntl(fd, F_SETFL, O_NONBLOCK);
    printf("nonblocking read when 0: %s\n", strerror(-rd(fd)));
    struct pollfd pf = {fd, POLLIN, 0};
    printf("poll when 0: %d\n", poll(&pf, 1, 0));
    /* re-arm, then a long sleep: still one expiration */
    arm(fd, 0, 10, 0);
    msleep(100);
    pf.revents = 0;
    int r = poll(&pf, 1, 0);
    printf("poll after expiry: %d revents %#x\n", r, pf.revents);
    printf("read: %ld\n", rd(fd));
    /* settime resets the count */
    arm(fd, 0, 10, 0);
    msleep(60);
    arm(fd, 0, 10000, 0);
    printf("count after re-arm: %s\n", strerror(-rd(fd)));
    struct itimerspec zero = {{0, 0}, {0, 0}}, old;
    timerfd_settime(fd, 0, &zero, &old);
    printf("old value in (9s,10s]: %d\n", old.it_value.tv_sec == 9 || (old.it_value.tv_sec == 10 && old.it_value.tv_nsec == 0));
    timerfd_gettime(fd, &cur);
    printf("after disarm: value %ld.%09ld interval %ld.%09ld\n", (long)cur.it_value.tv_sec, cur.it_value.tv_nsec,
           (long)cur.it_interval.tv_sec, cur.it_interval.tv_nsec);
    close(fd);
}

static void check_periodic(void)
{
    int fd = timerfd_create(CLOCK_MONOTONIC, 0);
    arm(fd, 0, 10, 10);
    msleep(250);
    long n = rd(fd);
    printf("periodic after 25 periods: >= 20 %d\n", n >= 20);
    for (int i = 0; i < 3; i++) {
        printf("blocking read %d: >= 1 %d\n", i, rd(fd) >= 1);
    }
    struct itimerspec cur, old;
    timerfd_gettime(fd, &cur);
    printf("interval %ld.%09ld, value <= 10ms %d\n", (long)cur.it_interval.tv_sec, cur.it_interval.tv_nsec,
           cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec <= 10000000L);
    struct itimerspec zero = {{0, 0}, {0, 0}};
    timerfd_settime(fd, 0, &zero, &old);
    printf("old interval %ld.%09ld\n", (long)old.it_interval.tv_sec, old.it_interval.tv_nsec);
    close(fd);
}

static void check_absolute(void)
{
    int clocks[] = {CLOCK_MONOTONIC, CLOCK_REALTIME, CLOCK_BOOTTIME};
    for (int i = 0; i < 3; i++) {
        int fd = timerfd_create(clocks[i], 0);
        struct timespec now;
        clock_gettime(clocks[i], &now);
        struct itimerspec v = {{0, 0}, now};
        v.it_value.tv_nsec += 20000000L;
        if (v.it_value.tv_nsec >= 1000000000L) {
            v.it_value.tv_nsec -= 1000000000L;
            v.it_value.tv_sec++;
        }
        timerfd_settime(fd, TFD_TIMER_ABSTIME, &v, NULL);
        long n = rd(fd);
        struct timespec after;
        clock_gettime(clocks[i], &after);
        int late = after.tv_sec > v.it_value.tv_sec
                   || (after.tv_sec == v.it_value.tv_sec && after.tv_nsec >= v.it_value.tv_nsec);
        printf("clock %d absolute: read %ld, not early %d\n", clocks[i], n, late);
        /* in the past: expires at once */
        struct itimerspec past = {{0, 0}, {1, 0}};
        timerfd_settime(fd, TFD_TIMER_ABSTIME, &past, NULL);
        printf("clock %d past: read %ld\n", clocks[i], rd(fd));
        /* absolute periodic in the past: the missed periods count */
        clock_gettime(clocks[i], &now);
        struct itimerspec pp = {{0, 1000000L}, {now.tv_sec - 1, now.tv_nsec}};
        timerfd_settime(fd, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, &pp, NULL);
        printf("clock %d past periodic: >= 1000 %d\n", clocks[i], rd(fd) >= 1000);
        close(fd);
    }
}

static volatile sig_atomic_t alrm;
static void on_alrm(int s) { (void)s; alrm++; }

static void check_interrupt(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alrm;
    sigaction(SIGALRM, &sa, NULL);
    int fd = timerfd_create(CLOCK_MONOTONIC, 0);
    struct itimerval it = {{0, 0}, {0, 30000}};
    setitimer(ITIMER_REAL, &it, NULL);
    long r = rd(fd);
    printf("interrupted read: %s, handler ran %d\n", strerror(-r), alrm);
    /* with SA_RESTART the read goes on and returns the timer's expiration */
    sa.sa_flags = SA_RESTART;
    sigaction(SIGALRM, &sa, NULL);
    setitimer(ITIMER_REAL, &it, NULL);
    arm(fd, 0, 150, 0);
    r = rd(fd);
    printf("restarted read: %ld, handler ran %d\n", r, alrm);
    close(fd);
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    check_create();
    check_errors();
    check_oneshot();
    check_periodic();
    check_absolute();
    check_interrupt();
    return 0;
}
