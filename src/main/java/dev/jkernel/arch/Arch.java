package dev.jkernel.arch;

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

    /** Syscall numbers by Linux name, for this architecture (riscv64 uses the asm-generic table). */
    Map<String, Integer> syscallNumbers();

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
