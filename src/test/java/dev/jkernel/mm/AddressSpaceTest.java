package dev.jkernel.mm;

import dev.jkernel.kernel.Errno;
import org.junit.jupiter.api.Test;

import static dev.jkernel.mm.AddressSpace.*;
import static org.junit.jupiter.api.Assertions.*;

/** mmap/munmap/mprotect/mremap/brk semantics, checked against what Linux answers for the same calls. */
class AddressSpaceTest {
    private static final int ANON = MAP_PRIVATE | MAP_ANONYMOUS;
    private static final int RW = PROT_READ | PROT_WRITE;

    @Test
    void anonymousMemoryIsZeroAndWritable() throws GuestFault {
        AddressSpace mm = new AddressSpace();
        long a = mm.mmap(0, 3 * PAGE_SIZE, RW, ANON, null, 0, null);
        assertFalse(Errno.isError(a));
        assertEquals(0, a & PAGE_MASK);
        assertEquals(0, mm.read64(a + 100));
        mm.write64(a + PAGE_SIZE - 4, 0x1122334455667788L); // crosses a page boundary
        assertEquals(0x1122334455667788L, mm.read64(a + PAGE_SIZE - 4));
    }

    @Test
    void mmapArgumentErrors() {
        AddressSpace mm = new AddressSpace();
        assertEquals(-Errno.EINVAL, mm.mmap(0, 0, RW, ANON, null, 0, null));
        assertEquals(-Errno.EINVAL, mm.mmap(0, 4096, RW, MAP_ANONYMOUS, null, 0, null), "no MAP_PRIVATE/SHARED");
        assertEquals(-Errno.EINVAL, mm.mmap(0, 4096, RW, ANON, null, 123, null), "unaligned offset");
        assertEquals(-Errno.EINVAL, mm.mmap(0x10001, 4096, RW, ANON | MAP_FIXED, null, 0, null));
        assertEquals(-Errno.ENOMEM, mm.mmap(0, -4096L, RW, ANON, null, 0, null));
        assertEquals(-Errno.EPERM, mm.mmap(0x1000, 4096, RW, ANON | MAP_FIXED, null, 0, null), "below mmap_min_addr");
    }

    @Test
    void fixedNoReplaceRefusesOverlap() {
        AddressSpace mm = new AddressSpace();
        long a = mm.mmap(0x200000, 2 * PAGE_SIZE, RW, ANON | MAP_FIXED, null, 0, null);
        assertEquals(0x200000, a);
        assertEquals(-Errno.EEXIST, mm.mmap(0x201000, PAGE_SIZE, RW, ANON | MAP_FIXED_NOREPLACE, null, 0, null));
        assertEquals(0x202000, mm.mmap(0x202000, PAGE_SIZE, RW, ANON | MAP_FIXED_NOREPLACE, null, 0, null));
    }

    @Test
    void munmapMakesAccessFaultWithMaperr() throws GuestFault {
        AddressSpace mm = new AddressSpace();
        long a = mm.mmap(0, 3 * PAGE_SIZE, RW, ANON, null, 0, null);
        mm.write64(a + PAGE_SIZE, 7);
        assertEquals(0, mm.munmap(a + PAGE_SIZE, PAGE_SIZE));
        GuestFault f = assertThrows(GuestFault.class, () -> mm.read64(a + PAGE_SIZE));
        assertEquals(GuestFault.MAPERR, f.code);
        assertEquals(0, mm.read64(a));
        assertEquals(0, mm.read64(a + 2 * PAGE_SIZE));
        assertEquals(-Errno.EINVAL, mm.munmap(a + 1, PAGE_SIZE));
        assertEquals(-Errno.EINVAL, mm.munmap(a, 0));
    }

    @Test
    void mprotectSplitsAndFaultsWithAccerr() throws GuestFault {
        AddressSpace mm = new AddressSpace();
        long a = mm.mmap(0, 3 * PAGE_SIZE, RW, ANON, null, 0, null);
        long gen = mm.generation();
        assertEquals(0, mm.mprotect(a + PAGE_SIZE, PAGE_SIZE, PROT_READ));
        assertNotEquals(gen, mm.generation(), "cached translations must be invalidated");
        mm.write64(a, 1);
        GuestFault f = assertThrows(GuestFault.class, () -> mm.write64(a + PAGE_SIZE, 1));
        assertEquals(GuestFault.ACCERR, f.code);
        assertEquals(GuestFault.WRITE, f.access);
        assertEquals(0, mm.read64(a + PAGE_SIZE));
        assertEquals(3, mm.vmas().size());
        assertEquals(-Errno.ENOMEM, mm.mprotect(a + 5 * PAGE_SIZE, PAGE_SIZE, PROT_READ), "unmapped range");
        assertEquals(-Errno.EINVAL, mm.mprotect(a + 1, PAGE_SIZE, PROT_READ));
        assertEquals(-Errno.EINVAL, mm.mprotect(a, PAGE_SIZE, 0x10));
    }

