package dev.jkernel.arch.riscv64;

/**
 * A decoded basic block: straight-line instructions starting at {@link #pc}, within one guest page (an instruction
 * straddling into the next page ends the block), ending at the first control transfer or stop, or at the page end,
 * or at the length limit. Instruction i is {@code w[i]} / {@code imm[i]} (see {@link Rv64Op}) at address
 * {@code pc + off[i]}; {@code off[n]} is the block's length in bytes.
 */
public final class Rv64Block {
    public final long pc;
    public final int n;
    public final int[] w;
    public final long[] imm;
    public final int[] off;
    /** The page arrays the code was decoded from (page1: the next page, only for a straddling last instruction). */
    final byte[] page0, page1;
    /** The address space generation at which page0/page1 were last checked to still be the pages at pc. */
    long gen;
    /** Next block in the same hash bucket. */
    Rv64Block chain;
    /** The engine's flush epoch this block was decoded in. */
    final int epoch;
    /** Up to two successors seen after this block (taken/fall-through), to skip the hash lookup. */
    long pc0 = -1, pc1 = -1;
    Rv64Block next0, next1;

    /**
     * The interpreter's lowered "fast form" of the block (see Rv64Interpreter#lower): xn ops; op k is xw[k] with
     * immediates xa[k]/xb[k] and covers instructions [xi[k], xi[k+1]) of the block (a fused pair covers two, a dropped
     * NOP is counted with the op before it).
     */
    int xn;
    int[] xw;
    long[] xa, xb;
    int[] xi;
    /** pc + off[n]: the fall-through address. */
    long end;

    Rv64Block(long pc, int n, int[] w, long[] imm, int[] off, byte[] page0, byte[] page1, long gen, int epoch) {
        this.epoch = epoch;
        this.pc = pc;
        this.n = n;
        this.w = w;
        this.imm = imm;
        this.off = off;
        this.page0 = page0;
        this.page1 = page1;
        this.gen = gen;
        this.end = pc + off[n];
    }

    /** Remembers b as the successor at pc. */
    void link(long pc, Rv64Block b) {
        if (pc == pc0) {
            next0 = b;
        } else if (pc == pc1) {
            next1 = b;
        } else if (next0 == null) {
            pc0 = pc;
            next0 = b;
        } else {
            pc1 = pc;
            next1 = b;
        }
    }

    /** Address just past the block's last instruction. */
    public long endPc() {
        return pc + off[n];
    }
}
