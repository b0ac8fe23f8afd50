/* Directories on tmpfs: link counts and sizes, rmdir, getdents64 offsets that survive removals, renames, hard
 * links, symlinks, attributes. */
#define _GNU_SOURCE
#include "tmpfs_common.h"
#include <stdio.h>

struct linux_dirent64 {
    unsigned long long d_ino;
    long long d_off;
    unsigned short d_reclen;
    unsigned char d_type;
    char d_name[];
};

static void show(const char *path) {
    struct stat st;
    if (lstat(path, &st) != 0) {
        printf("%s: lstat = -1 %s\n", path, strerrorname_np(errno));
        return;
    }
    printf("%s: mode=%o nlink=%ld size=%lld blocks=%lld\n", path, st.st_mode, (long)st.st_nlink,
           (long long)st.st_size, (long long)st.st_blocks);
}

static ino_t ino(const char *path) {
    struct stat st;
    return lstat(path, &st) == 0 ? st.st_ino : 0;
}

/* One entry per call: a buffer that holds exactly one record of a name of up to 4 bytes. Returns the name's
 * length (0 at the end), the name in name, its d_off in off. */
static int next(int fd, char *name, long long *off) {
    char buf[24];
    long r = syscall(SYS_getdents64, fd, buf, sizeof buf);
    if (r <= 0)
        return 0;
    struct linux_dirent64 *d = (void *)buf;
    strcpy(name, d->d_name);
    *off = d->d_off;
    return strlen(name);
}

#define NFILES 20

static void offsets(void) {
    T(mkdir("od", 0755));
    char path[32];
    for (int i = 0; i < NFILES; i++) {
        snprintf(path, sizeof path, "od/f%02d", i);
        close(open(path, O_CREAT | O_WRONLY, 0644));
    }
    int fd = T(open("od", O_RDONLY | O_DIRECTORY));
    int seen[NFILES] = {0}, removed[NFILES] = {0}, dup = 0, dots = 0, files = 0;
    char name[256], saved[256] = "";
    long long off, savedoff = -1;
    /* read ".", ".." and 5 files; remember the offset after the third file */
    while (files < 5 && next(fd, name, &off)) {
        if (name[0] == '.') {
            dots++;
            continue;
        }
        int i = atoi(name + 1);
        dup += seen[i]++;
        if (++files == 3)
            savedoff = off;
        if (files == 4)
            strcpy(saved, name);
    }
    /* remove every other file, seen or not */
    for (int i = 0; i < NFILES; i += 2) {
        snprintf(path, sizeof path, "od/f%02d", i);
        removed[i] = unlink(path) == 0;
    }
    int before[NFILES];
    memcpy(before, seen, sizeof seen);
    while (next(fd, name, &off)) {
        int i = atoi(name + 1);
        dup += seen[i]++;
    }
    int missed = 0, ghosts = 0;
    for (int i = 0; i < NFILES; i++) {
        if (!removed[i] && !seen[i])
            missed++;
        if (removed[i] && !before[i] && seen[i])
            ghosts++;
    }
    int nremoved = 0;
    for (int i = 0; i < NFILES; i++)
        nremoved += removed[i];
    printf("getdents with removals: dots=%d removed=%d duplicates=%d missed=%d removed_but_listed=%d\n", dots,
           nremoved, dup, missed, ghosts);
    /* seeking back to a saved offset resumes after that entry, whatever was removed since */
    T(lseek(fd, savedoff, SEEK_SET) == savedoff);
    int got = next(fd, name, &off);
    int sidx = atoi(saved + 1);
    printf("resume at saved offset: %s\n", !got ? "end" : (removed[sidx] ? strcmp(name, saved) != 0
                                                                         : strcmp(name, saved) == 0)
                                                                ? "ok" : name);
    T(lseek(fd, 0, SEEK_END));
    T(lseek(fd, -1, SEEK_SET));
    T(lseek(fd, 0, SEEK_SET));
    int total = 0;
    while (next(fd, name, &off))
        total++;
    printf("entries after removals: %d\n", total);
    T(close(fd));
    for (int i = 1; i < NFILES; i += 2) {
        snprintf(path, sizeof path, "od/f%02d", i);
        unlink(path);
    }
    /* a removed directory cannot be read */
    fd = T(open("od", O_RDONLY | O_DIRECTORY));
    T(rmdir("od"));
    char buf[256];
    T(syscall(SYS_getdents64, fd, buf, sizeof buf));
    T(close(fd));
}

