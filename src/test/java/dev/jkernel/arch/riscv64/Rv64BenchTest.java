package dev.jkernel.arch.riscv64;

import static dev.jkernel.arch.riscv64.Asm.*;

import dev.jkernel.arch.ExecutionEngine;
import dev.jkernel.mm.AddressSpace;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/** Interpreter speed on an ALU loop and a memory loop: mvn test -Dtest=Rv64BenchTest -Dcpu.bench=true */
@EnabledIfSystemProperty(named = "cpu.bench", matches = "true")
class Rv64BenchTest {
    static final long CODE = 0x100000, DATA = 0x1000000;

    double mips(Asm a, long budget) throws Exception {
        AddressSpace mm = new AddressSpace();
        int flags = AddressSpace.MAP_PRIVATE | AddressSpace.MAP_ANONYMOUS | AddressSpace.MAP_FIXED;
        mm.mmap(CODE, 0x10000, 5, flags, null, 0, null);
        mm.mmap(DATA, 16 << 20, 3, flags, null, 0, null);
        byte[] b = a.bytes();
        mm.poke(CODE, b, 0, b.length);
        Rv64Interpreter e = new Rv64Interpreter();
        double best = 0;
        for (int round = 0; round < 5; round++) {
            Rv64Context c = new Rv64Context();
            c.pc = CODE;
            long t0 = System.nanoTime();
            int st = e.run(c, mm, budget);
            long t1 = System.nanoTime();
            if (st != ExecutionEngine.STOP_BUDGET) {
                throw new AssertionError("stop " + st + " at " + Long.toHexString(c.pc));
            }
            best = Math.max(best, budget * 1e3 / (t1 - t0));
        }
        return best;
    }

    @Test
    void aluLoop() throws Exception {
        // the inner loop of h = h * K + i; h ^= h >> 13; s += (h & 7) == 3
        Asm a = new Asm().li(10, 0x5851f42d4c957f2dL).li(11, 1).li(12, 0).li(14, 0).li(13, Long.MAX_VALUE);
        a.w(r(1, 10, 11, 0, 11, 0x33)); // mul a1, a1, a0
        a.h(0x95ba); // c.add a1, a4
        a.w(i(13, 11, 5, 15, 0x13)); // srli a5, a1, 13
        a.h(0x8dbd); // c.xor a1, a5
        a.w(i(7, 11, 7, 15, 0x13)); // andi a5, a1, 7
        a.h(0x17f5); // c.addi a5, -3
        a.w(i(1, 15, 3, 15, 0x13)); // sltiu a5, a5, 1
        a.h(0x0705); // c.addi a4, 1
        a.h(0x963e); // c.add a2, a5
        a.w(bne(14, 13, -26));
        System.out.printf("ALU loop: %.1f MIPS%n", mips(a, 300_000_000L));
    }

    @Test
    void memoryLoop() throws Exception {
        // for (i = 0; ; i++) { b[i & mask] += a[(i * 97) & mask]; s += b[..] }, over 8 MiB
        Asm a = new Asm().li(8, DATA).li(9, DATA + (8 << 20)).li(5, 0).li(6, (1 << 20) - 1);
        a.w(i(97, 5, 0, 7, 0x13)); // addi t2, t0, 97 (index 2)
        a.w(r(0, 6, 7, 7, 7, 0x33)); // and t2, t2, t1
        a.w(i(3, 7, 1, 7, 0x13)); // slli t2, t2, 3
        a.w(add(7, 7, 8)); // t2 += a
        a.w(ld(28, 7, 0)); // t3 = a[j]
        a.w(r(0, 6, 5, 7, 29, 0x33)); // and t4, t0, t1
        a.w(i(3, 29, 1, 29, 0x13)); // slli t4, t4, 3
        a.w(add(29, 29, 9)); // t4 += b
        a.w(ld(30, 29, 0)); // t5 = b[i]
        a.w(add(30, 30, 28));
        a.w(sd(30, 29, 0));
        a.w(i(4, 29, 2, 31, 0x03)); // lw t6, 4(t4)
        a.w(add(18, 18, 31));
        a.w(addi(5, 5, 1));
        a.w(jal(0, -56));
        System.out.printf("memory loop: %.1f MIPS%n", mips(a, 200_000_000L));
    }
}
