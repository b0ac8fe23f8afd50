package dev.jkernel.syscall;

import dev.jkernel.kernel.ErrnoException;
import dev.jkernel.kernel.Task;
import dev.jkernel.mm.GuestFault;

/**
 * One syscall's implementation. Arguments are the raw register values (truncate ints yourself, as Linux's
 * SYSCALL_DEFINE wrappers do: {@code (int) a0}). Returns the result, or {@code -errno}. A GuestFault thrown while
 * copying from or to guest memory becomes -EFAULT, an ErrnoException becomes -errno.
 */
@FunctionalInterface
public interface SyscallHandler {
    long call(Task t, long a0, long a1, long a2, long a3, long a4, long a5) throws GuestFault, ErrnoException;
}
