/* A thread that makes a syscall on every turn of a busy loop is still preempted when its time slice ends: on one
 * CPU, the thread it waits for gets to run (Linux's tick preempts whatever the thread does between syscalls). */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

static atomic_int started;

static void *other(void *arg) {
    (void)arg;
    atomic_store(&started, 1);
    return NULL;
}

int main(void) {
    pthread_t t;
    if (pthread_create(&t, NULL, other, NULL) != 0) {
        perror("pthread_create");
        return 1;
    }
    long calls = 0;
    while (!atomic_load(&started)) {
        syscall(SYS_getppid);
        calls++;
    }
    pthread_join(t, NULL);
    printf("the other thread ran while this one looped on syscalls: yes\n");
    return 0;
}
