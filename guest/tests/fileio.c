/* File I/O through stdio (fopen/fwrite/fseek/ftell/fread) and raw syscalls, in a mkdtemp directory under /tmp. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

static char dir[] = "/tmp/jkfileioXXXXXX";

static void stdio_part(void)
{
    char path[64];
    snprintf(path, sizeof path, "%s/data.bin", dir);
    FILE *f = fopen(path, "w+b");
    if (!f) { perror("fopen"); exit(1); }
    static uint32_t block[10000];
    for (int i = 0; i < 10000; i++) block[i] = (uint32_t)i * 2654435761u;
    printf("fwrite %zu\n", fwrite(block, sizeof block[0], 10000, f));
    printf("ftell after write %ld\n", ftell(f));
    int r = fseek(f, 4000, SEEK_SET);
    printf("fseek SEEK_SET %d ftell %ld\n", r, ftell(f));
    uint32_t v[4];
    size_t got = fread(v, sizeof v[0], 4, f);
    printf("fread %zu values %u %u %u %u\n", got, v[0], v[1], v[2], v[3]);
    r = fseek(f, -8, SEEK_CUR);
    printf("fseek SEEK_CUR %d ftell %ld\n", r, ftell(f));
    r = fseek(f, -4, SEEK_END);
    printf("fseek SEEK_END %d ftell %ld\n", r, ftell(f));
    got = fread(v, 4, 4, f);
    printf("fread last %zu value %u\n", got, v[0]);
    printf("eof %d\n", feof(f) != 0);
    fseek(f, 0, SEEK_SET);
    fputs("OVERWRITE", f);
    fflush(f);
    fseek(f, 0, SEEK_SET);
    char head[16] = {0};
    got = fread(head, 1, 9, f);
    printf("fread head %zu [%.9s]\n", got, head);
    r = fseek(f, 50000, SEEK_SET);
    printf("fseek past end %d ftell %ld\n", r, ftell(f));
    fputc('!', f);
    printf("fclose %d\n", fclose(f));
    struct stat st;
    r = stat(path, &st);
    printf("stat %d size %lld regular %d\n", r, (long long)st.st_size, S_ISREG(st.st_mode));
    printf("unlink %d\n", unlink(path));
}

static void syscall_part(void)
{
    char path[64];
    snprintf(path, sizeof path, "%s/raw.txt", dir);
    int fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
    printf("open %s\n", fd >= 0 ? "ok" : strerror(errno));
    int again = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
    printf("open O_EXCL again %d errno %s\n", again, errno == EEXIST ? "EEXIST" : strerror(errno));
    printf("write %zd\n", write(fd, "hello, raw world\n", 17));
    struct iovec iov[3] = {{"one ", 4}, {"two ", 4}, {"three\n", 6}};
    printf("writev %zd\n", writev(fd, iov, 3));
    long o1 = lseek(fd, 0, SEEK_CUR);
    long o2 = lseek(fd, 7, SEEK_SET);
    long o3 = lseek(fd, 0, SEEK_END);
    printf("lseek cur %ld set %ld end %ld\n", o1, o2, o3);
    char buf[64] = {0};
    ssize_t n = pread(fd, buf, 9, 7);
    printf("pread %zd [%.9s]\n", n, buf);
    printf("pwrite %zd\n", pwrite(fd, "RAW", 3, 7));
    lseek(fd, 0, SEEK_SET);
    memset(buf, 0, sizeof buf);
    n = read(fd, buf, sizeof buf - 1);
    printf("read %zd [%s]", n, buf);
    printf("read at eof %zd\n", read(fd, buf, 10));
    char a[5] = {0}, b[5] = {0};
    struct iovec rio[2] = {{a, 4}, {b, 4}};
    lseek(fd, 0, SEEK_SET);
    n = readv(fd, rio, 2);
    printf("readv %zd [%s][%s]\n", n, a, b);
    struct stat st;
    int r = fstat(fd, &st);
    printf("fstat %d size %lld mode %o\n", r, (long long)st.st_size, st.st_mode & 0777);
    r = ftruncate(fd, 5);
    printf("ftruncate %d ", r);
    fstat(fd, &st);
    printf("size %lld\n", (long long)st.st_size);
    int fd2 = dup(fd);
    o1 = lseek(fd, 3, SEEK_SET);
    printf("dup shares offset: lseek %ld via dup %ld\n", o1, (long)lseek(fd2, 0, SEEK_CUR));
    int fl = fcntl(fd, F_GETFL);
    printf("fcntl accmode rdwr=%d cloexec=%d\n", (fl & O_ACCMODE) == O_RDWR, fcntl(fd, F_GETFD) & FD_CLOEXEC);
    int c1 = close(fd);
    int c2 = close(fd2);
    int c3 = close(fd);
    printf("close %d %d close again %d errno %s\n", c1, c2, c3, errno == EBADF ? "EBADF" : strerror(errno));
    int ro = open(path, O_RDONLY);
    n = write(ro, "x", 1);
    printf("write to O_RDONLY %zd errno %s\n", n, errno == EBADF ? "EBADF" : strerror(errno));
    close(ro);
    char renamed[64];
    snprintf(renamed, sizeof renamed, "%s/renamed.txt", dir);
    r = rename(path, renamed);
    int a1 = access(path, F_OK);
    printf("rename %d access old %d new %d\n", r, a1, access(renamed, R_OK));
    r = open(path, O_RDONLY);
    printf("open missing %d errno %s\n", r, errno == ENOENT ? "ENOENT" : strerror(errno));
    r = unlink(renamed);
    printf("unlink %d rmdir %d\n", r, rmdir(dir));
}

int main(void)
{
    if (!mkdtemp(dir)) { perror("mkdtemp"); return 1; }
    stdio_part();
    syscall_part();
    return 0;
}
