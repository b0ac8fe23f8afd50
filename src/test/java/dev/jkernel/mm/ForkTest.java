package dev.jkernel.mm;

import dev.jkernel.kernel.Errno;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicReference;

import static dev.jkernel.mm.AddressSpace.*;
import static org.junit.jupiter.api.Assertions.*;

/** fork(): copy-on-write private memory, MAP_SHARED memory, address-space users, futex identities. */
class ForkTest {
    private static final int ANON = MAP_PRIVATE | MAP_ANONYMOUS;
    private static final int SHARED = MAP_SHARED | MAP_ANONYMOUS;
    private static final int RW = PROT_READ | PROT_WRITE;

    private static long map(AddressSpace mm, long len, int flags) {
        long a = mm.mmap(0, len, RW, flags, null, 0, null);
        assertFalse(Errno.isError(a));
        return a;
    }

    @Test
    void privateMemoryIsIsolatedBothWays() throws GuestFault {
        AddressSpace parent = new AddressSpace();
        long a = map(parent, 2 * PAGE_SIZE, ANON);
        parent.write64(a, 1);
        parent.write64(a + PAGE_SIZE, 2);
        AddressSpace child = parent.fork();
        assertEquals(1, child.read64(a));
        assertEquals(2, child.read64(a + PAGE_SIZE));

        parent.write64(a, 10);
        assertEquals(10, parent.read64(a));
        assertEquals(1, child.read64(a), "child must not see the parent's write");

        child.write64(a + PAGE_SIZE, 20);
        assertEquals(20, child.read64(a + PAGE_SIZE));
        assertEquals(2, parent.read64(a + PAGE_SIZE), "parent must not see the child's write");
    }

    @Test
    void readSharesTheArrayAndWriteGetsItsOwn() throws GuestFault {
        AddressSpace parent = new AddressSpace();
        long a = map(parent, PAGE_SIZE, ANON);
        parent.write64(a, 42);
        byte[] before = parent.page(a, GuestFault.WRITE);
        AddressSpace child = parent.fork();

        assertSame(before, parent.page(a, GuestFault.READ));
        assertSame(before, child.page(a, GuestFault.READ));
        assertEquals(2, parent.mappers(a));
        assertEquals(2, child.mappers(a));
        assertEquals(0, parent.cowCopies() + child.cowCopies(), "no copy before a write");

        long gen = parent.generation();
        byte[] mine = parent.page(a, GuestFault.WRITE);
        assertNotSame(before, mine, "the first write after fork copies the page");
        assertEquals(42, mine[0]);
        assertTrue(parent.generation() != gen, "a copy invalidates the engines' TLBs");
        assertSame(mine, parent.page(a, GuestFault.READ));
        assertSame(mine, parent.page(a, GuestFault.WRITE), "once copied, the page is the writer's own");
        assertSame(before, child.page(a, GuestFault.READ));
        assertEquals(1, parent.cowCopies());
        assertEquals(1, parent.mappers(a));
        assertEquals(1, child.mappers(a), "the sharing count dropped");

        // The child is now the last mapper of the original: it writes in place, without copying.
        assertSame(before, child.page(a, GuestFault.WRITE));
        assertEquals(0, child.cowCopies());
    }

    @Test
    void forkBumpsTheParentsGeneration() {
        AddressSpace parent = new AddressSpace();
        map(parent, PAGE_SIZE, ANON);
        long g = parent.generation();
        parent.fork();
        assertNotEquals(g, parent.generation());
    }

    @Test
    void lastOwnerAfterReleaseWritesWithoutCopying() throws GuestFault {
        AddressSpace parent = new AddressSpace();
        long a = map(parent, 4 * PAGE_SIZE, ANON);
        for (int i = 0; i < 4; i++) {
            parent.write64(a + (long) i * PAGE_SIZE, i);
        }
        byte[] p0 = parent.page(a, GuestFault.READ);
        AddressSpace child = parent.fork();
        assertEquals(2, parent.mappers(a));
        assertTrue(child.release(), "the only user");
        assertEquals(0, child.users());
        assertEquals(1, parent.mappers(a));
        for (int i = 0; i < 4; i++) {
            parent.write64(a + (long) i * PAGE_SIZE, 100 + i);
        }
        assertEquals(0, parent.cowCopies());
        assertSame(p0, parent.page(a, GuestFault.WRITE));
        // A released address space has nothing mapped any more.
        assertEquals(GuestFault.MAPERR, assertThrows(GuestFault.class, () -> child.read64(a)).code);
        assertFalse(child.release());
    }

