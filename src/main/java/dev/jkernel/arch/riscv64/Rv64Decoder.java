package dev.jkernel.arch.riscv64;

import static dev.jkernel.arch.riscv64.Rv64Op.*;

/**
 * Decodes one RV64GC instruction (RV64IMAC, Zicsr, Zifencei, F/D loads and stores; F/D computation is passed through
 * as {@link Rv64Op#FP}) into the {@link Rv64Op} intermediate form. After {@link #decode32} or {@link #decode16}, {@link #w}
 * holds the packed word and {@link #imm} the immediate. Every reserved or unknown encoding becomes
 * {@link Rv64Op#ILLEGAL} with the raw bits as immediate.
 */
public final class Rv64Decoder {
    /** Packed op word of the last decoded instruction. */
    public int w;
    /** Immediate of the last decoded instruction. */
    public long imm;

    private void set(int op, int rd, int rs1, int rs2, long imm) {
        this.w = pack(op, rd, rs1, rs2);
        this.imm = imm;
    }

    /** An ALU op writing rd: x0 destination makes it a no-op (a HINT). */
    private void alu(int op, int rd, int rs1, int rs2, long imm) {
        if (rd == 0) {
            set(NOP, 0, 0, 0, 0);
        } else {
            set(op, rd, rs1, rs2, imm);
        }
    }

    private void illegal(int insn) {
        set(ILLEGAL, 0, 0, 0, insn & 0xffffffffL);
    }

