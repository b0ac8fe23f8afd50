package dev.jkernel.arch.riscv64;

/**
 * The decoded-instruction intermediate form shared by the decoder, the interpreter and (later) a translator to JVM
 * bytecode. One decoded instruction is a packed int word (op | rd << 8 | rs1 << 16 | rs2 << 24) plus a long immediate.
 *
 * <p>Conventions: immediates are fully sign-extended; PC-relative values (AUIPC results, branch and jump targets) are
 * already made absolute; ALU instructions whose rd is x0 decode to {@link #NOP}, so only loads, CSR, AMO and link
 * writes must guard against rd = 0. For {@link #CSR}, {@link #AMO}, {@link #FP} and {@link #ILLEGAL} the immediate is the
 * raw instruction word. For FP loads/stores rd/rs2 name f registers.
 */
public final class Rv64Op {
    private Rv64Op() {}

    public static final int NOP = 0, LI = 1,
            ADDI = 2, SLTI = 3, SLTIU = 4, XORI = 5, ORI = 6, ANDI = 7, SLLI = 8, SRLI = 9, SRAI = 10,
            ADDIW = 11, SLLIW = 12, SRLIW = 13, SRAIW = 14,
            ADD = 15, SUB = 16, SLL = 17, SLT = 18, SLTU = 19, XOR = 20, SRL = 21, SRA = 22, OR = 23, AND = 24,
            ADDW = 25, SUBW = 26, SLLW = 27, SRLW = 28, SRAW = 29,
            MUL = 30, MULH = 31, MULHSU = 32, MULHU = 33, DIV = 34, DIVU = 35, REM = 36, REMU = 37,
            MULW = 38, DIVW = 39, DIVUW = 40, REMW = 41, REMUW = 42,
            LB = 43, LH = 44, LW = 45, LD = 46, LBU = 47, LHU = 48, LWU = 49,
            SB = 50, SH = 51, SW = 52, SD = 53,
            FLW = 54, FLD = 55, FSW = 56, FSD = 57,
            // terminators (end a basic block)
            BEQ = 58, BNE = 59, BLT = 60, BGE = 61, BLTU = 62, BGEU = 63,
            J = 64, JAL = 65, JR = 66, JALR = 67,
            ECALL = 68, EBREAK = 69, FENCE_I = 70, ILLEGAL = 71,
            // non-terminators again
            FENCE = 72, CSR = 73, AMO = 74, FP = 75, MV = 76;

    public static final int COUNT = 77;

    /** True if the op ends a basic block (control transfer or a stop). */
    public static boolean isTerminator(int op) {
        return op >= BEQ && op <= ILLEGAL;
    }

    public static int pack(int op, int rd, int rs1, int rs2) {
        return op | rd << 8 | rs1 << 16 | rs2 << 24;
    }

    public static int op(int w) {
        return w & 0xff;
    }

    public static int rd(int w) {
        return (w >>> 8) & 0xff;
    }

    public static int rs1(int w) {
        return (w >>> 16) & 0xff;
    }

    public static int rs2(int w) {
        return w >>> 24;
    }
}
