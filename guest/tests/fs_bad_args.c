#include "fs_common.h"
#include <sys/uio.h>
#include <sys/statfs.h>
#include <sys/ioctl.h>

/* Wild pointers are EFAULT and bad descriptors EBADF, for every file syscall. */
int main(void) {
    enter_tmpdir();
    char buf[64];
    struct stat st;
    int fd = T(open("f", O_CREAT | O_RDWR, 0644));
    T(syscall(SYS_read, 1000, buf, 1));
    T(syscall(SYS_write, -5, buf, 1));
    T(syscall(SYS_read, fd, (void *)-4096L, 16));
    T(syscall(SYS_write, fd, (void *)0x7fffffffffffL, 16));
    T(syscall(SYS_write, fd, buf, -1L));
    T(syscall(SYS_pread64, 1000, buf, 1, 0));
    T(syscall(SYS_pwrite64, fd, BADPTR, 1, 0));
    T(syscall(SYS_readv, 1000, buf, 1));
    T(syscall(SYS_writev, fd, BADPTR, 1));
    T(syscall(SYS_lseek, 1000, 0, SEEK_SET));
    T(syscall(SYS_close, 1000));
    T(syscall(SYS_fstat, 1000, &st));
    T(syscall(SYS_fstat, fd, BADPTR));
    T(syscall(SYS_newfstatat, AT_FDCWD, BADPTR, &st, 0));
    T(syscall(SYS_newfstatat, 1000, "rel", &st, 0));
    T(syscall(SYS_newfstatat, 1000, "", &st, AT_EMPTY_PATH));
    T(syscall(SYS_readlinkat, AT_FDCWD, BADPTR, buf, sizeof buf));
    T(syscall(SYS_getdents64, 1000, buf, sizeof buf));
    T(syscall(SYS_faccessat, AT_FDCWD, BADPTR, F_OK));
    T(syscall(SYS_chdir, BADPTR));
    T(syscall(SYS_fchdir, 1000));
    T(syscall(SYS_mkdirat, 1000, "x", 0755));
    T(syscall(SYS_unlinkat, AT_FDCWD, BADPTR, 0));
    T(syscall(SYS_renameat2, AT_FDCWD, "f", AT_FDCWD, BADPTR, 0));
    T(syscall(SYS_symlinkat, BADPTR, AT_FDCWD, "x"));
    T(syscall(SYS_linkat, AT_FDCWD, "f", 1000, "x", 0));
    T(syscall(SYS_fchmod, 1000, 0644));
    T(syscall(SYS_fchmodat, AT_FDCWD, BADPTR, 0644));
    T(syscall(SYS_fchown, 1000, -1, -1));
    T(syscall(SYS_utimensat, AT_FDCWD, "f", BADPTR, 0));
    T(syscall(SYS_truncate, BADPTR, 0));
    T(syscall(SYS_ftruncate, 1000, 0));
    T(syscall(SYS_fsync, 1000));
    T(syscall(SYS_fdatasync, -1));
    T(syscall(SYS_dup, 1000));
    T(syscall(SYS_dup3, 1000, 5, 0));
    T(syscall(SYS_fcntl, 1000, F_GETFL));
    T(syscall(SYS_fcntl, fd, F_GETLK, BADPTR));
    T(syscall(SYS_ioctl, 1000, FIONREAD, buf));
    T(syscall(SYS_ioctl, fd, FIONREAD, BADPTR));
    T(syscall(SYS_ioctl, fd, FIONBIO, BADPTR));
    T(syscall(SYS_getcwd, BADPTR, 100));
    struct statfs sf;
    T(syscall(SYS_statfs, "/", BADPTR));
    T(syscall(SYS_statfs, BADPTR, &sf));
    T(syscall(SYS_statfs, "missing", &sf));
    T(syscall(SYS_fstatfs, 1000, &sf));
    T(syscall(SYS_fstatfs, fd, &sf));
    T(syscall(SYS_sendfile, fd, 1000, NULL, 1));
    T(syscall(SYS_sendfile, fd, fd, BADPTR, 1));
    T(syscall(SYS_openat, 1000, "x", O_RDONLY));
    T(syscall(SYS_openat, AT_FDCWD, (void *)-1L, O_RDONLY));
    T(syscall(SYS_statx, AT_FDCWD, BADPTR, 0, STATX_BASIC_STATS, buf));
    T(syscall(SYS_umask, 022));
    T(unlink("f"));
    cleanup();
    return 0;
}
