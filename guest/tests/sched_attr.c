/* sched_setattr / sched_getattr: struct sched_attr's sizes, the fair policies with their nice value, the
 * real-time priority rules, SCHED_DEADLINE's parameter checks and the errors. Only what needs no privilege:
 * nice values are only raised, real-time and deadline requests are only ones Linux refuses as invalid. */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

struct attr {
    unsigned size, policy;
    unsigned long long flags;
    int nice;
    unsigned prio;
    unsigned long long runtime, deadline, period;
    unsigned util_min, util_max;
};

static long setattr(long pid, void *a, long flags) {
    long r = syscall(SYS_sched_setattr, pid, a, flags);
    return r < 0 ? -errno : r;
}

static long getattr(long pid, void *a, long size, long flags) {
    long r = syscall(SYS_sched_getattr, pid, a, size, flags);
    return r < 0 ? -errno : r;
}

static void show(const char *what) {
    struct attr a;
    memset(&a, 0x77, sizeof a);
    long r = getattr(0, &a, 48, 0);
    printf("%s: get %ld size %u policy %u flags %llu nice %d prio %u deadline %llu period %llu"
           " sched_getscheduler %d\n", what, r, a.size, a.policy, a.flags, a.nice, a.prio, a.deadline, a.period,
           sched_getscheduler(0));
}

int main(void) {
    struct attr a;
    unsigned char big[128];

    show("initial");
    memset(&a, 0, sizeof a);
    a.size = 48;
    a.policy = SCHED_BATCH;
    a.nice = 3;
    printf("batch nice 3: %ld\n", setattr(0, &a, 0));
    show("after batch");
    errno = 0;
    int pr = getpriority(PRIO_PROCESS, 0);
    printf("getpriority: %d\n", pr);

    a.policy = SCHED_OTHER;
    a.nice = 100; /* clamped to 19 */
    printf("other nice 100: %ld\n", setattr(getpid(), &a, 0));
    show("after clamp");

    a.policy = SCHED_BATCH;
    a.flags = 0x08; /* SCHED_FLAG_KEEP_POLICY: stays SCHED_OTHER */
    a.nice = 19;
    printf("keep policy: %ld\n", setattr(0, &a, 0));
    show("after keep policy");
    a.flags = 0;

    /* size 0 means the first version (48 bytes) */
    a.size = 0;
    a.policy = SCHED_OTHER;
    printf("size 0: %ld\n", setattr(0, &a, 0));
    show("after size 0");

    /* E2BIG with the kernel's size written back */
    a.size = 40;
    printf("size 40: %ld\n", setattr(0, &a, 0));
    printf("  written back: %u\n", a.size);
    memset(big, 0, sizeof big);
    memcpy(big, &a, sizeof a);
    ((struct attr *)big)->size = 128;
    ((struct attr *)big)->policy = SCHED_OTHER;
    ((struct attr *)big)->nice = 19;
    printf("size 128 zero tail: %ld\n", setattr(0, big, 0));
    big[100] = 1;
    long r = setattr(0, big, 0);
    printf("size 128 nonzero tail: %ld written back %u\n", r, ((struct attr *)big)->size);
    a.size = 8192;
    r = setattr(0, &a, 0);
    printf("size 8192: %ld written back %u\n", r, a.size);

    /* EINVAL */
    a.size = 48;
    a.policy = SCHED_OTHER;
    a.nice = 19;
    printf("flags 1: %ld\n", setattr(0, &a, 1));
    printf("null attr: %ld\n", setattr(0, NULL, 0));
    printf("pid -1: %ld\n", setattr(-1, &a, 0));
    a.policy = 4;
    printf("policy 4: %ld\n", setattr(0, &a, 0));
    a.policy = 99;
    printf("policy 99: %ld\n", setattr(0, &a, 0));
    a.policy = -1;
    printf("policy -1: %ld\n", setattr(0, &a, 0));
    a.policy = SCHED_OTHER;
    a.prio = 1;
    printf("other prio 1: %ld\n", setattr(0, &a, 0));
    a.prio = 0;
    a.flags = 0x80;
    printf("unknown sched flag: %ld\n", setattr(0, &a, 0));
    a.flags = 0x20; /* UTIL_CLAMP_MIN needs the 56-byte struct */
    printf("clamp with size 48: %ld\n", setattr(0, &a, 0));
    a.flags = 0;
    a.policy = SCHED_FIFO;
    a.prio = 0;
    printf("fifo prio 0: %ld\n", setattr(0, &a, 0));
    a.prio = 100;
    printf("fifo prio 100: %ld\n", setattr(0, &a, 0));
    a.policy = SCHED_RR;
    a.prio = 0;
    printf("rr prio 0: %ld\n", setattr(0, &a, 0));
    a.policy = 6; /* SCHED_DEADLINE */
    a.prio = 0;
    a.runtime = 0;
    a.deadline = 0;
    printf("deadline zero: %ld\n", setattr(0, &a, 0));
    a.runtime = 20000000;
    a.deadline = 10000000;
    a.period = 30000000;
    printf("deadline runtime > deadline: %ld\n", setattr(0, &a, 0));
    a.runtime = 100;
    a.deadline = 10000000;
    printf("deadline runtime < 1024 ns: %ld\n", setattr(0, &a, 0));
    a.runtime = 10000;
    a.deadline = 50000;
    a.period = 50000;
    printf("deadline period < 100 us: %ld\n", setattr(0, &a, 0));
    a.period = 0;
    a.runtime = 0;
    a.deadline = 0;

    /* ESRCH */
    a.policy = SCHED_OTHER;
    printf("no such pid: %ld\n", setattr(999999, &a, 0));

    /* sched_getattr */
    struct attr g;
    printf("get size 47: %ld\n", getattr(0, &g, 47, 0));
    printf("get size 8192: %ld\n", getattr(0, &g, 8192, 0));
    printf("get flags 1: %ld\n", getattr(0, &g, 48, 1));
    printf("get null: %ld\n", getattr(0, NULL, 48, 0));
    printf("get pid -1: %ld\n", getattr(-1, &g, 48, 0));
    printf("get no such pid: %ld\n", getattr(999999, &g, 48, 0));
    memset(big, 0x77, sizeof big);
    r = getattr(0, big, 128, 0);
    int tail_zero = 1;
    for (int i = 56; i < 128; i++)
        tail_zero &= big[i] == 0;
    printf("get size 128: %ld size %u policy %u nice %d tail zeroed %d\n", r, ((struct attr *)big)->size,
           ((struct attr *)big)->policy, ((struct attr *)big)->nice, tail_zero);
    memset(big, 0x77, sizeof big);
    r = getattr(0, big, 52, 0);
    printf("get size 52: %ld size %u byte 52 %#x\n", r, ((struct attr *)big)->size, big[52]);
    printf("get bad pointer: %ld\n", getattr(0, (void *)8, 48, 0));
    printf("set bad pointer: %ld\n", setattr(0, (void *)8, 0));

    /* Last, as leaving SCHED_IDLE needs privilege. SCHED_FLAG_KEEP_PARAMS applies none of the parameters, the
     * policy included (a fair task's sched_runtime, its slice on Linux 6.6+, is not printed). */
    memset(&a, 0, sizeof a);
    a.size = 48;
    a.nice = 10;
    a.policy = SCHED_IDLE;
    a.flags = 0x10;
    printf("idle keep params: %ld\n", setattr(0, &a, 0));
    show("after idle keep params");
    a.flags = 0;
    a.nice = 19;
    printf("idle: %ld\n", setattr(0, &a, 0));
    show("after idle");
    return 0;
}