static void renames(void) {
    T(mkdir("a", 0755));
    T(mkdir("a/b", 0755));
    T(mkdir("a/b/c", 0755));
    T(mkdir("e", 0755));
    T(mkdir("full", 0755));
    T(close(open("full/x", O_CREAT | O_WRONLY, 0644)));
    T(close(open("f1", O_CREAT | O_WRONLY, 0644)));
    T(close(open("f2", O_CREAT | O_WRONLY, 0644)));
    show("a");
    show("a/b");
    T(rename("a", "a/b/c/d"));
    T(rename("a", "a/b"));
    T(rename("a/b", "a"));
    T(rename("a/b/c", "a"));
    T(rename("f1", "e"));
    T(rename("e", "f1"));
    T(rename("e", "full"));
    T(rename("f1", "f1"));
    T(rename("f1/", "f3"));
    T(rename("f1", "f3/"));
    T(rename("nope", "f3"));
    T(rename("a/.", "x"));
    T(rename("a/..", "x"));
    ino_t i2 = ino("f2");
    T(rename("f2", "f1"));
    printf("f1 is f2's inode: %d, f2 gone: %d\n", ino("f1") == i2, access("f2", F_OK) != 0);
    /* a directory onto an empty one, across parents; link counts follow */
    T(rename("a/b/c", "e"));
    show("a/b");
    show("e");
    T(mkdir("a/b/c2", 0755));
    show("a/b");
    T(rename("a/b/c2", "c3"));
    show("a/b");
    show("c3");
    T(rmdir("c3"));
    /* renameat2 flags */
    T(close(open("f2", O_CREAT | O_WRONLY, 0644)));
    T(syscall(SYS_renameat2, AT_FDCWD, "f1", AT_FDCWD, "f2", RENAME_NOREPLACE));
    ino_t a1 = ino("f1"), a2 = ino("f2"), ad = ino("e");
    T(syscall(SYS_renameat2, AT_FDCWD, "f1", AT_FDCWD, "f2", RENAME_EXCHANGE));
    printf("exchanged: %d\n", ino("f1") == a2 && ino("f2") == a1);
    T(syscall(SYS_renameat2, AT_FDCWD, "f1", AT_FDCWD, "e", RENAME_EXCHANGE));
    printf("exchanged file and dir: %d\n", ino("f1") == ad && ino("e") == a2);
    show("e");
    T(syscall(SYS_renameat2, AT_FDCWD, "e", AT_FDCWD, "f1", RENAME_EXCHANGE));
    T(syscall(SYS_renameat2, AT_FDCWD, "f1", AT_FDCWD, "none", RENAME_EXCHANGE));
    T(syscall(SYS_renameat2, AT_FDCWD, "f1", AT_FDCWD, "f2", RENAME_EXCHANGE | RENAME_NOREPLACE));
    T(unlink("f1"));
    T(unlink("f2"));
    T(unlink("full/x"));
    T(rmdir("full"));
    T(rmdir("e"));
    T(rmdir("a/b"));
    T(rmdir("a"));
}