    @Test
    void munmapInTheChildDropsItsShare() throws GuestFault {
        AddressSpace parent = new AddressSpace();
        long a = map(parent, 2 * PAGE_SIZE, ANON);
        parent.write64(a, 5);
        parent.write64(a + PAGE_SIZE, 6);
        AddressSpace child = parent.fork();
        assertEquals(0, child.munmap(a, PAGE_SIZE));
        assertEquals(1, parent.mappers(a));
        parent.write64(a, 7);
        assertEquals(0, parent.cowCopies(), "the page is the parent's alone again");
        assertEquals(GuestFault.MAPERR, assertThrows(GuestFault.class, () -> child.read64(a)).code);
        assertEquals(6, child.read64(a + PAGE_SIZE));

        // MADV_DONTNEED drops a share too: the child's page comes back as zero, the parent keeps its data.
        assertEquals(0, child.dropPages(a + PAGE_SIZE, PAGE_SIZE));
        assertEquals(0, child.read64(a + PAGE_SIZE));
        assertEquals(1, parent.mappers(a + PAGE_SIZE));
        parent.write64(a + PAGE_SIZE, 8);
        assertEquals(0, parent.cowCopies());
        assertEquals(8, parent.read64(a + PAGE_SIZE));
    }

    @Test
    void mprotectAfterForkIsPerAddressSpace() throws GuestFault {
        AddressSpace parent = new AddressSpace();
        long a = map(parent, 2 * PAGE_SIZE, ANON);
        parent.write64(a, 1);
        AddressSpace child = parent.fork();
        assertEquals(0, parent.mprotect(a, PAGE_SIZE, PROT_READ));
        assertEquals(GuestFault.ACCERR, assertThrows(GuestFault.class, () -> parent.write64(a, 2)).code);
        child.write64(a, 3);
        assertEquals(3, child.read64(a));
        assertEquals(1, parent.read64(a));
        assertEquals(0, child.mprotect(a + PAGE_SIZE, PAGE_SIZE, PROT_NONE));
        parent.write64(a + PAGE_SIZE, 4);
        assertEquals(GuestFault.ACCERR, assertThrows(GuestFault.class, () -> child.read64(a + PAGE_SIZE)).code);
        // Making it writable again still copies before the first write.
        assertEquals(0, parent.mprotect(a, PAGE_SIZE, RW));
        parent.write64(a, 9);
        assertEquals(3, child.read64(a));
        assertEquals(9, parent.read64(a));
    }

    @Test
    void mremapAfterForkCarriesCopyOnWritePages() throws GuestFault {
        AddressSpace parent = new AddressSpace();
        long a = map(parent, 2 * PAGE_SIZE, ANON);
        parent.write64(a, 11);
        parent.write64(a + PAGE_SIZE, 12);
        AddressSpace child = parent.fork();
        long b = child.mremap(a, 2 * PAGE_SIZE, 64 * PAGE_SIZE, MREMAP_MAYMOVE, 0);
        assertFalse(Errno.isError(b));
        assertEquals(11, child.read64(b));
        assertEquals(12, child.read64(b + PAGE_SIZE));
        assertEquals(2, parent.mappers(a), "moving keeps the child's share");
        child.write64(b, 21); // copies: the parent still maps the original
        assertEquals(11, parent.read64(a));
        assertEquals(1, child.cowCopies());
        parent.write64(a, 31); // the parent is the original's last mapper
        assertEquals(0, parent.cowCopies());
        assertEquals(21, child.read64(b));
        // Shrinking the parent's mapping releases its share of the second page: the child then writes in place.
        assertEquals(a, parent.mremap(a, 2 * PAGE_SIZE, PAGE_SIZE, 0, 0));
        assertEquals(1, child.mappers(b + PAGE_SIZE));
        child.write64(b + PAGE_SIZE, 23);
        assertEquals(1, child.cowCopies());
        assertEquals(23, child.read64(b + PAGE_SIZE));
    }

