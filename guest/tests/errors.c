/* Error paths of the syscall layer: bad pointers give EFAULT, bad descriptors EBADF, unknown syscalls ENOSYS. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#define BAD ((void *)16)   /* the first page is never mapped */

static void report(const char *what, long r)
{
    int e = errno;
    printf("%-34s -> %ld errno=%d (%s)\n", what, r, r < 0 ? e : 0, r < 0 ? strerrorname_np(e) : "-");
    errno = 0;
}

int main(void)
{
    char dir[] = "/tmp/jkerrorsXXXXXX";
    if (!mkdtemp(dir)) { perror("mkdtemp"); return 1; }
    char path[64];
    snprintf(path, sizeof path, "%s/f", dir);
    int fd = open(path, O_RDWR | O_CREAT, 0600);
    if (fd < 0 || write(fd, "some bytes", 10) != 10) { perror("setup"); return 1; }
    lseek(fd, 0, SEEK_SET);
    fflush(stdout);

    errno = 0;
    report("write(1, bad, 10)", syscall(SYS_write, 1, BAD, 10));
    report("read(file, bad, 10)", syscall(SYS_read, fd, BAD, 10));
    report("read(file, NULL, 10)", syscall(SYS_read, fd, NULL, 10));
    report("read(file, buf, 0)", syscall(SYS_read, fd, path, 0));
    struct iovec iov = {BAD, 4};
    report("writev(1, {bad, 4}, 1)", syscall(SYS_writev, 1, &iov, 1));
    report("writev(1, bad iovec, 1)", syscall(SYS_writev, 1, BAD, 1));
    report("openat(AT_FDCWD, bad path)", syscall(SYS_openat, AT_FDCWD, BAD, O_RDONLY));
    report("fstat(file, bad)", syscall(SYS_fstat, fd, BAD));
    report("clock_gettime(MONOTONIC, bad)", syscall(SYS_clock_gettime, 1, BAD));
    report("uname(bad)", syscall(SYS_uname, BAD));
    report("getcwd(bad, 100)", syscall(SYS_getcwd, BAD, 100));
    char small[2];
    report("getcwd(buf, 2)", syscall(SYS_getcwd, small, 2));

    report("write(12345, buf, 1)", syscall(SYS_write, 12345, "x", 1));
    report("read(-1, buf, 1)", syscall(SYS_read, -1, small, 1));
    report("close(9999)", syscall(SYS_close, 9999));
    report("fstat(777, buf)", syscall(SYS_fstat, 777, &(struct stat){0}));
    report("lseek(4242, 0, SEEK_SET)", syscall(SYS_lseek, 4242, 0L, SEEK_SET));
    report("dup(5000)", syscall(SYS_dup, 5000));
    report("lseek(file, 0, 99)", syscall(SYS_lseek, fd, 0L, 99));
    report("lseek(file, -100, SEEK_SET)", syscall(SYS_lseek, fd, -100L, SEEK_SET));

    report("syscall(500)", syscall(500, 1, 2, 3));
    report("syscall(100000)", syscall(100000));
    report("syscall(-1)", syscall(-1));

    report("openat(missing)", syscall(SYS_openat, AT_FDCWD, "/nonexistent/jk/x", O_RDONLY));
    report("openat(file as dir)", syscall(SYS_openat, AT_FDCWD, "/dev/null/x", O_RDONLY));
    report("mkdirat(existing)", syscall(SYS_mkdirat, AT_FDCWD, dir, 0700));
    report("unlinkat(dir, 0)", syscall(SYS_unlinkat, AT_FDCWD, dir, 0));

    close(fd);
    unlink(path);
    rmdir(dir);
    return 0;
}
