package dev.jkernel.kernel;

import java.util.function.Consumer;

/**
 * Everything one process creation needs (Linux's struct kernel_clone_args). fork, vfork, clone, clone3 and kernel
 * thread creation all fill one and hand it to {@link Fork#kernelClone}; the architecture's copyThread reads the same
 * record for every caller.
 *
 * @param flags       CLONE_* flags (without the exit signal)
 * @param pidfd       where to store the pidfd (CLONE_PIDFD), a guest address
 * @param childTid    CLONE_CHILD_SETTID / CLONE_CHILD_CLEARTID address
 * @param parentTid   CLONE_PARENT_SETTID address
 * @param exitSignal  signal for the parent when the child exits (0 for none)
 * @param stack       the child's stack: its lowest address for clone3 (with stackSize), its top for clone
 * @param stackSize   clone3's stack size (0 for clone: stack is then the new stack pointer itself)
 * @param tls         CLONE_SETTLS value
 * @param setTid      clone3's set_tid (the pid wanted), or 0
 * @param fn          a kernel thread's payload, or null for a user task
 */
public record KernelCloneArgs(long flags, long pidfd, long childTid, long parentTid, int exitSignal, long stack,
        long stackSize, long tls, int setTid, Consumer<Task> fn) {

    public static final long CSIGNAL = 0x000000ff, CLONE_VM = 0x00000100, CLONE_FS = 0x00000200,
            CLONE_FILES = 0x00000400, CLONE_SIGHAND = 0x00000800, CLONE_PIDFD = 0x00001000,
            CLONE_PTRACE = 0x00002000, CLONE_VFORK = 0x00004000, CLONE_PARENT = 0x00008000,
            CLONE_THREAD = 0x00010000, CLONE_NEWNS = 0x00020000, CLONE_SYSVSEM = 0x00040000,
            CLONE_SETTLS = 0x00080000, CLONE_PARENT_SETTID = 0x00100000, CLONE_CHILD_CLEARTID = 0x00200000,
            CLONE_DETACHED = 0x00400000, CLONE_UNTRACED = 0x00800000, CLONE_CHILD_SETTID = 0x01000000,
            CLONE_NEWCGROUP = 0x02000000, CLONE_NEWUTS = 0x04000000, CLONE_NEWIPC = 0x08000000,
            CLONE_NEWUSER = 0x10000000, CLONE_NEWPID = 0x20000000, CLONE_NEWNET = 0x40000000,
            CLONE_IO = 0x80000000L, CLONE_NEWTIME = 0x00000080, CLONE_CLEAR_SIGHAND = 1L << 32,
            CLONE_INTO_CGROUP = 1L << 33;

    /** Namespace flags: refused until namespaces exist. */
    public static final long NAMESPACES = CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC
            | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWTIME;

    /** A kernel thread (kernel_thread / kthread): shares everything a kernel thread can, runs fn. */
    public static KernelCloneArgs kernelThread(Consumer<Task> fn) {
        return new KernelCloneArgs(CLONE_VM | CLONE_UNTRACED, 0, 0, 0, 0, 0, 0, 0, 0, fn);
    }

    public boolean has(long flag) {
        return (flags & flag) != 0;
    }
}
