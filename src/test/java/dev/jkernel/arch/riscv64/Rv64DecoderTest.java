package dev.jkernel.arch.riscv64;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Decoder checks: every RVC form decodes exactly like its 32-bit expansion; reserved encodings are illegal. */
class Rv64DecoderTest {
    /** {compressed, expansion} pairs, produced with riscv64-linux-gnu-as (rvc / norvc). */
    private static final int[][] PAIRS = {
            {0x0800, 0x01010413}, // c.addi4spn s0, sp, 16
            {0x1ffc, 0x3fc10793}, // c.addi4spn a5, sp, 1020
            {0x2588, 0x0085b507}, // c.fld fa0, 8(a1)
            {0x3c64, 0x0f843487}, // c.fld fs1, 248(s0)
            {0x41c8, 0x0045a503}, // c.lw a0, 4(a1)
            {0x5fe4, 0x07c7a483}, // c.lw s1, 124(a5)
            {0x6290, 0x0006b603}, // c.ld a2, 0(a3)
            {0x7cf8, 0x0f84b703}, // c.ld a4, 248(s1)
            {0xa988, 0x00a5b827}, // c.fsd fa0, 16(a1)
            {0xc3a8, 0x04a7a023}, // c.sw a0, 64(a5)
            {0xdce0, 0x0684ae23}, // c.sw s0, 124(s1)
            {0xe588, 0x00a5b423}, // c.sd a0, 8(a1)
            {0xff7c, 0x0ef73c23}, // c.sd a5, 248(a4)
            {0x0001, 0x00000013}, // c.nop
            {0x1501, 0xfe050513}, // c.addi a0, -32
            {0x0ffd, 0x01ff8f93}, // c.addi t6, 31
            {0x357d, 0xfff5051b}, // c.addiw a0, -1
            {0x2481, 0x0004849b}, // c.addiw s1, 0
            {0x20fd, 0x01f0809b}, // c.addiw ra, 31
            {0x5501, 0xfe000513}, // c.li a0, -32
            {0x4e45, 0x01100e13}, // c.li t3, 17
            {0x7101, 0xe0010113}, // c.addi16sp sp, -512
            {0x617d, 0x1f010113}, // c.addi16sp sp, 496
            {0x6141, 0x01010113}, // c.addi16sp sp, 16
            {0x6505, 0x00001537}, // c.lui a0, 1
            {0x7281, 0xfffe02b7}, // c.lui t0, 0xfffe0
            {0x6dfd, 0x0001fdb7}, // c.lui s11, 31
            {0x8105, 0x00155513}, // c.srli a0, 1
            {0x90fd, 0x03f4d493}, // c.srli s1, 63
            {0x9581, 0x4205d593}, // c.srai a1, 32
            {0x879d, 0x4077d793}, // c.srai a5, 7
            {0x997d, 0xfff57513}, // c.andi a0, -1
            {0x883d, 0x00f47413}, // c.andi s0, 15
            {0x8d0d, 0x40b50533}, // c.sub a0, a1
            {0x8cbd, 0x00f4c4b3}, // c.xor s1, a5
            {0x8e41, 0x00866633}, // c.or a2, s0
            {0x8ef9, 0x00e6f6b3}, // c.and a3, a4
            {0x9d0d, 0x40b5053b}, // c.subw a0, a1
            {0x9fa1, 0x008787bb}, // c.addw a5, s0
            {0xaffd, 0x7fe0006f}, // c.j .+0x7fe
            {0xb001, 0x801ff06f}, // c.j .-0x800
            {0xa02d, 0x02a0006f}, // c.j .+0x2a
            {0xcd7d, 0x0e050f63}, // c.beqz a0, .+0xfe
            {0xd081, 0xf00480e3}, // c.beqz s1, .-0x100
            {0xebb9, 0x04079b63}, // c.bnez a5, .+0x56
            {0xfc7d, 0xfe041fe3}, // c.bnez s0, .-2
            {0x0506, 0x00151513}, // c.slli a0, 1
            {0x1ffe, 0x03ff9f93}, // c.slli t6, 63
            {0x2522, 0x00813507}, // c.fldsp fa0, 8(sp)
            {0x3ffe, 0x1f813f87}, // c.fldsp ft11, 504(sp)
            {0x4512, 0x00412503}, // c.lwsp a0, 4(sp)
            {0x5ffe, 0x0fc12f83}, // c.lwsp t6, 252(sp)
            {0x60a2, 0x00813083}, // c.ldsp ra, 8(sp)
            {0x7dfe, 0x1f813d83}, // c.ldsp s11, 504(sp)
            {0x8082, 0x00008067}, // c.jr ra
            {0x8f82, 0x000f8067}, // c.jr t6
            {0x852e, 0x00058513}, // c.mv a0, a1
            {0x8f86, 0x00008f93}, // c.mv t6, ra
            {0x9002, 0x00100073}, // c.ebreak
            {0x9782, 0x000780e7}, // c.jalr a5
            {0x9082, 0x000080e7}, // c.jalr ra
            {0x952e, 0x00b50533}, // c.add a0, a1
            {0x9ffe, 0x01ff8fb3}, // c.add t6, t6
            {0xa42a, 0x00a13427}, // c.fsdsp fa0, 8(sp)
            {0xbfee, 0x1fb13c27}, // c.fsdsp fs11, 504(sp)
            {0xc22a, 0x00a12223}, // c.swsp a0, 4(sp)
            {0xdffe, 0x0ff12e23}, // c.swsp t6, 252(sp)
            {0xe406, 0x00113423}, // c.sdsp ra, 8(sp)
            {0xffee, 0x1fb13c23}, // c.sdsp s11, 504(sp)
    };

