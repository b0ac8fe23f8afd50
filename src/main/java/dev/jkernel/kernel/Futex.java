package dev.jkernel.kernel;

/** Fast user-space mutexes. STUB: the futex branch owns this file (keep these two entry points). */
public final class Futex {
    Futex() {}

    /** Exit's CLONE_CHILD_CLEARTID wake-up: wakes one waiter on the (shared-keyed) futex at addr of t's memory. */
    public void wakeForExit(Task t, long addr) {
    }

    /** Exit's walk of the robust futex list registered with set_robust_list (Linux's exit_robust_list). */
    public void exitRobustList(Task t) {
    }
}
