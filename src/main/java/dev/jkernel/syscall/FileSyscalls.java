package dev.jkernel.syscall;

/** File syscalls. STUB: the fs branch owns this file. */
public final class FileSyscalls implements SyscallTable.Family {
    @Override
    public void register(SyscallTable.Builder b) {
    }
}
