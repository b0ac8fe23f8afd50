/* PIPE_BUF atomicity: several writer processes write records of at most PIPE_BUF bytes, each filled with the
 * writer's id; the reader, reading in sizes unrelated to the records, must find every record whole. */
#include "pipe_common.h"
#include <limits.h>

#define WRITERS 4
#define RECORDS 300

static int run(int recsize) {
    int p[2];
    if (pipe(p) != 0)
        return -1;
    pid_t kids[WRITERS];
    for (int w = 0; w < WRITERS; w++) {
        kids[w] = fork();
        if (kids[w] == 0) {
            close(p[0]);
            char rec[PIPE_BUF];
            memset(rec, 'A' + w, sizeof rec);
            for (int i = 0; i < RECORDS; i++) {
                if (write(p[1], rec, recsize) != recsize)
                    _exit(1);
            }
            _exit(0);
        }
    }
    close(p[1]);
    static char stream[WRITERS * RECORDS * PIPE_BUF];
    size_t got = 0;
    size_t step = 1;
    for (;;) {
        ssize_t n = read(p[0], stream + got, step);
        if (n <= 0)
            break;
        got += (size_t)n;
        step = step * 5 % 9001 + 1;
    }
    close(p[0]);
    int ok = 1;
    for (int w = 0; w < WRITERS; w++) {
        int st;
        if (kids[w] > 0 && (waitpid(kids[w], &st, 0) != kids[w] || !WIFEXITED(st) || WEXITSTATUS(st) != 0))
            ok = 0;
    }
    int count[WRITERS] = {0};
    int torn = 0;
    for (size_t r = 0; r + recsize <= got; r += recsize) {
        char c = stream[r];
        for (int i = 1; i < recsize; i++)
            if (stream[r + i] != c) {
                torn++;
                break;
            }
        if (c >= 'A' && c < 'A' + WRITERS)
            count[c - 'A']++;
    }
    printf("record %d: %zu bytes, torn %d, writers ok %d, per writer", recsize, got, torn, ok);
    for (int w = 0; w < WRITERS; w++)
        printf(" %d", count[w]);
    printf("\n");
    fflush(stdout);
    return 0;
}

int main(void) {
    printf("PIPE_BUF %d\n", PIPE_BUF);
    run(PIPE_BUF);
    run(1000);
    run(3001);
    run(1);
    return 0;
}
