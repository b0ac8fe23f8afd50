#include "fs_common.h"
#include <sys/sysmacros.h>

static void show(const char *what, struct stat *st) {
    printf("%s: type=%o perm=%o nlink=%ld size=%ld blocks_ok=%d\n", what, st->st_mode & S_IFMT,
           st->st_mode & 07777, (long)st->st_nlink, S_ISDIR(st->st_mode) ? -1L : (long)st->st_size, st->st_blocks >= 0);
}

int main(void) {
    enter_tmpdir();
    umask(022);
    struct stat st, st2, lst;
    int fd = T(open("f", O_CREAT | O_RDWR, 0666));
    T(write(fd, "0123456789", 10));
    T(fstat(fd, &st));
    show("fstat f", &st);
    T(stat("f", &st2));
    printf("same ino/dev: %d\n", st.st_ino == st2.st_ino && st.st_dev == st2.st_dev);
    printf("uid matches: %d gid matches: %d\n", st.st_uid == getuid(), st.st_gid == getgid());
    printf("mtime sane: %d\n", st.st_mtime > 1600000000);

    T(link("f", "hard"));
    T(stat("hard", &st2));
    show("stat hard", &st2);
    printf("hard same ino: %d\n", st.st_ino == st2.st_ino);
    T(symlink("f", "sym"));
    T(lstat("sym", &lst));
    show("lstat sym", &lst);
    T(stat("sym", &st2));
    printf("sym follows: %d\n", st2.st_ino == st.st_ino);
    T(fstatat(AT_FDCWD, "sym", &st2, AT_SYMLINK_NOFOLLOW));
    printf("nofollow is link: %d\n", S_ISLNK(st2.st_mode));

    T(mkdir("d", 0777));
    T(stat("d", &st2));
    show("stat d", &st2);
    int dfd = T(open("d", O_RDONLY | O_DIRECTORY));
    T(fstatat(dfd, "", &st2, AT_EMPTY_PATH));
    printf("empty path is dir: %d\n", S_ISDIR(st2.st_mode));
    T(fstatat(dfd, "", &st2, 0));
    T(fstatat(dfd, "../f", &st2, 0));
    printf("relative to dirfd: %d\n", st2.st_ino == st.st_ino);
    T(fstatat(fd, "", &st2, AT_EMPTY_PATH));
    printf("empty path on file: %d\n", st2.st_ino == st.st_ino);
    T(fstatat(AT_FDCWD, "f", &st2, 0x4000000));
    T(stat("missing", &st2));
    T(stat("f/x", &st2));
    T(stat("f", BADPTR));
    T(fstat(99, &st2));
    T(fstat(-1, &st2));

    /* statx */
    struct statx sx;
    T(statx(AT_FDCWD, "f", 0, STATX_BASIC_STATS, &sx));
    printf("statx: basic=%d size=%lld mode=%o nlink=%u ino_same=%d dev_same=%d\n",
           (sx.stx_mask & STATX_BASIC_STATS) == STATX_BASIC_STATS, (long long)sx.stx_size, sx.stx_mode,
           sx.stx_nlink, sx.stx_ino == st.st_ino,
           makedev(sx.stx_dev_major, sx.stx_dev_minor) == st.st_dev);
    printf("statx mtime matches stat: %d\n", sx.stx_mtime.tv_sec == st.st_mtim.tv_sec &&
           sx.stx_mtime.tv_nsec == st.st_mtim.tv_nsec);
    T(statx(AT_FDCWD, "sym", AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &sx));
    printf("statx link: %d size=%lld\n", S_ISLNK(sx.stx_mode), (long long)sx.stx_size);
    T(statx(fd, "", AT_EMPTY_PATH, STATX_SIZE, &sx));
    printf("statx fd size=%lld\n", (long long)sx.stx_size);
    T(statx(AT_FDCWD, "f", 0x8000000, STATX_BASIC_STATS, &sx));
    T(statx(AT_FDCWD, "f", AT_STATX_FORCE_SYNC | AT_STATX_DONT_SYNC, STATX_BASIC_STATS, &sx));
    T(statx(AT_FDCWD, "f", 0, 0x80000000U, &sx));
    T(statx(AT_FDCWD, "missing", 0, STATX_BASIC_STATS, &sx));
    T(statx(AT_FDCWD, "f", 0, STATX_BASIC_STATS, BADPTR));

    /* stat of the devices and of /proc/self */
    T(stat("/dev/null", &st2));
    printf("/dev/null: chr=%d major=%d minor=%d\n", S_ISCHR(st2.st_mode), major(st2.st_rdev), minor(st2.st_rdev));
    T(stat("/dev/zero", &st2));
    printf("/dev/zero: chr=%d major=%d minor=%d\n", S_ISCHR(st2.st_mode), major(st2.st_rdev), minor(st2.st_rdev));
    T(stat("/proc/self", &st2));
    printf("/proc/self is dir: %d\n", S_ISDIR(st2.st_mode));
    T(lstat("/proc/self", &st2));
    printf("/proc/self is link: %d\n", S_ISLNK(st2.st_mode));

    /* unlinked while open */
    T(unlink("hard"));
    T(unlink("f"));
    T(fstat(fd, &st2));
    printf("after unlink: nlink=%ld size=%ld\n", (long)st2.st_nlink, (long)st2.st_size);
    T(unlink("sym"));
    T(rmdir("d"));
    cleanup();
    return 0;
}
