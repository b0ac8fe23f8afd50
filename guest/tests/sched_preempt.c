/*
 * Two processes that can only finish if both run: each spins until the other has written to shared memory. On a
 * single CPU this needs preemption at the end of a time slice (SchedulerTest runs it under jkernel with one vCPU).
 */
#include <stdio.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/wait.h>

int main(void)
{
    volatile long *shared = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (shared == MAP_FAILED)
        return 1;
    fflush(stdout);
    pid_t p = fork();
    if (p < 0)
        return 2;
    if (p == 0) {
        shared[0] = 1;
        while (shared[1] == 0)
            ;
        _exit(0);
    }
    while (shared[0] == 0)
        ;
    shared[1] = 1;
    int st;
    if (waitpid(p, &st, 0) != p || !WIFEXITED(st))
        return 3;
    printf("both processes ran\n");
    return 0;
}
