/* eventfd2: the counter, EFD_SEMAPHORE, EFD_NONBLOCK, short reads and writes, the overflow limit, poll, the
 * /proc/self/fd link, fstat, and a reader blocked until another process writes. */
#include "pipe_common.h"
#include <stdint.h>
#include <sys/eventfd.h>

static void rd(int fd) {
    uint64_t v = 0;
    long r = read(fd, &v, 8);
    if (r < 0)
        printf("read = -1 %s\n", strerrorname_np(errno));
    else
        printf("read = %ld value %llu\n", r, (unsigned long long)v);
    fflush(stdout);
}

static void wr(int fd, uint64_t v) {
    long r = write(fd, &v, 8);
    if (r < 0)
        printf("write %llu = -1 %s\n", (unsigned long long)v, strerrorname_np(errno));
    else
        printf("write %llu = %ld\n", (unsigned long long)v, r);
    fflush(stdout);
}

static void pl(int fd) {
    struct pollfd p = {fd, POLLIN | POLLOUT, 0};
    long r = poll(&p, 1, 0);
    printf("poll = %ld revents %#x\n", r, p.revents);
    fflush(stdout);
}

int main(void) {
    int fd = T(syscall(SYS_eventfd2, 5L, (long)EFD_NONBLOCK));
    T(syscall(SYS_eventfd2, 0L, 0x10L));
    int fl = fcntl(fd, F_GETFL);
    printf("flags rdwr %d nonblock %d\n", (fl & O_ACCMODE) == O_RDWR, (fl & O_NONBLOCK) != 0);
    printf("cloexec %d\n", fcntl(fd, F_GETFD));
    pl(fd);
    rd(fd);
    rd(fd);
    pl(fd);
    wr(fd, 3);
    wr(fd, 4);
    rd(fd);
    uint64_t v = 1;
    char small[4];
    T(read(fd, small, 4));
    T(write(fd, &v, 4));
    wr(fd, 0xffffffffffffffffULL);
    wr(fd, 0xfffffffffffffffeULL);
    pl(fd);
    wr(fd, 1);
    rd(fd);
    wr(fd, 0);
    pl(fd);

    char link[64];
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    long n = readlink(path, link, sizeof link - 1);
    if (n >= 0) {
        link[n] = 0;
        printf("link %s\n", link);
    }
    struct stat st;
    T(fstat(fd, &st));
    printf("mode %#o size %lld\n", st.st_mode, (long long)st.st_size);
    T(lseek(fd, 0, SEEK_SET));
    T(pread(fd, &v, 8, 0));
    close(fd);

    /* semaphore */
    int s = T(eventfd(3, EFD_SEMAPHORE | EFD_NONBLOCK | EFD_CLOEXEC));
    printf("cloexec %d\n", fcntl(s, F_GETFD));
    rd(s);
    rd(s);
    rd(s);
    rd(s);
    wr(s, 2);
    rd(s);
    pl(s);
    close(s);

    /* a blocking reader woken by a child's write */
    int b = T(eventfd(0, 0));
    fflush(stdout);
    pid_t c = fork();
    if (c == 0) {
        msleep(50);
        uint64_t one = 7;
        write(b, &one, 8);
        _exit(0);
    }
    rd(b);
    int status;
    waitpid(c, &status, 0);
    printf("child exited %d\n", WEXITSTATUS(status));

    /* a blocking writer woken by a child's read */
    uint64_t big = 0xfffffffffffffffeULL;
    write(b, &big, 8);
    fflush(stdout);
    c = fork();
    if (c == 0) {
        msleep(50);
        uint64_t got;
        read(b, &got, 8);
        _exit(got == big ? 0 : 1);
    }
    wr(b, 5);
    waitpid(c, &status, 0);
    printf("child exited %d\n", WEXITSTATUS(status));
    rd(b);
    close(b);
    return 0;
}
