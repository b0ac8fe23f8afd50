/* clone3 and clone argument checking: struct sizes (EINVAL below VER0, E2BIG above a page or with a non-zero tail),
 * unknown flags, exit_signal range, flag combinations (THREAD needs SIGHAND, SIGHAND needs VM, namespaces with
 * THREAD or FS, CLEAR_SIGHAND with SIGHAND, PARENT/THREAD with an exit signal), the stack/stack_size pair, set_tid
 * inconsistencies, CLONE_PIDFD|CLONE_PARENT_SETTID through the legacy clone, and the successful cases with their
 * side effects (PARENT_SETTID, CHILD_SETTID, PIDFD). Only checks that do not depend on privilege or on the pid
 * namespace the test runs in: namespace flags are only combined with flags that make them invalid anyway. Every call
 * that may succeed is followed by "child _exits, parent waits". */
#include "proc_common.h"
#include <sched.h>
#include <sys/mman.h>

struct clone_args_x {
    uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
    uint64_t set_tid, set_tid_size;
    uint64_t cgroup;
};

#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x1000
#endif
#define CLEAR_SIGHAND 0x100000000ULL

static struct clone_args_x *args;   /* at the start of a page of zeros, followed by a second zero page */
static char *page;

static void reset(void)
{
    memset(page, 0, 8192);
    args = (struct clone_args_x *)page;
}

/* clone3(args, size); a child (if one was made) _exits at once with 0, and is waited for. */
static void try3(const char *what, size_t size)
{
    fflush(stdout);
    long r = syscall(SYS_clone3, args, size);
    if (r == 0)
        _exit(0);
    if (r < 0) {
        printf("%-58s = -1 %s\n", what, strerrorname_np(errno));
    } else {
        int st = wait_status(r);
        printf("%-58s = child, exit status %d\n", what, st);
    }
    fflush(stdout);
}

static void try_legacy(const char *what, unsigned long flags, void *ptid, void *ctid)
{
    fflush(stdout);
    long r = syscall(SYS_clone, flags, 0L, ptid, 0L, ctid);
    if (r == 0)
        _exit(0);
    if (r < 0)
        printf("%-58s = -1 %s\n", what, strerrorname_np(errno));
    else {
        int st;
        pid_t w = waitpid(r, &st, 0);
        if (w < 0)
            printf("%-58s = child; waitpid(child, 0) = -1 %s\n", what, strerrorname_np(errno));
        else
            printf("%-58s = child, exit status %d\n", what, WEXITSTATUS(st));
    }
    fflush(stdout);
}

