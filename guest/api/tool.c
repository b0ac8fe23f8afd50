/* A small multi-purpose guest for the embedding API's tests (src/test/java/dev/jkernel/api). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int copy(FILE *in, FILE *out, int upper) {
    int c;
    while ((c = fgetc(in)) != EOF) {
        fputc(upper ? toupper(c) : c, out);
        if (c == '\n')
            fflush(out);
    }
    fflush(out);
    return ferror(in) || ferror(out);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: tool cat|upper IN OUT|sleep|spin|env NAME|exit N|orphan|stdio\n");
        return 2;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "cat"))
        return copy(stdin, stdout, 0);
    if (!strcmp(cmd, "upper") && argc == 4) {
        FILE *in = fopen(argv[2], "r"), *out = fopen(argv[3], "w");
        if (!in || !out) {
            perror("upper");
            return 1;
        }
        int r = copy(in, out, 1);
        fclose(out);
        return r;
    }
    if (!strcmp(cmd, "sleep")) {
        for (;;)
            pause();
    }
    if (!strcmp(cmd, "spin")) {
        for (volatile unsigned long i = 0;; i++)
            ;
    }
    if (!strcmp(cmd, "env") && argc == 3) {
        char cwd[256];
        const char *v = getenv(argv[2]);
        printf("%s=%s cwd=%s ppid=%d\n", argv[2], v ? v : "(unset)", getcwd(cwd, sizeof cwd) ? cwd : "?",
               (int)getppid());
        return 0;
    }
    if (!strcmp(cmd, "exit") && argc == 3)
        return atoi(argv[2]);
    if (!strcmp(cmd, "orphan")) {
        pid_t c = fork();
        if (c == 0) {
            usleep(100000);
            return 0;
        }
        printf("%d\n", (int)c);
        return 0;
    }
    if (!strcmp(cmd, "stdio")) {
        fputs("to stdout\n", stdout);
        fputs("to stderr\n", stderr);
        return 3;
    }
    fprintf(stderr, "tool: bad command %s\n", cmd);
    return 2;
}
