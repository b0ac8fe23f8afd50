#include "fs_common.h"
#include <sys/uio.h>

int main(void) {
    enter_tmpdir();
    char buf[64];
    int fd = T(open("f", O_CREAT | O_RDWR | O_TRUNC, 0644));
    T(write(fd, "hello world", 11));
    T(lseek(fd, 0, SEEK_CUR));
    T(lseek(fd, 0, SEEK_SET));
    memset(buf, 0, sizeof buf);
    T(read(fd, buf, 5));
    printf("buf=%s\n", buf);
    T(lseek(fd, -3, SEEK_END));
    memset(buf, 0, sizeof buf);
    T(read(fd, buf, sizeof buf));
    printf("buf=%s\n", buf);
    T(read(fd, buf, sizeof buf));
    T(lseek(fd, 100, SEEK_SET));
    T(read(fd, buf, 1));
    T(lseek(fd, -1, SEEK_SET));
    T(lseek(fd, -200, SEEK_CUR));
    T(lseek(fd, 0, 5));
    T(lseek(fd, 2, SEEK_DATA));
    T(lseek(fd, 2, SEEK_HOLE));
    T(lseek(fd, 11, SEEK_DATA));
    T(lseek(fd, 4, SEEK_SET));
    memset(buf, 0, sizeof buf);
    T(pread(fd, buf, 5, 6));
    printf("buf=%s\n", buf);
    T(lseek(fd, 0, SEEK_CUR));
    T(pwrite(fd, "W", 1, 6));
    T(lseek(fd, 0, SEEK_CUR));
    T(pread(fd, buf, 1, -1));
    T(pwrite(fd, "x", 1, -5));
    T(pread(fd, buf, 11, 0));
    printf("buf=%.11s\n", buf);

    /* a hole: pwrite past the end */
    T(pwrite(fd, "Z", 1, 20));
    T(lseek(fd, 0, SEEK_END));
    memset(buf, 'q', sizeof buf);
    T(pread(fd, buf, 21, 0));
    printf("hole bytes zero: %d\n", buf[11] == 0 && buf[19] == 0 && buf[20] == 'Z');

    /* readv / writev / preadv / pwritev */
    struct iovec iov[3];
    char a[4] = {0}, b[8] = {0};
    iov[0].iov_base = "abc"; iov[0].iov_len = 3;
    iov[1].iov_base = "defgh"; iov[1].iov_len = 5;
    T(lseek(fd, 0, SEEK_SET));
    T(writev(fd, iov, 2));
    T(lseek(fd, 0, SEEK_SET));
    iov[0].iov_base = a; iov[0].iov_len = 3;
    iov[1].iov_base = b; iov[1].iov_len = 5;
    T(readv(fd, iov, 2));
    printf("a=%s b=%s\n", a, b);
    T(pwritev(fd, iov, 2, 30));
    memset(a, 0, 4); memset(b, 0, 8);
    T(preadv(fd, iov, 2, 30));
    printf("a=%s b=%s\n", a, b);
    T(readv(fd, iov, -1));
    T(readv(fd, iov, 1025));
    T(readv(fd, iov, 0));
    T(readv(fd, BADPTR, 2));
    iov[0].iov_len = (size_t)-1;
    T(readv(fd, iov, 2));
    T(preadv(fd, iov, 1, -1));

    /* access modes */
    int ro = T(open("f", O_RDONLY));
    int wo = T(open("f", O_WRONLY));
    T(write(ro, "x", 1));
    T(read(wo, buf, 1));
    T(pwrite(ro, "x", 1, 0));
    T(pread(wo, buf, 1, 0));
    T(ftruncate(ro, 0));
    T(read(ro, BADPTR, 4));
    T(write(wo, BADPTR, 4));
    T(read(ro, buf, 0));
    T(write(wo, buf, 0));

    /* O_APPEND */
    int ap = T(open("f", O_WRONLY | O_APPEND));
    T(lseek(ap, 0, SEEK_SET));
    T(write(ap, "END", 3));
    T(lseek(ap, 0, SEEK_CUR));
    T(pwrite(ap, "P", 1, 0));
    struct stat st;
    T(fstat(fd, &st));
    printf("size=%ld\n", (long)st.st_size);
    T(pread(fd, buf, 4, st.st_size - 4));
    printf("tail=%.4s\n", buf);

    /* truncation */
    T(ftruncate(fd, 5));
    T(fstat(fd, &st));
    printf("size=%ld\n", (long)st.st_size);
    T(ftruncate(fd, 10000));
    T(fstat(fd, &st));
    printf("size=%ld\n", (long)st.st_size);
    T(pread(fd, buf, 4, 9990));
    printf("zero=%d\n", buf[0] == 0 && buf[3] == 0);
    T(ftruncate(fd, -1));
    T(truncate("f", 3));
    T(truncate("missing", 3));
    T(truncate(".", 3));
    T(fstat(fd, &st));
    printf("size=%ld\n", (long)st.st_size);
    int tr = T(open("f", O_RDWR | O_TRUNC));
    T(fstat(fd, &st));
    printf("size=%ld\n", (long)st.st_size);
    T(fsync(fd));
    T(fdatasync(fd));
    T(close(tr));

    /* directories */
    int d = T(open(".", O_RDONLY | O_DIRECTORY));
    T(read(d, buf, 1));
    T(write(d, buf, 1));
    T(pread(d, buf, 1, 0));

    /* sendfile */
    T(pwrite(fd, "0123456789", 10, 0));
    int out = T(open("g", O_CREAT | O_RDWR | O_TRUNC, 0600));
    off_t off = 2;
    T(syscall(SYS_sendfile, out, fd, &off, 5));
    printf("off=%ld\n", (long)off);
    T(lseek(fd, 0, SEEK_CUR));
    memset(buf, 0, sizeof buf);
    T(pread(out, buf, 10, 0));
    printf("buf=%s\n", buf);
    T(syscall(SYS_sendfile, out, ro, NULL, 100));
    T(syscall(SYS_sendfile, ro, fd, NULL, 1));
    T(syscall(SYS_sendfile, ap, fd, NULL, 1));

    T(unlink("f"));
    T(unlink("g"));
    cleanup();
    return 0;
}
