/* Named FIFOs on tmpfs: mknodat's types and errors, fifo_open's rules (who waits for whom, O_NONBLOCK, O_RDWR),
 * a writer and a reader in two processes, end of file, EPIPE and SIGPIPE, poll's hangup, an interrupted open. */
#define _GNU_SOURCE
#include "tmpfs_common.h"
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/wait.h>

static void show(const char *path) {
    struct stat st;
    if (lstat(path, &st) != 0) {
        printf("%s: lstat = -1 %s\n", path, strerrorname_np(errno));
        return;
    }
    const char *type = S_ISFIFO(st.st_mode) ? "fifo" : S_ISREG(st.st_mode) ? "reg" : S_ISCHR(st.st_mode) ? "chr"
                       : S_ISSOCK(st.st_mode) ? "sock" : "other";
    printf("%s: %s perm=%o size=%lld nlink=%ld rdev=%u:%u\n", path, type, st.st_mode & 07777,
           (long long)st.st_size, (long)st.st_nlink, major(st.st_rdev), minor(st.st_rdev));
}

static void creation(void) {
    T(mkfifo("f", 0666));
    show("f");
    T(mkfifo("f", 0600));
    T(mkfifo("f/", 0600));
    T(mkfifo("g/", 0600));
    T(mknod("nodir/x", S_IFIFO | 0600, 0));
    close(open("file", O_CREAT | O_WRONLY, 0644));
    T(mknod("file/x", S_IFIFO | 0600, 0));
    T(mknod("d", S_IFDIR | 0755, 0));
    T(mknod("bad", 0170000 | 0644, 0));
    T(mknod("bad", 0110000 | 0644, 0));
    T(mknod("reg", S_IFREG | 0640, 0));
    show("reg");
    T(mknod("zero", 0604, 0));
    show("zero");
    T(mknod("sock", S_IFSOCK | 0600, 0));
    show("sock");
    T(open("sock", O_RDONLY));
    /* A whiteout (character device 0:0) needs no privilege. */
    T(mknod("wh", S_IFCHR | 0600, 0));
    show("wh");
    T(open("wh", O_RDONLY));
    if (geteuid() != 0) {
        T(mknod("null", S_IFCHR | 0666, makedev(1, 3)));
        T(mknod("blk", S_IFBLK | 0600, makedev(7, 0)));
        T(mkdir("ro", 0555));
        T(mkfifo("ro/f", 0600));
        T(mknod("ro/null", S_IFCHR | 0666, makedev(1, 3)));
        T(rmdir("ro"));
    } else {
        /* What an unprivileged user sees, for a root run. */
        printf("mknod(\"null\", S_IFCHR | 0666, makedev(1, 3)) = -1 EPERM\n"
               "mknod(\"blk\", S_IFBLK | 0600, makedev(7, 0)) = -1 EPERM\n"
               "mkdir(\"ro\", 0555) = 0\n"
               "mkfifo(\"ro/f\", 0600) = -1 EACCES\n"
               "mknod(\"ro/null\", S_IFCHR | 0666, makedev(1, 3)) = -1 EACCES\n"
               "rmdir(\"ro\") = 0\n");
    }
    T(syscall(SYS_mknodat, AT_FDCWD, "at", (long)(S_IFIFO | 0620), 0L));
    show("at");
    T(unlink("at"));
    T(unlink("wh"));
    T(unlink("sock"));
    T(unlink("zero"));
    T(unlink("reg"));
    T(unlink("file"));
}

