/* producer | filter | consumer: three processes made with fork, dup2 and exec of this program itself
 * (/proc/self/exe) in different roles, connected by two pipes. The consumer prints what reached it. */
#include "pipe_common.h"
#include <ctype.h>

#define LINES 2000

static int producer(void) {
    char line[64];
    for (int i = 0; i < LINES; i++) {
        int n = snprintf(line, sizeof line, "line %d of the producer\n", i);
        write_all(1, line, (size_t)n);
    }
    return 0;
}

/* Upper-cases its input, a buffer at a time, and drops every line whose number ends in 7. */
static int filter(void) {
    char buf[3000], line[128];
    size_t len = 0;
    ssize_t n;
    while ((n = read(0, buf, sizeof buf)) > 0) {
        for (ssize_t i = 0; i < n; i++) {
            line[len++] = (char)toupper((unsigned char)buf[i]);
            if (buf[i] == '\n' || len == sizeof line) {
                char *sp = strchr(line + 5, ' ');
                if (!(sp && sp[-1] == '7'))
                    write_all(1, line, len);
                len = 0;
            }
        }
    }
    if (len)
        write_all(1, line, len);
    return n < 0 ? 1 : 0;
}

static int consumer(void) {
    char buf[1000];
    unsigned long bytes = 0, lines = 0, h = 0;
    char first[64] = "", last[64] = "";
    size_t cur = 0;
    char line[64];
    ssize_t n;
    while ((n = read(0, buf, sizeof buf)) > 0) {
        for (ssize_t i = 0; i < n; i++) {
            h = h * 131 + (unsigned char)buf[i];
            if (cur < sizeof line - 1)
                line[cur++] = buf[i];
            if (buf[i] == '\n') {
                line[cur - 1] = 0;
                if (lines == 0)
                    strcpy(first, line);
                strcpy(last, line);
                lines++;
                cur = 0;
            }
        }
        bytes += (unsigned long)n;
    }
    printf("consumer: %lu bytes, %lu lines, hash %lx\nfirst: %s\nlast: %s\n", bytes, lines, h, first, last);
    return 0;
}

static pid_t spawn(const char *role, int in, int out, int closefds[4]) {
    pid_t c = fork();
    if (c == 0) {
        if (in >= 0)
            dup2(in, 0);
        if (out >= 0)
            dup2(out, 1);
        for (int i = 0; i < 4; i++)
            close(closefds[i]);
        execl("/proc/self/exe", "pipe_pipeline", role, (char *)NULL);
        perror("exec");
        _exit(127);
    }
    return c;
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "producer") == 0)
        return producer();
    if (argc > 1 && strcmp(argv[1], "filter") == 0)
        return filter();
    if (argc > 1 && strcmp(argv[1], "consumer") == 0)
        return consumer();
    int a[2], b[2];
    if (pipe(a) != 0 || pipe2(b, O_CLOEXEC) != 0)
        return 1;
    int all[4] = {a[0], a[1], b[0], b[1]};
    fflush(stdout);
    pid_t pc = spawn("consumer", b[0], -1, all);
    pid_t pf = spawn("filter", a[0], b[1], all);
    pid_t pp = spawn("producer", -1, a[1], all);
    for (int i = 0; i < 4; i++)
        close(all[i]);
    /* Statuses are printed after all are gone, so that they follow the consumer's lines. */
    int st[3] = {-1, -1, -1};
    pid_t who[3] = {pp, pf, pc};
    for (int i = 0; i < 3; i++)
        if (who[i] <= 0 || waitpid(who[i], &st[i], 0) != who[i])
            st[i] = -1;
    printf("statuses: producer %#x filter %#x consumer %#x\n", st[0], st[1], st[2]);
    return 0;
}
