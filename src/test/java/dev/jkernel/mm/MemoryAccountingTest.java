package dev.jkernel.mm;

import dev.jkernel.kernel.Errno;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static dev.jkernel.mm.AddressSpace.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The memory cgroup's accounting: every page the address spaces allocate is charged once, and comes back when the
 * last page table drops it (munmap, MADV_DONTNEED, exec/exit's release, copy-on-write broken by the others); charges
 * over the limit fail without changing anything.
 */
class MemoryAccountingTest {
    private static final int ANON = MAP_PRIVATE | MAP_ANONYMOUS;
    private static final int SHARED = MAP_SHARED | MAP_ANONYMOUS;
    private static final int RW = PROT_READ | PROT_WRITE;

    private static long map(AddressSpace mm, long pages, int flags) {
        long a = mm.mmap(0, pages * PAGE_SIZE, RW, flags, null, 0, null);
        assertFalse(Errno.isError(a));
        return a;
    }

    private static void touch(AddressSpace mm, long a, long pages) throws GuestFault {
        for (long i = 0; i < pages; i++) {
            mm.write64(a + i * PAGE_SIZE, i + 1);
        }
    }

    @Test
    void touchedPagesAreChargedAndMunmapUnchargesThem() throws GuestFault {
        MemCgroup cg = MemCgroup.unlimited();
        AddressSpace mm = new AddressSpace(cg);
        long a = map(mm, 100, ANON);
        assertEquals(0, cg.usagePages(), "mapping costs nothing");
        touch(mm, a, 10);
        assertEquals(10, cg.usagePages());
        mm.read64(a + 5 * PAGE_SIZE); // present already
        mm.write64(a, 7);
        assertEquals(10, cg.usagePages(), "accesses to present pages cost nothing");
        assertEquals(10, mm.rss());
        assertEquals(0, mm.munmap(a + 5 * PAGE_SIZE, 20 * PAGE_SIZE));
        assertEquals(5, cg.usagePages());
        assertEquals(5, mm.rss());
        assertEquals(0, mm.dropPages(a, PAGE_SIZE), "MADV_DONTNEED");
        assertEquals(4, cg.usagePages());
        touch(mm, a, 1);
        assertEquals(5, cg.usagePages());
        assertEquals(10 * PAGE_SIZE, cg.peakBytes());
        assertTrue(mm.release());
        assertEquals(0, cg.usagePages(), "the last release returns everything");
        assertEquals(0, mm.rss());
    }

    @Test
    void readsOfUntouchedAnonymousMemoryCostNothing() throws GuestFault {
        MemCgroup cg = new MemCgroup(4 * PAGE_SIZE);
        AddressSpace mm = new AddressSpace(cg);
        long a = map(mm, 1000, ANON);
        for (int i = 0; i < 1000; i++) {
            assertEquals(0, mm.read64(a + (long) i * PAGE_SIZE));
        }
        assertEquals(0, cg.usagePages(), "the zero page, far past the limit");
        assertEquals(0, mm.rss());
        byte[] zero = mm.page(a, GuestFault.READ);
        assertSame(zero, mm.page(a + PAGE_SIZE, GuestFault.READ), "one zero page for all");
        long gen = mm.generation();
        mm.write64(a, 5);
        assertNotSame(zero, mm.page(a, GuestFault.READ), "the first write gets a page of its own");
        assertTrue(mm.generation() != gen, "engines forget the zero page cached at that address");
        assertEquals(5, mm.read64(a));
        assertEquals(0, mm.read64(a + PAGE_SIZE), "the zero page is still zero");
        assertEquals(1, cg.usagePages());
        assertEquals(1, mm.rss());

        // Fork keeps zero pages; each side's first write gets its own page.
        AddressSpace child = mm.fork();
        assertEquals(0, child.read64(a + 2 * PAGE_SIZE));
        child.write64(a + 2 * PAGE_SIZE, 7);
        assertEquals(0, mm.read64(a + 2 * PAGE_SIZE));
        assertEquals(2, cg.usagePages());
        mm.poke(a + 3 * PAGE_SIZE, new byte[] {9}, 0, 1);
        assertEquals(9, mm.read8(a + 3 * PAGE_SIZE));
        assertEquals(0, child.read8(a + 3 * PAGE_SIZE));
        assertEquals(3, cg.usagePages());
        child.release();
        mm.release();
        assertEquals(0, cg.usagePages());
        assertEquals(0, zero[0], "nobody wrote into the zero page");
    }

    @Test
    void copyOnWriteSharingCountsAPageOnce() throws GuestFault {
        MemCgroup cg = MemCgroup.unlimited();
        AddressSpace parent = new AddressSpace(cg);
        long a = map(parent, 8, ANON);
        touch(parent, a, 8);
        AddressSpace child = parent.fork();
        assertSame(cg, child.memcg());
        assertEquals(8, cg.usagePages(), "fork copies nothing");
        assertEquals(8, child.rss(), "shared pages are resident in both (Linux's RSS)");
        touch(child, a, 3);
        assertEquals(11, cg.usagePages(), "each copy is charged");
        assertEquals(8, child.rss());
        touch(parent, a, 3);
        assertEquals(11, cg.usagePages(), "the parent is the last mapper of its originals: no copy");
        AddressSpace grandchild = child.fork();
        touch(grandchild, a + 4 * PAGE_SIZE, 2); // shared by all three: one copy each
        assertEquals(13, cg.usagePages());
        assertTrue(child.release());
        assertEquals(13, cg.usagePages(), "everything the child mapped is mapped by another too");
        assertTrue(parent.release());
        assertEquals(8, cg.usagePages(), "what only the grandchild maps now");
        assertTrue(grandchild.release());
        assertEquals(0, cg.usagePages());
    }

    @Test
    void releaseOfAForkedChildReturnsToTheParentsUsage() throws GuestFault {
        MemCgroup cg = MemCgroup.unlimited();
        AddressSpace parent = new AddressSpace(cg);
        long a = map(parent, 16, ANON);
        touch(parent, a, 16);
        long base = cg.usagePages();
        for (int round = 0; round < 3; round++) {
            AddressSpace child = parent.fork();
            touch(child, a, 16);
            long extra = map(child, 4, ANON);
            touch(child, extra, 4);
            assertEquals(base + 20, cg.usagePages());
            child.release();
            assertEquals(base, cg.usagePages(), "round " + round);
        }
        parent.release();
        assertEquals(0, cg.usagePages());
    }

    @Test
    void mremapMovesChargesWithThePages() throws GuestFault {
        MemCgroup cg = MemCgroup.unlimited();
        AddressSpace mm = new AddressSpace(cg);
        long a = map(mm, 4, ANON);
        touch(mm, a, 4);
        long b = mm.mremap(a, 4 * PAGE_SIZE, 64 * PAGE_SIZE, MREMAP_MAYMOVE, 0);
        assertFalse(Errno.isError(b));
        assertEquals(4, cg.usagePages());
        assertEquals(3, mm.read64(b + 2 * PAGE_SIZE));
        long c = mm.mremap(b, 64 * PAGE_SIZE, 2 * PAGE_SIZE, 0, 0);
        assertEquals(b, c);
        assertEquals(2, cg.usagePages(), "shrinking drops the tail's pages");
        mm.release();
        assertEquals(0, cg.usagePages());
    }

    @Test
    void sharedMemoryIsChargedOnceAndFreedWithItsLastMapping() throws GuestFault {
        MemCgroup cg = MemCgroup.unlimited();
        AddressSpace parent = new AddressSpace(cg);
        long a = map(parent, 8, SHARED);
        touch(parent, a, 4);
        assertEquals(4, cg.usagePages());
        assertArrayEquals(new long[] {0, 0, 4}, parent.rssPages());
        AddressSpace child = parent.fork();
        touch(child, a, 8);
        assertEquals(8, cg.usagePages(), "both write the same pages");
        assertEquals(0, parent.munmap(a, 8 * PAGE_SIZE));
        assertEquals(8, cg.usagePages(), "the child still maps them");
        // Split, move and partly unmap the child's view: the pages stay while some part is mapped.
        long b = child.mremap(a + 2 * PAGE_SIZE, 2 * PAGE_SIZE, 2 * PAGE_SIZE, MREMAP_MAYMOVE | MREMAP_FIXED,
                0x40000000L);
        assertEquals(0x40000000L, b);
        assertEquals(0, child.munmap(a, 2 * PAGE_SIZE));
        assertEquals(0, child.munmap(a + 4 * PAGE_SIZE, 4 * PAGE_SIZE));
        assertEquals(8, cg.usagePages(), "the object lives while a piece of it is mapped");
        assertEquals(3, child.read64(b), "data survived the move");
        assertEquals(0, child.munmap(b, 2 * PAGE_SIZE));
        assertEquals(0, cg.usagePages(), "the last mapping gone: every page returned");
        parent.release();
        child.release();
        assertEquals(0, cg.usagePages());
    }

    @Test
    void filePagesAreChargedAndAFaultPastTheEndIsNot() throws GuestFault {
        PageSource file = new PageSource() {
            @Override
            public int fill(long off, byte[] dst, int dstOff, int len) {
                if (off >= PAGE_SIZE + 100) {
                    return 0;
                }
                int n = (int) Math.min(len, PAGE_SIZE + 100 - off);
                java.util.Arrays.fill(dst, dstOff, dstOff + n, (byte) 7);
                return n;
            }

            @Override
            public String name() {
                return "/f";
            }
        };
        MemCgroup cg = MemCgroup.unlimited();
        AddressSpace mm = new AddressSpace(cg);
        long a = mm.mmap(0, 3 * PAGE_SIZE, RW, MAP_PRIVATE, file, 0, null);
        assertEquals(7, mm.read8(a + PAGE_SIZE));
        assertArrayEquals(new long[] {0, 1, 0}, mm.rssPages());
        GuestFault f = assertThrows(GuestFault.class, () -> mm.read8(a + 2 * PAGE_SIZE));
        assertEquals(GuestFault.BUSERR, f.code);
        assertEquals(1, cg.usagePages(), "no charge for the page that does not exist");
        AddressSpace child = mm.fork();
        child.write64(a + PAGE_SIZE, 1);
        assertArrayEquals(new long[] {1, 0, 0}, child.rssPages(), "a copy of a file page is anonymous");
        assertEquals(2, cg.usagePages());
        mm.release();
        child.release();
        assertEquals(0, cg.usagePages());
    }

    @Test
    void overTheLimitNothingChangesAndTheFaultSaysOom() throws GuestFault {
        MemCgroup cg = new MemCgroup(4 * PAGE_SIZE);
        AddressSpace mm = new AddressSpace(cg);
        long a = map(mm, 8, ANON);
        touch(mm, a, 4);
        GuestFault f = assertThrows(GuestFault.class, () -> mm.page(a + 4 * PAGE_SIZE, GuestFault.WRITE));
        assertEquals(GuestFault.OOM, f.code);
        assertEquals(a + 4 * PAGE_SIZE, f.addr);
        // Without an OOM handler the copy helpers give up with the same fault.
        f = assertThrows(GuestFault.class, () -> mm.write64(a + 5 * PAGE_SIZE, 1));
        assertEquals(GuestFault.OOM, f.code);
        assertEquals(4, cg.usagePages());
        assertEquals(4, mm.rss());

        // A copy-on-write copy is refused the same way, leaving both sides as they were.
        AddressSpace child = mm.fork();
        byte[] shared = mm.page(a, GuestFault.READ);
        f = assertThrows(GuestFault.class, () -> child.page(a, GuestFault.WRITE));
        assertEquals(GuestFault.OOM, f.code);
        assertSame(shared, child.page(a, GuestFault.READ));
        assertEquals(2, child.mappers(a));
        assertEquals(1, child.read64(a));

        // Memory freed elsewhere makes room.
        assertEquals(0, mm.munmap(a + 3 * PAGE_SIZE, PAGE_SIZE));
        assertEquals(4, cg.usagePages(), "still mapped by the child");
        child.release();
        assertEquals(3, cg.usagePages());
        mm.write64(a + 5 * PAGE_SIZE, 1);
        assertEquals(4, cg.usagePages());
        mm.release();
        assertEquals(0, cg.usagePages());
    }

    @Test
    void theOomHandlerRunsOutsideTheLockAndTheCopyRetries() throws GuestFault {
        MemCgroup cg = new MemCgroup(2 * PAGE_SIZE);
        AddressSpace victim = new AddressSpace(cg);
        long v = map(victim, 2, ANON);
        touch(victim, v, 2);
        AddressSpace mm = new AddressSpace(cg);
        long a = map(mm, 2, ANON);
        AtomicInteger calls = new AtomicInteger();
        cg.setOomHandler((group, pages) -> {
            assertSame(cg, group);
            assertFalse(Thread.holdsLock(mm), "called without the address space's lock");
            calls.incrementAndGet();
            victim.release(); // "kill" the other one
            return true;
        });
        mm.write(a, new byte[2 * PAGE_SIZE]);
        assertEquals(1, calls.get());
        assertEquals(2, cg.usagePages());
        mm.poke(a, new byte[] {1}, 0, 1);
        cg.setOomHandler((group, pages) -> false);
        long b = map(mm, 1, ANON);
        GuestFault f = assertThrows(GuestFault.class, () -> mm.faultIn(b, GuestFault.WRITE));
        assertEquals(GuestFault.OOM, f.code, "the handler gave up");
    }

    @Test
    void overcommitRefusesOnlyWhatExceedsAllOfMemory() {
        MemCgroup cg = new MemCgroup(64L << 20);
        AddressSpace mm = new AddressSpace(cg);
        long big = 65L << 20;
        assertEquals(-Errno.ENOMEM, mm.mmap(0, big, RW, ANON, null, 0, null, true));
        assertEquals(-Errno.ENOMEM, mm.mmap(0, big, RW, SHARED, null, 0, null, true));
        assertFalse(Errno.isError(mm.mmap(0, big, RW, ANON, null, 0, null, false)), "the kernel's own mappings");
        assertFalse(Errno.isError(mm.mmap(0, big, RW, ANON | MAP_NORESERVE, null, 0, null, true)));
        assertFalse(Errno.isError(mm.mmap(0, big, PROT_READ, ANON, null, 0, null, true)), "not writable");
        long a = mm.mmap(0, 64L << 20, RW, ANON, null, 0, null, true);
        assertFalse(Errno.isError(a), "as much as all of memory is fine");
        long b = mm.mmap(0, 64L << 20, RW, ANON, null, 0, null, true);
        assertFalse(Errno.isError(b), "overcommitted: only touching costs");
        // A refused MAP_FIXED leaves the old mapping alone.
        assertEquals(-Errno.ENOMEM, mm.mmap(a, big, RW, ANON | MAP_FIXED, null, 0, null, true));
        assertEquals(RW, mm.protAt(a));
        assertEquals(-Errno.ENOMEM, mm.mremap(b, 64L << 20, (64L << 20) + big, MREMAP_MAYMOVE, 0));
        mm.initBrk(0x100000);
        assertEquals(0x100000, mm.brk(0x100000 + big));
        assertEquals(0x100000 + (1L << 20), mm.brk(0x100000 + (1L << 20)));
    }

    @Test
    void racingCopyOnWriteBreaksChargeEveryCopyExactly() throws Exception {
        MemCgroup cg = MemCgroup.unlimited();
        AddressSpace root = new AddressSpace(cg);
        int pages = 64;
        long a = map(root, pages, ANON);
        touch(root, a, pages);
        for (int round = 0; round < 20; round++) {
            List<AddressSpace> spaces = new ArrayList<>();
            spaces.add(root.fork());
            spaces.add(root.fork());
            spaces.add(spaces.get(0).fork());
            CyclicBarrier go = new CyclicBarrier(spaces.size());
            AtomicReference<Throwable> err = new AtomicReference<>();
            List<Thread> ts = new ArrayList<>();
            for (AddressSpace s : spaces) {
                ts.add(Thread.ofPlatform().start(() -> {
                    try {
                        go.await();
                        touch(s, a, pages);
                    } catch (Throwable e) {
                        err.set(e);
                    }
                }));
            }
            for (Thread t : ts) {
                t.join();
            }
            assertNull(err.get());
            // root keeps its originals or one of the writers took them over: 4 mappers, one array each.
            assertEquals(4L * pages, cg.usagePages(), "round " + round);
            for (AddressSpace s : spaces) {
                s.release();
            }
            assertEquals(pages, cg.usagePages(), "round " + round);
        }
        root.release();
        assertEquals(0, cg.usagePages());
    }

    @Test
    void limitBelowAPageIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new MemCgroup(100));
        MemCgroup cg = new MemCgroup((10L << 20) + 123);
        assertEquals(10L << 20, cg.limitBytes(), "whole pages");
        cg.setLimit(MemCgroup.UNLIMITED);
        assertEquals(MemCgroup.UNLIMITED, cg.limitBytes());
    }
}
