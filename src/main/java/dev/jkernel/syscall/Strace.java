package dev.jkernel.syscall;

import java.io.PrintStream;

/** STUB, being written on main. */
public final class Strace {
    public Strace(PrintStream out, SyscallTable table) {
    }
}
