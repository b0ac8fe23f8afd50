/* pipe2 flags and errors, fstat, lseek, fcntl (F_GETFL, pipe sizes), FIONREAD, O_NONBLOCK, EOF, EPIPE, capacity,
 * packet mode, readv/writev, /proc/self/fd. */
#include "pipe_common.h"
#include <sys/uio.h>

static int lowest_free(void) {
    int fd = dup(0);
    close(fd);
    return fd;
}

int main(void) {
    int p[2];
    char buf[70000];
    int before = lowest_free();

    T(pipe2(p, O_APPEND));
    T(pipe2(p, O_TRUNC));
    T(pipe2(p, O_EXCL)); /* O_NOTIFICATION_PIPE: ENOPKG without watch queues, else a notification pipe */
    if (fcntl(before, F_GETFD) >= 0) {
        close(before);
        close(before + 1);
    }

    T(pipe2(p, 0));
    printf("fds are the lowest: %d %d\n", p[0] == before, p[1] == before + 1);
    struct stat st;
    T(fstat(p[0], &st));
    printf("S_ISFIFO %d mode %o size %ld nlink %ld\n", S_ISFIFO(st.st_mode), st.st_mode & 07777, (long)st.st_size,
           (long)st.st_nlink);
    struct stat st2;
    T(fstat(p[1], &st2));
    printf("same inode: %d\n", st.st_ino == st2.st_ino && st.st_dev == st2.st_dev);
    T(lseek(p[0], 0, SEEK_CUR));
    T(lseek(p[1], 0, SEEK_SET));
    T(pread(p[0], buf, 1, 0));
    T(pwrite(p[1], buf, 1, 0));
    T(fcntl(p[0], F_GETFL));
    T(fcntl(p[1], F_GETFL));
    T(fcntl(p[0], F_GETFD));
    T(write(p[0], "x", 1));
    T(read(p[1], buf, 1));

    char path[64], link[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", p[0]);
    ssize_t n = readlink(path, link, sizeof link - 1);
    link[n < 0 ? 0 : n] = 0;
    char want[64];
    snprintf(want, sizeof want, "pipe:[%lu]", (unsigned long)st.st_ino);
    printf("readlink matches pipe:[ino]: %d\n", strcmp(link, want) == 0);

    /* sizes */
    T(fcntl(p[0], F_GETPIPE_SZ));
    T(fcntl(p[1], F_SETPIPE_SZ, 0));
    T(fcntl(p[1], F_GETPIPE_SZ));
    T(fcntl(p[1], F_SETPIPE_SZ, 5000));
    T(fcntl(p[0], F_SETPIPE_SZ, 65536));
    T(fcntl(0, F_GETPIPE_SZ) == -1 ? -1 : 0); /* stdin: a pipe or /dev/null, unknown; printed only as ok/fail */
    int fd = open("/dev/null", O_RDONLY);
    T(fcntl(fd, F_GETPIPE_SZ));
    close(fd);

    /* FIONREAD, read less than available, then the rest */
    int avail = -1;
    T(write(p[1], "hello, pipe", 11));
    T(ioctl(p[0], FIONREAD, &avail));
    printf("FIONREAD %d\n", avail);
    T(ioctl(p[1], FIONREAD, &avail));
    printf("FIONREAD on the write end %d\n", avail);
    memset(buf, 0, 32);
    T(read(p[0], buf, 5));
    printf("got '%s'\n", buf);
    memset(buf, 0, 32);
    T(read(p[0], buf, 100));
    printf("got '%s'\n", buf);
    T(read(p[0], buf, 0));
    T(write(p[1], buf, 0));

    /* shrinking below what is buffered */
    T(write(p[1], buf, 8192));
    T(fcntl(p[1], F_SETPIPE_SZ, 4096));
    T(read(p[0], buf, sizeof buf));

    /* O_NONBLOCK: empty read, full pipe */
    T(fcntl(p[0], F_SETFL, O_NONBLOCK));
    T(fcntl(p[0], F_GETFL));
    T(read(p[0], buf, 1));
    int on = 1;
    T(ioctl(p[1], FIONBIO, &on));
    long total = 0;
    while (write(p[1], "a", 1) == 1)
        total++;
    printf("1-byte writes until %s: %ld\n", strerrorname_np(errno), total);
    T(ioctl(p[0], FIONREAD, &avail));
    printf("FIONREAD %d\n", avail);
    T(write(p[1], buf, 4096));
    T(read(p[0], buf, 100));
    T(write(p[1], buf, 4096)); /* 100 bytes free: an atomic write does not fit */
    T(write(p[1], buf, 100));  /* does not merge into a full page either */
    T(read(p[0], buf, 4000));
    T(write(p[1], buf, 4096)); /* one page free */
    T(read(p[0], buf, sizeof buf));
    T(read(p[0], buf, sizeof buf));
    total = 0;
    for (;;) {
        ssize_t w = write(p[1], buf, 1000);
        if (w < 0)
            break;
        total += w;
    }
    printf("1000-byte writes until %s: %ld\n", strerrorname_np(errno), total);
    while (read(p[0], buf, sizeof buf) > 0) {
    }
    T(write(p[1], buf, 70000)); /* more than PIPE_BUF, non-blocking: a partial write */
    while (read(p[0], buf, sizeof buf) > 0) {
    }
    T(write(p[1], buf, 5000));
    T(write(p[1], buf, 5000));
    T(ioctl(p[0], FIONREAD, &avail));
    printf("FIONREAD %d\n", avail);
    while (read(p[0], buf, sizeof buf) > 0) {
    }

    /* EOF: no writers left, even with O_NONBLOCK */
    T(write(p[1], "xy", 2));
    T(close(p[1]));
    T(read(p[0], buf, 1));
    T(read(p[0], buf, 10));
    T(read(p[0], buf, 10));
    T(close(p[0]));

    /* EPIPE: no readers left (SIGPIPE ignored; its delivery is checked elsewhere once signals exist) */
    signal(SIGPIPE, SIG_IGN);
    T(pipe(p));
    T(close(p[0]));
    T(write(p[1], "x", 1));
    T(write(p[1], "", 0));
    T(close(p[1]));

    /* a reader kept by a dup'ed descriptor: closing one descriptor is not closing the file */
    T(pipe(p));
    int r2 = dup(p[0]);
    T(close(p[0]));
    T(write(p[1], "ok", 2));
    T(read(r2, buf, 10));
    close(r2);
    close(p[1]);

    /* readv fills every segment; writev of at most PIPE_BUF arrives whole */
    T(pipe(p));
    struct iovec iov[3] = {{buf, 3}, {buf + 10, 4}, {buf + 20, 5}};
    char w1[] = "abc", w2[] = "defg", w3[] = "hijkl";
    struct iovec wv[3] = {{w1, 3}, {w2, 4}, {w3, 5}};
    T(writev(p[1], wv, 3));
    memset(buf, '.', 30);
    T(readv(p[0], iov, 3));
    printf("%.3s %.4s %.5s\n", buf, buf + 10, buf + 20);
    close(p[0]);
    close(p[1]);

    /* packet mode */
    T(pipe2(p, O_DIRECT | O_CLOEXEC));
    T(fcntl(p[0], F_GETFL) & O_DIRECT ? 1 : 0);
    T(fcntl(p[1], F_GETFL) & O_DIRECT ? 1 : 0);
    T(fcntl(p[1], F_GETFD));
    T(write(p[1], "one", 3));
    T(write(p[1], "two!", 4));
    T(write(p[1], buf, 5000));
    T(read(p[0], buf, 100));
    T(read(p[0], buf, 2)); /* the rest of the packet is gone */
    T(read(p[0], buf, 10000));
    T(read(p[0], buf, 10000));
    T(fcntl(p[1], F_SETFL, 0));
    T(write(p[1], "ab", 2));
    T(write(p[1], "cd", 2));
    T(read(p[0], buf, 100));
    close(p[0]);
    close(p[1]);
    return 0;
}
