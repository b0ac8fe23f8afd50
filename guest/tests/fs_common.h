/* Shared helpers for the fs_* guest tests: results print as "expr = value" or "expr = -1 ENAME". */
#define _GNU_SOURCE
#pragma GCC diagnostic ignored "-Wstringop-overflow"
#pragma GCC diagnostic ignored "-Wstringop-overread"
#pragma GCC diagnostic ignored "-Wnonnull"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

static long report(const char *what, long r) {
    if (r < 0)
        printf("%s = -1 %s\n", what, strerrorname_np(errno));
    else
        printf("%s = %ld\n", what, r);
    fflush(stdout);
    return r;
}
#define T(expr) report(#expr, (long)(expr))
/* A pointer that is never mapped in the guest or on the host. */
#define BADPTR ((void *)0x10)

/* A fresh directory under /tmp, made the working directory. */
static char tmpdir[64];
__attribute__((unused)) static void enter_tmpdir(void) {
    strcpy(tmpdir, "/tmp/jkfsXXXXXX");
    if (!mkdtemp(tmpdir) || chdir(tmpdir) != 0) {
        perror("mkdtemp");
        exit(1);
    }
}
/* Each test removes what it made; this removes the (then empty) directory. */
__attribute__((unused)) static void cleanup(void) {
    chdir("/");
    rmdir(tmpdir);
}