    @Test
    void sharedAnonymousMemoryIsSharedTouchedBeforeAndAfter() throws GuestFault {
        AddressSpace parent = new AddressSpace();
        long s = map(parent, 3 * PAGE_SIZE, SHARED);
        parent.write64(s, 1); // touched before the fork
        AddressSpace child = parent.fork();
        assertEquals(1, child.read64(s));
        child.write64(s, 2);
        assertEquals(2, parent.read64(s));
        parent.write64(s + 8, 3);
        assertEquals(3, child.read64(s + 8));

        // Untouched at fork time: whichever side touches it first creates the page for both.
        child.write64(s + PAGE_SIZE, 4);
        assertEquals(4, parent.read64(s + PAGE_SIZE));
        parent.write64(s + 2 * PAGE_SIZE, 5);
        assertEquals(5, child.read64(s + 2 * PAGE_SIZE));
        assertSame(parent.page(s + 2 * PAGE_SIZE, GuestFault.WRITE), child.page(s + 2 * PAGE_SIZE, GuestFault.WRITE));
        assertEquals(0, parent.cowCopies() + child.cowCopies());
    }

    @Test
    void sharedMemorySurvivesSplitsMovesAndPartialUnmaps() throws GuestFault {
        AddressSpace parent = new AddressSpace();
        long s = map(parent, 4 * PAGE_SIZE, SHARED);
        AddressSpace child = parent.fork();
        // mprotect splits the child's VMA; the pieces keep addressing the same pages.
        assertEquals(0, child.mprotect(s + PAGE_SIZE, PAGE_SIZE, PROT_READ));
        parent.write64(s + PAGE_SIZE, 7);
        assertEquals(7, child.read64(s + PAGE_SIZE));
        child.write64(s + 2 * PAGE_SIZE, 8);
        assertEquals(8, parent.read64(s + 2 * PAGE_SIZE));
        // munmap of part in the parent: the rest stays shared.
        assertEquals(0, parent.munmap(s, PAGE_SIZE));
        child.write64(s + 3 * PAGE_SIZE, 9);
        assertEquals(9, parent.read64(s + 3 * PAGE_SIZE));
        // mremap moves the child's view: still the same pages, including the untouched ones.
        long m = child.mremap(s + 2 * PAGE_SIZE, 2 * PAGE_SIZE, 8 * PAGE_SIZE, MREMAP_MAYMOVE | MREMAP_FIXED,
                0x40000000L);
        assertEquals(0x40000000L, m);
        assertEquals(8, child.read64(m));
        parent.write64(s + 3 * PAGE_SIZE + 16, 10);
        assertEquals(10, child.read64(m + PAGE_SIZE + 16));
        // Growing past the old end: new pages of the same object, shared with nobody yet but the child.
        child.write64(m + 5 * PAGE_SIZE, 11);
        assertEquals(11, child.read64(m + 5 * PAGE_SIZE));
        // mremap(old_len = 0) makes a second view of the same pages.
        long dup = parent.mremap(s + 3 * PAGE_SIZE, 0, PAGE_SIZE, MREMAP_MAYMOVE, 0);
        assertFalse(Errno.isError(dup));
        assertEquals(10, parent.read64(dup + 16));
        child.write64(m + PAGE_SIZE, 12);
        assertEquals(12, parent.read64(dup));
        assertEquals(-Errno.EINVAL, parent.mremap(map(parent, PAGE_SIZE, ANON), 0, PAGE_SIZE, MREMAP_MAYMOVE, 0));
    }

    @Test
    void sharedFileMappingIsSharedAcrossFork() throws GuestFault {
        PageSource file = new PageSource() {
            @Override
            public int fill(long fileOffset, byte[] dst, int dstOff, int len) throws IOException {
                for (int i = 0; i < len; i++) {
                    dst[dstOff + i] = (byte) ((fileOffset + i) >>> 12);
                }
                return len;
            }

            @Override
            public String name() {
                return "/f";
            }
        };
        AddressSpace parent = new AddressSpace();
        long f = parent.mmap(0, 2 * PAGE_SIZE, RW, MAP_SHARED, file, 3 * PAGE_SIZE, null);
        assertFalse(Errno.isError(f));
        AddressSpace child = parent.fork();
        assertEquals(4, child.read8(f + PAGE_SIZE), "file contents at offset 4 pages");
        parent.write(f + PAGE_SIZE, new byte[] {99});
        assertEquals(99, child.read8(f + PAGE_SIZE));
        // A private file mapping is copy-on-write instead.
        long p = parent.mmap(0, PAGE_SIZE, RW, MAP_PRIVATE, file, 0, null);
        parent.read8(p);
        AddressSpace child2 = parent.fork();
        child2.write(p, new byte[] {55});
        assertEquals(0, parent.read8(p));
        assertNull(parent.pageIdentity(p));
        assertNotNull(parent.pageIdentity(f));
    }

