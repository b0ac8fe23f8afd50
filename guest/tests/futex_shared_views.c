/* One shared futex seen through two views of the same MAP_SHARED memory (mremap with old size 0 duplicates a
 * shared mapping): a waiter on one view is counted and woken through the other, from another process. */
#define _GNU_SOURCE
#include "futex_common.h"
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>

int main(void)
{
    uint32_t *shm = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    pid_t pid;
    int st;
    uint32_t *v1 = shm;
    uint32_t *v2 = mremap(shm, 0, 4096, MREMAP_MAYMOVE);
    if (v2 == MAP_FAILED) {
        perror("mremap");
        return 1;
    }
    printf("views differ: %s\n", v1 != v2 ? "yes" : "no");
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        struct timespec to = {5, 0};
        long r = fx(&v1[3], FUTEX_WAIT, 0, &to, NULL, 0);
        _exit(r == 0 ? 7 : 8);
    }
    await_waiters(&v2[3], 0, 1);
    printf("waiters seen through the other view: %ld\n", waiters(&v2[3], 0));
    printf("wake through the other view: %s\n", res(fx(&v2[3], FUTEX_WAKE, 1, NULL, NULL, 0)));
    waitpid(pid, &st, 0);
    printf("other-view waiter: exit status %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    return 0;
}
