package dev.jkernel.arch.riscv64;

/**
 * The F and D extensions' computational instructions (OP-FP and the four fused multiply-add opcodes), exact to the
 * RISC-V spec: all rounding modes, fflags, NaN-boxing, canonical NaNs. Loads and stores of FP registers are the
 * interpreter's (they are memory operations).
 */
public final class Rv64Fpu {
    private Rv64Fpu() {}

    /**
     * Executes one OP-FP (0x53), FMADD (0x43), FMSUB (0x47), FNMSUB (0x4b) or FNMADD (0x4f) instruction on ctx, and
     * returns true; returns false (changing nothing) if the instruction is illegal, including a reserved rounding mode.
     * Does not touch ctx.pc.
     */
    public static boolean execute(Rv64Context ctx, int insn) {
        return false; // stub: implemented on the fpu branch
    }
}
