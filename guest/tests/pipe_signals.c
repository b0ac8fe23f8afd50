/* Pipes and signals: SIGPIPE (default kills, handled, ignored), a blocking read interrupted by a handler (EINTR,
 * or restarted with SA_RESTART), a partial write interrupted after some data, and ppoll/pselect6 interrupted or
 * shielded by their signal mask. Signals come from forked children (kill with a checked pid). */
#include "pipe_common.h"
#include <sys/select.h>

static volatile int hits;
static void on_sig(int s) {
    (void)s;
    hits++;
}

static void handle(int sig, int flags) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sig;
    sa.sa_flags = flags;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
}

/* A child that sends sig to the parent after ms milliseconds. */
static pid_t signal_later(int sig, long ms) {
    pid_t parent = getpid();
    pid_t c = fork();
    if (c == 0) {
        msleep(ms);
        if (parent > 0)
            kill(parent, sig);
        _exit(0);
    }
    return c;
}

int main(void) {
    int p[2];
    char buf[100];

    /* SIGPIPE's default action kills the writer */
    T(pipe(p));
    close(p[0]);
    pid_t c = fork();
    if (c == 0) {
        write(p[1], "x", 1);
        _exit(0);
    }
    reap("default SIGPIPE writer", c);
    /* handled: the handler runs, then EPIPE */
    handle(SIGPIPE, 0);
    hits = 0;
    T(write(p[1], "x", 1));
    printf("SIGPIPE handler ran %d times\n", hits);
    signal(SIGPIPE, SIG_IGN);
    T(write(p[1], "x", 1));
    close(p[1]);
    signal(SIGPIPE, SIG_DFL);

    /* a blocking read interrupted by a handled signal: EINTR without SA_RESTART */
    T(pipe(p));
    handle(SIGUSR1, 0);
    hits = 0;
    c = signal_later(SIGUSR1, 100);
    T(read(p[0], buf, sizeof buf));
    printf("handler ran %d\n", hits);
    reap("signaller", c);
    /* with SA_RESTART the read goes on and gets the data written later */
    handle(SIGUSR1, SA_RESTART);
    hits = 0;
    c = signal_later(SIGUSR1, 50);
    pid_t w = fork();
    if (w == 0) {
        msleep(400);
        write_all(p[1], "after", 5);
        _exit(0);
    }
    memset(buf, 0, sizeof buf);
    T(read(p[0], buf, sizeof buf));
    printf("restarted read got '%s', handler ran %d\n", buf, hits);
    reap("signaller", c);
    reap("late writer", w);

    /* a big blocking write interrupted after some data went in: the partial count */
    handle(SIGUSR1, 0);
    static char big[200000];
    c = signal_later(SIGUSR1, 100);
    ssize_t n = write(p[1], big, sizeof big);
    printf("interrupted write: %zd\n", n);
    reap("signaller", c);
    close(p[0]);
    close(p[1]);

    /* ppoll and pselect6: interrupted (EINTR: ERESTARTNOHAND is never restarted), unless the mask blocks it */
    T(pipe(p));
    struct pollfd f = {p[0], POLLIN, 0};
    hits = 0;
    c = signal_later(SIGUSR1, 50);
    T(ppoll(&f, 1, NULL, NULL));
    printf("handler ran %d\n", hits);
    reap("signaller", c);
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    hits = 0;
    c = signal_later(SIGUSR1, 50);
    struct timespec ts = {1, 0};
    T(ppoll(&f, 1, &ts, &block));
    printf("blocked during ppoll: handler ran %d\n", hits); /* delivered once the mask is back */
    reap("signaller", c);
    hits = 0;
    c = signal_later(SIGUSR1, 50);
    fd_set rs;
    FD_ZERO(&rs);
    FD_SET(p[0], &rs);
    T(pselect(p[0] + 1, &rs, NULL, NULL, NULL, NULL));
    printf("handler ran %d\n", hits);
    reap("signaller", c);
    /* a signal blocked by the process but let through by pselect's mask */
    sigprocmask(SIG_BLOCK, &block, &old);
    hits = 0;
    c = signal_later(SIGUSR1, 50);
    sigset_t none;
    sigemptyset(&none);
    FD_SET(p[0], &rs);
    T(pselect(p[0] + 1, &rs, NULL, NULL, NULL, &none));
    printf("unblocked by pselect's mask: handler ran %d\n", hits);
    sigprocmask(SIG_SETMASK, NULL, &old);
    printf("SIGUSR1 blocked again: %d\n", sigismember(&old, SIGUSR1));
    reap("signaller", c);
    close(p[0]);
    close(p[1]);
    return 0;
}
