package dev.jkernel.syscall;

/** STUB, being written on main. */
public final class MemorySyscalls implements SyscallTable.Family {
    @Override
    public void register(SyscallTable.Builder b) {
    }
}
