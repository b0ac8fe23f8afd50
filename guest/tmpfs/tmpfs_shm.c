/* POSIX shared memory in /dev/shm: MAP_SHARED mappings of a tmpfs file are the file's own pages, for every mapping in
 * every process, and for read(2) and write(2); process-shared futexes in them wake across separate mappings. */
#include "tmpfs_common.h"
#include <linux/futex.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>

static sigjmp_buf env;

static void on_bus(int sig) {
    siglongjmp(env, sig);
}

static long futex(int *addr, int op, int val, const struct timespec *ts) {
    return syscall(SYS_futex, addr, op, val, ts, NULL, 0);
}

int main(void) {
    char name[64];
    snprintf(name, sizeof name, "/jktm-shm-%d", (int)getpid());
    int fd = shm_open(name, O_CREAT | O_EXCL | O_RDWR, 0600);
    printf("shm_open: %d\n", fd >= 0);
    T(ftruncate(fd, 2 * 4096));
    char *p = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    char *q = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    printf("two shared maps: %d\n", p != MAP_FAILED && q != MAP_FAILED && p != q);
    strcpy(p + 4096, "through p");
    printf("q sees p's store: %s\n", q + 4096);
    char buf[32] = {0};
    T(pread(fd, buf, 9, 4096));
    printf("read(2) sees it: %s\n", buf);
    T(pwrite(fd, "by pwrite", 9, 100));
    printf("the maps see write(2): %.9s %.9s\n", p + 100, q + 100);
    struct stat st;
    T(fstat(fd, &st));
    printf("size=%lld blocks=%lld\n", (long long)st.st_size, (long long)st.st_blocks);

    /* another process, mapping the object by name on its own, writes and wakes a futex */
    int *word = (int *)(p + 2048);
    *word = 0;
    fflush(stdout);
    pid_t c = fork();
    if (c == 0) {
        int cfd = shm_open(name, O_RDWR, 0);
        char *m = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, cfd, 0);
        if (m == MAP_FAILED)
            _exit(2);
        strcpy(m + 200, "from the child");
        /* wake until the parent, waiting on the word through its own mapping, is woken */
        int *w = (int *)(m + 2048);
        for (int i = 0; i < 3000; i++) {
            if (futex(w, FUTEX_WAKE, 1, NULL) == 1)
                _exit(0);
            usleep(10000);
        }
        _exit(3);
    }
    struct timespec ts = {30, 0};
    long r = futex(word, FUTEX_WAIT, 0, &ts);
    int werr = r < 0 ? errno : 0;
    int status;
    waitpid(c, &status, 0);
    printf("parent woken through the child's mapping: %s\n", r == 0 ? "yes" : strerrorname_np(werr));
    printf("child exit: %d\n", WEXITSTATUS(status));
    printf("parent sees the child's store: %s\n", p + 200);

    /* past the end of the file: SIGBUS */
    char *big = mmap(NULL, 4 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    struct sigaction sa = {0};
    sa.sa_handler = on_bus;
    sigaction(SIGBUS, &sa, NULL);
    int sig = sigsetjmp(env, 1);
    if (sig == 0) {
        big[3 * 4096] = 1;
        printf("store past the end: no signal\n");
    } else {
        printf("store past the end: %s\n", sig == SIGBUS ? "SIGBUS" : "other signal");
    }
    T(munmap(big, 4 * 4096));

    /* read-only opens map read-only */
    char path[128];
    snprintf(path, sizeof path, "/dev/shm%s", name);
    int ro = T(open(path, O_RDONLY));
    printf("shared writable map of a read-only fd: %s\n",
           mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0) == MAP_FAILED ? strerrorname_np(errno) : "ok");
    char *rm = mmap(NULL, 4096, PROT_READ, MAP_SHARED, ro, 0);
    printf("read-only map reads: %.9s\n", rm + 100);
    T(mprotect(rm, 4096, PROT_READ | PROT_WRITE));
    T(close(ro));

    /* unlinked and closed, the object lives in its mappings */
    T(shm_unlink(name));
    T(close(fd));
    strcpy(q + 4000, "after unlink");
    printf("p sees q after unlink and close: %s\n", p + 4000);
    T(munmap(p, 2 * 4096));
    T(munmap(q, 2 * 4096));
    T(munmap(rm, 4096));
    return 0;
}
