/* epoll: epoll_create1, epoll_ctl's errors, level- and edge-triggered pipes and eventfds, EPOLLONESHOT and
 * EPOLL_CTL_MOD, EPOLLHUP, data round trips, closed descriptors, nested epolls, timeouts, a waiter woken by a
 * child's write, and EINTR from a signal handler. */
#include "pipe_common.h"
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>

static int ep;

static void wait_show(const char *what, int max, int timeout) {
    struct epoll_event ev[8];
    memset(ev, 0, sizeof ev);
    long r = epoll_wait(ep, ev, max, timeout);
    printf("%s: ret %ld", what, r);
    if (r < 0)
        printf(" %s", strerrorname_np(errno));
    /* print sorted by data so that the order of the ready list does not matter */
    for (int k = 0; k < r; k++)
        for (int j = k + 1; j < r; j++)
            if (ev[j].data.u64 < ev[k].data.u64) {
                struct epoll_event x = ev[k];
                ev[k] = ev[j];
                ev[j] = x;
            }
    for (int i = 0; i < r; i++)
        printf(" [%#llx %#x]", (unsigned long long)ev[i].data.u64, ev[i].events);
    printf("\n");
    fflush(stdout);
}

static int add(int fd, unsigned events, uint64_t data) {
    struct epoll_event e = {.events = events, .data.u64 = data};
    return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e);
}

static int mod(int fd, unsigned events, uint64_t data) {
    struct epoll_event e = {.events = events, .data.u64 = data};
    return epoll_ctl(ep, EPOLL_CTL_MOD, fd, &e);
}

static void on_usr1(int s) {
    (void)s;
}

