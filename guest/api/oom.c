/*
 * Memory-limit tests for the embedding API (src/test/java/dev/jkernel/api/MemoryLimitTest.java): run under a small
 * JKernel.Builder.memoryLimit. Not a tests/ program: native Linux cannot run it under the same limit (it would need a
 * memory cgroup), so there is no native oracle; the Java test checks what it prints.
 *
 *   oom child MB     a child touches up to MB MiB, 1 MiB mapping at a time, until the OOM killer kills it; the
 *                    parent reports how the child ended and that it can still allocate itself
 *   oom cow MB       the parent touches MB MiB, forks, the child writes every page (copy-on-write copies)
 *   oom hold MB      touches MB MiB, says "held", then sleeps until killed
 *   oom grow MB      touches MB MiB, says how much it got
 *   oom info         the memory the guest is told the machine has: sysinfo's totalram, /proc/meminfo's MemTotal
 *   oom mmap MB      whether one private writable mapping of MB MiB is granted (overcommit heuristic)
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>
#include <unistd.h>

#define MiB (1L << 20)

static void touch(char *p, long len) {
    for (long j = 0; j < len; j += 4096)
        p[j] = 1;
}

/* Touches up to mb MiB in 1 MiB mappings; returns how many it got (only if not killed first). */
static long hog(long mb) {
    long i;
    for (i = 0; i < mb; i++) {
        char *p = mmap(0, MiB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
            break;
        touch(p, MiB);
    }
    return i;
}

static void report(const char *who, int st) {
    if (WIFSIGNALED(st))
        printf("%s: killed by signal %d\n", who, WTERMSIG(st));
    else
        printf("%s: exited %d\n", who, WEXITSTATUS(st));
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: oom child MB|cow MB|hold MB|grow MB|info|mmap MB\n");
        return 2;
    }
    const char *cmd = argv[1];
    long mb = argc > 2 ? atol(argv[2]) : 0;
    if (!strcmp(cmd, "child")) {
        fflush(stdout);
        pid_t c = fork();
        if (c < 0) {
            perror("fork");
            return 1;
        }
        if (c == 0) {
            long got = hog(mb);
            printf("child: touched %ld MiB\n", got);
            return 0;
        }
        int st;
        if (waitpid(c, &st, 0) != c) {
            perror("waitpid");
            return 1;
        }
        report("child", st);
        /* The child's memory came back: the parent can use some now. */
        printf("parent: touched %ld MiB\n", hog(4));
        return 0;
    }
    if (!strcmp(cmd, "cow")) {
        char *p = mmap(0, mb * MiB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) {
            perror("mmap");
            return 1;
        }
        touch(p, mb * MiB);
        fflush(stdout);
        pid_t c = fork();
        if (c == 0) {
            touch(p, mb * MiB); /* every page copied */
            printf("child: copied %ld MiB\n", mb);
            return 0;
        }
        int st;
        waitpid(c, &st, 0);
        report("child", st);
        return 0;
    }
    if (!strcmp(cmd, "hold")) {
        printf("held %ld MiB\n", hog(mb));
        fflush(stdout);
        for (;;)
            pause();
    }
    if (!strcmp(cmd, "grow")) {
        printf("grew %ld MiB\n", hog(mb));
        return 0;
    }
    if (!strcmp(cmd, "info")) {
        struct sysinfo si;
        if (sysinfo(&si) != 0) {
            perror("sysinfo");
            return 1;
        }
        printf("sysinfo totalram %lu\n", (unsigned long)si.totalram * si.mem_unit);
        FILE *f = fopen("/proc/meminfo", "r");
        char line[256];
        while (f && fgets(line, sizeof line, f))
            if (!strncmp(line, "MemTotal:", 9))
                fputs(line, stdout);
        if (f)
            fclose(f);
        printf("sysconf physpages %ld\n", sysconf(_SC_PHYS_PAGES));
        return 0;
    }
    if (!strcmp(cmd, "mmap")) {
        void *p = mmap(0, mb * MiB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        printf("mmap %ld MiB: %s\n", mb, p == MAP_FAILED ? strerror(errno) : "ok");
        void *q = mmap(0, mb * MiB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        printf("mmap %ld MiB noreserve: %s\n", mb, q == MAP_FAILED ? strerror(errno) : "ok");
        void *r = mmap(0, mb * MiB, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        printf("mmap %ld MiB read-only: %s\n", mb, r == MAP_FAILED ? strerror(errno) : "ok");
        return 0;
    }
    fprintf(stderr, "oom: bad command %s\n", cmd);
    return 2;
}
