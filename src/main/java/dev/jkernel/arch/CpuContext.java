package dev.jkernel.arch;

/**
 * The user register state of one guest thread (Linux's pt_regs plus FP state), as the architecture defines it, and
 * the trap record the execution engine fills when it stops. The generic kernel reaches registers only through
 * {@link Arch}; it never names an architecture's register.
 */
public abstract class CpuContext {
    /** Address of the next instruction to execute (after a syscall stop: the instruction after the ecall). */
    public long pc;

    /** Retired-instruction counter (the instret CSR). */
    public long instret;

    /** The clock a time counter CSR reads: the kernel's CLOCK_MONOTONIC, in nanoseconds. */
    public java.util.function.LongSupplier monotonicClock = System::nanoTime;

    /**
     * Set by other threads (signal sent, preemption, kill) to make the engine return {@link ExecutionEngine#STOP_INTERRUPT}
     * at its next check, which it does at least once per basic block.
     */
    public volatile boolean interruptRequested;

    // Trap record, valid after run() returned STOP_FAULT, STOP_ILLEGAL or STOP_BREAKPOINT.
    /** Faulting data address (STOP_FAULT). */
    public long trapAddr;
    /** GuestFault.READ/WRITE/EXEC (STOP_FAULT). */
    public int trapAccess;
    /** GuestFault.MAPERR/ACCERR/ADRALN (STOP_FAULT). */
    public int trapCode;
    /** The instruction word (STOP_ILLEGAL), as fetched: 16 bits for a compressed instruction. */
    public int trapInsn;

    /** A full copy of the register state (fork/clone start from a copy of the parent's registers). */
    public abstract CpuContext copy();
}