    @Test
    void forkOfAFork() throws GuestFault {
        AddressSpace a = new AddressSpace();
        long p = map(a, PAGE_SIZE, ANON);
        long s = map(a, PAGE_SIZE, SHARED);
        a.write64(p, 1);
        AddressSpace b = a.fork();
        AddressSpace c = b.fork();
        assertEquals(3, a.mappers(p));
        assertSame(a.page(p, GuestFault.READ), c.page(p, GuestFault.READ));
        b.write64(p, 2);
        assertEquals(2, a.mappers(p));
        assertEquals(1, a.read64(p));
        assertEquals(1, c.read64(p));
        c.write64(p, 3);
        assertEquals(1, a.mappers(p));
        a.write64(p, 4);
        assertEquals(0, a.cowCopies(), "the original's last mapper takes it over");
        assertEquals(4, a.read64(p));
        assertEquals(2, b.read64(p));
        assertEquals(3, c.read64(p));
        c.write64(s, 9);
        assertEquals(9, a.read64(s));
        assertEquals(9, b.read64(s));
        assertEquals(a.pageIdentity(s), c.pageIdentity(s));
    }

    @Test
    void forkKeepsLayoutBrkAndExe() throws GuestFault {
        AddressSpace parent = new AddressSpace();
        parent.initBrk(0x500000);
        long brk = parent.brk(0x500000 + 3 * PAGE_SIZE);
        parent.write64(0x500000, 77);
        dev.jkernel.fs.Node exe = new dev.jkernel.fs.Vfs(java.nio.file.Path.of("/tmp"), null).rootNode();
        parent.setExe("/bin/x", exe);
        map(parent, PAGE_SIZE, ANON);
        AddressSpace child = parent.fork();
        assertEquals(parent.vmas().size(), child.vmas().size());
        for (int i = 0; i < parent.vmas().size(); i++) {
            Vma x = parent.vmas().get(i), y = child.vmas().get(i);
            assertEquals(x.start, y.start);
            assertEquals(x.end, y.end);
            assertEquals(x.prot, y.prot);
            assertEquals(x.flags, y.flags);
            assertEquals(x.name, y.name);
        }
        assertEquals("/bin/x", child.exePath());
        assertSame(exe, child.exeNode());
        assertEquals(brk, child.brk(0));
        assertEquals(0x500000 + 5 * PAGE_SIZE, child.brk(0x500000 + 5 * PAGE_SIZE));
        child.write64(0x500000 + 4 * PAGE_SIZE, 1);
        assertEquals(77, child.read64(0x500000));
        assertEquals(GuestFault.MAPERR,
                assertThrows(GuestFault.class, () -> parent.read64(0x500000 + 4 * PAGE_SIZE)).code);
    }

