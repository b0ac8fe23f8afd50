/* Blocking reads and writes between processes and threads: a reader sleeps until data comes, a writer until there
 * is room; EOF when the last writer goes; large writes arrive complete and in order. */
#include "pipe_common.h"
#include <pthread.h>

static unsigned checksum(const unsigned char *b, size_t n, unsigned h) {
    for (size_t i = 0; i < n; i++)
        h = h * 31 + b[i];
    return h;
}

#define BIG (1 << 20)
static unsigned char src[BIG], dst[BIG];

static int tp[2], done[2];
/* Reads tp to its end, then reports the count through the done pipe (not pthread_join: the main thread's wait
 * for it is a blocking pipe read too). */
static void *reader_thread(void *arg) {
    (void)arg;
    size_t got = 0;
    for (;;) {
        ssize_t n = read(tp[0], dst + got, 7777);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    write_all(done[1], &got, sizeof got);
    return NULL;
}

int main(void) {
    int p[2];
    char buf[100];
    for (int i = 0; i < BIG; i++)
        src[i] = (unsigned char)(i * 7 + (i >> 9));
    unsigned want = checksum(src, BIG, 0);

    /* 1. The reader blocks until a child writes, later. */
    T(pipe(p));
    pid_t c = fork();
    if (c == 0) {
        close(p[0]);
        msleep(100);
        write_all(p[1], "late", 4);
        _exit(0);
    }
    close(p[1]);
    memset(buf, 0, sizeof buf);
    T(read(p[0], buf, sizeof buf));
    printf("read '%s'\n", buf);
    T(read(p[0], buf, sizeof buf)); /* EOF once the child is gone */
    reap("late writer", c);
    close(p[0]);

    /* 2. A megabyte through a pipe to another process, in odd-sized writes; the writer blocks while it is full. */
    T(pipe(p));
    c = fork();
    if (c == 0) {
        close(p[0]);
        size_t off = 0, step = 1;
        while (off < BIG) {
            size_t n = step;
            if (n > BIG - off)
                n = BIG - off;
            write_all(p[1], src + off, n);
            off += n;
            step = step * 3 + 1;
            if (step > 200000)
                step = 1;
        }
        _exit(0);
    }
    close(p[1]);
    size_t got = 0;
    for (;;) {
        ssize_t n = read(p[0], dst + got, BIG - got < 5000 ? BIG - got + 1 : 5000);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    printf("process: got %zu bytes, intact %d\n", got, checksum(dst, got, 0) == want);
    reap("big writer", c);
    close(p[0]);

    /* 3. One big write (blocks until all is in) to a reader thread. */
    memset(dst, 0, BIG);
    T(pipe(tp));
    T(pipe(done));
    pthread_t th;
    T(pthread_create(&th, NULL, reader_thread, NULL));
    T(write(tp[1], src, BIG));
    close(tp[1]);
    size_t res = 0;
    T(read(done[0], &res, sizeof res));
    printf("thread: got %zu bytes, intact %d\n", res, checksum(dst, res, 0) == want);
    close(tp[0]);

    /* 4. The writer fills the pipe and blocks; the parent drains it slowly. */
    T(pipe(p));
    c = fork();
    if (c == 0) {
        close(p[0]);
        ssize_t w = write(p[1], src, 200000);
        _exit(w == 200000 ? 0 : 1);
    }
    close(p[1]);
    msleep(100);
    int avail = 0;
    ioctl(p[0], FIONREAD, &avail);
    printf("buffered while the writer waits: %d\n", avail);
    got = 0;
    for (;;) {
        ssize_t n = read(p[0], dst + got, 65536);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    printf("drained %zu, intact %d\n", got, memcmp(dst, src, got) == 0);
    reap("blocked writer", c);
    close(p[0]);

    /* 5. A blocked writer gets EPIPE when the reader goes (SIGPIPE ignored). */
    signal(SIGPIPE, SIG_IGN);
    T(pipe(p));
    c = fork();
    if (c == 0) {
        close(p[1]);
        msleep(100);
        _exit(0); /* closes the read end without reading */
    }
    close(p[0]);
    ssize_t w = write(p[1], src, 100000);
    printf("write to a vanishing reader: %zd (%s)\n", w, w < 0 ? strerrorname_np(errno) : "partial");
    w = write(p[1], "x", 1);
    printf("next write: %zd %s\n", w, strerrorname_np(errno));
    reap("reader", c);
    close(p[1]);
    return 0;
}
