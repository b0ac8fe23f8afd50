/* execve: argv/envp passing, close-on-exec descriptors closed and others kept (with their file offsets), pid and
 * ppid kept across exec, execve errors (ENOENT, EACCES on a directory and on a file without x, ENOEXEC on garbage
 * and on a truncated ELF header, ENOTDIR, EFAULT, ENAMETOOLONG, E2BIG), "#!" scripts (interpreter with no, one and a
 * "two word" argument; ENOEXEC, ENOENT, EACCES and ELOOP cases), execveat (AT_EMPTY_PATH on an fd, a path relative
 * to a directory fd, AT_SYMLINK_NOFOLLOW), fexecve, and exec from a multithreaded process (from the main thread and
 * from another thread: the other threads vanish, the pid stays, the exec'ing thread becomes the leader).
 * The program execs itself (/proc/self/exe) with a stage name in argv[1]. */
#include "proc_common.h"
#include <dirent.h>
#include <limits.h>
#include <pthread.h>
#include <sys/stat.h>

extern char **environ;

static int count_tasks(void)
{
    DIR *d = opendir("/proc/self/task");
    if (!d)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

static int stage(int argc, char **argv)
{
    const char *s = argv[1];
    if (strcmp(s, "show") == 0) {
        printf("  exec'd: argc=%d argv[0]=[%s]", argc, argv[0]);
        for (int i = 2; i < argc; i++)
            printf(" [%s]", argv[i]);
        int n = 0;
        while (environ[n])
            n++;
        const char *a = getenv("A"), *b = getenv("B"), *e = getenv("EMPTY"), *p = getenv("PATH");
        printf("\n  env: %d entries, A=%s B=%s EMPTY=[%s] PATH=%s\n", n, a ? a : "(unset)", b ? b : "(unset)",
               e ? e : "(unset)", p ? p : "(unset)");
        return 0;
    }
    if (strcmp(s, "fds") == 0) {   /* fds NAME=FD ... */
        for (int i = 2; i < argc; i++) {
            char *eq = strchr(argv[i], '=');
            int fd = atoi(eq + 1);
            *eq = 0;
            int fl = fcntl(fd, F_GETFD);
            if (fl < 0) {
                printf("  %s: closed (%s)\n", argv[i], strerrorname_np(errno));
                continue;
            }
            char buf[16] = {0};
            long off = lseek(fd, 0, SEEK_CUR);
            pread(fd, buf, 5, 0);
            printf("  %s: open, FD_CLOEXEC=%d, offset %ld, starts with \"%s\"\n", argv[i], fl & FD_CLOEXEC, off, buf);
        }
        return 0;
    }
    if (strcmp(s, "ids") == 0) {   /* ids PID PPID */
        printf("  exec'd: same pid %s, same ppid %s, gettid() == getpid() %s, threads %d\n",
               getpid() == atoi(argv[2]) ? "yes" : "no", getppid() == atoi(argv[3]) ? "yes" : "no",
               gettid() == getpid() ? "yes" : "no", count_tasks());
        return 0;
    }
    if (strcmp(s, "len") == 0) {
        printf("  exec'd with an argument of %zu bytes\n", strlen(argv[2]));
        return 0;
    }
    if (strncmp(s, "script-stage", 12) == 0) {   /* run as a #! interpreter */
        printf("  interpreter: argc=%d argv[0]=[%s] argv[1]=[%s]", argc, argv[0], s);
        if (argc > 2) {
            const char *slash = strrchr(argv[2], '/');
            printf(" argv[2]=[.../%s]", slash ? slash + 1 : argv[2]);
        }
        for (int i = 3; i < argc; i++)
            printf(" [%s]", argv[i]);
        printf("\n");
        return 0;
    }
    if (strcmp(s, "exit") == 0)
        return atoi(argv[2]);
    return 99;
}

/* Forks; the child execs path with argv/envp (or the given execveat form); the parent waits and prints status. */
static void run(const char *what, const char *path, char **av, char **ev)
{
    printf("%s:\n", what);
    pid_t p = xfork();
    if (p == 0) {
        execve(path, av, ev);
        printf("  execve failed: %s\n", strerrorname_np(errno));
        fflush(stdout);
        _exit(127);
    }
    printf("  status %d\n", wait_status(p));
}

/* Calls that must fail run in a child, so that one that wrongly succeeds cannot replace the test itself. */
static void expect_fail(const char *what, const char *path, char **av)
{
    pid_t p = xfork();
    if (p == 0) {
        errno = 0;
        int r = execve(path, av, environ);
        printf("execve(%s) = %d %s\n", what, r, strerrorname_np(errno));
        fflush(stdout);
        _exit(0);
    }
    int st = wait_status(p);
    if (st != 0)
        printf("  (it succeeded: status %d)\n", st);
}
static void expect_fail_at(const char *what, int dfd, const char *path, char **av, long flags)
{
    pid_t p = xfork();
    if (p == 0) {
        errno = 0;
        long r = syscall(SYS_execveat, dfd, path, av, environ, flags);
        printf("%s = %ld %s\n", what, r, strerrorname_np(errno));
        fflush(stdout);
        _exit(0);
    }
    int st = wait_status(p);
    if (st != 0)
        printf("  (it succeeded: status %d)\n", st);
}

static void write_file(const char *path, const char *text, size_t len, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
    write(fd, text, len);
    close(fd);
    chmod(path, mode);
}

static pid_t ids_pid, ids_ppid;
static void exec_ids(void)
{
    char a[16], b[16];
    snprintf(a, sizeof a, "%d", (int)ids_pid);
    snprintf(b, sizeof b, "%d", (int)ids_ppid);
    char *av[] = {"proc_exec", "ids", a, b, NULL};
    fflush(stdout);
    execve("/proc/self/exe", av, environ);
    _exit(127);
}
static void *blocker(void *arg)
{
    char c;
    read(*(int *)arg, &c, 1);   /* never gets a byte */
    return NULL;
}
static void *exec_thread(void *arg)
{
    (void)arg;
    exec_ids();
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc > 1)
        return stage(argc, argv);
    char dir[] = "/tmp/jkexecXXXXXX";
    if (!mkdtemp(dir))
        return 1;
    char path[PATH_MAX];

    /* 1. argv and envp. */
    char *av1[] = {"custom-argv0", "show", "one", "", "three words", NULL};
    char *ev1[] = {"A=1", "B=two words", "EMPTY=", NULL};
    run("execve with 3 arguments and 3 variables", "/proc/self/exe", av1, ev1);
    char *ev0[] = {NULL};
    char *av2[] = {"x", "show", NULL};
    run("execve with an empty environment", "/proc/self/exe", av2, ev0);

    /* 2. Close-on-exec. */
    snprintf(path, sizeof path, "%s/data", dir);
    write_file(path, "hello world", 11, 0644);
    int plain = open(path, O_RDONLY);
    int cloexec = open(path, O_RDONLY | O_CLOEXEC);
    int dupcl = fcntl(plain, F_DUPFD_CLOEXEC, 20);
    int dupped = dup(cloexec);   /* dup clears FD_CLOEXEC */
    int setcl = dup(plain);
    fcntl(setcl, F_SETFD, FD_CLOEXEC);
    lseek(plain, 6, SEEK_SET);   /* shared with dupcl and setcl */
    char a1[32], a2[32], a3[32], a4[32], a5[32];
    snprintf(a1, sizeof a1, "plain=%d", plain);
    snprintf(a2, sizeof a2, "O_CLOEXEC=%d", cloexec);
    snprintf(a3, sizeof a3, "F_DUPFD_CLOEXEC=%d", dupcl);
    snprintf(a4, sizeof a4, "dup-of-cloexec=%d", dupped);
    snprintf(a5, sizeof a5, "F_SETFD-cloexec=%d", setcl);
    char *av3[] = {"proc_exec", "fds", a1, a2, a3, a4, a5, NULL};
    run("close-on-exec", "/proc/self/exe", av3, environ);
    close(plain);
    close(cloexec);
    close(dupcl);
    close(dupped);
    close(setcl);

    /* 3. pid and ppid across exec. */
    ids_ppid = getpid();
    printf("exec keeps pid and ppid:\n");
    pid_t p = xfork();
    if (p == 0) {
        ids_pid = getpid();
        exec_ids();
    }
    printf("  status %d\n", wait_status(p));

    /* 4. Errors. */
    char *avx[] = {"proc_exec", "exit", "50", NULL};
    expect_fail("/nonexistent", "/nonexistent", avx);
    expect_fail("\"\"", "", avx);
    expect_fail("/tmp (a directory)", "/tmp", avx);
    snprintf(path, sizeof path, "%s/plain", dir);
    write_file(path, "\177ELF\2\1\1", 7, 0644);
    expect_fail("file with mode 0644", path, avx);
    snprintf(path, sizeof path, "%s/garbage", dir);
    write_file(path, "this is not a program\n", 22, 0755);
    expect_fail("garbage with mode 0755", path, avx);
    snprintf(path, sizeof path, "%s/short-elf", dir);
    write_file(path, "\177ELF", 4, 0755);
    expect_fail("4-byte ELF magic with mode 0755", path, avx);
    snprintf(path, sizeof path, "%s/empty", dir);
    write_file(path, "", 0, 0755);
    expect_fail("empty file with mode 0755", path, avx);
    snprintf(path, sizeof path, "%s/plain/x", dir);
    expect_fail("file/x", path, avx);
    expect_fail("bad pointer", (const char *)16, avx);
    static char longname[5000];
    memset(longname, 'a', sizeof longname - 1);
    longname[0] = '/';
    expect_fail("5000-byte path", longname, avx);
    static char bigarg[131073];
    memset(bigarg, 'b', 131072);
    char *avbig[] = {"proc_exec", "len", bigarg, NULL};
    expect_fail("/proc/self/exe with a 131072-byte argument", "/proc/self/exe", avbig);
    bigarg[131071] = 0;
    run("an argument of 131071 bytes", "/proc/self/exe", avbig, environ);

    /* 5. #! scripts whose interpreter is this program. */
    char script[PATH_MAX];
    snprintf(script, sizeof script, "%s/script", dir);
    const char *s1 = "#!/proc/self/exe script-stage\nnot read by the interpreter\n";
    write_file(script, s1, strlen(s1), 0755);
    char *avs[] = {"ignored-argv0", "arg1", "arg 2", NULL};
    run("#!/proc/self/exe script-stage", script, avs, environ);
    const char *s2 = "#!  /proc/self/exe   script-stage two  words  \n";
    write_file(script, s2, strlen(s2), 0755);
    run("#!  /proc/self/exe   script-stage two  words  (one argument)", script, avs, environ);
    const char *s3 = "#!/proc/self/exe\n";
    write_file(script, s3, strlen(s3), 0755);
    char *avs3[] = {"ignored-argv0", "script-stage-as-arg", NULL};   /* the interpreter's argv[1] is the script */
    printf("#!/proc/self/exe (no argument): argv[1] is the script's path, so the stage is missing:\n");
    p = xfork();
    if (p == 0) {
        execve(script, avs3, environ);
        _exit(127);
    }
    printf("  status %d (99: the interpreter saw an unknown stage)\n", wait_status(p));
    chmod(script, 0644);
    expect_fail("script with mode 0644", script, avs);
    const char *s4 = "#!/nonexistent/interpreter\n";
    write_file(script, s4, strlen(s4), 0755);
    expect_fail("script with a missing interpreter", script, avs);
    const char *s5 = "#!\n";
    write_file(script, s5, strlen(s5), 0755);
    expect_fail("script \"#!\\n\"", script, avs);
    char loop[PATH_MAX + 8];
    snprintf(loop, sizeof loop, "#!%s\n", script);
    write_file(script, loop, strlen(loop), 0755);
    expect_fail("script that is its own interpreter", script, avs);

    /* 6. execveat and fexecve. */
    char *ave[] = {"proc_exec", "show", "via-execveat", NULL};
    printf("execveat(fd, \"\", AT_EMPTY_PATH):\n");
    int fd = open("/proc/self/exe", O_RDONLY);
    p = xfork();
    if (p == 0) {
        syscall(SYS_execveat, fd, "", ave, environ, AT_EMPTY_PATH);
        printf("  failed: %s\n", strerrorname_np(errno));
        fflush(stdout);
        _exit(127);
    }
    printf("  status %d\n", wait_status(p));
    printf("fexecve(fd):\n");
    char *avf[] = {"proc_exec", "show", "via-fexecve", NULL};
    p = xfork();
    if (p == 0) {
        fexecve(fd, avf, environ);
        printf("  failed: %s\n", strerrorname_np(errno));
        fflush(stdout);
        _exit(127);
    }
    printf("  status %d\n", wait_status(p));
    char *avx2[] = {"proc_exec", "exit", "51", NULL};
    expect_fail_at("execveat(fd, \"\", 0)", fd, "", avx2, 0L);
    close(fd);
    snprintf(path, sizeof path, "%s/link", dir);
    symlink("/proc/self/exe", path);
    int dfd = open(dir, O_RDONLY | O_DIRECTORY);
    printf("execveat(dirfd, \"link\", 0):\n");
    char *avl[] = {"proc_exec", "show", "via-dirfd", NULL};
    p = xfork();
    if (p == 0) {
        syscall(SYS_execveat, dfd, "link", avl, environ, 0L);
        printf("  failed: %s\n", strerrorname_np(errno));
        fflush(stdout);
        _exit(127);
    }
    printf("  status %d\n", wait_status(p));
    expect_fail_at("execveat(dirfd, \"link\", AT_SYMLINK_NOFOLLOW)", dfd, "link", avx2, (long)AT_SYMLINK_NOFOLLOW);
    expect_fail_at("execveat(dirfd, \"link\", 0x1)", dfd, "link", avx2, 1L);
    close(dfd);

    /* 7. Exec from a multithreaded process, from the main thread and from a second thread. */
    for (int from_thread = 0; from_thread < 2; from_thread++) {
        printf("exec from the %s of a process with 4 threads:\n", from_thread ? "second thread" : "main thread");
        p = xfork();
        if (p == 0) {
            ids_pid = getpid();
            int q[2];
            pipe(q);
            pthread_t t;
            for (int i = 0; i < 3; i++)
                pthread_create(&t, NULL, blocker, &q[0]);
            if (from_thread) {
                pthread_create(&t, NULL, exec_thread, NULL);
                pthread_join(t, NULL);   /* never returns: the exec replaces the process */
                _exit(126);
            }
            if (count_tasks() != 4 && count_tasks() != -1)
                _exit(125);
            exec_ids();
        }
        printf("  status %d\n", wait_status(p));
    }

    snprintf(path, sizeof path, "%s/data", dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/plain", dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/garbage", dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/short-elf", dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/empty", dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/link", dir);
    unlink(path);
    unlink(script);
    T(rmdir(dir));
    return finish();
}