    @Test
    void hundredMegabytesForkFastAndCopyNothingUntilWritten() throws GuestFault {
        AddressSpace parent = new AddressSpace();
        int pages = (100 << 20) / PAGE_SIZE;
        long a = map(parent, (long) pages * PAGE_SIZE, ANON);
        for (int i = 0; i < pages; i++) {
            parent.write64(a + (long) i * PAGE_SIZE, i);
        }
        long t0 = System.nanoTime();
        AddressSpace child = parent.fork();
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms < 2000, "fork of 100 MB took " + ms + " ms");
        assertEquals(0, parent.cowCopies() + child.cowCopies());
        for (int i = 0; i < pages; i += 97) {
            assertSame(parent.page(a + (long) i * PAGE_SIZE, GuestFault.READ),
                    child.page(a + (long) i * PAGE_SIZE, GuestFault.READ));
            assertEquals(i, child.read64(a + (long) i * PAGE_SIZE));
        }
        assertEquals(0, parent.cowCopies() + child.cowCopies(), "reads copy nothing");
        child.write64(a + 5 * PAGE_SIZE, -1);
        assertEquals(1, child.cowCopies());
        assertEquals(0, parent.cowCopies());
        assertEquals(5, parent.read64(a + 5 * PAGE_SIZE));
        child.release();
        parent.write64(a + 6 * PAGE_SIZE, -1);
        assertEquals(0, parent.cowCopies());
    }

    @Test
    void concurrentWritersOnTwoForkedSpaces() throws Exception {
        AddressSpace parent = new AddressSpace();
        int pages = 64;
        long a = map(parent, (long) pages * PAGE_SIZE, ANON);
        long s = map(parent, PAGE_SIZE, SHARED);
        for (int i = 0; i < pages; i++) {
            parent.write64(a + (long) i * PAGE_SIZE, -1);
        }
        AddressSpace child = parent.fork();
        CyclicBarrier start = new CyclicBarrier(2);
        AtomicReference<Throwable> error = new AtomicReference<>();
        int rounds = 200;
        Thread[] ts = new Thread[2];
        AddressSpace[] spaces = {parent, child};
        for (int k = 0; k < 2; k++) {
            AddressSpace mm = spaces[k];
            long tag = (k + 1L) << 32;
            ts[k] = new Thread(() -> {
                try {
                    start.await();
                    for (int r = 0; r < rounds; r++) {
                        for (int i = 0; i < pages; i++) {
                            long addr = a + (long) i * PAGE_SIZE + 8 * (r % 64);
                            mm.write64(addr, tag | r);
                            if (mm.read64(addr) != (tag | r)) {
                                throw new AssertionError("lost own write at page " + i);
                            }
                        }
                        // Shared memory: both increment their own slot, read the other's.
                        mm.write64(s + 8 * tag / (1L << 32), r);
                    }
                } catch (Throwable t) {
                    error.compareAndSet(null, t);
                }
            });
            ts[k].start();
        }
        for (Thread t : ts) {
            t.join();
        }
        if (error.get() != null) {
            throw new AssertionError(error.get());
        }
        for (int i = 0; i < pages; i++) {
            for (int r = rounds - 64; r < rounds; r++) {
                long addr = a + (long) i * PAGE_SIZE + 8 * (r % 64);
                assertEquals((1L << 32) | r, parent.read64(addr));
                assertEquals((2L << 32) | r, child.read64(addr));
            }
        }
        assertEquals(rounds - 1, parent.read64(s + 16));
        assertEquals(rounds - 1, child.read64(s + 8));
        // Every page was copied at most once in total; the second writer may have taken it over.
        assertTrue(parent.cowCopies() + child.cowCopies() <= 2L * pages);
        assertTrue(parent.cowCopies() + child.cowCopies() >= pages);
    }

    @Test
    void racingFirstWritesAfterRepeatedForks() throws Exception {
        AddressSpace parent = new AddressSpace();
        int pages = 256;
        long a = map(parent, (long) pages * PAGE_SIZE, ANON);
        for (int i = 0; i < pages; i++) {
            parent.write64(a + (long) i * PAGE_SIZE, i);
        }
        for (int iter = 0; iter < 40; iter++) {
            AddressSpace child = parent.fork();
            AddressSpace[] spaces = {parent, child};
            CyclicBarrier start = new CyclicBarrier(2);
            AtomicReference<Throwable> error = new AtomicReference<>();
            Thread[] ts = new Thread[2];
            for (int k = 0; k < 2; k++) {
                AddressSpace mm = spaces[k];
                long v = ((long) iter << 8) | k;
                boolean up = k == 0;
                ts[k] = new Thread(() -> {
                    try {
                        start.await();
                        for (int j = 0; j < pages; j++) {
                            int i = up ? j : pages - 1 - j; // meet in the middle
                            mm.write64(a + (long) i * PAGE_SIZE + 8, v);
                        }
                    } catch (Throwable t) {
                        error.compareAndSet(null, t);
                    }
                });
                ts[k].start();
            }
            for (Thread t : ts) {
                t.join();
            }
            assertNull(error.get());
            for (int i = 0; i < pages; i++) {
                long p = a + (long) i * PAGE_SIZE;
                assertEquals((long) iter << 8, parent.read64(p + 8));
                assertEquals(((long) iter << 8) | 1, child.read64(p + 8));
                assertEquals(i, parent.read64(p));
                assertEquals(i, child.read64(p));
                assertEquals(1, parent.mappers(p));
                assertEquals(1, child.mappers(p));
            }
            assertTrue(child.release());
        }
    }

    @Test
    void pokeBreaksSharingToo() throws GuestFault {
        AddressSpace parent = new AddressSpace();
        long a = parent.mmap(0, PAGE_SIZE, PROT_READ, ANON, null, 0, null);
        parent.read8(a);
        AddressSpace child = parent.fork();
        child.poke(a, new byte[] {1}, 0, 1);
        assertEquals(1, child.read8(a));
        assertEquals(0, parent.read8(a));
    }

    @Test
    void pageIdentityKeysSharedPagesOnly() throws GuestFault {
        AddressSpace parent = new AddressSpace();
        long s = map(parent, 2 * PAGE_SIZE, SHARED);
        long p = map(parent, PAGE_SIZE, ANON);
        Object k0 = parent.pageIdentity(s + 12);
        assertNotNull(k0, "identity exists before the page is touched");
        assertEquals(k0, parent.pageIdentity(s));
        assertNotEquals(k0, parent.pageIdentity(s + PAGE_SIZE));
        assertNull(parent.pageIdentity(p));
        assertNull(parent.pageIdentity(0x1000));
        AddressSpace child = parent.fork();
        assertEquals(k0, child.pageIdentity(s + 100));
        assertEquals(k0.hashCode(), child.pageIdentity(s).hashCode());
        assertNull(child.pageIdentity(p));
        long m = child.mremap(s, 2 * PAGE_SIZE, 2 * PAGE_SIZE, MREMAP_MAYMOVE | MREMAP_FIXED, 0x40000000L);
        assertEquals(parent.pageIdentity(s + PAGE_SIZE), child.pageIdentity(m + PAGE_SIZE));
        // Another shared mapping is other memory.
        long s2 = map(parent, PAGE_SIZE, SHARED);
        assertNotEquals(parent.pageIdentity(s2), parent.pageIdentity(s));
    }

    @Test
    void usersCountRetainAndRelease() throws GuestFault {
        AddressSpace mm = new AddressSpace();
        long a = map(mm, PAGE_SIZE, ANON);
        assertEquals(1, mm.users());
        mm.retain();
        assertEquals(2, mm.users());
        assertFalse(mm.release());
        mm.write64(a, 1);
        assertTrue(mm.release());
        assertEquals(0, mm.users());
        assertThrows(IllegalStateException.class, mm::retain);
        assertTrue(mm.vmas().isEmpty());
    }

    @Test
    void forkAdvice() throws GuestFault {
        AddressSpace parent = new AddressSpace();
        long a = map(parent, 3 * PAGE_SIZE, ANON);
        for (int i = 0; i < 3; i++) {
            parent.write64(a + (long) i * PAGE_SIZE, 1 + i);
        }
        assertEquals(0, parent.forkAdvice(a, PAGE_SIZE, 10)); // MADV_DONTFORK
        assertEquals(0, parent.forkAdvice(a + PAGE_SIZE, PAGE_SIZE, 18)); // MADV_WIPEONFORK
        AddressSpace child = parent.fork();
        assertEquals(GuestFault.MAPERR, assertThrows(GuestFault.class, () -> child.read64(a)).code);
        assertEquals(0, child.read64(a + PAGE_SIZE));
        assertEquals(3, child.read64(a + 2 * PAGE_SIZE));
        assertEquals(2, parent.read64(a + PAGE_SIZE));
        assertEquals(0, parent.forkAdvice(a, 2 * PAGE_SIZE, 11)); // MADV_DOFORK
        assertEquals(0, parent.forkAdvice(a, 2 * PAGE_SIZE, 19)); // MADV_KEEPONFORK
        AddressSpace child2 = parent.fork();
        assertEquals(1, child2.read64(a));
        assertEquals(2, child2.read64(a + PAGE_SIZE));
        long s = map(parent, PAGE_SIZE, SHARED);
        assertEquals(-Errno.EINVAL, parent.forkAdvice(s, PAGE_SIZE, 18));
        assertEquals(-Errno.ENOMEM, parent.forkAdvice(0x10000, PAGE_SIZE, 10));
    }
}
