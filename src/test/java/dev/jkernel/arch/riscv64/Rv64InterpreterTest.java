package dev.jkernel.arch.riscv64;

import static dev.jkernel.arch.ExecutionEngine.*;
import static dev.jkernel.arch.riscv64.Asm.*;
import static org.junit.jupiter.api.Assertions.*;

import dev.jkernel.mm.AddressSpace;
import dev.jkernel.mm.GuestFault;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongBinaryOperator;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class Rv64InterpreterTest {
    static final long CODE = 0x100000, DATA = 0x200000, RO = 0x300000;
    static final int RWX = 7, RW = 3;
    static final int FLAGS = AddressSpace.MAP_PRIVATE | AddressSpace.MAP_ANONYMOUS | AddressSpace.MAP_FIXED;

    AddressSpace mm;
    Rv64Context c;
    Rv64Interpreter e;

    @BeforeEach
    void setUp() {
        mm = new AddressSpace();
        assertEquals(CODE, mm.mmap(CODE, 0x10000, RWX, FLAGS, null, 0, null));
        assertEquals(DATA, mm.mmap(DATA, 0x10000, RW, FLAGS, null, 0, null));
        assertEquals(RO, mm.mmap(RO, 0x1000, AddressSpace.PROT_READ, FLAGS, null, 0, null));
        c = new Rv64Context();
        e = new Rv64Interpreter();
    }

    void load(Asm a, long at) throws GuestFault {
        byte[] b = a.bytes();
        mm.poke(at, b, 0, b.length);
        e.flush();
    }

    /** Loads the program (plus a final ebreak) at CODE and runs it to the ebreak. */
    int exec(Asm a) throws GuestFault {
        a.w(EBREAK);
        load(a, CODE);
        c.pc = CODE;
        return e.run(c, mm, 10_000_000);
    }

    void execOk(Asm a) throws GuestFault {
        int end = a.size();
        int st = exec(a);
        assertEquals(STOP_BREAKPOINT, st, () -> "stop " + st + " at +" + (c.pc - CODE) + " insn "
                + Integer.toHexString(c.trapInsn) + " addr " + Long.toHexString(c.trapAddr));
        assertEquals(CODE + end, c.pc);
    }

    static final long[] VALUES = {0, 1, -1, 2, -2, 3, 7, -7, 31, 32, 33, 63, 64, 0x7fffffffL, 0x80000000L,
        0xffffffffL, -0x80000000L, 0x100000000L, 0x123456789abcdef0L, 0xfedcba9876543210L, Long.MAX_VALUE,
        Long.MIN_VALUE, Long.MIN_VALUE + 1, 0x8000000000000001L, 12345678, -987654321};

    static long sx32(long v) {
        return (int) v;
    }

    static BigInteger u(long v) {
        return new BigInteger(Long.toUnsignedString(v));
    }

    record RegOp(String name, int f7, int f3, int opcode, LongBinaryOperator ref) {}

    static final List<RegOp> REG_OPS = new ArrayList<>();

    static {
        REG_OPS.add(new RegOp("add", 0, 0, 0x33, (a, b) -> a + b));
        REG_OPS.add(new RegOp("sub", 0x20, 0, 0x33, (a, b) -> a - b));
        REG_OPS.add(new RegOp("sll", 0, 1, 0x33, (a, b) -> a << (b & 63)));
        REG_OPS.add(new RegOp("slt", 0, 2, 0x33, (a, b) -> a < b ? 1 : 0));
        REG_OPS.add(new RegOp("sltu", 0, 3, 0x33, (a, b) -> u(a).compareTo(u(b)) < 0 ? 1 : 0));
        REG_OPS.add(new RegOp("xor", 0, 4, 0x33, (a, b) -> a ^ b));
        REG_OPS.add(new RegOp("srl", 0, 5, 0x33, (a, b) -> u(a).shiftRight((int) (b & 63)).longValue()));
        REG_OPS.add(new RegOp("sra", 0x20, 5, 0x33, (a, b) -> BigInteger.valueOf(a).shiftRight((int) (b & 63)).longValue()));
        REG_OPS.add(new RegOp("or", 0, 6, 0x33, (a, b) -> a | b));
        REG_OPS.add(new RegOp("and", 0, 7, 0x33, (a, b) -> a & b));
        REG_OPS.add(new RegOp("mul", 1, 0, 0x33, (a, b) -> BigInteger.valueOf(a).multiply(BigInteger.valueOf(b)).longValue()));
        REG_OPS.add(new RegOp("mulh", 1, 1, 0x33, (a, b) -> BigInteger.valueOf(a).multiply(BigInteger.valueOf(b)).shiftRight(64).longValue()));
        REG_OPS.add(new RegOp("mulhsu", 1, 2, 0x33, (a, b) -> BigInteger.valueOf(a).multiply(u(b)).shiftRight(64).longValue()));
        REG_OPS.add(new RegOp("mulhu", 1, 3, 0x33, (a, b) -> u(a).multiply(u(b)).shiftRight(64).longValue()));
        REG_OPS.add(new RegOp("div", 1, 4, 0x33, (a, b) -> b == 0 ? -1 : (a == Long.MIN_VALUE && b == -1) ? a
                : BigInteger.valueOf(a).divide(BigInteger.valueOf(b)).longValue()));
        REG_OPS.add(new RegOp("divu", 1, 5, 0x33, (a, b) -> b == 0 ? -1 : u(a).divide(u(b)).longValue()));
        REG_OPS.add(new RegOp("rem", 1, 6, 0x33, (a, b) -> b == 0 ? a : (a == Long.MIN_VALUE && b == -1) ? 0
                : BigInteger.valueOf(a).remainder(BigInteger.valueOf(b)).longValue()));
        REG_OPS.add(new RegOp("remu", 1, 7, 0x33, (a, b) -> b == 0 ? a : u(a).remainder(u(b)).longValue()));
        REG_OPS.add(new RegOp("addw", 0, 0, 0x3b, (a, b) -> sx32(a + b)));
        REG_OPS.add(new RegOp("subw", 0x20, 0, 0x3b, (a, b) -> sx32(a - b)));
        REG_OPS.add(new RegOp("sllw", 0, 1, 0x3b, (a, b) -> sx32(a << (b & 31))));
        REG_OPS.add(new RegOp("srlw", 0, 5, 0x3b, (a, b) -> sx32((a & 0xffffffffL) >>> (b & 31))));
        REG_OPS.add(new RegOp("sraw", 0x20, 5, 0x3b, (a, b) -> sx32(sx32(a) >> (b & 31))));
        REG_OPS.add(new RegOp("mulw", 1, 0, 0x3b, (a, b) -> sx32(a * b)));
        REG_OPS.add(new RegOp("divw", 1, 4, 0x3b, (a, b) -> (int) b == 0 ? -1 : ((int) a == Integer.MIN_VALUE && (int) b == -1)
                ? Integer.MIN_VALUE : BigInteger.valueOf((int) a).divide(BigInteger.valueOf((int) b)).intValue()));
        REG_OPS.add(new RegOp("divuw", 1, 5, 0x3b, (a, b) -> (int) b == 0 ? -1
                : sx32((a & 0xffffffffL) / (b & 0xffffffffL))));
        REG_OPS.add(new RegOp("remw", 1, 6, 0x3b, (a, b) -> (int) b == 0 ? sx32(a) : ((int) a == Integer.MIN_VALUE && (int) b == -1)
                ? 0 : BigInteger.valueOf((int) a).remainder(BigInteger.valueOf((int) b)).intValue()));
        REG_OPS.add(new RegOp("remuw", 1, 7, 0x3b, (a, b) -> (int) b == 0 ? sx32(a)
                : sx32((a & 0xffffffffL) % (b & 0xffffffffL))));
    }

    @Test
    void registerRegisterOps() throws Exception {
        // One program per op: for every value pair, compute into x7 and store it; then compare memory.
        for (RegOp op : REG_OPS) {
            Asm a = new Asm();
            a.li(8, DATA);
            for (long va : VALUES) {
                for (long vb : VALUES) {
                    a.li(5, va).li(6, vb);
                    a.w(r(op.f7, 6, 5, op.f3, 7, op.opcode));
                    a.w(sd(7, 8, 0)).w(addi(8, 8, 8));
                }
            }
            execOk(a);
            long addr = DATA;
            for (long va : VALUES) {
                for (long vb : VALUES) {
                    long got = mm.read64(addr);
                    addr += 8;
                    assertEquals(op.ref.applyAsLong(va, vb), got,
                            op.name + " " + Long.toHexString(va) + ", " + Long.toHexString(vb));
                }
            }
        }
    }

    @Test
    void sameRegisterOperands() throws Exception {
        Asm a = new Asm().li(5, 0x123456789L);
        a.w(add(5, 5, 5)); // x5 = 2*x5
        a.w(r(1, 5, 5, 0, 6, 0x33)); // mul x6, x5, x5
        execOk(a);
        assertEquals(0x2468acf12L, c.x[5]);
        assertEquals(0x2468acf12L * 0x2468acf12L, c.x[6]);
    }

    @Test
    void immediateOps() throws Exception {
        long[] imms = {0, 1, -1, 2047, -2048, 0x555, -0x556};
        int[] shamts = {0, 1, 31, 32, 63};
        int[] shamtsW = {0, 1, 15, 31};
        for (long va : VALUES) {
            Asm a = new Asm().li(5, va).li(8, DATA);
            List<Long> expect = new ArrayList<>();
            for (long imm : imms) {
                a.w(i(imm, 5, 0, 7, 0x13)).w(sd(7, 8, 0)).w(addi(8, 8, 8));
                expect.add(va + imm);
                a.w(i(imm, 5, 2, 7, 0x13)).w(sd(7, 8, 0)).w(addi(8, 8, 8));
                expect.add(va < imm ? 1L : 0L);
                a.w(i(imm, 5, 3, 7, 0x13)).w(sd(7, 8, 0)).w(addi(8, 8, 8));
                expect.add(Long.compareUnsigned(va, imm) < 0 ? 1L : 0L);
                a.w(i(imm, 5, 4, 7, 0x13)).w(sd(7, 8, 0)).w(addi(8, 8, 8));
                expect.add(va ^ imm);
                a.w(i(imm, 5, 6, 7, 0x13)).w(sd(7, 8, 0)).w(addi(8, 8, 8));
                expect.add(va | imm);
                a.w(i(imm, 5, 7, 7, 0x13)).w(sd(7, 8, 0)).w(addi(8, 8, 8));
                expect.add(va & imm);
                a.w(i(imm, 5, 0, 7, 0x1b)).w(sd(7, 8, 0)).w(addi(8, 8, 8));
                expect.add(sx32(va + imm));
            }
            for (int sh : shamts) {
                a.w(i(sh, 5, 1, 7, 0x13)).w(sd(7, 8, 0)).w(addi(8, 8, 8));
                expect.add(va << sh);
                a.w(i(sh, 5, 5, 7, 0x13)).w(sd(7, 8, 0)).w(addi(8, 8, 8));
                expect.add(va >>> sh);
                a.w(i(0x400 | sh, 5, 5, 7, 0x13)).w(sd(7, 8, 0)).w(addi(8, 8, 8));
                expect.add(va >> sh);
            }
            for (int sh : shamtsW) {
                a.w(i(sh, 5, 1, 7, 0x1b)).w(sd(7, 8, 0)).w(addi(8, 8, 8));
                expect.add(sx32(va << sh));
                a.w(i(sh, 5, 5, 7, 0x1b)).w(sd(7, 8, 0)).w(addi(8, 8, 8));
                expect.add(sx32((va & 0xffffffffL) >>> sh));
                a.w(i(0x400 | sh, 5, 5, 7, 0x1b)).w(sd(7, 8, 0)).w(addi(8, 8, 8));
                expect.add(sx32(sx32(va) >> sh));
            }
            execOk(a);
            for (int k = 0; k < expect.size(); k++) {
                assertEquals((long) expect.get(k), mm.read64(DATA + 8L * k), "value " + Long.toHexString(va) + " #" + k);
            }
        }
    }

    @Test
    void luiAuipcAndX0() throws Exception {
        Asm a = new Asm();
        a.w(lui(5, 0x80000000L)); // sign-extended
        a.w(Asm.u(0x12345000, 6, 0x17)); // auipc x6 at CODE+4
        a.w(addi(0, 0, 5)); // hint, x0 stays 0
        a.w(lui(0, 0x1000));
        a.li(8, DATA).w(sd(8, 8, 0));
        a.w(ld(0, 8, 0)); // load into x0
        a.w(jal(0, 4)); // j next
        execOk(a);
        assertEquals(0xffffffff80000000L, c.x[5]);
        assertEquals(CODE + 4 + 0x12345000L, c.x[6]);
        assertEquals(0, c.x[0]);
    }

    @Test
    void loadsAndStores() throws Exception {
        Asm a = new Asm().li(8, DATA).li(5, 0x8182838485868788L);
        a.w(sd(5, 8, 0));
        int[] f3s = {0, 1, 2, 3, 4, 5, 6};
        for (int k = 0; k < f3s.length; k++) {
            a.w(i(0, 8, f3s[k], 10 + k, 0x03));
        }
        a.w(s(16, 5, 8, 0, 0x23)).w(s(24, 5, 8, 1, 0x23)).w(s(32, 5, 8, 2, 0x23));
        // misaligned, in-page
        a.w(sd(5, 8, 41)).w(ld(17, 8, 41)).w(i(43, 8, 2, 18, 0x03)).w(i(45, 8, 5, 19, 0x03));
        // crossing the page boundary
        a.li(9, DATA + 4096).w(sd(5, 9, -3)).w(ld(20, 9, -3)).w(i(-1, 9, 1, 21, 0x03));
        execOk(a);
        assertEquals((long) (byte) 0x88, c.x[10]);
        assertEquals((long) (short) 0x8788, c.x[11]);
        assertEquals((long) (int) 0x85868788, c.x[12]);
        assertEquals(0x8182838485868788L, c.x[13]);
        assertEquals(0x88L, c.x[14]);
        assertEquals(0x8788L, c.x[15]);
        assertEquals(0x85868788L, c.x[16]);
        assertEquals(0x88L, mm.read64(DATA + 16));
        assertEquals(0x8788L, mm.read64(DATA + 24));
        assertEquals(0x85868788L, mm.read64(DATA + 32));
        assertEquals(0x8182838485868788L, c.x[17]);
        assertEquals((long) (int) 0x83848586, c.x[18]);
        assertEquals(0x8384L, c.x[19]);
        assertEquals(0x8182838485868788L, c.x[20]);
        assertEquals(0x8182838485868788L, mm.read64(DATA + 4093));
        assertEquals((long) (short) 0x8586, c.x[21]);
    }

    @Test
    void branchesAndJumps() throws Exception {
        long[][] pairs = {{1, 2}, {2, 1}, {-1, 1}, {1, -1}, {5, 5}, {Long.MIN_VALUE, Long.MAX_VALUE}};
        int[] f3s = {0, 1, 4, 5, 6, 7};
        for (long[] p : pairs) {
            for (int f3 : f3s) {
                Asm a = new Asm().li(5, p[0]).li(6, p[1]);
                a.w(addi(7, 0, 0));
                a.w(b(8, 6, 5, f3)); // taken: skip the next instruction
                a.w(addi(7, 0, 1));
                execOk(a);
                long x = p[0], y = p[1];
                boolean taken = switch (f3) {
                    case 0 -> x == y;
                    case 1 -> x != y;
                    case 4 -> x < y;
                    case 5 -> x >= y;
                    case 6 -> Long.compareUnsigned(x, y) < 0;
                    default -> Long.compareUnsigned(x, y) >= 0;
                };
                assertEquals(taken ? 0 : 1, c.x[7], "f3=" + f3 + " " + x + "," + y);
            }
        }
        // jal links; jalr clears bit 0 and reads rs1 before writing rd (rd == rs1)
        Asm a = new Asm();
        a.w(jal(1, 8)); // 0: -> 8, ra = 4
        a.w(EBREAK); // 4
        a.w(Asm.u(0, 5, 0x17)); // 8: auipc x5 -> CODE+8
        a.w(addi(5, 5, 17)); // 12: x5 = CODE+25 (odd)
        a.w(jalr(5, 5, 0)); // 16: -> CODE+24, x5 = CODE+20
        a.w(EBREAK); // 20
        a.w(addi(9, 0, 42)); // 24
        assertEquals(STOP_BREAKPOINT, exec(a));
        assertEquals(CODE + 4 + 24, c.pc);
        assertEquals(CODE + 4, c.x[1]);
        assertEquals(CODE + 20, c.x[5]);
        assertEquals(42, c.x[9]);
    }

    @Test
    void ecallAndEbreak() throws Exception {
        Asm a = new Asm().w(addi(17, 0, 93)).w(ECALL).w(addi(5, 0, 1)).h(C_EBREAK);
        load(a, CODE);
        c.pc = CODE;
        assertEquals(STOP_SYSCALL, e.run(c, mm, 100));
        assertEquals(CODE + 8, c.pc);
        assertEquals(2, c.instret);
        assertEquals(STOP_BREAKPOINT, e.run(c, mm, 100));
        assertEquals(CODE + 12, c.pc);
        assertEquals(3, c.instret);
        assertEquals(1, c.x[5]);
    }

    /** A loop of 7 instructions (two blocks), with a counter per instruction kind. */
    Asm countingLoop() {
        Asm a = new Asm();
        a.w(addi(5, 5, 1)); // 0
        a.w(addi(6, 6, 1)); // 4
        a.h(0x0385); // c.addi t2, 1     (8)
        a.w(jal(0, 8)); // 10 -> 18
        a.w(EBREAK); // 14
        a.w(addi(28, 28, 1)); // 18
        a.h(0x0e85); // c.addi t4, 1     22
        a.w(bne(0, 1, -24)); // 24: x0 != ra (ra = 1) -> 0
        return a;
    }

    @Test
    void exactBudget() throws Exception {
        load(countingLoop(), CODE);
        for (int budget = 1; budget <= 40; budget++) {
            c = new Rv64Context();
            c.x[1] = 1;
            c.pc = CODE;
            assertEquals(STOP_BUDGET, e.run(c, mm, budget));
            assertEquals(budget, c.instret);
            int full = budget / 7, rest = budget % 7;
            assertEquals(full + (rest > 0 ? 1 : 0), c.x[5], "budget " + budget);
            assertEquals(full + (rest > 4 ? 1 : 0), c.x[28], "budget " + budget);
            long[] pcs = {0, 4, 8, 10, 18, 22, 24};
            assertEquals(CODE + pcs[rest], c.pc, "budget " + budget);
        }
        // single-stepping gives the same state as one run
        Rv64Context a = new Rv64Context();
        a.x[1] = 1;
        a.pc = CODE;
        for (int k = 0; k < 100; k++) {
            assertEquals(STOP_BUDGET, e.run(a, mm, 1));
        }
        Rv64Context b2 = new Rv64Context();
        b2.x[1] = 1;
        b2.pc = CODE;
        assertEquals(STOP_BUDGET, e.run(b2, mm, 100));
        assertArrayEquals(b2.x, a.x);
        assertEquals(b2.pc, a.pc);
        assertEquals(100, a.instret);
        assertEquals(STOP_BUDGET, e.run(a, mm, 0));
        assertEquals(100, a.instret);
    }

    @Test
    void interrupt() throws Exception {
        load(countingLoop(), CODE);
        c.x[1] = 1;
        c.pc = CODE;
        c.interruptRequested = true;
        assertEquals(STOP_INTERRUPT, e.run(c, mm, 1000));
        assertFalse(c.interruptRequested);
        assertEquals(0, c.instret);
        assertEquals(CODE, c.pc);
        Thread t = new Thread(() -> {
            try {
                Thread.sleep(50);
            } catch (InterruptedException ex) {
                return;
            }
            c.interruptRequested = true;
        });
        t.start();
        assertEquals(STOP_INTERRUPT, e.run(c, mm, Long.MAX_VALUE));
        assertTrue(c.instret > 0);
        assertTrue(c.pc == CODE || c.pc == CODE + 18);
        t.join();
    }

    @Test
    void faultsLeaveStateUnchanged() throws Exception {
        // load from unmapped memory
        Asm a = new Asm().w(addi(5, 0, 7)).w(ld(5, 0, 0x7f8)).w(addi(6, 0, 1));
        load(a, CODE);
        c.pc = CODE;
        assertEquals(STOP_FAULT, e.run(c, mm, 100));
        assertEquals(CODE + 4, c.pc);
        assertEquals(7, c.x[5]);
        assertEquals(1, c.instret);
        assertEquals(0x7f8, c.trapAddr);
        assertEquals(GuestFault.READ, c.trapAccess);
        assertEquals(GuestFault.MAPERR, c.trapCode);

        // store to read-only memory, and a page-crossing store whose second page is read-only
        c = new Rv64Context();
        Asm b2 = new Asm().li(8, RO).li(9, DATA + 0x10000 - 4).li(5, -1);
        int at = b2.size();
        b2.w(sd(5, 8, 0));
        load(b2, CODE);
        c.pc = CODE;
        assertEquals(STOP_FAULT, e.run(c, mm, 100));
        assertEquals(CODE + at, c.pc);
        assertEquals(RO, c.trapAddr);
        assertEquals(GuestFault.WRITE, c.trapAccess);
        assertEquals(GuestFault.ACCERR, c.trapCode);

        // crossing from DATA's last page into an unmapped page: nothing written
        c = new Rv64Context();
        Asm b3 = new Asm().li(9, DATA + 0x10000 - 4).li(5, -1);
        at = b3.size();
        b3.w(sd(5, 9, 0));
        load(b3, CODE);
        c.pc = CODE;
        assertEquals(STOP_FAULT, e.run(c, mm, 100));
        assertEquals(CODE + at, c.pc);
        assertEquals(0, mm.read32(DATA + 0x10000 - 4));

        // fetch from a non-executable page
        c = new Rv64Context();
        load(new Asm().li(5, DATA).w(jalr(1, 5, 0)), CODE);
        c.pc = CODE;
        assertEquals(STOP_FAULT, e.run(c, mm, 100));
        assertEquals(DATA, c.pc);
        assertEquals(GuestFault.EXEC, c.trapAccess);
        assertEquals(GuestFault.ACCERR, c.trapCode);
        assertEquals(CODE + 12, c.x[1]); // link was written by the jalr, which retired

        // an instruction straddling into an unmapped page
        long end = CODE + 0x10000;
        mm.poke(end - 2, new byte[] {(byte) 0x93, 0x02}, 0, 2); // low half of addi
        c = new Rv64Context();
        c.pc = end - 2;
        e.flush();
        assertEquals(STOP_FAULT, e.run(c, mm, 100));
        assertEquals(end - 2, c.pc);
        assertEquals(GuestFault.EXEC, c.trapAccess);
    }

    @Test
    void illegalInstructions() throws Exception {
        load(new Asm().w(addi(5, 0, 1)).w(0x30200073), CODE);
        c.pc = CODE;
        assertEquals(STOP_ILLEGAL, e.run(c, mm, 100));
        assertEquals(CODE + 4, c.pc);
        assertEquals(0x30200073, c.trapInsn);
        assertEquals(1, c.instret);

        load(new Asm().h(0x0001).h(0x0000), CODE); // c.nop, then the all-zero halfword
        c = new Rv64Context();
        c.pc = CODE;
        assertEquals(STOP_ILLEGAL, e.run(c, mm, 100));
        assertEquals(CODE + 2, c.pc);
        assertEquals(0, c.trapInsn);

        load(new Asm().h(0x6101), CODE); // c.addi16sp 0
        c = new Rv64Context();
        c.pc = CODE;
        assertEquals(STOP_ILLEGAL, e.run(c, mm, 100));
        assertEquals(0x6101, c.trapInsn);
    }

    @Test
    void csrs() throws Exception {
        Asm a = new Asm();
        a.w(addi(5, 0, 0xff));
        a.w(csr(1, 6, 5, 0x003)); // csrrw x6, fcsr, x5 -> x6 = 0
        a.w(csr(2, 7, 0, 0x002)); // csrr x7, frm = 7
        a.w(csr(2, 28, 0, 0x001)); // csrr x28, fflags = 0x1f
        a.w(csr(7, 29, 3, 0x001)); // csrrci x29, fflags, 3 -> old 0x1f
        a.w(csr(5, 30, 2, 0x002)); // csrrwi x30, frm, 2 -> old 7
        a.w(csr(2, 31, 0, 0x003)); // csrr x31, fcsr = 0x40 | 0x1c
        a.w(csr(2, 9, 0, 0xc02)); // rdinstret -> 7 instructions retired before it
        a.w(csr(2, 10, 0, 0xc01)); // rdtime
        a.w(csr(2, 11, 0, 0xc00)); // rdcycle
        c.fcsr = 0;
        execOk(a);
        assertEquals(0, c.x[6]);
        assertEquals(7, c.x[7]);
        assertEquals(0x1f, c.x[28]);
        assertEquals(0x1f, c.x[29]);
        assertEquals(7, c.x[30]);
        assertEquals(0x5c, c.x[31]);
        assertEquals(0x5c, c.fcsr);
        assertEquals(7, c.x[9]);
        assertTrue(c.x[10] > 0);
        // writes to read-only counters and unknown CSRs are illegal
        for (int insn : new int[] {csr(1, 0, 5, 0xc00), csr(2, 1, 5, 0xc02), csr(6, 1, 1, 0xc01), csr(2, 1, 0, 0x300),
            csr(2, 1, 0, 0xc03)}) {
            c = new Rv64Context();
            load(new Asm().w(insn), CODE);
            c.pc = CODE;
            c.x[5] = 1;
            assertEquals(STOP_ILLEGAL, e.run(c, mm, 10), Integer.toHexString(insn));
            assertEquals(insn, c.trapInsn);
        }
    }

    @Test
    void fpLoadsAndStores() throws Exception {
        Asm a = new Asm().li(8, DATA).li(5, 0x1122334455667788L);
        a.w(sd(5, 8, 0));
        a.w(i(0, 8, 2, 1, 0x07)); // flw f1, 0(x8)
        a.w(i(0, 8, 3, 2, 0x07)); // fld f2, 0(x8)
        a.w(s(8, 1, 8, 3, 0x27)); // fsd f1, 8(x8)
        a.w(s(16, 2, 8, 2, 0x27)); // fsw f2, 16(x8)
        a.h(0x200c); // c.fld f11, 0(x8)
        a.h(0xa000 | (3 << 10) | (0 << 7) | (3 << 2)); // c.fsd f11, 24(x8)
        a.w(addi(2, 8, 64)); // sp = DATA+64
        a.h(0x2002 | (4 << 7) | (1 << 12) ); // c.fldsp f4, 32(sp)? uimm[5]=1 -> 32
        a.h(0xa002 | (1 << 10) | (2 << 2)); // c.fsdsp f2, 8(sp)
        execOk(a);
        assertEquals(0xffffffff55667788L, c.f[1]);
        assertEquals(0x1122334455667788L, c.f[2]);
        assertEquals(0xffffffff55667788L, mm.read64(DATA + 8));
        assertEquals(0x55667788L, mm.read64(DATA + 16));
        assertEquals(0x1122334455667788L, c.f[11]);
        assertEquals(0x1122334455667788L, mm.read64(DATA + 24));
        assertEquals(0, c.f[4]);
        assertEquals(0x1122334455667788L, mm.read64(DATA + 72));
    }

    @Test
    void compressedProgram() throws Exception {
        Asm a = new Asm().li(2, DATA + 256);
        a.h(0x4529); // c.li a0, 10
        a.h(0x4581); // c.li a1, 0
        // loop: a1 += a0; a0 -= 1; bnez a0, loop
        a.h(0x95aa); // c.add a1, a0
        a.h(0x157d); // c.addi a0, -1
        a.h(0xfd75); // c.bnez a0, -4
        a.h(0xe02e); // c.sdsp a1, 0(sp)
        a.h(0x6602); // c.ldsp a2, 0(sp)
        a.h(0x2605); // c.addiw a2, 1
        execOk(a);
        assertEquals(55, c.x[11]);
        assertEquals(56, c.x[12]);
        assertEquals(55, mm.read64(DATA + 256));
    }

    @Test
    void atomics() throws Exception {
        long[] vals = {0, 1, -1, 5, -5, Long.MIN_VALUE, Long.MAX_VALUE, 0x80000000L, 0x7fffffffL};
        int[] f5s = {0x01, 0x00, 0x04, 0x0c, 0x08, 0x10, 0x14, 0x18, 0x1c};
        for (boolean dbl : new boolean[] {false, true}) {
            for (int f5 : f5s) {
                for (long m : vals) {
                    for (long v : vals) {
                        Asm a = new Asm().li(8, DATA).li(5, m).li(6, v);
                        a.w(sd(5, 8, 0));
                        a.w(amo(f5, dbl ? 3 : 2, 7, 8, 6));
                        execOk(a);
                        long mem = dbl ? m : (int) m;
                        long src = dbl ? v : (int) v;
                        long nv = switch (f5) {
                            case 0x01 -> src;
                            case 0x00 -> mem + src;
                            case 0x04 -> mem ^ src;
                            case 0x0c -> mem & src;
                            case 0x08 -> mem | src;
                            case 0x10 -> Math.min(mem, src);
                            case 0x14 -> Math.max(mem, src);
                            case 0x18 -> dbl ? (Long.compareUnsigned(mem, src) < 0 ? mem : src)
                                    : (Integer.compareUnsigned((int) mem, (int) src) < 0 ? mem : src);
                            default -> dbl ? (Long.compareUnsigned(mem, src) > 0 ? mem : src)
                                    : (Integer.compareUnsigned((int) mem, (int) src) > 0 ? mem : src);
                        };
                        assertEquals(mem, c.x[7]);
                        if (dbl) {
                            assertEquals(nv, mm.read64(DATA));
                        } else {
                            assertEquals((int) nv, mm.read32(DATA));
                            assertEquals((int) (m >>> 32), mm.read32(DATA + 4));
                        }
                    }
                }
            }
        }
    }

    @Test
    void lrSc() throws Exception {
        Asm a = new Asm().li(8, DATA).li(5, 0x1234).w(sd(5, 8, 0)).li(6, 99);
        a.w(amo(0x02, 3, 7, 8, 0)); // lr.d x7, (x8)
        a.w(amo(0x03, 3, 9, 8, 6)); // sc.d x9, x6, (x8) -> 0
        a.w(amo(0x03, 3, 10, 8, 5)); // sc.d again -> fails (no reservation)
        a.w(amo(0x02, 2, 11, 8, 0)); // lr.w
        a.w(sd(5, 8, 0)); // the value changes behind the reservation
        a.w(amo(0x03, 2, 12, 8, 6)); // sc.w fails: value differs from what lr saw
        execOk(a);
        assertEquals(0x1234, c.x[7]);
        assertEquals(0, c.x[9]);
        assertEquals(1, c.x[10]);
        assertEquals(99, c.x[11]);
        assertEquals(1, c.x[12]);
        assertEquals(0x1234, mm.read64(DATA));

        // run() entry clears the reservation
        Asm b2 = new Asm().li(8, DATA).w(amo(0x02, 3, 7, 8, 0)).w(ECALL).w(amo(0x03, 3, 9, 8, 7));
        b2.w(EBREAK);
        load(b2, CODE);
        c = new Rv64Context();
        c.pc = CODE;
        assertEquals(STOP_SYSCALL, e.run(c, mm, 100));
        assertEquals(STOP_BREAKPOINT, e.run(c, mm, 100));
        assertEquals(1, c.x[9]);

        // misaligned atomics fault with ADRALN
        for (int insn : new int[] {amo(0x02, 3, 7, 8, 0), amo(0x03, 2, 7, 8, 0), amo(0x00, 3, 7, 8, 9)}) {
            c = new Rv64Context();
            load(new Asm().li(8, DATA + 2).li(7, 5).w(insn), CODE);
            c.pc = CODE;
            assertEquals(STOP_FAULT, e.run(c, mm, 100));
            assertEquals(GuestFault.ADRALN, c.trapCode);
            assertEquals(DATA + 2, c.trapAddr);
            assertEquals(5, c.x[7]);
        }
    }

    @Test
    void multithreadedCounters() throws Exception {
        // amoadd.w loop on DATA, lr.d/sc.d increment loop on DATA+64, each N times, per thread
        final int n = 200_000, threads = 3;
        Asm p = new Asm().li(8, DATA).li(9, n).li(6, 1).li(11, DATA + 64);
        p.w(amo(0x00, 2, 0, 8, 6)); // +0
        p.w(amo(0x02, 3, 10, 11, 0)); // +4 lr.d x10, (x11)
        p.w(addi(10, 10, 1)); // +8
        p.w(amo(0x03, 3, 12, 11, 10)); // +12 sc.d x12, x10, (x11)
        p.w(bne(12, 0, -12)); // +16 retry
        p.w(addi(9, 9, -1)); // +20
        p.w(bne(9, 0, -24)); // +24
        p.w(EBREAK);
        load(p, CODE);
        List<Thread> ts = new ArrayList<>();
        int[] results = new int[threads];
        for (int t = 0; t < threads; t++) {
            final int id = t;
            ts.add(new Thread(() -> {
                Rv64Context ctx = new Rv64Context();
                ctx.pc = CODE;
                Rv64Interpreter eng = new Rv64Interpreter();
                int r;
                // small budgets to force many run() entries (each clears the reservation)
                do {
                    r = eng.run(ctx, mm, 1000);
                } while (r == STOP_BUDGET);
                results[id] = r;
            }));
        }
        ts.forEach(Thread::start);
        for (Thread t : ts) {
            t.join();
        }
        for (int r : results) {
            assertEquals(STOP_BREAKPOINT, r);
        }
        assertEquals(n * threads, mm.read32(DATA));
        assertEquals((long) n * threads, mm.read64(DATA + 64));
    }

    @Test
    void selfModifyingCode() throws Exception {
        // the program patches "addi x5, x0, 1" at 'target' into "addi x5, x0, 2" and runs it twice (fence.i between)
        Asm a = new Asm();
        a.w(addi(6, 0, 0)); // 0 iteration counter
        a.w(Asm.u(0, 8, 0x17)); // 4 auipc x8 -> CODE+4
        int target = 8;
        a.w(addi(5, 0, 1)); // 8 target
        a.w(add(7, 7, 5)); // 12 x7 += x5
        a.w(bne(6, 0, 24)); // 16 second time -> 40 (ebreak)
        a.w(addi(6, 0, 1)); // 20
        a.li(9, addi(5, 0, 2) & 0xffffffffL); // 24, 28 (lui+addiw)
        a.w(s(target - 4, 9, 8, 2, 0x23)); // 32 sw x9, 4(x8)
        a.w(jal(0, -28)); // 36 -> 8
        assertEquals(40, a.size());
        execOk(a);
        assertEquals(3, c.x[7]); // 1 then 2: the store was seen without fence.i

        // with fence.i, and a poke by the kernel + flush()
        c = new Rv64Context();
        Asm b2 = new Asm().w(addi(5, 0, 1)).w(EBREAK);
        load(b2, CODE);
        c.pc = CODE;
        assertEquals(STOP_BREAKPOINT, e.run(c, mm, 100));
        assertEquals(1, c.x[5]);
        mm.poke(CODE, new Asm().w(addi(5, 0, 3)).bytes(), 0, 4);
        e.flush();
        c.pc = CODE;
        assertEquals(STOP_BREAKPOINT, e.run(c, mm, 100));
        assertEquals(3, c.x[5]);
    }

    @Test
    void remappedCodeIsRedecoded() throws Exception {
        long at = 0x500000;
        assertEquals(at, mm.mmap(at, 0x1000, 5, FLAGS, null, 0, null));
        mm.poke(at, new Asm().w(addi(5, 0, 1)).w(EBREAK).bytes(), 0, 8);
        c.pc = at;
        assertEquals(STOP_BREAKPOINT, e.run(c, mm, 100));
        assertEquals(1, c.x[5]);
        // replace the mapping (a new page array at the same address)
        assertEquals(0, mm.munmap(at, 0x1000));
        assertEquals(at, mm.mmap(at, 0x1000, 5, FLAGS, null, 0, null));
        mm.poke(at, new Asm().w(addi(5, 0, 2)).w(EBREAK).bytes(), 0, 8);
        c.pc = at;
        assertEquals(STOP_BREAKPOINT, e.run(c, mm, 100));
        assertEquals(2, c.x[5]);
        // mprotect away PROT_EXEC: fetch faults
        assertEquals(0, mm.mprotect(at, 0x1000, AddressSpace.PROT_READ));
        c.pc = at;
        assertEquals(STOP_FAULT, e.run(c, mm, 100));
        assertEquals(GuestFault.EXEC, c.trapAccess);
        // and a data page unmapped under the TLB faults
        load(new Asm().li(8, DATA).w(ld(5, 8, 0)).w(EBREAK), CODE);
        c.pc = CODE;
        assertEquals(STOP_BREAKPOINT, e.run(c, mm, 100));
        assertEquals(0, mm.munmap(DATA, 0x1000));
        c.pc = CODE;
        assertEquals(STOP_FAULT, e.run(c, mm, 100));
        assertEquals(DATA, c.trapAddr);
    }

    @Test
    void garbageNeverThrows() throws Exception {
        java.util.Random rnd = new java.util.Random(42);
        byte[] junk = new byte[0x10000];
        for (int round = 0; round < 30; round++) {
            rnd.nextBytes(junk);
            mm.poke(CODE, junk, 0, junk.length);
            e.flush();
            for (int k = 0; k < 50; k++) {
                c = new Rv64Context();
                for (int r = 1; r < 32; r++) {
                    c.x[r] = rnd.nextInt(4) == 0 ? DATA + rnd.nextInt(0x10000) : rnd.nextLong();
                }
                c.pc = CODE + 2L * rnd.nextInt(0x8000);
                int st = e.run(c, mm, 10_000);
                assertTrue(st >= STOP_SYSCALL && st <= STOP_INTERRUPT);
                assertEquals(0, c.x[0]);
            }
        }
    }
}
