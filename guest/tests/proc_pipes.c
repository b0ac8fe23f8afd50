/* Pipes: pipe2 flags (O_CLOEXEC, O_NONBLOCK and its EAGAIN, bad flags), the two ends' modes and errors (ESPIPE,
 * EBADF), partial and zero-length reads and writes, the 64 KiB default capacity, a blocking read that waits for a
 * writer, EOF once every writer has closed, EPIPE with SIGPIPE ignored, poll/ppoll (POLLIN, POLLOUT, POLLHUP,
 * POLLERR, POLLNVAL, timeouts), PIPE_BUF atomicity with four writer processes, a large write through a full pipe, and
 * a shell-style pipeline producer | filter | consumer built with fork, dup2 and exec of this program in three roles. */
#include "proc_common.h"
#include <limits.h>
#include <poll.h>
#include <sys/stat.h>

extern char **environ;

static int role(const char *r, char **argv)
{
    char line[64];
    if (strcmp(r, "producer") == 0) {
        int n = atoi(argv[2]);
        for (int i = 1; i <= n; i++)
            printf("%d\n", i);
        return 0;
    }
    if (strcmp(r, "filter") == 0) {   /* keeps multiples of 7 */
        while (fgets(line, sizeof line, stdin))
            if (atoi(line) % 7 == 0)
                fputs(line, stdout);
        return 0;
    }
    if (strcmp(r, "consumer") == 0) {
        long lines = 0, sum = 0;
        while (fgets(line, sizeof line, stdin)) {
            lines++;
            sum += atol(line);
        }
        printf("consumer: %ld lines, sum %ld\n", lines, sum);
        return 0;
    }
    return 99;
}

static const char *revents(short r)
{
    static char buf[64];
    buf[0] = 0;
    if (r & POLLIN)
        strcat(buf, "IN ");
    if (r & POLLOUT)
        strcat(buf, "OUT ");
    if (r & POLLHUP)
        strcat(buf, "HUP ");
    if (r & POLLERR)
        strcat(buf, "ERR ");
    if (r & POLLNVAL)
        strcat(buf, "NVAL ");
    if (!buf[0])
        strcpy(buf, "none ");
    buf[strlen(buf) - 1] = 0;
    return buf;
}

static void poll2(const char *what, int rfd, int wfd)
{
    struct pollfd p[2] = {{rfd, POLLIN | POLLOUT, 0}, {wfd, POLLIN | POLLOUT, 0}};
    int n = poll(p, 2, 0);
    printf("%s: poll = %d, read end {%s}", what, n, revents(p[0].revents));
    printf(", write end {%s}\n", revents(p[1].revents));
}