    /** Decodes a 32-bit instruction at {@code pc}. */
    public void decode32(int insn, long pc) {
        int opcode = insn & 0x7f;
        int rd = (insn >>> 7) & 31;
        int f3 = (insn >>> 12) & 7;
        int rs1 = (insn >>> 15) & 31;
        int rs2 = (insn >>> 20) & 31;
        int f7 = insn >>> 25;
        long immI = insn >> 20;
        switch (opcode) {
            case 0x37 -> alu(LI, rd, 0, 0, (long) (insn & 0xfffff000)); // LUI
            case 0x17 -> alu(LI, rd, 0, 0, pc + (long) (insn & 0xfffff000)); // AUIPC
            case 0x6f -> { // JAL
                long off = ((long) (insn >> 31) << 20) | (((insn >>> 12) & 0xff) << 12) | (((insn >>> 20) & 1) << 11)
                        | (((insn >>> 21) & 0x3ff) << 1);
                if (rd == 0) {
                    set(J, 0, 0, 0, pc + off);
                } else {
                    set(JAL, rd, 0, 0, pc + off);
                }
            }
            case 0x67 -> { // JALR
                if (f3 != 0) {
                    illegal(insn);
                } else {
                    set(rd == 0 ? JR : JALR, rd, rs1, 0, immI);
                }
            }
            case 0x63 -> { // BRANCH
                long off = ((long) (insn >> 31) << 12) | (((insn >>> 7) & 1) << 11) | (((insn >>> 25) & 0x3f) << 5)
                        | (((insn >>> 8) & 0xf) << 1);
                int op = switch (f3) {
                    case 0 -> BEQ;
                    case 1 -> BNE;
                    case 4 -> BLT;
                    case 5 -> BGE;
                    case 6 -> BLTU;
                    case 7 -> BGEU;
                    default -> -1;
                };
                if (op < 0) {
                    illegal(insn);
                } else {
                    set(op, 0, rs1, rs2, pc + off);
                }
            }
            case 0x03 -> { // LOAD
                int op = switch (f3) {
                    case 0 -> LB;
                    case 1 -> LH;
                    case 2 -> LW;
                    case 3 -> LD;
                    case 4 -> LBU;
                    case 5 -> LHU;
                    case 6 -> LWU;
                    default -> -1;
                };
                if (op < 0) {
                    illegal(insn);
                } else {
                    set(op, rd, rs1, 0, immI);
                }
            }
            case 0x07 -> { // LOAD-FP
                if (f3 == 2) {
                    set(FLW, rd, rs1, 0, immI);
                } else if (f3 == 3) {
                    set(FLD, rd, rs1, 0, immI);
                } else {
                    illegal(insn);
                }
            }
            case 0x23, 0x27 -> { // STORE, STORE-FP
                long immS = ((long) (insn >> 25) << 5) | ((insn >>> 7) & 31);
                int op;
                if (opcode == 0x23) {
                    op = f3 == 0 ? SB : f3 == 1 ? SH : f3 == 2 ? SW : f3 == 3 ? SD : -1;
                } else {
                    op = f3 == 2 ? FSW : f3 == 3 ? FSD : -1;
                }
                if (op < 0) {
                    illegal(insn);
                } else {
                    set(op, 0, rs1, rs2, immS);
                }
            }
            case 0x13 -> { // OP-IMM
                switch (f3) {
                    case 0 -> {
                        if (rs1 == 0) {
                            alu(LI, rd, 0, 0, immI);
                        } else if (immI == 0) {
                            alu(MV, rd, rs1, 0, 0);
                        } else {
                            alu(ADDI, rd, rs1, 0, immI);
                        }
                    }
                    case 2 -> alu(SLTI, rd, rs1, 0, immI);
                    case 3 -> alu(SLTIU, rd, rs1, 0, immI);
                    case 4 -> alu(XORI, rd, rs1, 0, immI);
                    case 6 -> alu(ORI, rd, rs1, 0, immI);
                    case 7 -> alu(ANDI, rd, rs1, 0, immI);
                    case 1 -> {
                        if ((insn >>> 26) == 0) {
                            alu(SLLI, rd, rs1, 0, (insn >>> 20) & 63);
                        } else {
                            illegal(insn);
                        }
                    }
                    default -> { // 5
                        int f6 = insn >>> 26;
                        if (f6 == 0) {
                            alu(SRLI, rd, rs1, 0, (insn >>> 20) & 63);
                        } else if (f6 == 0x10) {
                            alu(SRAI, rd, rs1, 0, (insn >>> 20) & 63);
                        } else {
                            illegal(insn);
                        }
                    }
                }
            }
            case 0x1b -> { // OP-IMM-32
                switch (f3) {
                    case 0 -> alu(ADDIW, rd, rs1, 0, immI);
                    case 1 -> {
                        if (f7 == 0) {
                            alu(SLLIW, rd, rs1, 0, rs2);
                        } else {
                            illegal(insn);
                        }
                    }
                    case 5 -> {
                        if (f7 == 0) {
                            alu(SRLIW, rd, rs1, 0, rs2);
                        } else if (f7 == 0x20) {
                            alu(SRAIW, rd, rs1, 0, rs2);
                        } else {
                            illegal(insn);
                        }
                    }
                    default -> illegal(insn);
                }
            }
            case 0x33 -> { // OP
                int op = -1;
                if (f7 == 0) {
                    op = switch (f3) {
                        case 0 -> ADD;
                        case 1 -> SLL;
                        case 2 -> SLT;
                        case 3 -> SLTU;
                        case 4 -> XOR;
                        case 5 -> SRL;
                        case 6 -> OR;
                        default -> AND;
                    };
                } else if (f7 == 0x20) {
                    op = f3 == 0 ? SUB : f3 == 5 ? SRA : -1;
                } else if (f7 == 1) {
                    op = MUL + f3; // MUL MULH MULHSU MULHU DIV DIVU REM REMU are consecutive
                }
                if (op < 0) {
                    illegal(insn);
                } else {
                    alu(op, rd, rs1, rs2, 0);
                }
            }
            case 0x3b -> { // OP-32
                int op = -1;
                if (f7 == 0) {
                    op = f3 == 0 ? ADDW : f3 == 1 ? SLLW : f3 == 5 ? SRLW : -1;
                } else if (f7 == 0x20) {
                    op = f3 == 0 ? SUBW : f3 == 5 ? SRAW : -1;
                } else if (f7 == 1) {
                    op = switch (f3) {
                        case 0 -> MULW;
                        case 4 -> DIVW;
                        case 5 -> DIVUW;
                        case 6 -> REMW;
                        case 7 -> REMUW;
                        default -> -1;
                    };
                }
                if (op < 0) {
                    illegal(insn);
                } else {
                    alu(op, rd, rs1, rs2, 0);
                }
            }
            case 0x0f -> { // MISC-MEM
                if (f3 == 0) {
                    set(FENCE, 0, 0, 0, 0);
                } else if (f3 == 1) {
                    set(FENCE_I, 0, 0, 0, 0);
                } else {
                    illegal(insn);
                }
            }
            case 0x73 -> { // SYSTEM
                if (f3 == 0) {
                    if (insn == 0x00000073) {
                        set(ECALL, 0, 0, 0, 0);
                    } else if (insn == 0x00100073) {
                        set(EBREAK, 0, 0, 0, 0);
                    } else {
                        illegal(insn);
                    }
                } else if (f3 == 4 || !csrKnown(insn >>> 20)) {
                    illegal(insn);
                } else {
                    set(CSR, rd, rs1, 0, insn & 0xffffffffL);
                }
            }
            case 0x2f -> { // AMO
                int f5 = insn >>> 27;
                boolean ok = (f3 == 2 || f3 == 3) && switch (f5) {
                    case 0x00, 0x01, 0x04, 0x08, 0x0c, 0x10, 0x14, 0x18, 0x1c, 0x03 -> true;
                    case 0x02 -> rs2 == 0;
                    default -> false;
                };
                if (ok) {
                    set(AMO, rd, rs1, rs2, insn & 0xffffffffL);
                } else {
                    illegal(insn);
                }
            }
            case 0x43, 0x47, 0x4b, 0x4f, 0x53 -> set(FP, 0, 0, 0, insn & 0xffffffffL);
            default -> illegal(insn);
        }
    }

