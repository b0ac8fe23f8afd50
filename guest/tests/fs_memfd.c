/* memfd_create: read/write/lseek/ftruncate, fstat, readlink of /proc/self/fd, a shared mapping written by a child,
 * reopening through /proc/self/fd, seals (F_ADD_SEALS/F_GET_SEALS and what they refuse), argument errors. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef MFD_NOEXEC_SEAL
#define MFD_NOEXEC_SEAL 8U
#endif
#ifndef MFD_EXEC
#define MFD_EXEC 0x10U
#endif
#ifndef F_SEAL_EXEC
#define F_SEAL_EXEC 0x20
#endif

static int err(long r) { return r < 0 ? errno : 0; }

static int mfd(const char *name, unsigned flags)
{
    return (int)syscall(SYS_memfd_create, name, (long)flags);
}

static void show_link(int fd)
{
    char path[64], link[512] = {0};
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(path, link, sizeof link - 1);
    printf("readlink: %s\n", n > 0 ? link : strerror(errno));
}

static void check_basic(void)
{
    int fd = mfd("basic", MFD_CLOEXEC);
    printf("cloexec %d accmode rdwr %d\n", fcntl(fd, F_GETFD) & FD_CLOEXEC, (fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDWR);
    show_link(fd);
    printf("write: %zd\n", write(fd, "hello, memfd", 12));
    printf("lseek end: %ld\n", (long)lseek(fd, 0, SEEK_END));
    lseek(fd, 0, SEEK_SET);
    char buf[64] = {0};
    printf("read: %zd '%s'\n", read(fd, buf, sizeof buf - 1), buf);
    memset(buf, 0, sizeof buf);
    printf("pread: %zd '%s'\n", pread(fd, buf, 5, 7), buf);
    struct stat st;
    fstat(fd, &st);
    printf("regular %d size %ld nlink %ld mode %o\n", S_ISREG(st.st_mode), (long)st.st_size, (long)st.st_nlink,
           st.st_mode & 07777);
    printf("ftruncate 8192: %s\n", strerror(err(ftruncate(fd, 8192))));
    fstat(fd, &st);
    printf("size %ld\n", (long)st.st_size);
    printf("ftruncate 5: %s\n", strerror(err(ftruncate(fd, 5))));
    memset(buf, 0, sizeof buf);
    printf("pread after shrink: %zd '%s'\n", pread(fd, buf, sizeof buf - 1, 0), buf);

    /* reopened through /proc/self/fd: the same file */
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    int fd2 = open(path, O_RDONLY);
    memset(buf, 0, sizeof buf);
    printf("reopen read: %zd '%s'\n", read(fd2, buf, sizeof buf - 1), buf);
    struct stat st2;
    fstat(fd2, &st2);
    printf("same inode: %d\n", st.st_ino == st2.st_ino && st.st_dev == st2.st_dev);
    close(fd2);
    close(fd);

    /* two memfds are different files, even with one name */
    int a = mfd("same", 0), b = mfd("same", 0);
    write(a, "A", 1);
    fstat(b, &st);
    printf("second is empty: %d\n", st.st_size == 0);
    close(a);
    close(b);
    int e = mfd("", 0);
    show_link(e);
    close(e);
}

static void check_shared_mapping(void)
{
    int fd = mfd("shm", 0);
    ftruncate(fd, 8192);
    char *p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) {
        printf("mmap: %s\n", strerror(errno));
        return;
    }
    strcpy(p, "from parent");
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        strcpy(p + 4096, "from child");
        p[0] = 'F';
        _exit(0);
    }
    int status;
    waitpid(pid, &status, 0);
    char buf[32] = {0};
    pread(fd, buf, sizeof buf - 1, 4096);
    printf("child wrote: '%s'\n", buf);
    memset(buf, 0, sizeof buf);
    pread(fd, buf, 11, 0);
    printf("file: '%s' mapping: '%.11s'\n", buf, p);
    pwrite(fd, "W", 1, 1);
    printf("write seen in mapping: %c\n", p[1]);
    munmap(p, 8192);
    close(fd);
}