static void nonblocking(void) {
    int w = open("f", O_WRONLY | O_NONBLOCK);
    printf("open(f, O_WRONLY|O_NONBLOCK) without a reader = %d %s\n", w, w < 0 ? strerrorname_np(errno) : "");
    int r = open("f", O_RDONLY | O_NONBLOCK);
    printf("open(f, O_RDONLY|O_NONBLOCK) = %s\n", r >= 0 ? "ok" : strerrorname_np(errno));
    char buf[16];
    T(read(r, buf, sizeof buf));
    struct pollfd p = {r, POLLIN, 0};
    T(poll(&p, 1, 0));
    printf("revents before any writer = %#x\n", p.revents);
    struct stat a, b;
    stat("f", &a);
    fstat(r, &b);
    printf("fstat: fifo=%d size=%lld same inode=%d\n", S_ISFIFO(b.st_mode), (long long)b.st_size,
           a.st_ino == b.st_ino && a.st_dev == b.st_dev);
    w = open("f", O_WRONLY | O_NONBLOCK);
    printf("open(f, O_WRONLY|O_NONBLOCK) with a reader = %s\n", w >= 0 ? "ok" : strerrorname_np(errno));
    T(write(w, "abc", 3));
    int n = 0;
    ioctl(r, FIONREAD, &n);
    printf("FIONREAD = %d\n", n);
    T(read(r, buf, sizeof buf));
    T(read(r, buf, sizeof buf));
    close(w);
    p.revents = 0;
    T(poll(&p, 1, 0));
    printf("revents after the writer closed = %#x\n", p.revents);
    T(read(r, buf, sizeof buf));

    /* The reader goes: a write is EPIPE, with SIGPIPE (blocked here, so it stays pending). */
    w = open("f", O_WRONLY | O_NONBLOCK);
    close(r);
    sigset_t set, pend;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    sigprocmask(SIG_BLOCK, &set, NULL);
    T(write(w, "x", 1));
    sigpending(&pend);
    printf("SIGPIPE pending = %d\n", sigismember(&pend, SIGPIPE));
    p = (struct pollfd){w, POLLOUT, 0};
    T(poll(&p, 1, 0));
    printf("writer revents without a reader = %#x\n", p.revents);
    close(w);
    signal(SIGPIPE, SIG_IGN);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    signal(SIGPIPE, SIG_DFL);
}

static void readwrite(void) {
    /* O_RDWR never waits; what is buffered goes with the last close. */
    int rw = open("f", O_RDWR);
    printf("open(f, O_RDWR) = %s\n", rw >= 0 ? "ok" : strerrorname_np(errno));
    T(write(rw, "hello", 5));
    char buf[16] = {0};
    T(read(rw, buf, 3));
    printf("read %s\n", buf);
    close(rw);
    rw = open("f", O_RDWR | O_NONBLOCK);
    int n = -1;
    ioctl(rw, FIONREAD, &n);
    printf("FIONREAD after reopening = %d\n", n);
    T(read(rw, buf, sizeof buf));
    close(rw);
}

static void twoprocesses(void) {
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        /* The writer: waits for the parent to open for reading. */
        int w = open("f", O_WRONLY);
        if (w < 0)
            _exit(1);
        for (int i = 0; i < 3; i++) {
            char line[16];
            int len = snprintf(line, sizeof line, "line %d\n", i);
            if (write(w, line, len) != len)
                _exit(2);
        }
        close(w);
        _exit(0);
    }
    int r = open("f", O_RDONLY);
    printf("open(f, O_RDONLY) = %s\n", r >= 0 ? "ok" : strerrorname_np(errno));
    char buf[256];
    int total = 0, got;
    while ((got = read(r, buf + total, sizeof buf - 1 - total)) > 0)
        total += got;
    buf[total] = 0;
    printf("read %d bytes, then %d:\n%s", total, got, buf);
    close(r);
    int st;
    waitpid(pid, &st, 0);
    printf("writer exit %d\n", WEXITSTATUS(st));

    /* The other way round: the parent's write-only open waits for the child's reader. */
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        int rd = open("f", O_RDONLY);
        char b[16];
        int k = read(rd, b, sizeof b);
        int e = read(rd, b, sizeof b);
        _exit(k == 4 && e == 0 ? 0 : 3);
    }
    int w = open("f", O_WRONLY);
    printf("open(f, O_WRONLY) = %s\n", w >= 0 ? "ok" : strerrorname_np(errno));
    T(write(w, "ping", 4));
    close(w);
    waitpid(pid, &st, 0);
    printf("reader exit %d\n", WEXITSTATUS(st));
}

static void on_alarm(int sig) {
    (void)sig;
}

static void interrupted(void) {
    struct sigaction sa = {0};
    sa.sa_handler = on_alarm;
    sigaction(SIGALRM, &sa, NULL);
    struct itimerval it = {{0, 0}, {0, 200000}};
    setitimer(ITIMER_REAL, &it, NULL);
    T(open("f", O_RDONLY));
    setitimer(ITIMER_REAL, &it, NULL);
    T(open("f", O_WRONLY));
    signal(SIGALRM, SIG_DFL);
    /* Nobody is left holding it open. */
    T(open("f", O_WRONLY | O_NONBLOCK));
}

int main(void) {
    enter_shmdir();
    umask(022);
    creation();
    nonblocking();
    readwrite();
    twoprocesses();
    interrupted();
    T(unlink("f"));
    cleanup();
    return 0;
}
