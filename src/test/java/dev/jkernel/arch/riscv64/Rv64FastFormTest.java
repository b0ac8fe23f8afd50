package dev.jkernel.arch.riscv64;

import static dev.jkernel.arch.ExecutionEngine.*;
import static dev.jkernel.arch.riscv64.Asm.*;
import static org.junit.jupiter.api.Assertions.*;

import dev.jkernel.mm.AddressSpace;
import dev.jkernel.mm.GuestFault;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The interpreter's fast form (fused pairs, rare ops handed to the general path) must be invisible: the same state
 * after every instruction as single-stepping, an exact budget even when it falls inside a fused pair, and a fault in
 * a pair's second half with the first half retired.
 */
class Rv64FastFormTest {
    static final long CODE = 0x100000, DATA = 0x200000;
    static final int FLAGS = AddressSpace.MAP_PRIVATE | AddressSpace.MAP_ANONYMOUS | AddressSpace.MAP_FIXED;

    AddressSpace mm;

    @BeforeEach
    void setUp() throws GuestFault {
        mm = new AddressSpace();
        assertEquals(CODE, mm.mmap(CODE, 0x10000, 7, FLAGS, null, 0, null));
        assertEquals(DATA, mm.mmap(DATA, 0x10000, 3, FLAGS, null, 0, null));
    }

    /** A loop made of every fused pair, a load into x0 and an rdinstret, run 5 times. */
    static Asm program() {
        Asm a = new Asm();
        a.li(8, DATA + 0x800); // lui + addiw: folds into one constant
        a.w(addi(9, 0, 5));
        a.li(23, 0xfedcba9887654321L);
        a.w(u(0, 10, 0x17)).w(ld(11, 10, 0)); // auipc + ld (reads the code itself)
        a.w(u(0x1000, 22, 0x17)).w(addi(22, 22, 16)); // auipc + addi
        int loop = a.size();
        a.w(i(3, 9, 1, 12, 0x13)).w(add(12, 12, 8)); // slli + add: x12 = DATA + 0x800 + 8 * x9
        a.w(sd(9, 12, 0));
        a.w(sd(11, 12, 8));
        a.w(add(14, 8, 0)).w(ld(15, 14, 48)); // add + ld
        a.w(add(14, 12, 0)).w(i(0, 14, 2, 16, 0x03)); // add + lw
        a.w(add(14, 12, 0)).w(i(8, 14, 4, 17, 0x03)); // add + lbu
        a.w(add(14, 12, 0)).w(i(12, 14, 6, 18, 0x03)); // add + lwu
        a.w(add(23, 23, 15));
        a.w(i(32, 23, 1, 19, 0x13)).w(i(32, 19, 5, 19, 0x13)); // slli + srli: zero-extend a word
        a.w(i(0, 8, 3, 0, 0x03)); // ld x0: a rare op
        a.w(csr(2, 20, 0, 0xc02)); // rdinstret
        a.w(add(21, 21, 20));
        a.w(addi(9, 9, -1)).w(bne(9, 0, loop - a.size())); // addi + bne (a.size() is the bne's offset here)
        a.w(EBREAK);
        return a;
    }

    void load(Asm a) throws GuestFault {
        byte[] b = a.bytes();
        mm.poke(CODE, b, 0, b.length);
    }

    static Rv64Context fresh() {
        Rv64Context c = new Rv64Context();
        c.pc = CODE;
        return c;
    }

    static long[] state(Rv64Context c) {
        long[] s = Arrays.copyOf(c.x, 34);
        s[32] = c.pc;
        s[33] = c.instret;
        return s;
    }

    @Test
    void sameStateAsSingleStepping() throws GuestFault {
        load(program());
        // Reference: one instruction per run() call.
        Rv64Interpreter e = new Rv64Interpreter();
        Rv64Context c = fresh();
        List<long[]> after = new ArrayList<>();
        after.add(state(c));
        for (;;) {
            int st = e.run(c, mm, 1);
            if (st == STOP_BREAKPOINT) {
                break;
            }
            assertEquals(STOP_BUDGET, st);
            after.add(state(c));
        }
        int total = after.size() - 1;
        assertTrue(total > 100, "ran " + total);
        // Whole run, fresh engine: same end state.
        Rv64Interpreter e2 = new Rv64Interpreter();
        Rv64Context c2 = fresh();
        assertEquals(STOP_BREAKPOINT, e2.run(c2, mm, 1_000_000));
        assertArrayEquals(after.get(total), state(c2));
        // Every budget, on a warm engine (blocks already decoded): stops exactly there.
        for (int budget = 1; budget <= total; budget++) {
            Rv64Context c3 = fresh();
            assertEquals(STOP_BUDGET, e2.run(c3, mm, budget), "budget " + budget);
            assertArrayEquals(after.get(budget), state(c3), "budget " + budget);
            // and resuming from there finishes the same
            assertEquals(STOP_BREAKPOINT, e2.run(c3, mm, 1_000_000));
            assertArrayEquals(after.get(total), state(c3), "resumed after " + budget);
        }
    }

    @Test
    void faultInSecondHalfOfPair() throws GuestFault {
        for (int second : new int[] {ld(11, 10, 0), i(0, 10, 2, 11, 0x03), i(0, 10, 4, 11, 0x03),
            i(0, 10, 6, 11, 0x03)}) {
            Asm a = new Asm().li(8, 0x500000).w(addi(9, 0, 8));
            int before = a.size() / 4;
            a.w(add(10, 8, 9)).w(second).w(EBREAK);
            load(a);
            for (int round = 0; round < 2; round++) { // cold, then with the block decoded
                Rv64Interpreter e = new Rv64Interpreter();
                Rv64Context c = fresh();
                assertEquals(STOP_FAULT, e.run(c, mm, 1000));
                assertEquals(CODE + 4L * (before + 1), c.pc);
                assertEquals(before + 1, c.instret);
                assertEquals(0x500008, c.x[10]);
                assertEquals(0x500008, c.trapAddr);
                assertEquals(GuestFault.READ, c.trapAccess);
            }
        }
        // auipc + ld from an unmapped address
        Asm a = new Asm().w(u(0x400000, 10, 0x17)).w(ld(11, 10, 0)).w(EBREAK);
        load(a);
        Rv64Context c = fresh();
        assertEquals(STOP_FAULT, new Rv64Interpreter().run(c, mm, 1000));
        assertEquals(CODE + 4, c.pc);
        assertEquals(1, c.instret);
        assertEquals(CODE + 0x400000, c.x[10]);
    }
}
