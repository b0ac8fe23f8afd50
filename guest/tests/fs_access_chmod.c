#include "fs_common.h"

int main(void) {
    enter_tmpdir();
    struct stat st;
    T(umask(027));
    T(umask(022));
    int fd = T(open("f", O_CREAT | O_RDWR, 0777));
    T(fstat(fd, &st));
    printf("mode=%o\n", st.st_mode & 07777);
    T(umask(0));
    int fd2 = T(open("g", O_CREAT | O_RDWR, 04751));
    T(fstat(fd2, &st));
    printf("mode=%o\n", st.st_mode & 07777);
    T(mkdir("d", 01777));
    T(stat("d", &st));
    printf("dir mode=%o\n", st.st_mode & 07777);
    T(umask(022));

    T(fchmod(fd, 0600));
    T(fstat(fd, &st));
    printf("mode=%o\n", st.st_mode & 07777);
    T(chmod("f", 0640));
    T(stat("f", &st));
    printf("mode=%o\n", st.st_mode & 07777);
    T(chmod("missing", 0640));
    T(fchmod(99, 0640));
    T(symlink("f", "s"));
    T(chmod("s", 0604));
    T(stat("f", &st));
    printf("chmod follows: mode=%o\n", st.st_mode & 07777);

    T(access("f", F_OK));
    T(access("f", R_OK | W_OK));
    T(access("missing", F_OK));
    T(access("f", 8));
    T(access("f/", F_OK));
    T(faccessat(AT_FDCWD, "s", F_OK, AT_SYMLINK_NOFOLLOW));
    T(syscall(SYS_faccessat2, AT_FDCWD, "f", F_OK, 0x8000));
    T(access(BADPTR, F_OK));
    T(access("d", X_OK));

    /* times */
    struct timespec ts[2] = {{1000000000, 500}, {1200000000, 123456789}};
    T(utimensat(AT_FDCWD, "f", ts, 0));
    T(stat("f", &st));
    printf("atime=%ld.%09ld mtime=%ld.%09ld\n", (long)st.st_atim.tv_sec, st.st_atim.tv_nsec,
           (long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
    struct timespec omit[2] = {{0, UTIME_OMIT}, {5, UTIME_OMIT}};
    T(utimensat(AT_FDCWD, "f", omit, 0));
    struct timespec keep_a[2] = {{0, UTIME_OMIT}, {1300000000, 0}};
    T(futimens(fd, keep_a));
    T(fstat(fd, &st));
    printf("atime=%ld mtime=%ld\n", (long)st.st_atim.tv_sec, (long)st.st_mtim.tv_sec);
    struct timespec bad[2] = {{0, 1000000000}, {0, 0}};
    T(utimensat(AT_FDCWD, "f", bad, 0));
    T(utimensat(AT_FDCWD, "f", ts, 0x4));
    T(utimensat(AT_FDCWD, "missing", ts, 0));
    T(utimensat(AT_FDCWD, "f", NULL, 0));
    T(fstat(fd, &st));
    printf("now is recent: %d\n", st.st_mtime > 1600000000);
    T(utimensat(AT_FDCWD, "s", ts, AT_SYMLINK_NOFOLLOW));
    T(lstat("s", &st));
    printf("link mtime=%ld\n", (long)st.st_mtim.tv_sec);

    /* ownership: to ourselves always works */
    T(chown("f", getuid(), getgid()));
    T(fchown(fd, -1, -1));
    T(lchown("s", getuid(), -1));
    T(fchownat(AT_FDCWD, "f", -1, -1, 0x1));

    T(unlink("s"));
    T(unlink("f"));
    T(unlink("g"));
    T(rmdir("d"));
    cleanup();
    return 0;
}
