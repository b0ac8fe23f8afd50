/* The seed test of Linux's kernel_clone_args series (Christian Brauner, "ia64: enable HAVE_COPY_THREAD_TLS, switch to
 * kernel_clone_args", 2020), ported to riscv64 and generic Linux: 1000 rounds of
 *   - the raw clone syscall as fork: syscall(SYS_clone, SIGCHLD, 0, NULL, NULL, 0), then wait;
 *   - clone3 with struct clone_args of each published size (VER0 64, VER1 80, VER2 88 bytes), then wait
 *     (ia64's clone2 has no riscv64 counterpart; clone3 is the other entry point into kernel_clone there);
 *   - glibc's clone() with a malloc'd 8 MiB stack, then wait.
 * The original prints a line per call on stderr; this one counts and prints totals. */
#include "proc_common.h"
#include <sched.h>

/* struct clone_args, spelled out so the test does not depend on the kernel headers' version. */
struct clone_args_v2 {
    uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls; /* VER0: 64 bytes */
    uint64_t set_tid, set_tid_size;                                                    /* VER1: 80 bytes */
    uint64_t cgroup;                                                                   /* VER2: 88 bytes */
};

static pid_t raw_clone(void)
{
    return syscall(SYS_clone, (long)SIGCHLD, 0L, NULL, NULL, 0L);
}

static pid_t raw_clone3(size_t size)
{
    struct clone_args_v2 args;
    memset(&args, 0, sizeof args);
    args.exit_signal = SIGCHLD;
    return syscall(SYS_clone3, &args, size);
}

#define STACK_SIZE (8 * 1024 * 1024)

static int libc_clone_child(void *data)
{
    (void)data;
    _exit(EXIT_SUCCESS);
}

static pid_t libc_clone(void **stackp)
{
    char *stack = malloc(STACK_SIZE);
    *stackp = stack;
    if (!stack)
        return -1;
    return clone(libc_clone_child, stack + STACK_SIZE, SIGCHLD, NULL);
}

enum { ROUNDS = 1000 };

int main(void)
{
    static const size_t sizes[] = {64, 80, 88};
    long passed_clone = 0, passed_clone3[3] = {0, 0, 0}, passed_libc = 0;
    fflush(stdout);
    for (int i = 0; i < ROUNDS; i++) {
        pid_t pid = raw_clone();
        if (pid < 0) {
            printf("round %d: raw clone: %s\n", i, strerrorname_np(errno));
            return 1;
        }
        if (pid == 0)
            _exit(EXIT_SUCCESS);
        if (wait(NULL) != pid) {
            printf("round %d: wait after raw clone did not return its pid\n", i);
            return 1;
        }
        passed_clone++;

        for (int s = 0; s < 3; s++) {
            pid = raw_clone3(sizes[s]);
            if (pid < 0) {
                printf("round %d: clone3 size %zu: %s\n", i, sizes[s], strerrorname_np(errno));
                return 1;
            }
            if (pid == 0)
                _exit(EXIT_SUCCESS);
            if (wait(NULL) != pid) {
                printf("round %d: wait after clone3 did not return its pid\n", i);
                return 1;
            }
            passed_clone3[s]++;
        }

        void *stack;
        pid = libc_clone(&stack);
        if (pid < 0) {
            printf("round %d: glibc clone: %s\n", i, strerrorname_np(errno));
            return 1;
        }
        int st;
        if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
            printf("round %d: wait after glibc clone failed\n", i);
            return 1;
        }
        free(stack);
        passed_libc++;
    }
    printf("raw clone(SIGCHLD) passed %ld times\n", passed_clone);
    for (int s = 0; s < 3; s++)
        printf("clone3 (size %zu) passed %ld times\n", sizes[s], passed_clone3[s]);
    printf("glibc clone() passed %ld times\n", passed_libc);
    return 0;
}
