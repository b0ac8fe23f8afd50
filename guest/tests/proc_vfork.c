/* vfork and posix_spawn: the vfork child shares the parent's memory (its writes are visible once the parent resumes),
 * the parent stays suspended until the child exits or execs (an exec'd child that blocks until the parent writes to
 * a pipe proves the parent resumed at exec), the usual "report the exec errno through shared memory" idiom, and
 * glibc's posix_spawn/posix_spawnp (clone(CLONE_VM|CLONE_VFORK) inside, exec errors returned through shared
 * memory) with file actions, an environment and POSIX_SPAWN_SETPGROUP. The program execs itself (/proc/self/exe)
 * with a stage name in argv[1]. */
#include "proc_common.h"
#include <spawn.h>

extern char **environ;
static volatile int shared;

static int stage(int argc, char **argv)
{
    if (strcmp(argv[1], "exit-with") == 0)
        return atoi(argv[2]);
    if (strcmp(argv[1], "wait-pipe") == 0) {   /* wait-pipe FD CODE: block until a byte arrives on FD */
        char c;
        return read(atoi(argv[2]), &c, 1) == 1 ? atoi(argv[3]) : 100;
    }
    if (strcmp(argv[1], "spawned") == 0) {
        printf("spawned: argc=%d", argc);
        for (int i = 2; i < argc; i++)
            printf(" [%s]", argv[i]);
        const char *v = getenv("SPAWNVAR");
        printf(" SPAWNVAR=%s PATH=%s\n", v ? v : "(unset)", getenv("PATH") ? "set" : "(unset)");
        return 3;
    }
    if (strcmp(argv[1], "pgrp") == 0)
        return getpgrp() == getpid() ? 4 : 5;
    return 99;
}

int main(int argc, char **argv)
{
    if (argc > 1)
        return stage(argc, argv);

    /* 1. The child's writes land in the parent's memory; the parent runs only after the child's _exit. */
    shared = 0;
    fflush(stdout);
    pid_t me = getpid();
    pid_t p = vfork();
    if (p == 0) {
        shared = 1;
        for (int i = 0; i < 200; i++)
            sched_yield();
        struct timespec t = {0, 20 * 1000000};
        nanosleep(&t, NULL);
        shared = (getpid() != me) ? 2 : 20;
        _exit(6);
    }
    int seen = shared;
    printf("parent resumed and sees shared = %d (2: the child's last write before _exit)\n", seen);
    printf("vfork child status = %d\n", wait_status(p));

    /* 2. Exec releases the parent: the exec'd child blocks until the parent writes a byte. */
    int pfd[2];
    pipe(pfd);
    char fdarg[16];
    snprintf(fdarg, sizeof fdarg, "%d", pfd[0]);
    char *wargv[] = {"proc_vfork", "wait-pipe", fdarg, "9", NULL};
    shared = 0;
    fflush(stdout);
    p = vfork();
    if (p == 0) {
        shared = 3;
        execve("/proc/self/exe", wargv, environ);
        shared = 4;
        _exit(127);
    }
    seen = shared;
    printf("parent resumed after the child's exec and sees shared = %d (3)\n", seen);
    write(pfd[1], "go", 1);
    printf("exec'd child status = %d (9)\n", wait_status(p));
    close(pfd[0]);
    close(pfd[1]);

    /* 3. A failed exec reported through shared memory. */
    static volatile int exec_errno;
    exec_errno = 0;
    fflush(stdout);
    p = vfork();
    if (p == 0) {
        char *nargv[] = {"nope", NULL};
        execve("/nonexistent/program", nargv, environ);
        exec_errno = errno;
        _exit(127);
    }
    printf("exec errno through shared memory: %s, child status %d\n",
           exec_errno ? strerrorname_np(exec_errno) : "0", wait_status(p));

    /* 4. vfork + successful exec of a program that exits at once. */
    char *eargv[] = {"proc_vfork", "exit-with", "33", NULL};
    fflush(stdout);
    p = vfork();
    if (p == 0) {
        execve("/proc/self/exe", eargv, environ);
        _exit(127);
    }
    printf("vfork+exec status = %d\n", wait_status(p));

    /* 5. posix_spawn with arguments and an environment, output to our stdout. */
    char *sargv[] = {"proc_vfork", "spawned", "a b", "", "last", NULL};
    char *senv[] = {"SPAWNVAR=from posix_spawn", NULL};
    fflush(stdout);
    int r = posix_spawn(&p, "/proc/self/exe", NULL, NULL, sargv, senv);
    /* The spawned program writes to our stdout too: report only once it has finished, so the order is fixed. */
    int spawned_status = r == 0 ? wait_status(p) : -1;
    printf("posix_spawn = %d\n", r);
    if (r == 0)
        printf("spawned status = %d\n", spawned_status);

    /* 6. posix_spawn with file actions: the child's stdout is a pipe. */
    pipe(pfd);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, pfd[1], 1);
    posix_spawn_file_actions_addclose(&fa, pfd[0]);
    posix_spawn_file_actions_addclose(&fa, pfd[1]);
    fflush(stdout);
    r = posix_spawn(&p, "/proc/self/exe", &fa, NULL, sargv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(pfd[1]);
    char buf[256] = {0};
    ssize_t n = read_full(pfd[0], buf, sizeof buf - 1);
    close(pfd[0]);
    printf("posix_spawn with dup2 = %d; read %zd bytes through the pipe: %s", r, n, buf);
    if (r == 0)
        printf("status = %d\n", wait_status(p));

    /* 7. Exec errors come back as posix_spawn's return value (the child shares memory until it execs). */
    r = posix_spawn(&p, "/nonexistent/program", NULL, NULL, sargv, environ);
    printf("posix_spawn(/nonexistent/program) = %s\n", r ? strerrorname_np(r) : "0");
    r = posix_spawnp(&p, "no-such-program-jkernel", NULL, NULL, sargv, environ);
    printf("posix_spawnp(no-such-program-jkernel) = %s\n", r ? strerrorname_np(r) : "0");
    r = posix_spawn(&p, "/tmp", NULL, NULL, sargv, environ);
    printf("posix_spawn(/tmp) = %s\n", r ? strerrorname_np(r) : "0");
    errno = 0;
    check("no child left behind by the failed spawns", wait(NULL) == -1 && errno == ECHILD);

    /* 8. POSIX_SPAWN_SETPGROUP with pgroup 0: the child leads a new process group. */
    posix_spawnattr_t at;
    posix_spawnattr_init(&at);
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&at, 0);
    char *gargv[] = {"proc_vfork", "pgrp", NULL};
    fflush(stdout);
    r = posix_spawn(&p, "/proc/self/exe", NULL, &at, gargv, environ);
    posix_spawnattr_destroy(&at);
    printf("posix_spawn SETPGROUP = %d, status = %d (4: own group)\n", r, r == 0 ? wait_status(p) : -1);
    return finish();
}
