/* getpriority/setpriority: the raw syscall's 20 - nice, clamping, inheritance by fork, process groups, errors. */
#include "proc_common.h"
#include <sys/resource.h>

static long getp(int which, int who) { return syscall(SYS_getpriority, which, who); }

int main(void) {
    setpgid(0, 0); /* a group of our own, so that PRIO_PGRP sees only this test */
    T(getp(PRIO_PROCESS, 0));
    T(setpriority(PRIO_PROCESS, 0, 5));
    T(getp(PRIO_PROCESS, 0));
    T(getp(PRIO_PROCESS, getpid()));
    T(getp(PRIO_PGRP, 0));
    T(getp(PRIO_PGRP, getpgrp()));
    T(getpriority(PRIO_PROCESS, 0));
    T(setpriority(PRIO_PROCESS, 0, 7));
    T(getp(PRIO_PROCESS, 0));

    pid_t pid = xfork();
    if (pid == 0)
        _exit((int)getp(PRIO_PROCESS, 0));
    T(wait_status(pid));

    T(setpriority(PRIO_PGRP, 0, 100));
    T(getp(PRIO_PROCESS, 0));
    long r = setpriority(PRIO_PROCESS, 0, 0);
    int e = errno;
    printf("lowering: %s\n", (r == 0) == (geteuid() == 0) ? "as the credentials allow"
                                                          : strerrorname_np(e));
    if (r != 0)
        printf("lowering error is EACCES: %d\n", e == EACCES);
    else
        printf("lowering error is EACCES: 1\n");
    T(setpriority(PRIO_PROCESS, 0, 19));
    T(getp(PRIO_PROCESS, 0));

    T(getp(3, 0));
    T(getp(-1, 0));
    T(setpriority(3, 0, 0));
    T(getp(PRIO_PROCESS, 0x3ffffff0));
    T(setpriority(PRIO_PROCESS, 0x3ffffff0, 19));
    T(getp(PRIO_PROCESS, -5));
    T(getp(PRIO_PGRP, 0x3ffffff0));
    T(getp(PRIO_USER, 4000123));
    T(setpriority(PRIO_USER, 4000123, 19));
    return 0;
}
