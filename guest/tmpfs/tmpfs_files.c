/* Regular files on tmpfs: data, holes and st_blocks, SEEK_DATA/SEEK_HOLE, truncation, O_APPEND, O_TRUNC, O_EXCL,
 * unlinked open files, mappings, statfs. */
#include "tmpfs_common.h"
#include <sys/mman.h>

static void show(const char *what, const char *path) {
    struct stat st;
    if (stat(path, &st) != 0) {
        printf("%s: stat = -1 %s\n", what, strerrorname_np(errno));
        return;
    }
    printf("%s: size=%lld blocks=%lld blksize=%ld nlink=%ld\n", what, (long long)st.st_size,
           (long long)st.st_blocks, (long)st.st_blksize, (long)st.st_nlink);
}

int main(void) {
    enter_shmdir();
    struct statfs sf;
    T(statfs(".", &sf));
    printf("statfs: tmpfs=%d bsize=%ld namelen=%ld blocks_nonzero=%d\n", sf.f_type == TMPFS_MAGIC,
           (long)sf.f_bsize, (long)sf.f_namelen, sf.f_blocks > 0);

    /* write, read back, sizes and blocks */
    int fd = T(open("f", O_CREAT | O_EXCL | O_RDWR, 0644));
    T(open("f", O_CREAT | O_EXCL | O_RDWR, 0644));
    show("new", "f");
    T(write(fd, "hello", 5));
    show("5 bytes", "f");
    char big[10000];
    memset(big, 'x', sizeof big);
    T(write(fd, big, sizeof big));
    show("10005 bytes", "f");
    char buf[64] = {0};
    T(pread(fd, buf, 8, 0));
    printf("head: %.8s\n", buf);
    T(pread(fd, buf, 8, 10004));
    T(pread(fd, buf, 8, 20000));

    /* holes: a write far past the end leaves a hole; it reads as zeros and takes no blocks */
    T(pwrite(fd, "tail", 4, 1 << 20));
    show("sparse", "f");
    T(pread(fd, buf, 4, 500000));
    printf("hole reads zero: %d\n", buf[0] == 0 && buf[1] == 0 && buf[2] == 0 && buf[3] == 0);
    T(lseek(fd, 0, SEEK_DATA));
    T(lseek(fd, 100, SEEK_HOLE));
    T(lseek(fd, 20000, SEEK_HOLE));
    T(lseek(fd, 20000, SEEK_DATA));
    T(lseek(fd, (1 << 20) + 2, SEEK_DATA));
    T(lseek(fd, (1 << 20) + 2, SEEK_HOLE));
    T(lseek(fd, (1 << 20) + 4, SEEK_DATA));
    T(lseek(fd, -1, SEEK_DATA));
    T(lseek(fd, 0, SEEK_END));

    /* truncation: shrinking frees pages and zeroes the tail of the last one; growing makes a hole */
    T(ftruncate(fd, 3));
    show("truncated to 3", "f");
    T(ftruncate(fd, 6000));
    show("grown to 6000", "f");
    memset(buf, 'q', sizeof buf);
    T(pread(fd, buf, 6, 0));
    printf("after regrowth: %c%c%c %d%d%d\n", buf[0], buf[1], buf[2], buf[3], buf[4], buf[5]);
    T(lseek(fd, 0, SEEK_HOLE));
    T(lseek(fd, 4096, SEEK_DATA));
    T(truncate("f", 0));
    show("truncate(path, 0)", "f");
    T(ftruncate(fd, -1));
    T(truncate("nonexistent", 0));
    T(truncate(".", 0));
    T(close(fd));

    /* O_APPEND writes at the end whatever the offset; O_TRUNC empties */
    fd = T(open("f", O_WRONLY | O_APPEND));
    T(write(fd, "abc", 3));
    T(lseek(fd, 0, SEEK_SET));
    T(write(fd, "def", 3));
    T(pwrite(fd, "ghi", 3, 0));
    T(lseek(fd, 0, SEEK_CUR));
    T(close(fd));
    fd = T(open("f", O_RDONLY));
    memset(buf, 0, sizeof buf);
    T(read(fd, buf, sizeof buf));
    printf("appended: %s\n", buf);
    T(close(fd));
    fd = T(open("f", O_RDONLY | O_TRUNC));
    show("O_RDONLY|O_TRUNC", "f");
    T(close(fd));

    /* an unlinked file lives while it is open */
    fd = T(open("gone", O_CREAT | O_RDWR, 0600));
    T(write(fd, "still here", 10));
    T(unlink("gone"));
    T(access("gone", F_OK));
    struct stat st;
    T(fstat(fd, &st));
    printf("unlinked: nlink=%ld size=%lld\n", (long)st.st_nlink, (long long)st.st_size);
    char link[64], target[512];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    long n = readlink(link, target, sizeof target - 1);
    target[n > 0 ? n : 0] = 0;
    printf("fd link ends in (deleted): %d\n", n > 10 && strcmp(target + n - 10, " (deleted)") == 0);
    T(pwrite(fd, "!", 1, 10));
    memset(buf, 0, sizeof buf);
    T(pread(fd, buf, sizeof buf, 0));
    printf("read back: %s\n", buf);

    /* mappings of a tmpfs file */
    int m = T(open("mapped", O_CREAT | O_RDWR, 0644));
    T(write(m, "mapped contents", 15));
    char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, m, 0);
    printf("private map: %d\n", p != MAP_FAILED);
    printf("reads: %.15s, past the end: %d\n", p, p[20]);
    p[0] = 'M';
    memset(buf, 0, sizeof buf);
    T(pread(m, buf, 15, 0));
    printf("file after a private write: %s\n", buf);
    T(munmap(p, 4096));
    char *q = mmap(NULL, 4096, PROT_READ, MAP_SHARED, m, 0);
    printf("shared read-only map: %d reads %.6s\n", q != MAP_FAILED, q);
    T(munmap(q, 4096));
    T(close(m));
    T(unlink("mapped"));
    T(close(fd));

    /* a huge sparse file takes one page */
    fd = T(open("huge", O_CREAT | O_RDWR, 0644));
    T(pwrite(fd, "x", 1, 1LL << 40));
    show("huge", "huge");
    T(ftruncate(fd, 1LL << 50));
    show("huger", "huge");
    T(close(fd));
    T(unlink("huge"));

    T(unlink("f"));
    cleanup();
    return 0;
}
