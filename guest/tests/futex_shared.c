/* Shared futexes between processes on MAP_SHARED memory (after fork), and how keys separate: a private-flag wait is
 * not woken by a shared wake or from another process; private memory is not shared after fork. */
#include "futex_common.h"
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>

int main(void)
{
    uint32_t *shm = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    static uint32_t priv;
    if (shm == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        /* child: wait on the shared word until the parent sets it to 1 and wakes */
        while (__atomic_load_n(&shm[0], __ATOMIC_SEQ_CST) == 0) {
            fx(&shm[0], FUTEX_WAIT, 0, NULL, NULL, 0);
        }
        shm[1] = 100 + shm[0];
        fx(&shm[1], FUTEX_WAKE, 1, NULL, NULL, 0);
        /* then a private wait on shared memory: only a private wake from this process could end it */
        struct timespec ts = {0, 50000000};
        long r = fx(&shm[2], FUTEX_WAIT_PRIVATE, 0, &ts, NULL, 0);
        _exit(r == -1 && errno == ETIMEDOUT ? 7 : 8);
    }
    await_waiters(&shm[0], 0, 1);
    printf("child waits on the shared word: %ld\n", waiters(&shm[0], 0));
    printf("private-flag view of it: %ld\n", waiters(&shm[0], FUTEX_PRIVATE_FLAG));
    printf("private wake: %s\n", res(fx(&shm[0], FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0)));
    __atomic_store_n(&shm[0], 1, __ATOMIC_SEQ_CST);
    printf("shared wake: %s\n", res(fx(&shm[0], FUTEX_WAKE, 1, NULL, NULL, 0)));
    while (__atomic_load_n(&shm[1], __ATOMIC_SEQ_CST) == 0) {
        fx(&shm[1], FUTEX_WAIT, 0, NULL, NULL, 0);
    }
    printf("child answered %u\n", shm[1]);
    /* the child's private wait on shm[2] is keyed on its own address space: nothing here reaches it */
    for (int i = 0; i < 10; i++) {
        fx(&shm[2], FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
        fx(&shm[2], FUTEX_WAKE, 1, NULL, NULL, 0);
    }
    int st;
    waitpid(pid, &st, 0);
    printf("child exit status %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);

    /* private memory after fork: the child's word is its own */
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        struct timespec ts = {0, 50000000};
        long r = fx(&priv, FUTEX_WAIT, 0, &ts, NULL, 0);
        _exit(r == -1 && errno == ETIMEDOUT ? 7 : 8);
    }
    struct timespec ts = {0, 10000000};
    for (int i = 0; i < 5; i++) {
        fx(&priv, FUTEX_WAKE, 1, NULL, NULL, 0);
        nanosleep(&ts, NULL);
    }
    waitpid(pid, &st, 0);
    printf("child waiting on private memory: exit status %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);

    return 0;
}
