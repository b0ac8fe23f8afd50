package dev.jkernel.arch.riscv64;

import static dev.jkernel.arch.ExecutionEngine.*;
import static dev.jkernel.arch.riscv64.Asm.*;
import static org.junit.jupiter.api.Assertions.*;

import dev.jkernel.mm.AddressSpace;
import dev.jkernel.mm.GuestFault;
import org.junit.jupiter.api.Test;

/** The interpreter's TLB against copy-on-write pages after AddressSpace.fork(). */
class Rv64ForkTest {
    static final long CODE = 0x100000, DATA = 0x200000;
    static final int FLAGS = AddressSpace.MAP_PRIVATE | AddressSpace.MAP_ANONYMOUS | AddressSpace.MAP_FIXED;

    @Test
    void readAfterCowWriteInOneBlockSeesTheWrite() throws GuestFault {
        AddressSpace parent = new AddressSpace();
        assertEquals(CODE, parent.mmap(CODE, 0x1000, 5, FLAGS, null, 0, null));
        assertEquals(DATA, parent.mmap(DATA, 0x1000, 3, FLAGS, null, 0, null));
        parent.write64(DATA, 5);
        // One block: load, store the incremented value, load it back.
        Asm a = new Asm().li(10, DATA);
        a.w(ld(5, 10, 0)).w(addi(5, 5, 1)).w(sd(5, 10, 0)).w(ld(6, 10, 0)).w(EBREAK);
        byte[] code = a.bytes();
        parent.poke(CODE, code, 0, code.length);

        Rv64Interpreter e = new Rv64Interpreter();
        Rv64Context c = new Rv64Context();
        c.pc = CODE;
        assertEquals(STOP_BREAKPOINT, e.run(c, parent, 1000)); // warms the TLB: DATA cached for reading and writing
        assertEquals(6, c.x[6]);

        AddressSpace child = parent.fork();
        c.pc = CODE;
        assertEquals(STOP_BREAKPOINT, e.run(c, parent, 1000));
        assertEquals(7, c.x[5]);
        assertEquals(7, c.x[6], "the load after the copy-on-write store reads the new copy");
        assertEquals(7, parent.read64(DATA));
        assertEquals(6, child.read64(DATA), "the parent's store did not reach the child");

        // The same engine now runs the child: its store copies nothing (the child is the last mapper).
        Rv64Context cc = new Rv64Context();
        cc.pc = CODE;
        assertEquals(STOP_BREAKPOINT, e.run(cc, child, 1000));
        assertEquals(7, cc.x[6]);
        assertEquals(7, child.read64(DATA));
        assertEquals(7, parent.read64(DATA));
        c.pc = CODE;
        assertEquals(STOP_BREAKPOINT, e.run(c, parent, 1000));
        assertEquals(8, parent.read64(DATA));
        assertEquals(7, child.read64(DATA));
    }
}
