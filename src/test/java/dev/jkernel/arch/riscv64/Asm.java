package dev.jkernel.arch.riscv64;

import java.io.ByteArrayOutputStream;

/** A tiny RV64 encoder for tests: emits little-endian instruction words and halfwords. */
final class Asm {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    int size() {
        return out.size();
    }

    byte[] bytes() {
        return out.toByteArray();
    }

    Asm w(int insn) {
        for (int i = 0; i < 4; i++) {
            out.write(insn >>> (8 * i));
        }
        return this;
    }

    Asm h(int insn) {
        out.write(insn);
        out.write(insn >>> 8);
        return this;
    }

    static int r(int f7, int rs2, int rs1, int f3, int rd, int op) {
        return f7 << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | rd << 7 | op;
    }

    static int i(long imm, int rs1, int f3, int rd, int op) {
        return ((int) imm & 0xfff) << 20 | rs1 << 15 | f3 << 12 | rd << 7 | op;
    }

    static int s(long imm, int rs2, int rs1, int f3, int op) {
        int v = (int) imm;
        return ((v >> 5) & 0x7f) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | (v & 31) << 7 | op;
    }

    static int b(long imm, int rs2, int rs1, int f3) {
        int v = (int) imm;
        return ((v >> 12) & 1) << 31 | ((v >> 5) & 0x3f) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12
                | ((v >> 1) & 15) << 8 | ((v >> 11) & 1) << 7 | 0x63;
    }

    static int u(long imm, int rd, int op) {
        return ((int) imm & 0xfffff000) | rd << 7 | op;
    }

    static int j(long imm, int rd) {
        int v = (int) imm;
        return ((v >> 20) & 1) << 31 | ((v >> 1) & 0x3ff) << 21 | ((v >> 11) & 1) << 20 | ((v >> 12) & 0xff) << 12
                | rd << 7 | 0x6f;
    }

    // Common instructions
    static int addi(int rd, int rs1, long imm) {
        return i(imm, rs1, 0, rd, 0x13);
    }

    static int lui(int rd, long imm) {
        return u(imm, rd, 0x37);
    }

    static int add(int rd, int rs1, int rs2) {
        return r(0, rs2, rs1, 0, rd, 0x33);
    }

    static int ld(int rd, int rs1, long imm) {
        return i(imm, rs1, 3, rd, 0x03);
    }

    static int sd(int rs2, int rs1, long imm) {
        return s(imm, rs2, rs1, 3, 0x23);
    }

    static int bne(int rs1, int rs2, long off) {
        return b(off, rs2, rs1, 1);
    }

    static int jal(int rd, long off) {
        return j(off, rd);
    }

    static int jalr(int rd, int rs1, long imm) {
        return i(imm, rs1, 0, rd, 0x67);
    }

    static final int ECALL = 0x00000073, EBREAK = 0x00100073, C_EBREAK = 0x9002, FENCE_I = 0x0000100f;

    static int amo(int f5, int f3, int rd, int rs1, int rs2) {
        return r(f5 << 2, rs2, rs1, f3, rd, 0x2f);
    }

    static int csr(int f3, int rd, int rs1, int csr) {
        return csr << 20 | rs1 << 15 | f3 << 12 | rd << 7 | 0x73;
    }

    /** Loads an arbitrary 64-bit constant into rd (lui/addi/slli sequence, no temporaries). */
    Asm li(int rd, long v) {
        if (v == (int) v) {
            int lo = ((int) v << 20) >> 20;
            int hi = (int) v - lo;
            if (hi != 0) {
                w(lui(rd, hi));
                w(i(lo, rd, 0, rd, 0x1b)); // addiw
            } else {
                w(addi(rd, 0, lo));
            }
            return this;
        }
        // Generic: build 12 bits at a time from the top.
        w(addi(rd, 0, 0));
        for (int shift = 60; shift >= 0; shift -= 12) {
            int bits = shift == 60 ? (int) (v >>> 60) : (int) ((v >>> shift) & 0xfff);
            if (shift != 60) {
                w(i(12, rd, 1, rd, 0x13)); // slli rd, rd, 12
            }
            // ori with a 12-bit value sign-extends, so add the value in two non-negative halves
            int a = bits & 0x7ff, c = bits & 0x800;
            if (a != 0) {
                w(i(a, rd, 6, rd, 0x13));
            }
            if (c != 0) {
                w(i(0x400, rd, 0, rd, 0x13));
                w(i(0x400, rd, 0, rd, 0x13));
            }
        }
        return this;
    }
}
