package dev.jkernel.syscall;

import static dev.jkernel.syscall.SyscallTable.Status.PARTIAL;

/** futex(2): the kernel side of fast user-space locking (see {@link dev.jkernel.kernel.Futex}). */
public final class FutexSyscalls implements SyscallTable.Family {
    @Override
    public void register(SyscallTable.Builder b) {
        b.add("futex", (t, a0, a1, a2, a3, a4, a5) -> t.kernel().futex().futex(t, a0, (int) a1, (int) a2, a3, a4,
                (int) a5), PARTIAL, "ptr futexop int ptr ptr hex",
                "WAIT, WAKE, REQUEUE, CMP_REQUEUE, WAKE_OP, WAIT_BITSET, WAKE_BITSET with FUTEX_PRIVATE_FLAG and "
                        + "FUTEX_CLOCK_REALTIME; shared futexes on MAP_SHARED memory work across processes; the PI "
                        + "commands (LOCK_PI, LOCK_PI2, UNLOCK_PI, TRYLOCK_PI, WAIT_REQUEUE_PI, CMP_REQUEUE_PI) "
                        + "answer ENOSYS");
    }
}