int main(int argc, char **argv)
{
    if (argc > 1)
        return role(argv[1], argv);
    int p[2];
    char buf[256];

    /* 1. pipe2 flags and the ends' properties. */
    T(pipe2(p, O_CLOEXEC));
    printf("O_CLOEXEC: FD_CLOEXEC on read end %d, write end %d\n", fcntl(p[0], F_GETFD), fcntl(p[1], F_GETFD));
    printf("access modes: read end %s, write end %s\n", (fcntl(p[0], F_GETFL) & O_ACCMODE) == O_RDONLY ? "O_RDONLY" : "?",
           (fcntl(p[1], F_GETFL) & O_ACCMODE) == O_WRONLY ? "O_WRONLY" : "?");
    struct stat sb;
    fstat(p[0], &sb);
    printf("S_ISFIFO: %d\n", S_ISFIFO(sb.st_mode));
    T(lseek(p[0], 0, SEEK_CUR));
    T(write(p[0], "x", 1));
    T(read(p[1], buf, 1));
    T(pread(p[0], buf, 1, 0));
    T(fcntl(p[0], F_GETPIPE_SZ));
    close(p[0]);
    close(p[1]);
    T(pipe2(p, 0x1234));
    T(syscall(SYS_pipe2, 16L, 0L));
    T(pipe2(p, O_NONBLOCK));
    printf("O_NONBLOCK set on both: %d\n", (fcntl(p[0], F_GETFL) & O_NONBLOCK) && (fcntl(p[1], F_GETFL) & O_NONBLOCK));
    T(fcntl(p[0], F_GETFD));
    T(read(p[0], buf, sizeof buf));
    T(write(p[1], "hello", 5));
    T(read(p[0], buf, sizeof buf));
    T(write(p[1], buf, 0));
    T(read(p[0], buf, 0));
    long total = 0;
    static char big[100000];
    memset(big, 'z', sizeof big);
    for (;;) {
        ssize_t r = write(p[1], big, 4096);
        if (r < 0)
            break;
        total += r;
    }
    printf("non-blocking fill: %ld bytes, then %s\n", total, strerrorname_np(errno));
    T(write(p[1], "x", 1));
    poll2("full pipe", p[0], p[1]);
    long drained = 0;
    for (;;) {
        ssize_t r = read(p[0], big, sizeof big);
        if (r <= 0)
            break;
        drained += r;
    }
    printf("drained %ld bytes\n", drained);
    close(p[0]);
    close(p[1]);

    /* 2. poll states. */
    pipe(p);
    poll2("empty pipe", p[0], p[1]);
    write(p[1], "abc", 3);
    poll2("3 bytes in it", p[0], p[1]);
    close(p[1]);
    poll2("writer closed, data left", p[0], -1);
    read(p[0], buf, sizeof buf);
    poll2("writer closed, drained", p[0], -1);
    T(read(p[0], buf, sizeof buf));
    close(p[0]);
    pipe(p);
    close(p[0]);
    poll2("reader closed", -1, p[1]);
    struct pollfd bad = {p[1] + 10, POLLIN, 0};
    T(poll(&bad, 1, 0));
    printf("closed fd: revents {%s}\n", revents(bad.revents));
    close(p[1]);
    pipe(p);
    struct pollfd pf = {p[0], POLLIN, 0};
    double t0 = mono_now();
    T(poll(&pf, 1, 20));
    printf("poll 20 ms on an empty pipe waited at least 20 ms: %s\n", mono_now() - t0 >= 0.020 ? "yes" : "no");
    struct timespec zero = {0, 0};
    T(ppoll(&pf, 1, &zero, NULL));

    /* 3. A blocking read (and a blocking ppoll) wait for a writer; EOF when the last writer closes. */
    int ctl[2];
    pipe(ctl);
    pid_t c = xfork();
    if (c == 0) {
        close(p[0]);
        close(ctl[1]);
        sleep_ms(30);
        write(p[1], "late", 4);
        sleep_ms(30);
        write(p[1], "later", 5);
        read(ctl[0], buf, 1);   /* stays (and keeps the write end open) until the parent's ppoll has returned */
        _exit(0);
    }
    close(p[1]);
    close(ctl[0]);
    ssize_t n = read(p[0], buf, sizeof buf);
    printf("blocking read got %zd bytes: %.*s\n", n, (int)(n > 0 ? n : 0), buf);
    pf.revents = 0;
    int pr = ppoll(&pf, 1, NULL, NULL);
    close(ctl[1]);
    printf("blocking ppoll = %d {%s}\n", pr, revents(pf.revents));
    n = read(p[0], buf, sizeof buf);
    printf("then read got %zd bytes: %.*s\n", n, (int)(n > 0 ? n : 0), buf);
    T(read(p[0], buf, sizeof buf));   /* blocks until the child exits: EOF */
    close(p[0]);
    wait_status(c);

    /* 4. EPIPE with SIGPIPE ignored. */
    printf("signal(SIGPIPE, SIG_IGN) %s\n", signal(SIGPIPE, SIG_IGN) == SIG_ERR ? "failed" : "ok");
    pipe(p);
    close(p[0]);
    T(write(p[1], "x", 1));
    close(p[1]);

    /* 5. PIPE_BUF atomicity: 4 writers, 64 records of PIPE_BUF bytes each, one reader reading odd-sized chunks. */
    enum { W = 4, RECS = 64 };
    pipe(p);
    pid_t ws[W];
    for (int i = 0; i < W; i++) {
        ws[i] = xfork();
        if (ws[i] == 0) {
            close(p[0]);
            static char rec[PIPE_BUF];
            memset(rec, 'A' + i, sizeof rec);
            for (int k = 0; k < RECS; k++)
                if (write(p[1], rec, sizeof rec) != sizeof rec)
                    _exit(1);
            _exit(0);
        }
    }
    close(p[1]);
    static char stream[W * RECS * PIPE_BUF + 1];
    size_t got = 0;
    for (;;) {
        ssize_t r = read(p[0], stream + got, 1000 < sizeof stream - got ? 1000 : sizeof stream - got);
        if (r <= 0)
            break;
        got += r;
    }
    close(p[0]);
    int per[W] = {0}, torn = 0;
    for (size_t off = 0; off + PIPE_BUF <= got; off += PIPE_BUF) {
        char ch = stream[off];
        for (size_t k = 1; k < PIPE_BUF; k++)
            if (stream[off + k] != ch) {
                torn++;
                break;
            }
        if (ch >= 'A' && ch < 'A' + W)
            per[ch - 'A']++;
    }
    int wst = 0;
    for (int i = 0; i < W; i++)
        wst += wait_status(ws[i]);
    printf("PIPE_BUF=%d: read %zu bytes, %d torn records, per writer %d %d %d %d, writers' statuses sum %d\n", PIPE_BUF,
           got, torn, per[0], per[1], per[2], per[3], wst);

    /* 6. One 100000-byte blocking write through the 64 KiB pipe. */
    pipe(p);
    c = xfork();
    if (c == 0) {
        close(p[0]);
        _exit(write(p[1], big, sizeof big) == sizeof big ? 0 : 1);
    }
    close(p[1]);
    sleep_ms(20);   /* let the writer fill the pipe and block */
    got = read_full(p[0], stream, sizeof stream);
    close(p[0]);
    printf("100000-byte write: reader got %zu bytes, writer status %d\n", got, wait_status(c));

    /* 7. producer 1000 | filter | consumer, each this program exec'd in a role. */
    int a[2], b[2];
    pipe(a);
    pipe(b);
    const char *roles[3] = {"producer", "filter", "consumer"};
    pid_t st[3];
    for (int i = 0; i < 3; i++) {
        st[i] = xfork();
        if (st[i] == 0) {
            if (i > 0)
                dup2(i == 1 ? a[0] : b[0], 0);
            if (i < 2)
                dup2(i == 0 ? a[1] : b[1], 1);
            close(a[0]);
            close(a[1]);
            close(b[0]);
            close(b[1]);
            char *av[] = {"proc_pipes", (char *)roles[i], "1000", NULL};
            execve("/proc/self/exe", av, environ);
            _exit(127);
        }
    }
    close(a[0]);
    close(a[1]);
    close(b[0]);
    close(b[1]);
    for (int i = 0; i < 3; i++)
        printf("%s status %d\n", roles[i], wait_status(st[i]));
    return finish();
}
