package dev.jkernel.arch.riscv64;

import dev.jkernel.arch.CpuContext;
import dev.jkernel.arch.ExecutionEngine;
import dev.jkernel.mm.AddressSpace;

/** STUB: the cpu branch owns this file. */
public final class Rv64Interpreter implements ExecutionEngine {
    @Override
    public int run(CpuContext ctx, AddressSpace mm, long budget) {
        ctx.trapInsn = 0;
        return STOP_ILLEGAL;
    }

    @Override
    public void flush() {
    }
}
