#include "fs_common.h"
#include <limits.h>

int main(int argc, char **argv) {
    enter_tmpdir();
    char buf[PATH_MAX + 1], real[PATH_MAX];
    long n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    printf("readlink exe ok: %d\n", n > 0);
    if (n >= 0) buf[n] = 0;
    printf("exe is absolute: %d\n", buf[0] == '/');
    printf("exe matches argv[0]: %d\n", realpath(argv[0], real) && strcmp(real, buf) == 0);
    char small[4];
    T(readlink("/proc/self/exe", small, 4));
    printf("truncated prefix ok: %d\n", memcmp(small, buf, 4) == 0);
    T(readlink("/proc/self/exe", small, 0));
    T(readlink("/proc/self/exe", BADPTR, 10));

    int fd = T(open("/proc/self/exe", O_RDONLY));
    char magic[4];
    T(read(fd, magic, 4));
    printf("ELF magic: %d\n", memcmp(magic, "\177ELF", 4) == 0);
    T(close(fd));

    /* /proc/self/fd */
    fd = T(open("file", O_CREAT | O_RDWR, 0600));
    T(write(fd, "data", 4));
    char p[64];
    snprintf(p, sizeof p, "/proc/self/fd/%d", fd);
    n = T(readlink(p, buf, sizeof buf - 1));
    if (n >= 0) buf[n] = 0;
    snprintf(real, sizeof real, "%s/file", tmpdir);
    printf("fd link names the file: %d\n", strcmp(buf, real) == 0);
    int fd2 = T(open(p, O_RDONLY));
    char d[5] = {0};
    T(read(fd2, d, 4));
    printf("reopened reads from start: %s\n", d);
    T(lseek(fd, 0, SEEK_CUR));
    T(readlink("/proc/self/fd/999", buf, sizeof buf));
    T(open("/proc/self/fd/999", O_RDONLY));

    /* readlink of non-links and links */
    T(readlink("file", buf, sizeof buf));
    T(readlink("missing", buf, sizeof buf));
    T(readlink(".", buf, sizeof buf));
    T(symlink("some/where/else", "lnk"));
    n = T(readlink("lnk", buf, sizeof buf));
    printf("lnk -> %.*s\n", (int)n, buf);
    memset(buf, 'X', 10);
    T(readlink("lnk", buf, 4));
    printf("no NUL added: %.6s\n", buf);
    T(readlinkat(AT_FDCWD, "lnk", buf, sizeof buf));
    T(readlink("lnk/", buf, sizeof buf));

    /* /proc/self is /proc/<pid> */
    n = readlink("/proc/self", buf, sizeof buf - 1);
    if (n >= 0) buf[n] = 0;
    printf("/proc/self -> pid: %d\n", atoi(buf) == getpid());
    snprintf(p, sizeof p, "/proc/%d/exe", getpid());
    T(access(p, F_OK));
    T(access("/proc/self/no_such_entry", F_OK));
    n = T(readlink("/proc/self/cwd", buf, sizeof buf - 1));
    if (n >= 0) buf[n] = 0;
    printf("cwd link is tmpdir: %d\n", strcmp(buf, tmpdir) == 0);

    /* /proc/self/maps: first line parses as Linux's format */
    FILE *f = fopen("/proc/self/maps", "r");
    printf("maps opened: %d\n", f != NULL);
    if (f) {
        unsigned long lo, hi, off;
        char perms[5];
        int lines = 0, ok = 1, seen_stack = 0;
        char line[512];
        while (fgets(line, sizeof line, f)) {
            if (sscanf(line, "%lx-%lx %4s %lx", &lo, &hi, perms, &off) != 4 || lo >= hi) ok = 0;
            if (strstr(line, "[stack]")) seen_stack = 1;
            lines++;
        }
        printf("maps lines>3: %d well-formed: %d stack: %d\n", lines > 3, ok, seen_stack);
        fclose(f);
    }
    /* /proc/cpuinfo has processor lines */
    f = fopen("/proc/cpuinfo", "r");
    int procs = 0;
    if (f) {
        char line[512];
        while (fgets(line, sizeof line, f))
            if (strncmp(line, "processor", 9) == 0) procs++;
        fclose(f);
    }
    printf("cpuinfo processors>0: %d\n", procs > 0);

    /* /dev/stdout is a link into /proc/self/fd */
    n = T(readlink("/dev/stdout", buf, sizeof buf - 1));
    if (n >= 0) buf[n] = 0;
    printf("/dev/stdout -> %s\n", buf);
    T(unlink("lnk"));
    T(unlink("file"));
    cleanup();
    return 0;
}