int main(void) {
    ep = T(epoll_create1(0));
    T(epoll_create1(1));
    int ep2 = T(epoll_create1(EPOLL_CLOEXEC));
    printf("cloexec %d %d\n", fcntl(ep, F_GETFD), fcntl(ep2, F_GETFD));
    char link[64], path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", ep);
    long n = readlink(path, link, sizeof link - 1);
    if (n >= 0) {
        link[n] = 0;
        printf("link %s\n", link);
    }

    int p[2];
    T(pipe(p));
    int efd = T(eventfd(0, EFD_NONBLOCK));
    uint64_t one = 1, got;
    char buf[16];

    /* errors */
    struct epoll_event e = {.events = EPOLLIN, .data.u64 = 1};
    T(epoll_ctl(ep, EPOLL_CTL_ADD, 99, &e));
    T(epoll_ctl(99, EPOLL_CTL_ADD, p[0], &e));
    T(epoll_ctl(ep, EPOLL_CTL_ADD, ep, &e));
    T(epoll_ctl(p[1], EPOLL_CTL_ADD, p[0], &e));
    T(epoll_ctl(ep, 7, p[0], &e));
    T(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL));
    T(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &e));
    int devnull = open("/dev/null", O_RDONLY);
    int dir = open(".", O_RDONLY | O_DIRECTORY);
    int reg = open("tests/epoll_basic.c", O_RDONLY);
    T(epoll_ctl(ep, EPOLL_CTL_ADD, dir, &e));
    T(epoll_ctl(ep, EPOLL_CTL_ADD, reg, &e));
    T(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], BADPTR));
    struct epoll_event evs[2];
    T(epoll_wait(ep, evs, 0, 0));
    T(epoll_wait(ep, evs, -1, 0));
    T(epoll_wait(p[0], evs, 1, 0));
    T(epoll_wait(99, evs, 1, 0));
    T(epoll_ctl(ep2, EPOLL_CTL_ADD, ep, &e));
    T(add(ep2, EPOLLIN, 1));
    close(dir);
    close(reg);
    close(devnull);

    /* level-triggered */
    T(add(p[0], EPOLLIN, 0x1111222233334444ULL));
    T(add(p[0], EPOLLIN, 1));
    T(add(p[1], EPOLLOUT, 2));
    T(add(efd, EPOLLIN | EPOLLOUT, 3));
    wait_show("lt empty", 8, 0);
    write(p[1], "ab", 2);
    write(efd, &one, 8);
    wait_show("lt ready", 8, 0);
    wait_show("lt again", 8, 0);
    T(epoll_wait(ep, evs, 1, 0));
    read(p[0], buf, 2);
    read(efd, &got, 8);
    wait_show("lt drained", 8, 0);

    /* edge-triggered */
    T(mod(p[0], EPOLLIN | EPOLLET, 4));
    T(mod(efd, EPOLLIN | EPOLLET, 5));
    T(epoll_ctl(ep, EPOLL_CTL_DEL, p[1], NULL));
    wait_show("et empty", 8, 0);
    write(p[1], "ab", 2);
    write(efd, &one, 8);
    wait_show("et ready", 8, 0);
    wait_show("et again", 8, 0);
    write(p[1], "c", 1);
    wait_show("et more pipe data", 8, 0);
    wait_show("et after", 8, 0);
    read(p[0], buf, 3);
    read(efd, &got, 8);

    /* oneshot */
    T(mod(p[0], EPOLLIN | EPOLLONESHOT, 6));
    T(epoll_ctl(ep, EPOLL_CTL_DEL, efd, NULL));
    write(p[1], "x", 1);
    wait_show("oneshot first", 8, 0);
    wait_show("oneshot disarmed", 8, 0);
    T(mod(p[0], EPOLLIN | EPOLLONESHOT, 7));
    wait_show("oneshot rearmed", 8, 0);
    read(p[0], buf, 1);
    T(mod(p[0], EPOLLIN, 8));

    /* nested: ep watched by ep2 */
    wait_show("before nested", 8, 0);
    struct epoll_event ne[2];
    T(epoll_wait(ep2, ne, 2, 0));
    write(p[1], "y", 1);
    long r = epoll_wait(ep2, ne, 2, 0);
    printf("nested ret %ld events %#x data %llu\n", r, r > 0 ? ne[0].events : 0,
           r > 0 ? (unsigned long long)ne[0].data.u64 : 0ULL);
    struct pollfd pf = {ep, POLLIN, 0};
    T(poll(&pf, 1, 0));
    printf("poll revents %#x\n", pf.revents);
    read(p[0], buf, 1);
    T(poll(&pf, 1, 0));

    /* timeout with nothing ready */
    wait_show("timeout", 8, 20);
    struct timespec ts = {0, 10000000};
    T(syscall(SYS_epoll_pwait2, (long)ep, evs, 2L, &ts, NULL, 8L));
    struct timespec bad = {0, 1000000000L};
    T(syscall(SYS_epoll_pwait2, (long)ep, evs, 2L, &bad, NULL, 8L));

    /* a waiter woken by a child's write (to the pipe, then to an eventfd) */
    int w = T(eventfd(0, 0));
    T(add(w, EPOLLIN, 9));
    int sync[2];
    pipe(sync);
    fflush(stdout);
    pid_t c = fork();
    if (c == 0) {
        msleep(50);
        write(p[1], "z", 1);
        read(sync[0], buf, 1); /* the parent has seen the pipe */
        msleep(50);
        write(w, &one, 8);
        _exit(0);
    }
    wait_show("woken by pipe", 8, 5000);
    read(p[0], buf, 1);
    write(sync[1], "s", 1);
    wait_show("woken by eventfd", 8, 5000);
    int status;
    waitpid(c, &status, 0);
    read(w, &got, 8);

    /* EPOLLHUP when the writer closes; a closed descriptor leaves the set */
    close(p[1]);
    wait_show("hup", 8, 0);
    close(p[0]);
    wait_show("after close", 8, 0);

    /* a dup keeps the item alive (keyed by the open file) */
    int q[2];
    T(pipe(q));
    T(add(q[0], EPOLLIN, 10));
    int d = dup(q[0]);
    close(q[0]);
    write(q[1], "k", 1);
    wait_show("dup alive", 8, 0);
    T(epoll_ctl(ep, EPOLL_CTL_DEL, d, NULL));
    close(d);
    close(q[1]);

    /* a signal interrupts epoll_pwait: EINTR, even with SA_RESTART */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGUSR1, &sa, NULL);
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigprocmask(SIG_BLOCK, &block, &old);
    fflush(stdout);
    pid_t parent = getpid();
    c = fork();
    if (c == 0) {
        msleep(50);
        if (parent > 0)
            kill(parent, SIGUSR1);
        _exit(0);
    }
    sigset_t during;
    sigemptyset(&during);
    r = epoll_pwait(ep, evs, 2, 5000, &during);
    printf("epoll_pwait = %ld %s\n", r, r < 0 ? strerrorname_np(errno) : "");
    waitpid(c, &status, 0);
    sigset_t now;
    sigprocmask(SIG_SETMASK, NULL, &now);
    printf("mask restored %d\n", sigismember(&now, SIGUSR1));
    T(epoll_pwait(ep, evs, 2, 0, &during));
    close(w);
    close(efd);
    close(ep2);
    close(ep);
    return 0;
}