int main(void) {
    enter_shmdir();
    show(".");
    T(mkdir("d", 0755));
    show(".");
    show("d");
    T(close(open("d/f", O_CREAT | O_WRONLY, 0644)));
    T(mkdir("d/s", 0755));
    show("d");
    T(rmdir("d"));
    T(rmdir("d/f"));
    T(rmdir("d/."));
    T(rmdir("d/s/.."));
    T(unlink("d"));
    T(mkdir("d", 0755));
    T(mkdir("d/f", 0755));
    T(unlink("d/f"));
    T(rmdir("d/s"));
    show("d");
    T(unlink("d/f"));

    /* hard links */
    T(close(open("d/f", O_CREAT | O_WRONLY, 0644)));
    T(link("d/f", "d/g"));
    T(link("d/f", "d/h"));
    show("d/f");
    T(link("d", "d2"));
    T(link("d/f", "d/g"));
    T(link("nope", "d/i"));
    printf("same inode: %d\n", ino("d/f") == ino("d/h"));
    T(rename("d/g", "d/f"));
    show("d/f");
    T(unlink("d/f"));
    show("d/g");
    T(unlink("d/g"));
    T(unlink("d/h"));

    /* symlinks: short targets live in the inode, long ones take a page */
    T(symlink("f", "d/short"));
    char target[300];
    memset(target, 'y', 200);
    target[200] = 0;
    T(symlink(target, "d/long"));
    show("d/short");
    show("d/long");
    char back[300];
    long n = T(readlink("d/long", back, sizeof back));
    printf("long target intact: %d\n", n == 200 && memcmp(back, target, 200) == 0);
    T(readlink("d", back, sizeof back));
    char *huge = malloc(4096);
    memset(huge, 'z', 4095);
    huge[4095] = 0;
    T(symlink(huge, "d/huge"));
    show("d/huge");
    T(unlink("d/huge"));
    T(unlink("d/short"));
    T(unlink("d/long"));

    /* attributes */
    T(close(open("d/t", O_CREAT | O_WRONLY, 0640)));
    T(chmod("d/t", 04755));
    show("d/t");
    T(chown("d/t", -1, -1));
    show("d/t");
    struct timespec ts[2] = {{1000000000, 5}, {2000000000, 7}};
    T(utimensat(AT_FDCWD, "d/t", ts, 0));
    struct stat st;
    T(stat("d/t", &st));
    printf("times: a=%lld.%ld m=%lld.%ld\n", (long long)st.st_atim.tv_sec, st.st_atim.tv_nsec,
           (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
    struct timespec omit[2] = {{0, UTIME_OMIT}, {3, 9}};
    T(utimensat(AT_FDCWD, "d/t", omit, 0));
    T(stat("d/t", &st));
    printf("times: a=%lld.%ld m=%lld.%ld\n", (long long)st.st_atim.tv_sec, st.st_atim.tv_nsec,
           (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
    struct stat ds, ps;
    T(stat(".", &ds));
    T(stat("/proc/self", &ps));
    printf("same device as the directory: %d, other than /proc: %d, distinct inodes: %d\n", st.st_dev == ds.st_dev,
           st.st_dev != ps.st_dev, st.st_ino != ds.st_ino);
    T(unlink("d/t"));
    T(rmdir("d"));

    offsets();
    renames();

    /* the working directory follows a rename of its parent */
    T(mkdir("r", 0755));
    T(mkdir("r/s", 0755));
    T(chdir("r/s"));
    T(rename("../../r", "../../r2"));
    char cwd[256];
    printf("getcwd follows the rename: %d\n", getcwd(cwd, sizeof cwd) && strlen(cwd) > 5
                                                    && strcmp(cwd + strlen(cwd) - 5, "/r2/s") == 0);
    T(chdir(".."));
    printf("and so does ..: %d\n", getcwd(cwd, sizeof cwd) && strcmp(cwd + strlen(cwd) - 3, "/r2") == 0);
    T(chdir(tmpdir));
    T(rmdir("r2/s"));
    T(rmdir("r2"));
    show(".");
    cleanup();
    return 0;
}