    @Test
    void compressedMatchesExpansion() {
        Rv64Decoder d = new Rv64Decoder();
        long pc = 0x12340000L;
        for (int[] p : PAIRS) {
            d.decode32(p[1], pc);
            int w = d.w;
            long imm = d.imm;
            d.decode16(p[0], pc);
            String what = Integer.toHexString(p[0]) + " vs " + Integer.toHexString(p[1]);
            assertEquals(w, d.w, what);
            assertEquals(imm, d.imm, what);
        }
    }

    @Test
    void reservedCompressedAreIllegal() {
        Rv64Decoder d = new Rv64Decoder();
        int[] bad = {0x0000, 0x0004, 0x8000, 0x2001, 0x6101, 0x6281, 0x4002, 0x6002, 0x8002, 0x9c41, 0x9c61,
            0x9c01 | 0x40 | 0x20};
        for (int h : bad) {
            d.decode16(h, 0);
            assertEquals(Rv64Op.ILLEGAL, Rv64Op.op(d.w), Integer.toHexString(h));
            assertEquals(h, (int) d.imm);
        }
    }

    @Test
    void reserved32AreIllegal() {
        Rv64Decoder d = new Rv64Decoder();
        int[] bad = {
            0xffffffff, // 
            Asm.i(0, 0, 7, 1, 0x03), // load f3=7
            Asm.i(1 << 10 | 3, 1, 1, 1, 0x13), // slli with funct6 != 0
            Asm.i(0x200 | 1, 1, 5, 1, 0x13), // srli with bad funct6
            Asm.r(1, 3, 1, 1, 1, 0x1b), // slliw with shamt[5]
            Asm.r(0x21, 3, 1, 5, 1, 0x1b), // sraiw with shamt[5]
            0x30200073, // mret
            0x10500073, // wfi
            0x00200073, // uret-ish / reserved
            Asm.csr(2, 1, 0, 0x300), // csrrs mstatus
            Asm.csr(4, 1, 0, 0x001), // f3=4
            Asm.b(8, 0, 0, 2), // branch f3=2
            Asm.i(0, 1, 1, 1, 0x67), // jalr f3=1
            Asm.amo(0x05, 2, 1, 2, 3), // bad amo funct5
            Asm.amo(0x02, 3, 1, 2, 3), // lr.d with rs2 != 0
            Asm.amo(0x00, 1, 1, 2, 3), // amo f3=1
            Asm.r(2, 3, 2, 0, 1, 0x33), // OP f7=2
            Asm.r(1, 3, 2, 1, 1, 0x3b), // OP-32 M f3=1
            Asm.r(0x20, 3, 2, 1, 1, 0x33), // OP f7=0x20 f3=1
            Asm.i(0, 0, 2, 0, 0x0f), // misc-mem f3=2
            Asm.i(0, 1, 0, 1, 0x07), // flb (f3=0)
            0x0000007f, 0x0000003f, 0x0000001f,
        };
        for (int insn : bad) {
            d.decode32(insn, 0);
            assertEquals(Rv64Op.ILLEGAL, Rv64Op.op(d.w), Integer.toHexString(insn));
            assertEquals(insn, (int) d.imm);
        }
    }
}
