package dev.jkernel.arch;

import dev.jkernel.mm.AddressSpace;

/**
 * Executes guest instructions for one thread. The interpreter is one implementation; a translator to JVM bytecode can
 * replace it behind this interface. One engine instance belongs to one guest thread (it may cache decoded code and
 * page translations), so it is never used by two host threads at once.
 */
public interface ExecutionEngine {
    /** An ecall: ctx.pc is already past the ecall instruction (Linux's epc += 4 in do_trap_ecall_u). */
    int STOP_SYSCALL = 1;
    /** A memory access faulted; ctx.pc is the faulting instruction, ctx.trapAddr/trapAccess/trapCode say why. */
    int STOP_FAULT = 2;
    /** An illegal or unsupported instruction at ctx.pc; ctx.trapInsn holds its bits. */
    int STOP_ILLEGAL = 3;
    /** ebreak (or c.ebreak) at ctx.pc. */
    int STOP_BREAKPOINT = 4;
    /** Exactly the instruction budget given to run() has retired. */
    int STOP_BUDGET = 5;
    /** ctx.interruptRequested was seen set (and cleared). */
    int STOP_INTERRUPT = 6;

    /**
     * Runs guest code of {@code ctx} in {@code mm} until a stop. At most {@code budget} instructions retire; when exactly
     * {@code budget} have retired the engine stops with STOP_BUDGET (this exactness is what forced preemption at a
     * chosen instruction relies on). An ecall counts as retired; a faulting or illegal instruction does not.
     */
    int run(CpuContext ctx, AddressSpace mm, long budget);

    /** Drops every cached translation and decoded instruction (after exec, or a change of the code). */
    void flush();
}
