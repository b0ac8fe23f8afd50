package dev.jkernel.arch;

import dev.jkernel.mm.AddressSpace;
import dev.jkernel.mm.GuestFault;

import java.util.List;
import java.util.Map;

/**
 * Everything the generic kernel needs to know about one guest architecture. The riscv64 implementation is the only
 * place that knows riscv64's registers, instruction set and ABI; a second architecture would add a second one.
 */
public interface Arch {
    /** Linux's name for it, as uname -m prints it. */
    String name();

    /** ELF e_machine value accepted by the loader. */
    int elfMachine();

    /** A fresh, zeroed register state. */
    CpuContext newContext();

    /** A new execution engine for one guest thread. */
    ExecutionEngine newEngine();

    // ---- syscall ABI ----

    /** The syscall number of the ecall that just stopped the engine. */
    int syscallNumber(CpuContext ctx);

    /** Syscall argument {@code i} (0..5). */
    long syscallArg(CpuContext ctx, int i);

    /** Stores a syscall's return value (a negative errno for failure). */
    void setSyscallReturn(CpuContext ctx, long value);

    /** At syscall entry: remember what a restart needs (Linux's orig_a0 on riscv). */
    void syscallEntry(CpuContext ctx);

    /** The value the last syscall left in the return register. */
    long syscallReturnValue(CpuContext ctx);

    /**
     * Rewinds to re-execute the syscall that just returned (the restart): pc back over the trap instruction, the
     * first argument reloaded from its saved copy, and, for ERESTART_RESTARTBLOCK, the syscall number replaced by
     * {@code restartNr} (restart_syscall).
     */
    void restartSyscall(CpuContext ctx, int restartNr);

    /** The stack pointer (where a signal frame goes when no alternate stack applies). */
    long stackPointer(CpuContext ctx);

    /**
     * Builds a signal frame (Linux's setup_rt_frame) below {@code sp} in {@code mm} and points the registers at the
     * handler: the saved registers, the siginfo, the mask to restore ({@code savedMask}) and the alternate stack
     * settings go into the frame; the handler gets (sig, &info, &ucontext) and returns to {@code restorer}.
     */
    void setupSignalFrame(CpuContext ctx, AddressSpace mm, long sp, int sig, byte[] siginfo, long savedMask,
            long altSp, int altFlags, long altSize, long handler, long restorer) throws GuestFault;

    /** What rt_sigreturn restored besides the registers. */
    record SigreturnState(long mask, long altSp, int altFlags, long altSize) {}

    /**
     * rt_sigreturn: reads the frame at the stack pointer and restores every register from it (including ones the
     * handler changed). Throws ErrnoException(EINVAL) for a frame Linux would refuse (then the task gets SIGSEGV).
     */
    SigreturnState sigreturn(CpuContext ctx, AddressSpace mm) throws GuestFault, dev.jkernel.kernel.ErrnoException;

    /** Bytes a signal frame takes (AT_MINSIGSTKSZ is derived from it). */
    int signalFrameSize();

    /** Syscall numbers by Linux name, for this architecture (riscv64 uses the asm-generic table). */
    Map<String, Integer> syscallNumbers();

    /**
     * The architecture's own syscalls (riscv64: riscv_hwprobe), registered after the generic families. Empty when
     * it has none.
     */
    default List<dev.jkernel.syscall.SyscallTable.Family> syscallFamilies() {
        return List.of();
    }

    // ---- process start ----

    /**
     * Sets up the registers a new program starts with: pc at entry, stack pointer, everything else as Linux's
     * start_thread leaves it (a0 = 0: no rtld_fini from the kernel).
     */
    void startThread(CpuContext ctx, long entry, long sp);

    /**
     * Sets up a new task's registers (Linux's copy_thread), the same for every way of creating one. For a user task:
     * a copy of the parent's registers with the syscall returning 0 in the child, the stack pointer set to
     * {@code stackPointer} when non-zero, and the thread pointer set to {@code tls} when {@code setTls}. For a kernel
     * thread ({@code kernelThread}): zeroed registers.
     */
    void copyThread(CpuContext child, CpuContext parent, boolean kernelThread, long stackPointer, boolean setTls,
            long tls);

    /** AT_HWCAP value. */
    long hwcap();

    /** AT_MINSIGSTKSZ value. */
    long minSigStackSize();

    /** The string Linux puts at AT_PLATFORM, or null when the architecture has none (riscv64 has none). */
    String platform();

    // ---- vDSO ----

    /**
     * The vDSO exec maps read+exec into every new process (its address goes to AT_SYSINFO_EHDR): an ELF shared
     * object linked at address 0, as a fresh copy. Null when the architecture has none.
     */
    default byte[] vdsoImage() {
        return null;
    }

    /** The offset of the vDSO's symbol {@code name} from the image's start, or -1 when it has no such symbol. */
    default long vdsoSymbol(String name) {
        return -1;
    }
}
