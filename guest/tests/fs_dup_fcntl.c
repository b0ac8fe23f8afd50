#include "fs_common.h"
#include <sys/ioctl.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC 4
#endif

int main(void) {
    enter_tmpdir();
    char c;
    int fd = T(open("f", O_CREAT | O_RDWR | O_TRUNC, 0644));
    T(write(fd, "abcdef", 6));
    T(lseek(fd, 1, SEEK_SET));
    int d = T(dup(fd));
    T(read(d, &c, 1));
    printf("c=%c\n", c);
    T(lseek(fd, 0, SEEK_CUR));
    T(fcntl(d, F_GETFD));
    T(close(fd));
    T(read(d, &c, 1));
    printf("c=%c\n", c);
    T(close(d));
    T(close(d));
    T(dup(d));
    T(dup(-1));

    fd = T(open("f", O_RDWR | O_CLOEXEC));
    T(fcntl(fd, F_GETFD));
    T(fcntl(fd, F_SETFD, 0));
    T(fcntl(fd, F_GETFD));
    T(fcntl(fd, F_SETFD, FD_CLOEXEC));
    T(fcntl(fd, F_GETFD));
    T(fcntl(fd, F_GETFL) & (O_ACCMODE | O_APPEND | O_NONBLOCK | O_CLOEXEC));
    T(fcntl(fd, F_SETFL, O_APPEND | O_NONBLOCK | O_RDONLY | O_TRUNC));
    T(fcntl(fd, F_GETFL) & (O_ACCMODE | O_APPEND | O_NONBLOCK | O_TRUNC));
    T(write(fd, "X", 1));
    T(lseek(fd, 0, SEEK_CUR));
    T(fcntl(fd, F_SETFL, 0));
    T(fcntl(fd, F_GETFL) & (O_ACCMODE | O_APPEND | O_NONBLOCK));

    T(dup3(fd, fd, 0));
    T(dup3(fd, 10, O_CLOEXEC));
    T(fcntl(10, F_GETFD));
    T(dup3(fd, 10, 0));
    T(fcntl(10, F_GETFD));
    T(dup3(fd, 11, O_APPEND));
    T(dup3(99, 11, 0));
    T(dup3(fd, -1, 0));
    T(dup3(fd, 1 << 20, 0));
    T(dup2(fd, fd));
    T(fcntl(fd, F_DUPFD, 10));
    T(fcntl(fd, F_DUPFD_CLOEXEC, 20));
    T(fcntl(20, F_GETFD));
    T(fcntl(fd, F_DUPFD, -1));
    T(fcntl(fd, F_DUPFD, 1 << 20));
    T(fcntl(99, F_GETFD));
    T(fcntl(fd, 12345));

    /* ioctl on a regular file */
    T(ioctl(fd, FIONCLEX));
    T(fcntl(fd, F_GETFD));
    T(ioctl(fd, FIOCLEX));
    T(fcntl(fd, F_GETFD));
    int n = -1;
    T(lseek(fd, 2, SEEK_SET));
    T(ioctl(fd, FIONREAD, &n));
    printf("n=%d\n", n);
    struct winsize ws;
    T(ioctl(fd, TIOCGWINSZ, &ws));
    T(ioctl(fd, TCGETS, &ws));
    T(ioctl(99, FIONREAD, &n));
    T(isatty(fd));

    /* record locks */
    struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 10};
    T(fcntl(fd, F_SETLK, &fl));
    fl.l_type = F_RDLCK;
    T(fcntl(fd, F_GETLK, &fl));
    printf("l_type is F_UNLCK: %d\n", fl.l_type == F_UNLCK);
    fl.l_type = 7;
    T(fcntl(fd, F_SETLK, &fl));
    int ro = T(open("f", O_RDONLY));
    fl.l_type = F_WRLCK;
    T(fcntl(ro, F_SETLK, &fl));
    fl.l_type = F_UNLCK;
    T(fcntl(fd, F_SETLK, &fl));
    T(fcntl(fd, F_SETLK, BADPTR));

    /* close_range */
    int a = T(dup(fd)), b = T(dup(fd)), e = T(dup(fd));
    T(syscall(SYS_close_range, a, b, 0));
    T(fcntl(a, F_GETFD));
    T(fcntl(b, F_GETFD));
    T(fcntl(e, F_GETFD));
    T(syscall(SYS_close_range, e, e, CLOSE_RANGE_CLOEXEC));
    T(fcntl(e, F_GETFD));
    T(syscall(SYS_close_range, 5, 4, 0));
    T(syscall(SYS_close_range, 5, 6, 1 << 10));
    T(syscall(SYS_close_range, 100, ~0U, 0));
    T(fcntl(fd, F_GETFD));

    /* lowest free descriptor */
    T(close(3));
    T(dup(fd));

    /* O_PATH descriptors */
    int p = T(open("f", O_PATH));
    T(read(p, &c, 1));
    T(fcntl(p, F_GETFL) & (O_PATH | O_ACCMODE));
    struct stat st;
    T(fstat(p, &st));
    T(dup(p) > 0);
    T(ioctl(p, FIONREAD, &n));
    T(lseek(p, 0, SEEK_SET));

    T(unlink("f"));
    cleanup();
    return 0;
}