    private static boolean csrKnown(int csr) {
        return csr == 0x001 || csr == 0x002 || csr == 0x003 || csr == 0xc00 || csr == 0xc01 || csr == 0xc02;
    }

    /** Decodes a 16-bit (RVC) instruction at {@code pc}. */
    public void decode16(int insn, long pc) {
        insn &= 0xffff;
        int q = insn & 3;
        int f3 = insn >>> 13;
        int rdp = 8 + ((insn >>> 2) & 7); // rd' / rs2'
        int rs1p = 8 + ((insn >>> 7) & 7); // rs1' / rd'
        int rd = (insn >>> 7) & 31; // rd / rs1
        int rs2 = (insn >>> 2) & 31;
        int b12 = (insn >>> 12) & 1;
        // 6-bit signed immediate imm[5]=inst[12], imm[4:0]=inst[6:2]
        long imm6 = ((long) -b12 << 5) | ((insn >>> 2) & 31);
        int uimm6 = (b12 << 5) | ((insn >>> 2) & 31);
        if (q == 0) {
            // offsets for C.LW/C.SW and C.LD/C.SD/C.FLD/C.FSD
            int offW = (((insn >>> 10) & 7) << 3) | (((insn >>> 6) & 1) << 2) | (((insn >>> 5) & 1) << 6);
            int offD = (((insn >>> 10) & 7) << 3) | (((insn >>> 5) & 3) << 6);
            switch (f3) {
                case 0 -> { // C.ADDI4SPN
                    int nz = (((insn >>> 11) & 3) << 4) | (((insn >>> 7) & 15) << 6) | (((insn >>> 6) & 1) << 2)
                            | (((insn >>> 5) & 1) << 3);
                    if (nz == 0) {
                        illegal(insn);
                    } else {
                        set(ADDI, rdp, 2, 0, nz);
                    }
                }
                case 1 -> set(FLD, rdp, rs1p, 0, offD);
                case 2 -> set(LW, rdp, rs1p, 0, offW);
                case 3 -> set(LD, rdp, rs1p, 0, offD);
                case 5 -> set(FSD, 0, rs1p, rdp, offD);
                case 6 -> set(SW, 0, rs1p, rdp, offW);
                case 7 -> set(SD, 0, rs1p, rdp, offD);
                default -> illegal(insn); // 4: reserved
            }
            return;
        }
        if (q == 1) {
            switch (f3) {
                case 0 -> alu(ADDI, rd, rd, 0, imm6); // C.ADDI / C.NOP
                case 1 -> { // C.ADDIW
                    if (rd == 0) {
                        illegal(insn);
                    } else {
                        set(ADDIW, rd, rd, 0, imm6);
                    }
                }
                case 2 -> alu(LI, rd, 0, 0, imm6); // C.LI
                case 3 -> {
                    if (rd == 2) { // C.ADDI16SP
                        long nz = ((long) -b12 << 9) | (((insn >>> 6) & 1) << 4) | (((insn >>> 5) & 1) << 6)
                                | (((insn >>> 3) & 3) << 7) | (((insn >>> 2) & 1) << 5);
                        if (nz == 0) {
                            illegal(insn);
                        } else {
                            set(ADDI, 2, 2, 0, nz);
                        }
                    } else { // C.LUI
                        if (imm6 == 0) {
                            illegal(insn);
                        } else {
                            alu(LI, rd, 0, 0, imm6 << 12);
                        }
                    }
                }
                case 4 -> {
                    int f2 = (insn >>> 10) & 3;
                    switch (f2) {
                        case 0 -> set(SRLI, rs1p, rs1p, 0, uimm6);
                        case 1 -> set(SRAI, rs1p, rs1p, 0, uimm6);
                        case 2 -> set(ANDI, rs1p, rs1p, 0, imm6);
                        default -> {
                            int sub = (insn >>> 5) & 3;
                            if (b12 == 0) {
                                int op = sub == 0 ? SUB : sub == 1 ? XOR : sub == 2 ? OR : AND;
                                set(op, rs1p, rs1p, rdp, 0);
                            } else if (sub == 0) {
                                set(SUBW, rs1p, rs1p, rdp, 0);
                            } else if (sub == 1) {
                                set(ADDW, rs1p, rs1p, rdp, 0);
                            } else {
                                illegal(insn);
                            }
                        }
                    }
                }
                case 5 -> { // C.J
                    long off = ((long) -b12 << 11) | (((insn >>> 11) & 1) << 4) | (((insn >>> 9) & 3) << 8)
                            | (((insn >>> 8) & 1) << 10) | (((insn >>> 7) & 1) << 6) | (((insn >>> 6) & 1) << 7)
                            | (((insn >>> 3) & 7) << 1) | (((insn >>> 2) & 1) << 5);
                    set(J, 0, 0, 0, pc + off);
                }
                default -> { // 6 C.BEQZ, 7 C.BNEZ
                    long off = ((long) -b12 << 8) | (((insn >>> 10) & 3) << 3) | (((insn >>> 5) & 3) << 6)
                            | (((insn >>> 3) & 3) << 1) | (((insn >>> 2) & 1) << 5);
                    set(f3 == 6 ? BEQ : BNE, 0, rs1p, 0, pc + off);
                }
            }
            return;
        }
        if (q == 2) {
            switch (f3) {
                case 0 -> alu(SLLI, rd, rd, 0, uimm6); // C.SLLI
                case 1 -> set(FLD, rd, 2, 0, ldspOff(insn)); // C.FLDSP
                case 2 -> { // C.LWSP
                    if (rd == 0) {
                        illegal(insn);
                    } else {
                        int off = (b12 << 5) | (((insn >>> 4) & 7) << 2) | (((insn >>> 2) & 3) << 6);
                        set(LW, rd, 2, 0, off);
                    }
                }
                case 3 -> { // C.LDSP
                    if (rd == 0) {
                        illegal(insn);
                    } else {
                        set(LD, rd, 2, 0, ldspOff(insn));
                    }
                }
                case 4 -> {
                    if (b12 == 0) {
                        if (rs2 == 0) { // C.JR
                            if (rd == 0) {
                                illegal(insn);
                            } else {
                                set(JR, 0, rd, 0, 0);
                            }
                        } else {
                            alu(MV, rd, rs2, 0, 0); // C.MV
                        }
                    } else {
                        if (rs2 == 0) {
                            if (rd == 0) {
                                set(EBREAK, 0, 0, 0, 0);
                            } else {
                                set(JALR, 1, rd, 0, 0); // C.JALR
                            }
                        } else {
                            alu(ADD, rd, rd, rs2, 0); // C.ADD
                        }
                    }
                }
                case 5 -> set(FSD, 0, 2, rs2, sdspOff(insn)); // C.FSDSP
                case 6 -> set(SW, 0, 2, rs2, (((insn >>> 9) & 15) << 2) | (((insn >>> 7) & 3) << 6)); // C.SWSP
                default -> set(SD, 0, 2, rs2, sdspOff(insn)); // C.SDSP
            }
            return;
        }
        illegal(insn); // q == 3 is not a 16-bit instruction
    }

    private static int ldspOff(int insn) {
        return (((insn >>> 12) & 1) << 5) | (((insn >>> 5) & 3) << 3) | (((insn >>> 2) & 7) << 6);
    }

    private static int sdspOff(int insn) {
        return (((insn >>> 10) & 7) << 3) | (((insn >>> 7) & 7) << 6);
    }
}