static void check_seals(void)
{
    int fd = mfd("noseal", 0);
    printf("default seals: %#x\n", fcntl(fd, F_GET_SEALS));
    printf("add without ALLOW_SEALING: %s\n", strerror(err(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE))));
    close(fd);

    fd = mfd("seal", MFD_ALLOW_SEALING);
    printf("seals: %#x\n", fcntl(fd, F_GET_SEALS));
    write(fd, "0123456789", 10);
    printf("unknown seal: %s\n", strerror(err(fcntl(fd, F_ADD_SEALS, 0x100))));
    printf("add shrink: %s\n", strerror(err(fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK))));
    printf("shrink: %s\n", strerror(err(ftruncate(fd, 5))));
    printf("grow: %s\n", strerror(err(ftruncate(fd, 20))));
    printf("add grow: %s\n", strerror(err(fcntl(fd, F_ADD_SEALS, F_SEAL_GROW))));
    printf("grow: %s\n", strerror(err(ftruncate(fd, 30))));
    printf("same size: %s\n", strerror(err(ftruncate(fd, 20))));
    printf("write past end: %s\n", strerror(err(pwrite(fd, "x", 1, 20))));
    printf("write straddling end: %zd\n", pwrite(fd, "abcd", 4, 18));
    printf("write inside: %zd\n", pwrite(fd, "x", 1, 0));
    printf("add write: %s\n", strerror(err(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE))));
    printf("write: %s\n", strerror(err(pwrite(fd, "x", 1, 0))));
    void *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    printf("shared writable mmap: %s\n", m == MAP_FAILED ? strerror(errno) : "ok");
    m = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
    printf("shared read-only mmap: %s\n", m == MAP_FAILED ? strerror(errno) : "ok");
    m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    printf("private writable mmap: %s\n", m == MAP_FAILED ? strerror(errno) : "ok");
    printf("add seal: %s\n", strerror(err(fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL))));
    printf("seals: %#x\n", fcntl(fd, F_GET_SEALS));
    printf("add after seal: %s\n", strerror(err(fcntl(fd, F_ADD_SEALS, F_SEAL_FUTURE_WRITE))));
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    int ro = open(path, O_RDONLY);
    printf("add through read-only fd: %s\n", strerror(err(fcntl(ro, F_ADD_SEALS, F_SEAL_SEAL))));
    printf("get through read-only fd: %#x\n", fcntl(ro, F_GET_SEALS));
    close(ro);
    close(fd);

    fd = mfd("future", MFD_ALLOW_SEALING);
    write(fd, "abc", 3);
    printf("add future write: %s\n", strerror(err(fcntl(fd, F_ADD_SEALS, F_SEAL_FUTURE_WRITE))));
    printf("write: %s\n", strerror(err(write(fd, "x", 1))));
    printf("truncate: %s\n", strerror(err(ftruncate(fd, 1))));
    close(fd);

    fd = mfd("noexec", MFD_NOEXEC_SEAL);
    struct stat st;
    fstat(fd, &st);
    printf("noexec: mode %o seals %#x\n", st.st_mode & 07777, fcntl(fd, F_GET_SEALS));
    close(fd);

    int p[2];
    pipe(p);
    printf("pipe get seals: %s\n", strerror(err(fcntl(p[0], F_GET_SEALS))));
    close(p[0]);
    close(p[1]);
}

static void check_errors(void)
{
    printf("unknown flag: %s\n", strerror(err(mfd("x", 0x100))));
    printf("exec and noexec: %s\n", strerror(err(mfd("x", MFD_EXEC | MFD_NOEXEC_SEAL))));
    printf("bad pointer: %s\n", strerror(err(syscall(SYS_memfd_create, (void *)8, 0L))));
    char name[300];
    memset(name, 'n', sizeof name);
    name[249] = 0;
    int fd = mfd(name, 0);
    printf("249 bytes: %s\n", fd >= 0 ? "ok" : strerror(errno));
    if (fd >= 0) {
        char path[64], link[512] = {0};
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
        ssize_t n = readlink(path, link, sizeof link - 1);
        printf("link length %zd\n", n);
        close(fd);
    }
    name[249] = 'n';
    name[250] = 0;
    printf("250 bytes: %s\n", strerror(err(mfd(name, 0))));
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    check_basic();
    check_shared_mapping();
    check_seals();
    check_errors();
    return 0;
}
