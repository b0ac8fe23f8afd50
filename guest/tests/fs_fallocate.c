/* fallocate: extending, FALLOC_FL_KEEP_SIZE, punching holes, and the errors. */
#include "fs_common.h"
#include <linux/falloc.h>
#include <stdint.h>

static long size_of(int fd) {
    struct stat st;
    fstat(fd, &st);
    return (long)st.st_size;
}

int main(void) {
    enter_tmpdir();
    int fd = open("f", O_RDWR | O_CREAT | O_TRUNC, 0644);
    T(fallocate(fd, 0, 0, 8192));
    T(size_of(fd));
    T(fallocate(fd, 0, 100, 50));
    T(size_of(fd));
    T(fallocate(fd, FALLOC_FL_KEEP_SIZE, 8192, 8192));
    T(size_of(fd));
    T(fallocate(fd, 0, 10000, 1));
    T(size_of(fd));

    char buf[10001];
    memset(buf, 'a', sizeof buf);
    T(pwrite(fd, buf, sizeof buf, 0));
    T(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 100, 5000));
    T(size_of(fd));
    memset(buf, 'x', sizeof buf);
    T(pread(fd, buf, sizeof buf, 0));
    int zeros = 0, as = 0;
    for (size_t i = 0; i < sizeof buf; i++) {
        if (buf[i] == 0)
            zeros++;
        else if (buf[i] == 'a')
            as++;
    }
    printf("zeros %d, a %d\n", zeros, as);
    T(buf[99] == 'a' && buf[100] == 0 && buf[5099] == 0 && buf[5100] == 'a');
    T(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 9000, 100000));
    T(size_of(fd));
    T(pread(fd, buf, 10, 8995));
    T(buf[4] == 'a' && buf[5] == 0 && buf[9] == 0);

    T(fallocate(fd, FALLOC_FL_PUNCH_HOLE, 0, 10));
    T(fallocate(fd, 0x100, 0, 10));
    T(fallocate(fd, 0, 0, 0));
    T(fallocate(fd, 0, 0, -1));
    T(fallocate(fd, 0, -1, 10));
    T(fallocate(fd, 0, INT64_MAX - 10, 100));
    T(fallocate(-1, 0, 0, 10));
    int ro = open("f", O_RDONLY);
    T(fallocate(ro, 0, 0, 10));
    int path = open("f", O_PATH);
    T(fallocate(path, 0, 0, 10));
    int p[2];
    T(pipe(p));
    T(fallocate(p[1], 0, 0, 10));
    T(fallocate(p[0], 0, 0, 10));
    int dir = open(".", O_RDONLY | O_DIRECTORY);
    T(fallocate(dir, 0, 0, 10));
    int null = open("/dev/null", O_WRONLY);
    T(fallocate(null, 0, 0, 10));
    T(fallocate(null, 0x100, 0, 10));
    int ap = open("f", O_WRONLY | O_APPEND);
    T(fallocate(ap, 0, 0, 20000));
    T(size_of(fd));

    close(fd);
    close(ro);
    close(path);
    close(p[0]);
    close(p[1]);
    close(dir);
    close(null);
    close(ap);
    unlink("f");
    cleanup();
    return 0;
}
