/* ppoll and pselect6 over pipes and other files: readiness, POLLHUP/POLLERR/POLLNVAL, timeouts and the time left
 * written back, argument errors, and a sleeping poll woken by another process's write. */
#include "pipe_common.h"
#include <sys/resource.h>
#include <sys/select.h>

static void show(const char *what, struct pollfd *f, int n, long r) {
    printf("%s: ret %ld", what, r);
    if (r < 0)
        printf(" %s", strerrorname_np(errno));
    for (int i = 0; i < n; i++)
        printf(" [%#x]", f[i].revents);
    printf("\n");
    fflush(stdout);
}

static long sys_ppoll(struct pollfd *f, long n, struct timespec *ts, void *mask, long size) {
    return syscall(SYS_ppoll, f, n, ts, mask, size);
}

static long sys_pselect(int n, fd_set *r, fd_set *w, fd_set *e, struct timespec *ts, void *sig) {
    return syscall(SYS_pselect6, (long)n, r, w, e, ts, sig);
}

int main(void) {
    int p[2];
    struct timespec zero = {0, 0};
    T(pipe(p));
    struct pollfd f[4] = {{p[0], POLLIN | POLLOUT, 0}, {p[1], POLLIN | POLLOUT, 0}, {-1, POLLIN, 7}, {-5, 0, 7}};
    long r = sys_ppoll(f, 4, &zero, NULL, 0);
    show("empty pipe", f, 4, r);
    T(write(p[1], "abc", 3));
    r = sys_ppoll(f, 4, &zero, NULL, 0);
    show("3 bytes in", f, 4, r);
    f[0].events = POLLRDNORM;
    f[1].events = POLLWRNORM;
    r = sys_ppoll(f, 2, &zero, NULL, 0);
    show("RDNORM/WRNORM", f, 2, r);
    f[0].events = 0;
    f[1].events = 0;
    r = sys_ppoll(f, 2, &zero, NULL, 0);
    show("no events asked", f, 2, r);

    /* full pipe: not writable */
    fcntl(p[1], F_SETFL, O_NONBLOCK);
    static char big[65536];
    while (write(p[1], big, sizeof big) > 0) {
    }
    f[0].events = POLLIN | POLLOUT;
    f[1].events = POLLIN | POLLOUT;
    r = sys_ppoll(f, 2, &zero, NULL, 0);
    show("full", f, 2, r);
    char buf[8192];
    read(p[0], buf, 100);
    r = sys_ppoll(f, 2, &zero, NULL, 0);
    show("100 read from full", f, 2, r);
    read(p[0], buf, 8192);
    r = sys_ppoll(f, 2, &zero, NULL, 0);
    show("a page free", f, 2, r);

    /* writer gone: POLLHUP with and without data */
    T(close(p[1]));
    r = sys_ppoll(f, 1, &zero, NULL, 0);
    show("writer closed, data left", f, 1, r);
    while (read(p[0], buf, sizeof buf) > 0) {
    }
    r = sys_ppoll(f, 1, &zero, NULL, 0);
    show("writer closed, empty", f, 1, r);
    T(close(p[0]));
    r = sys_ppoll(f, 1, &zero, NULL, 0);
    show("closed fd", f, 1, r);

    /* reader gone: POLLERR on the write end */
    T(pipe(p));
    T(close(p[0]));
    f[0].fd = p[1];
    f[0].events = POLLOUT;
    r = sys_ppoll(f, 1, &zero, NULL, 0);
    show("reader closed", f, 1, r);
    T(close(p[1]));

    /* other files: always ready */
    int dn = open("/dev/null", O_RDWR);
    int rf = open("/proc/self/exe", O_RDONLY);
    int dir = open("/", O_RDONLY | O_DIRECTORY);
    int opath = open("/", O_PATH);
    struct pollfd o[4] = {{dn, POLLIN | POLLOUT | POLLPRI, 0}, {rf, POLLIN | POLLOUT, 0}, {dir, POLLIN, 0},
                          {opath, POLLIN, 0}};
    r = sys_ppoll(o, 4, &zero, NULL, 0);
    show("/dev/null, file, dir, O_PATH", o, 4, r);

    /* argument errors */
    r = sys_ppoll(BADPTR, 1, &zero, NULL, 0);
    show("bad fds", f, 0, r);
    r = sys_ppoll(NULL, 0, &zero, NULL, 0);
    show("nfds 0", f, 0, r);
    struct timespec bad = {0, 1000000000};
    r = sys_ppoll(NULL, 0, &bad, NULL, 0);
    show("nsec 1e9", f, 0, r);
    bad.tv_sec = -1;
    bad.tv_nsec = 0;
    r = sys_ppoll(NULL, 0, &bad, NULL, 0);
    show("sec -1", f, 0, r);
    r = sys_ppoll(NULL, 0, BADPTR, NULL, 0);
    show("bad timespec", f, 0, r);
    sigset_t ss;
    sigemptyset(&ss);
    r = sys_ppoll(NULL, 0, &zero, &ss, 4);
    show("sigsetsize 4", f, 0, r);
    r = sys_ppoll(NULL, 0, &zero, BADPTR, 8);
    show("bad sigmask", f, 0, r);
    r = sys_ppoll(NULL, 0, &zero, &ss, 8);
    show("good sigmask", f, 0, r);

    /* timeouts: the time left is written back */
    T(pipe(p));
    f[0].fd = p[0];
    f[0].events = POLLIN;
    struct timespec ts = {0, 50000000};
    r = sys_ppoll(f, 1, &ts, NULL, 0);
    show("50 ms timeout", f, 1, r);
    printf("left %ld.%09ld\n", (long)ts.tv_sec, ts.tv_nsec);
    r = poll(f, 1, 30);
    show("poll() 30 ms", f, 1, r);

    /* a sleeping ppoll woken by a write from another process; time left is less than given */
    pid_t c = fork();
    if (c == 0) {
        msleep(100);
        write_all(p[1], "wake", 4);
        _exit(0);
    }
    ts.tv_sec = 30;
    ts.tv_nsec = 0;
    r = sys_ppoll(f, 1, &ts, NULL, 0);
    show("woken", f, 1, r);
    printf("left < 30s: %d, > 20s: %d\n", ts.tv_sec < 30, ts.tv_sec > 20);
    reap("waker", c);
    read(p[0], buf, sizeof buf);
    /* infinite timeout, woken by the writer closing */
    c = fork();
    if (c == 0) {
        msleep(50);
        _exit(0);
    }
    T(close(p[1]));
    r = sys_ppoll(f, 1, NULL, NULL, 0);
    show("woken by the last writer's exit", f, 1, r);
    reap("closer", c);
    T(close(p[0]));

    /* pselect6 */
    T(pipe(p));
    fd_set rs, ws, es;
    FD_ZERO(&rs);
    FD_ZERO(&ws);
    FD_ZERO(&es);
    FD_SET(p[0], &rs);
    FD_SET(p[1], &rs);
    FD_SET(p[0], &ws);
    FD_SET(p[1], &ws);
    FD_SET(p[0], &es);
    r = sys_pselect(p[1] + 1, &rs, &ws, &es, &zero, NULL);
    printf("select empty: %ld r%d%d w%d%d e%d\n", r, FD_ISSET(p[0], &rs), FD_ISSET(p[1], &rs), FD_ISSET(p[0], &ws),
           FD_ISSET(p[1], &ws), FD_ISSET(p[0], &es));
    write(p[1], "x", 1);
    FD_SET(p[0], &rs);
    FD_SET(p[1], &ws);
    r = sys_pselect(p[1] + 1, &rs, &ws, NULL, &zero, NULL);
    printf("select data: %ld r%d w%d\n", r, FD_ISSET(p[0], &rs), FD_ISSET(p[1], &ws));
    FD_ZERO(&rs);
    FD_SET(p[0], &rs);
    r = sys_pselect(p[0], &rs, NULL, NULL, &zero, NULL);
    printf("n excludes the fd: %ld\n", r);
    FD_ZERO(&rs);
    FD_SET(p[1] + 1, &rs);
    r = sys_pselect(p[1] + 2, &rs, NULL, NULL, &zero, NULL);
    printf("select closed fd: %ld %s\n", r, strerrorname_np(errno));
    r = sys_pselect(-1, NULL, NULL, NULL, &zero, NULL);
    printf("select n -1: %ld %s\n", r, strerrorname_np(errno));
    r = sys_pselect(1, BADPTR, NULL, NULL, &zero, NULL);
    printf("select bad set: %ld %s\n", r, strerrorname_np(errno));
    r = sys_pselect(0, NULL, NULL, NULL, &zero, BADPTR);
    printf("select bad sigpack: %ld %s\n", r, strerrorname_np(errno));
    struct {
        void *p;
        size_t n;
    } pack = {&ss, 4};
    r = sys_pselect(0, NULL, NULL, NULL, &zero, &pack);
    printf("select sigsetsize 4: %ld %s\n", r, strerrorname_np(errno));
    read(p[0], buf, 1);
    FD_ZERO(&rs);
    FD_SET(p[0], &rs);
    ts.tv_sec = 0;
    ts.tv_nsec = 40000000;
    r = sys_pselect(p[0] + 1, &rs, NULL, NULL, &ts, NULL);
    printf("select 40 ms: %ld r%d left %ld.%09ld\n", r, FD_ISSET(p[0], &rs), (long)ts.tv_sec, ts.tv_nsec);
    struct timeval tv = {0, 20000};
    FD_SET(p[0], &rs);
    r = select(p[0] + 1, &rs, NULL, NULL, &tv);
    printf("select() 20 ms: %ld r%d\n", r, FD_ISSET(p[0], &rs));
    /* a sleeping select woken by another process */
    c = fork();
    if (c == 0) {
        msleep(100);
        write_all(p[1], "w", 1);
        _exit(0);
    }
    FD_ZERO(&rs);
    FD_SET(p[0], &rs);
    r = sys_pselect(p[0] + 1, &rs, NULL, NULL, NULL, NULL);
    printf("select woken: %ld r%d\n", r, FD_ISSET(p[0], &rs));
    reap("select waker", c);
    /* the write end with no reader is readable and writable (POLLERR) */
    T(close(p[0]));
    FD_ZERO(&rs);
    FD_ZERO(&ws);
    FD_SET(p[1], &rs);
    FD_SET(p[1], &ws);
    r = sys_pselect(p[1] + 1, &rs, &ws, NULL, &zero, NULL);
    printf("select no reader: %ld r%d w%d\n", r, FD_ISSET(p[1], &rs), FD_ISSET(p[1], &ws));
    T(close(p[1]));
    return 0;
}
