#include "fs_common.h"
#include <dirent.h>

struct linux_dirent64 {
    unsigned long long d_ino;
    long long d_off;
    unsigned short d_reclen;
    unsigned char d_type;
    char d_name[];
};

static int cmp(const void *a, const void *b) { return strcmp(*(char **)a, *(char **)b); }

/* Lists fd with getdents64 in buffers of bufsize bytes; prints the sorted names with their types. */
static void list(int fd, int bufsize) {
    char *names[64];
    int n = 0, calls = 0, offs_ok = 1;
    char buf[4096];
    for (;;) {
        long r = syscall(SYS_getdents64, fd, buf, bufsize);
        if (r < 0) { printf("getdents64 = -1 %s\n", strerrorname_np(errno)); return; }
        if (r == 0) break;
        calls++;
        for (long off = 0; off < r;) {
            struct linux_dirent64 *d = (void *)(buf + off);
            if (d->d_reclen % 8 != 0 || d->d_reclen < 20) offs_ok = 0;
            char *s = malloc(300);
            snprintf(s, 300, "%s type=%d ino_nonzero=%d", d->d_name, d->d_type, d->d_ino != 0);
            names[n++] = s;
            off += d->d_reclen;
        }
    }
    qsort(names, n, sizeof *names, cmp);
    for (int i = 0; i < n; i++) printf("  %s\n", names[i]);
    printf("entries=%d multiple_calls=%d reclen_ok=%d\n", n, calls > 1, offs_ok);
}

int main(void) {
    enter_tmpdir();
    T(mkdir("d", 0755));
    T(chdir("d"));
    T(close(open("file_a", O_CREAT | O_WRONLY, 0644)));
    T(close(open("file_b", O_CREAT | O_WRONLY, 0644)));
    T(mkdir("sub", 0755));
    T(symlink("file_a", "link"));
    char longname[200];
    memset(longname, 'L', 150);
    longname[150] = 0;
    T(close(open(longname, O_CREAT | O_WRONLY, 0644)));
    T(chdir(".."));

    int fd = T(open("d", O_RDONLY | O_DIRECTORY));
    printf("big buffer:\n");
    list(fd, 4096);
    printf("again at end:\n");
    list(fd, 4096);
    T(lseek(fd, 0, SEEK_SET));
    printf("small buffer:\n");
    list(fd, 200);
    T(lseek(fd, 0, SEEK_SET));
    char buf[64];
    T(syscall(SYS_getdents64, fd, buf, 10));
    T(syscall(SYS_getdents64, fd, buf, 0));
    T(syscall(SYS_getdents64, fd, BADPTR, 4096));
    T(syscall(SYS_getdents64, 99, buf, sizeof buf));
    int f = T(open("d/file_a", O_RDONLY));
    T(syscall(SYS_getdents64, f, buf, sizeof buf));

    /* resuming at a d_off cookie */
    T(lseek(fd, 0, SEEK_SET));
    char big[4096];
    long r = T(syscall(SYS_getdents64, fd, big, sizeof big));
    struct linux_dirent64 *first = (void *)big;
    struct linux_dirent64 *second = (void *)(big + first->d_reclen);
    char secondname[256];
    strcpy(secondname, second->d_name);
    T(lseek(fd, first->d_off, SEEK_SET) == first->d_off);
    T(syscall(SYS_getdents64, fd, big, sizeof big) == r - first->d_reclen);
    printf("resumed at second entry: %d\n", strcmp(((struct linux_dirent64 *)big)->d_name, secondname) == 0);

    /* readdir(3) over the same directory */
    DIR *dir = opendir("d");
    int count = 0;
    while (readdir(dir)) count++;
    printf("readdir count=%d\n", count);
    closedir(dir);

    T(unlink("d/file_a"));
    T(unlink("d/file_b"));
    T(unlink("d/link"));
    char p[300];
    snprintf(p, sizeof p, "d/%s", longname);
    T(unlink(p));
    T(rmdir("d/sub"));
    /* an emptied directory still lists . and .. */
    T(lseek(fd, 0, SEEK_SET));
    printf("emptied:\n");
    list(fd, 4096);
    T(rmdir("d"));
    T(lseek(fd, 0, SEEK_SET));
    printf("removed:\n");
    list(fd, 4096);
    cleanup();
    return 0;
}
