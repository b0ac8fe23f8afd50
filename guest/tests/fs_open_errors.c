#include "fs_common.h"

int main(void) {
    enter_tmpdir();
    char name[300];
    int fd = T(open("f", O_CREAT | O_WRONLY, 0644));
    T(close(fd));
    T(mkdir("d", 0755));
    T(symlink("f", "lf"));
    T(symlink("loop2", "loop1"));
    T(symlink("loop1", "loop2"));
    T(symlink("nowhere", "dangling"));

    T(open("missing", O_RDONLY));
    T(open("missing/x", O_RDONLY));
    T(open("f/x", O_RDONLY));
    T(open("f/", O_RDONLY));
    T(open("d", O_WRONLY));
    T(open("d", O_RDWR));
    T(open("d", O_RDONLY | O_CREAT, 0644));
    T(open("new/", O_RDWR | O_CREAT, 0644));
    T(open("f", O_CREAT | O_EXCL | O_RDWR, 0644));
    T(open("lf", O_CREAT | O_EXCL | O_RDWR, 0644));
    T(open("lf", O_RDONLY | O_NOFOLLOW));
    T(open("loop1", O_RDONLY));
    T(open("loop1/x", O_RDONLY));
    T(open("f", O_RDONLY | O_DIRECTORY));
    T(open("lf", O_RDONLY | O_DIRECTORY));
    fd = T(open("dangling", O_CREAT | O_WRONLY, 0644));
    T(close(fd));
    T(access("nowhere", F_OK));
    T(unlink("nowhere"));

    memset(name, 'a', 256);
    name[256] = 0;
    T(open(name, O_RDONLY));
    name[255] = 0;
    T(open(name, O_RDONLY));
    char *longp = malloc(5000);
    for (int i = 0; i < 4096; i += 2) { longp[i] = 'd'; longp[i + 1] = '/'; }
    longp[4096] = 0;
    T(open(longp, O_RDONLY));
    longp[4094] = 0;       /* 4094 chars + NUL: within PATH_MAX, walks d/d/d/... */
    T(open(longp, O_RDONLY));
    T(open(BADPTR, O_RDONLY));
    T(open("", O_RDONLY));

    int dfd = T(open("d", O_RDONLY | O_DIRECTORY));
    int ffd = T(open("f", O_RDONLY));
    T(openat(dfd, "../f", O_RDONLY));
    T(openat(ffd, "x", O_RDONLY));
    T(openat(99, "x", O_RDONLY));
    int abs = T(openat(99, "/tmp", O_RDONLY | O_DIRECTORY));
    T(close(abs));
    T(openat(AT_FDCWD, "f", O_RDONLY));
    T(open("d/..", O_RDONLY | O_DIRECTORY) >= 0);
    T(open("/..", O_RDONLY | O_DIRECTORY) >= 0);
    T(open("f", O_RDONLY | O_TMPFILE) < 0);

    T(unlink("f"));
    T(unlink("lf"));
    T(unlink("loop1"));
    T(unlink("loop2"));
    T(unlink("dangling"));
    T(rmdir("d"));
    cleanup();
    return 0;
}
