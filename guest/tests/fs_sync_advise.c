/* sync, syncfs, sync_file_range, fadvise64, readahead, preadv2/pwritev2: results and errors. */
#include "fs_common.h"
#include <sys/uio.h>

int main(void) {
    enter_tmpdir();
    int fd = open("f", O_RDWR | O_CREAT | O_TRUNC, 0644);
    T(write(fd, "hello world", 11));
    int p[2];
    T(pipe(p));
    int ro = open("f", O_RDONLY);
    int path = open("f", O_PATH);

    sync();
    printf("sync done\n");
    T(syscall(SYS_syncfs, fd));
    T(syscall(SYS_syncfs, -1));
    T(syscall(SYS_syncfs, path));
    T(syscall(SYS_syncfs, p[0]));

    T(syscall(SYS_sync_file_range, fd, 0L, 0L, 0L));
    T(syscall(SYS_sync_file_range, fd, 0L, 11L, 7L));
    T(syscall(SYS_sync_file_range, fd, 0L, 11L, 8L));
    T(syscall(SYS_sync_file_range, fd, -1L, 11L, 0L));
    T(syscall(SYS_sync_file_range, fd, 10L, -20L, 0L));
    T(syscall(SYS_sync_file_range, p[0], 0L, 0L, 0L));
    T(syscall(SYS_sync_file_range, -1, 0L, 0L, 0L));
    T(syscall(SYS_sync_file_range, -1, 0L, 0L, 8L));

    for (long adv = 0; adv <= 6; adv++) {
        char what[64];
        snprintf(what, sizeof what, "fadvise64(fd, advice %ld)", adv);
        report(what, syscall(SYS_fadvise64, fd, 0L, 100L, adv));
    }
    T(syscall(SYS_fadvise64, fd, 0L, -1L, 0L));
    T(syscall(SYS_fadvise64, fd, 5L, 0L, 4L));
    T(syscall(SYS_fadvise64, p[0], 0L, 100L, 0L));
    T(syscall(SYS_fadvise64, p[1], 0L, 100L, 99L));
    T(syscall(SYS_fadvise64, -1, 0L, 100L, 0L));
    T(syscall(SYS_fadvise64, path, 0L, 100L, 0L));
    T(syscall(SYS_fadvise64, ro, 0L, 100L, 3L));

    T(syscall(SYS_readahead, fd, 0L, 4096L));
    T(syscall(SYS_readahead, ro, 0L, 4096L));
    T(syscall(SYS_readahead, p[0], 0L, 4096L));
    T(syscall(SYS_readahead, p[1], 0L, 4096L));
    T(syscall(SYS_readahead, -1, 0L, 4096L));
    int wo = open("f", O_WRONLY);
    T(syscall(SYS_readahead, wo, 0L, 4096L));
    int dir = open(".", O_RDONLY | O_DIRECTORY);
    T(syscall(SYS_readahead, dir, 0L, 4096L));

    char a[6] = {0}, b[6] = {0};
    struct iovec iov[2] = {{a, 5}, {b, 5}};
    T(preadv2(fd, iov, 2, 1, 0));
    printf("read [%s][%s]\n", a, b);
    T(lseek(fd, 6, SEEK_SET));
    memset(a, 0, sizeof a);
    T(preadv2(fd, iov, 1, -1, 0));
    printf("read [%s]\n", a);
    T(lseek(fd, 0, SEEK_CUR));
    T(preadv2(fd, iov, 1, 0, RWF_HIPRI));
    T(preadv2(fd, iov, 1, 0, 0x10000000));
    T(preadv2(fd, iov, 1, -2, 0));
    T(preadv2(p[0], iov, 1, 0, 0));
    T(preadv2(wo, iov, 1, 0, 0));
    T(preadv2(-1, iov, 1, 0, 0));
    struct iovec w[2] = {{"AB", 2}, {"CD", 2}};
    T(pwritev2(fd, w, 2, 0, RWF_DSYNC));
    T(pwritev2(fd, w, 1, 4, RWF_SYNC));
    T(lseek(fd, 0, SEEK_CUR));
    T(pwritev2(fd, w, 1, -1, 0));
    T(lseek(fd, 0, SEEK_CUR));
    T(pwritev2(fd, w, 1, 0, 0x10000000));
    T(pwritev2(ro, w, 1, 0, 0));
    T(pwritev2(p[1], w, 2, -1, 0));
    T(read(p[0], a, 4));
    T(pwritev2(p[1], w, 2, 0, 0));
    char all[32] = {0};
    T(pread(fd, all, sizeof all - 1, 0));
    printf("file [%s]\n", all);

    close(fd);
    close(ro);
    close(wo);
    close(path);
    close(dir);
    close(p[0]);
    close(p[1]);
    unlink("f");
    cleanup();
    return 0;
}