    @Test
    void execPermissionIsSeparate() throws GuestFault {
        AddressSpace mm = new AddressSpace();
        long a = mm.mmap(0, PAGE_SIZE, RW, ANON, null, 0, null);
        assertThrows(GuestFault.class, () -> mm.page(a, GuestFault.EXEC));
        mm.mprotect(a, PAGE_SIZE, PROT_READ | PROT_EXEC);
        assertNotNull(mm.page(a, GuestFault.EXEC));
    }

    @Test
    void mremapGrowsShrinksAndMoves() throws GuestFault {
        AddressSpace mm = new AddressSpace();
        long a = mm.mmap(0x300000, 2 * PAGE_SIZE, RW, ANON | MAP_FIXED, null, 0, null);
        mm.write64(a, 42);
        assertEquals(a, mm.mremap(a, 2 * PAGE_SIZE, 4 * PAGE_SIZE, 0, 0), "grows in place into free space");
        mm.write64(a + 3 * PAGE_SIZE, 5);
        mm.mmap(a + 4 * PAGE_SIZE, PAGE_SIZE, RW, ANON | MAP_FIXED, null, 0, null);
        assertEquals(-Errno.ENOMEM, mm.mremap(a, 4 * PAGE_SIZE, 8 * PAGE_SIZE, 0, 0), "blocked, may not move");
        long b = mm.mremap(a, 4 * PAGE_SIZE, 8 * PAGE_SIZE, MREMAP_MAYMOVE, 0);
        assertNotEquals(a, b);
        assertEquals(42, mm.read64(b), "contents move with the mapping");
        assertEquals(5, mm.read64(b + 3 * PAGE_SIZE));
        assertThrows(GuestFault.class, () -> mm.read64(a));
        assertEquals(b, mm.mremap(b, 8 * PAGE_SIZE, PAGE_SIZE, 0, 0));
        assertThrows(GuestFault.class, () -> mm.read64(b + PAGE_SIZE));
        assertEquals(-Errno.EINVAL, mm.mremap(b, PAGE_SIZE, PAGE_SIZE, MREMAP_FIXED, 0x500000));
        assertEquals(-Errno.EFAULT, mm.mremap(0x7000000, PAGE_SIZE, 2 * PAGE_SIZE, MREMAP_MAYMOVE, 0));
    }

    @Test
    void brkGrowsAndShrinks() throws GuestFault {
        AddressSpace mm = new AddressSpace();
        mm.initBrk(0x400123);
        long start = mm.brk(0);
        assertEquals(0x401000, start);
        assertEquals(start + 10000, mm.brk(start + 10000));
        mm.write64(start + 9992, 9);
        assertEquals(start, mm.brk(start));
        assertThrows(GuestFault.class, () -> mm.read64(start + 9992));
        assertEquals(start, mm.brk(start - 4096), "below the start: unchanged");
        long blocker = mm.mmap(start + 2 * PAGE_SIZE, PAGE_SIZE, RW, ANON | MAP_FIXED, null, 0, null);
        assertEquals(start + 2 * PAGE_SIZE, blocker);
        assertEquals(start, mm.brk(start + 5 * PAGE_SIZE), "a mapping in the way: unchanged");
    }

    @Test
    void madviseDontneedZeroesPrivatePages() throws GuestFault {
        AddressSpace mm = new AddressSpace();
        long a = mm.mmap(0, PAGE_SIZE, RW, ANON, null, 0, null);
        mm.write64(a, 77);
        assertEquals(0, mm.dropPages(a, PAGE_SIZE));
        assertEquals(0, mm.read64(a));
    }

    @Test
    void fileBackedPagesAreFilledOnFirstTouch() throws GuestFault {
        AddressSpace mm = new AddressSpace();
        int[] fills = {0};
        PageSource src = new PageSource() {
            @Override
            public int fill(long off, byte[] dst, int dstOff, int len) {
                fills[0]++;
                dst[dstOff] = (byte) (off / PAGE_SIZE + 1);
                return 1;
            }

            @Override
            public String name() {
                return "/file";
            }
        };
        long a = mm.mmap(0, 4 * PAGE_SIZE, PROT_READ, MAP_PRIVATE, src, 2 * PAGE_SIZE, null);
        assertEquals(0, fills[0], "nothing read before the first touch");
        assertEquals(3, mm.read8(a));
        assertEquals(4, mm.read8(a + PAGE_SIZE));
        assertEquals(2, fills[0]);
        assertEquals("/file", mm.vmas().get(0).name);
    }

    @Test
    void addressesOutsideUserSpaceFault() {
        AddressSpace mm = new AddressSpace();
        assertThrows(GuestFault.class, () -> mm.read64(-8));
        assertThrows(GuestFault.class, () -> mm.read64(TASK_SIZE));
        assertThrows(GuestFault.class, () -> mm.read64(0));
    }
}
