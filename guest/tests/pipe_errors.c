/* Error orders where qemu-user departs from Linux (see pipe_errors.qemu-differs). */
#include "pipe_common.h"
#include <sys/resource.h>

static int lowest_free(void) {
    int fd = dup(0);
    close(fd);
    return fd;
}

int main(void) {
    int before = lowest_free();
    /* Linux makes both files, fails to store the pair, and closes both: nothing leaks. */
    T(pipe2(BADPTR, 0));
    printf("fds leaked by the EFAULT: %d\n", lowest_free() != before);
    T(pipe2(BADPTR, O_APPEND)); /* flags are checked first */

    /* nfds is checked against RLIMIT_NOFILE before the array is read */
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    struct timespec zero = {0, 0};
    T(syscall(SYS_ppoll, BADPTR, (long)rl.rlim_cur + 1, &zero, NULL, 0L));
    T(syscall(SYS_ppoll, BADPTR, 1L, &zero, NULL, 0L));
    rl.rlim_cur = 5;
    T(setrlimit(RLIMIT_NOFILE, &rl));
    struct pollfd f[6] = {{0, 0, 0}};
    T(syscall(SYS_ppoll, f, 6L, &zero, NULL, 0L));
    T(syscall(SYS_ppoll, f, 5L, &zero, NULL, 0L));
    return 0;
}
