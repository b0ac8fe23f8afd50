#include "fs_common.h"
#include <stdio.h>
#include <linux/fs.h>

static int touch(const char *p) { int fd = open(p, O_CREAT | O_WRONLY, 0644); if (fd >= 0) close(fd); return fd < 0 ? -1 : 0; }

int main(void) {
    enter_tmpdir();
    char buf[4096];
    T(mkdir("d", 0755));
    T(mkdir("d", 0755));
    T(mkdir("d/", 0755));
    T(mkdir("d/.", 0755));
    T(mkdir("x/y", 0755));
    T(mkdir("e/", 0755));
    T(touch("f"));
    T(mkdir("f/sub", 0755));
    T(touch("d/inner"));
    T(mkdir(BADPTR, 0755));

    T(rmdir("d"));
    T(rmdir("f"));
    T(rmdir("missing"));
    T(rmdir("e/."));
    T(rmdir("e/.."));
    T(unlink("d"));
    T(unlink("missing"));
    T(unlink("f/"));
    T(unlinkat(AT_FDCWD, "e", 0x400));
    T(unlinkat(AT_FDCWD, "e", AT_REMOVEDIR));
    T(mkdir("e", 0755));

    /* rename */
    T(rename("f", "g"));
    T(access("f", F_OK));
    T(access("g", F_OK));
    T(rename("missing", "h"));
    T(rename("g", "d"));
    T(rename("d", "g"));
    T(rename("e", "d"));
    T(rename("d", "d/inside"));
    T(rename("g", "g"));
    T(touch("h"));
    T(rename("g", "h"));
    T(access("g", F_OK));
    T(renameat2(AT_FDCWD, "h", AT_FDCWD, "d/inner", RENAME_NOREPLACE));
    T(renameat2(AT_FDCWD, "h", AT_FDCWD, "g", RENAME_NOREPLACE));
    T(renameat2(AT_FDCWD, "g", AT_FDCWD, "h", RENAME_NOREPLACE | RENAME_EXCHANGE));
    T(renameat2(AT_FDCWD, "g", AT_FDCWD, "h", 0x100));
    T(rename("d/.", "z"));
    T(rename("g", "x/y"));
    T(mkdir("e2", 0755));
    T(rename("e", "e2"));
    T(access("e", F_OK));

    /* links */
    T(link("g", "g2"));
    T(link("g", "g2"));
    T(link("d", "d2"));
    T(link("missing", "m2"));
    T(symlink("g", "s"));
    T(symlink("g", "s"));
    T(symlink("", "s2"));
    T(link("s", "s3"));
    struct stat st;
    T(lstat("s3", &st));
    printf("s3 is a link: %d\n", S_ISLNK(st.st_mode));
    T(linkat(AT_FDCWD, "s", AT_FDCWD, "s4", AT_SYMLINK_FOLLOW));
    T(lstat("s4", &st));
    printf("s4 is a file: %d nlink=%ld\n", S_ISREG(st.st_mode), (long)st.st_nlink);
    T(linkat(AT_FDCWD, "g", AT_FDCWD, "s5", 0x8));

    /* cwd */
    T(chdir("d"));
    char *cwd = getcwd(buf, sizeof buf);
    printf("cwd ends in /d: %d\n", cwd && strcmp(cwd + strlen(cwd) - 2, "/d") == 0);
    T(chdir(".."));
    T(chdir("g"));
    T(chdir("missing"));
    T(syscall(SYS_getcwd, buf, 1));
    T(syscall(SYS_getcwd, buf, strlen(tmpdir) + 1) == (long)strlen(tmpdir) + 1);
    T(syscall(SYS_getcwd, buf, strlen(tmpdir)));
    T(syscall(SYS_getcwd, BADPTR, sizeof buf));
    int dfd = T(open("d", O_RDONLY | O_DIRECTORY));
    T(fchdir(dfd));
    T(access("inner", F_OK));
    int ffd = T(open("../g", O_RDONLY));
    T(fchdir(ffd));
    T(fchdir(99));
    T(chdir(".."));

    /* a removed cwd */
    T(mkdir("gone", 0755));
    T(chdir("gone"));
    T(rmdir("../gone"));
    T(syscall(SYS_getcwd, buf, sizeof buf));
    T(chdir(tmpdir));

    /* .. at the root stays at the root */
    T(chdir("/../../.."));
    printf("cwd=%s\n", getcwd(buf, sizeof buf));
    T(chdir(tmpdir));

    /* cleanup */
    T(unlink("g"));
    T(unlink("g2"));
    T(unlink("s"));
    T(unlink("s3"));
    T(unlink("s4"));
    T(unlink("h"));
    T(unlink("d/inner"));
    T(rmdir("d"));
    T(rmdir("e2"));
    cleanup();
    return 0;
}