int main(void)
{
    page = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (page == MAP_FAILED)
        return 1;

    /* Sizes. */
    reset();
    args->exit_signal = SIGCHLD;
    try3("size 0", 0);
    try3("size 63", 63);
    try3("size 64 (VER0)", 64);
    try3("size 80 (VER1)", 80);
    try3("size 88 (VER2)", 88);
    try3("size 96, zero tail", 96);
    try3("size 4096, zero tail", 4096);
    try3("size 4097", 4097);
    try3("size 8192", 8192);
    page[95] = 1;
    try3("size 96, non-zero byte 95", 96);
    try3("size 88, non-zero byte 95 beyond it", 88);
    reset();
    args->exit_signal = SIGCHLD;
    page[4095] = 1;
    try3("size 4096, non-zero last byte", 4096);
    reset();
    fflush(stdout);
    errno = 0;
    long r = syscall(SYS_clone3, NULL, 64L);
    if (r == 0)
        _exit(0);
    printf("%-58s = %ld %s\n", "NULL args, size 64", r, r < 0 ? strerrorname_np(errno) : "");

    /* Flags. */
    reset();
    args->exit_signal = SIGCHLD;
    args->flags = 1ULL << 62;
    try3("flags bit 62", 64);
    args->flags = 1ULL << 40;
    try3("flags bit 40", 64);
    args->flags = CLONE_DETACHED;
    try3("CLONE_DETACHED (obsolete bit)", 64);
    args->flags = CLONE_THREAD;
    try3("CLONE_THREAD without CLONE_SIGHAND", 64);
    args->flags = CLONE_THREAD | CLONE_SIGHAND;
    try3("CLONE_THREAD|CLONE_SIGHAND without CLONE_VM", 64);
    args->flags = CLONE_SIGHAND;
    try3("CLONE_SIGHAND without CLONE_VM", 64);
    args->flags = CLONE_NEWNS | CLONE_FS;
    try3("CLONE_NEWNS|CLONE_FS", 64);
    args->flags = CLONE_NEWUSER | CLONE_FS;
    try3("CLONE_NEWUSER|CLONE_FS", 64);
    args->exit_signal = 0;
    args->flags = CLONE_NEWUSER | CLONE_THREAD | CLONE_SIGHAND | CLONE_VM;
    try3("CLONE_NEWUSER|CLONE_THREAD|CLONE_SIGHAND|CLONE_VM", 64);
    args->flags = CLONE_NEWPID | CLONE_THREAD | CLONE_SIGHAND | CLONE_VM;
    try3("CLONE_NEWPID|CLONE_THREAD|CLONE_SIGHAND|CLONE_VM", 64);
    args->exit_signal = SIGCHLD;
    args->flags = CLEAR_SIGHAND | CLONE_SIGHAND | CLONE_VM;
    try3("CLONE_CLEAR_SIGHAND|CLONE_SIGHAND|CLONE_VM", 64);

    /* exit_signal. */
    reset();
    args->exit_signal = 65;
    try3("exit_signal 65", 64);
    args->exit_signal = 256;
    try3("exit_signal 256", 64);
    args->exit_signal = 1ULL << 32;
    try3("exit_signal 1<<32", 64);
    args->exit_signal = SIGCHLD;
    args->flags = CLONE_PARENT;
    try3("CLONE_PARENT with exit_signal SIGCHLD", 64);
    args->flags = CLONE_THREAD | CLONE_SIGHAND | CLONE_VM;
    try3("CLONE_THREAD|SIGHAND|VM with exit_signal SIGCHLD", 64);

    /* stack and stack_size go together. */
    reset();
    args->exit_signal = SIGCHLD;
    args->stack_size = 4096;
    try3("stack 0, stack_size 4096", 64);
    args->stack_size = 0;
    args->stack = (uint64_t)(uintptr_t)(page + 4096);
    try3("stack set, stack_size 0", 64);

    /* set_tid (VER1 fields). */
    reset();
    args->exit_signal = SIGCHLD;
    pid_t tids[40] = {0};
    args->set_tid_size = 1;
    try3("set_tid NULL, set_tid_size 1", 80);
    args->set_tid_size = 0;
    args->set_tid = (uint64_t)(uintptr_t)tids;
    try3("set_tid set, set_tid_size 0", 80);
    args->set_tid_size = 33;
    try3("set_tid_size 33 (> MAX_PID_NS_LEVEL)", 80);
    args->set_tid_size = 1;
    tids[0] = 0;
    try3("set_tid {0}", 80);
    tids[0] = -5;
    try3("set_tid {-5}", 80);
    args->set_tid = 0;
    args->set_tid_size = 0;
    args->cgroup = 5;
    try3("cgroup set without CLONE_INTO_CGROUP (size 88)", 88);
    args->cgroup = 0;

    /* Legacy clone. */
    int ptid = 0;
    try_legacy("clone(CLONE_PIDFD|CLONE_PARENT_SETTID|SIGCHLD, same pointer)", CLONE_PIDFD | CLONE_PARENT_SETTID | SIGCHLD,
               &ptid, NULL);
    try_legacy("clone(CLONE_THREAD|SIGCHLD)", CLONE_THREAD | SIGCHLD, NULL, NULL);
    try_legacy("clone(CLONE_SIGHAND|SIGCHLD)", CLONE_SIGHAND | SIGCHLD, NULL, NULL);
    try_legacy("clone(CLONE_NEWNS|CLONE_FS|SIGCHLD)", CLONE_NEWNS | CLONE_FS | SIGCHLD, NULL, NULL);
    try_legacy("clone(0), exit_signal 0", 0, NULL, NULL);   /* a clone child: waited for with __WALL below */

    /* Successful clone3 calls and what they write. */
    reset();
    int parent_tid = -1, child_tid = -1, pidfd = -1;
    args->exit_signal = SIGCHLD;
    args->flags = CLONE_PARENT_SETTID | CLONE_CHILD_SETTID | CLONE_PIDFD;
    args->parent_tid = (uint64_t)(uintptr_t)&parent_tid;
    args->child_tid = (uint64_t)(uintptr_t)&child_tid;
    args->pidfd = (uint64_t)(uintptr_t)&pidfd;
    fflush(stdout);
    r = syscall(SYS_clone3, args, 64L);
    if (r == 0)
        _exit(child_tid == getpid() ? 21 : 22);   /* CHILD_SETTID wrote the child's tid into its own memory */
    if (r < 0) {
        printf("clone3 PARENT_SETTID|CHILD_SETTID|PIDFD = -1 %s\n", strerrorname_np(errno));
    } else {
        check("CLONE_PARENT_SETTID wrote the child's pid", parent_tid == r);
        check("CLONE_CHILD_SETTID did not write the parent's copy", child_tid == -1);
        check("CLONE_PIDFD wrote a descriptor", pidfd > 2 && fcntl(pidfd, F_GETFD) == FD_CLOEXEC);
        printf("child status %d (21: it saw its tid)\n", wait_status(r));
        close(pidfd);
    }

    /* The exit_signal-0 child from above is only visible to __WALL/__WCLONE waits. */
    int st;
    pid_t w = waitpid(-1, &st, __WALL);
    check("the exit_signal 0 clone child is reaped with __WALL", w > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0);
    T(wait(NULL));
    munmap(page, 8192);
    return finish();
}
