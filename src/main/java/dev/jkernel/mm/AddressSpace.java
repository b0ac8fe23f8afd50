package dev.jkernel.mm;

import dev.jkernel.kernel.Errno;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A guest virtual address space (Linux's mm_struct): a set of VMAs and a page table of 4 KiB pages, each page a
 * {@code byte[4096]} allocated on first touch. The layout follows riscv64 Sv39: user addresses below 2^38, the stack
 * at the top, mmap allocating top-down below it.
 *
 * <p>The execution engine caches page arrays in its own TLB; every change that can invalidate such a cached
 * translation (unmap, protection change, remap) bumps {@link #generation()}.
 *
 * <p>Fork ({@link #fork()}) copies the address space the way Linux's dup_mmap does: private pages become shared
 * copy-on-write between the two page tables (one {@code byte[]} for both, with a {@link CowPage} counting the page
 * tables that still map it), and the first write through {@link #page(long, int) page(addr, WRITE)} or a write helper
 * gives the writer its own copy (Linux's do_wp_page), or lets it keep the array without copying when no other page
 * table maps it any more. {@code MAP_SHARED} mappings are backed by a {@link SharedMemory} object that hands out the
 * same page to every mapper, touched before or after the fork. Pages of a shared mapping are never copy-on-write.
 *
 * <p>An address space has users (Linux's mm_users): the task that created it, plus every CLONE_VM thread or vfork
 * child that {@link #retain()}s it; the last {@link #release()} drops every page.
 *
 * <p>Memory: every page allocated for the address space is charged to its {@link MemCgroup} (the kernel's, shared by
 * every address space of the kernel) and uncharged when the last page table drops it. A charge over the limit makes
 * {@link #page} throw a {@link GuestFault#OOM} fault without changing anything; the copy helpers ({@link #read},
 * {@link #write}...) and {@link #faultIn} instead run the cgroup's OOM handler outside the lock and retry. Resident
 * pages are counted per address space (anonymous, file, shared: Linux's RSS counters) for the OOM killer's choice.
 *
 * <p>Thread safety: every method is synchronized on the address space. Engines read pages outside the lock after
 * translating them through {@link #page(long, int)}.
 */
public final class AddressSpace {
    public static final int PAGE_SHIFT = 12;
    public static final int PAGE_SIZE = 1 << PAGE_SHIFT;
    public static final long PAGE_MASK = PAGE_SIZE - 1;

    public static final int PROT_NONE = 0, PROT_READ = 1, PROT_WRITE = 2, PROT_EXEC = 4;
    public static final int MAP_SHARED = 0x01, MAP_PRIVATE = 0x02, MAP_SHARED_VALIDATE = 0x03, MAP_TYPE = 0x0f,
            MAP_FIXED = 0x10, MAP_ANONYMOUS = 0x20, MAP_NORESERVE = 0x4000, MAP_GROWSDOWN = 0x0100,
            MAP_DENYWRITE = 0x0800, MAP_EXECUTABLE = 0x1000, MAP_LOCKED = 0x2000, MAP_POPULATE = 0x8000,
            MAP_NONBLOCK = 0x10000, MAP_STACK = 0x20000, MAP_HUGETLB = 0x40000, MAP_SYNC = 0x80000,
            MAP_FIXED_NOREPLACE = 0x100000;
    public static final int MREMAP_MAYMOVE = 1, MREMAP_FIXED = 2, MREMAP_DONTUNMAP = 4;

    /** One past the highest user address (Sv39). */
    public static final long TASK_SIZE = 1L << 38;
    /** Top of the initial stack. */
    public static final long STACK_TOP = TASK_SIZE;
    /** Size reserved for the main thread's stack (RLIMIT_STACK's default). */
    public static final long STACK_SIZE = 8L << 20;
    /** Gap between the stack and the highest mmap (Linux keeps at least 128 MiB). */
    public static final long MMAP_BASE = STACK_TOP - STACK_SIZE - (128L << 20);
    /** Lowest address mmap will hand out (vm.mmap_min_addr). */
    public static final long MMAP_MIN_ADDR = 0x10000;
    /** Where a PIE main program is loaded (Linux's ELF_ET_DYN_BASE: 2/3 of the address space). */
    public static final long ET_DYN_BASE = (TASK_SIZE / 3 * 2) & ~PAGE_MASK;

    private static final int LEAF_BITS = 12;
    private static final int LEAF_SIZE = 1 << LEAF_BITS;
    private static final int DIR_SIZE = 1 << (38 - PAGE_SHIFT - LEAF_BITS);

    /**
     * One page-table entry: the page's memory and what the VMA allows on it. Each address space has its own entries
     * (mutated under its lock); the {@code data} arrays are what may be shared.
     */
    static final class Pte {
        byte[] data;
        int prot;
        /**
         * Non-null while {@code data} is (or may still be) shared copy-on-write with other page tables: the page is
         * then read-only for this page table until the first write breaks the sharing. Null for a page this page
         * table owns alone and for pages of shared mappings.
         */
        CowPage cow;
        /** A page of a {@link SharedMemory}: written in place, never copied, shared by every mapper. */
        final boolean shared;
        /** A private page read from a file and not copied since (counted as file RSS; a copy is anonymous). */
        boolean file;

        Pte(byte[] data, int prot, CowPage cow, boolean shared, boolean file) {
            this.data = data;
            this.prot = prot;
            this.cow = cow;
            this.shared = shared;
            this.file = file;
        }
    }

    /**
     * The sharing state of one private page after a fork: how many page tables (in any address spaces) map its array
     * copy-on-write. A count only grows by forking an address space that maps the page, under that address space's
     * lock, so a page table that sees a count of 1 is the only one left and may take the array over.
     */
    static final class CowPage {
        final AtomicInteger mappers;

        CowPage(int mappers) {
            this.mappers = new AtomicInteger(mappers);
        }
    }

    /**
     * The zero page (Linux's ZERO_PAGE): what a read of never-written private anonymous memory maps, in every address
     * space of every kernel. Never written: its page-table entries carry {@link #ZERO} as their copy-on-write state, so
     * the first write gives the page table a fresh page of its own (and charges it), as Linux's do_anonymous_page
     * after a read fault. Neither charged nor counted in RSS.
     */
    private static final byte[] ZERO_PAGE = new byte[PAGE_SIZE];
    /** The copy-on-write state of zero-page entries; its count is never used. */
    private static final CowPage ZERO = new CowPage(Integer.MAX_VALUE);

    /** A virtual memory area: [start, end) with one protection and one backing. */
    public static final class Vma {
        public long start, end;
        public int prot;
        public final int flags;
        public final PageSource source;
        /**
         * Offset of {@link #start} in the backing: the file offset (file mappings), or the byte offset into the
         * {@link SharedMemory} of a shared anonymous mapping; 0 for private anonymous memory.
         */
        public long fileOffset;
        /** For /proc/self/maps: "[heap]", "[stack]", a path, or null. */
        public final String name;
        /** The pages of a MAP_SHARED mapping (anonymous or file), or null for a private mapping. */
        final SharedMemory shm;
        /** madvise fork behaviour bits: {@link #FORK_SKIP}, {@link #FORK_WIPE}; 0 copies the VMA normally. */
        int forkMode;

        Vma(long start, long end, int prot, int flags, PageSource source, SharedMemory shm, long fileOffset,
                String name) {
            this.start = start;
            this.end = end;
            this.prot = prot;
            this.flags = flags;
            this.source = source;
            this.shm = shm;
            this.fileOffset = fileOffset;
            this.name = name;
        }

        /** True for a MAP_SHARED mapping: its pages are shared with every other mapper, across fork too. */
        public boolean isShared() {
            return shm != null;
        }

        Vma slice(long s, long e) {
            Vma v = new Vma(s, e, prot, flags, source, shm,
                    source == null && shm == null ? 0 : fileOffset + (s - start), name);
            v.forkMode = forkMode;
            return v;
        }
    }

    /** Fork behaviour bits of a VMA: left out of the child (MADV_DONTFORK), empty in the child (MADV_WIPEONFORK). */
    static final int FORK_SKIP = 1, FORK_WIPE = 2;

    private final Pte[][] dir = new Pte[DIR_SIZE][];
    private final TreeMap<Long, Vma> vmas = new TreeMap<>();
    private volatile long generation;

    /** Where this address space's pages are charged. */
    private final MemCgroup memcg;
    /** Resident pages by kind (Linux's MM_ANONPAGES, MM_FILEPAGES, MM_SHMEMPAGES), the zero page not counted. */
    private long anonRss, fileRss, shmemRss;

    /** An address space charged to a group of its own without a limit (tests and tools outside a kernel). */
    public AddressSpace() {
        this(MemCgroup.unlimited());
    }

    /** An address space whose pages are charged to {@code memcg}. */
    public AddressSpace(MemCgroup memcg) {
        this.memcg = memcg;
    }

    /** The memory cgroup this address space charges. */
    public MemCgroup memcg() {
        return memcg;
    }

    private long brkStart, brkCur;

    /** Tasks using this address space (mm_users); at 0 every page has been dropped. */
    private int users = 1;
    /** Pages this address space copied to break copy-on-write sharing (for tests and statistics). */
    private long cowCopies;

    /** The guest path of the program this address space runs (/proc/self/exe); set by exec. */
    private volatile String exePath;
    /** That program's file (what /proc/self/exe leads to, and what ETXTBSY protects). */
    private volatile dev.jkernel.fs.Node exeNode;
    /** Where exec mapped the vDSO (Linux's mm->context.vdso), 0 for none; fork keeps it. */
    private volatile long vdsoBase;

    public long generation() {
        return generation;
    }

    private void invalidate() {
        generation++;
    }

    /** Where a signal handler returns to: the vDSO's __vdso_rt_sigreturn, set by exec, kept by fork. */
    private volatile long sigreturnTrampoline;

    public long sigreturnTrampoline() {
        return sigreturnTrampoline;
    }

    public void setSigreturnTrampoline(long addr) {
        sigreturnTrampoline = addr;
    }

    public String exePath() {
        return exePath;
    }

    public dev.jkernel.fs.Node exeNode() {
        return exeNode;
    }

    public void setExe(String guestPath, dev.jkernel.fs.Node node) {
        this.exePath = guestPath;
        this.exeNode = node;
    }

    /** The vDSO's address in this address space (signal delivery returns through its rt_sigreturn), 0 for none. */
    public long vdsoBase() {
        return vdsoBase;
    }

    public void setVdsoBase(long base) {
        this.vdsoBase = base;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Page access (the engine's TLB-miss path and the syscall copy helpers)
    // ------------------------------------------------------------------------------------------------------------

    /**
     * The memory of the page holding {@code addr}, for an access of kind {@code access} (GuestFault.READ, WRITE or
     * EXEC), allocating and filling it on first touch. Never blocks: when the page cannot be charged it throws a
     * {@link GuestFault#OOM} fault (the execution engine's trap; the kernel handles it and retries the instruction).
     */
    public synchronized byte[] page(long addr, int access) throws GuestFault {
        Pte pte = pte(addr, access);
        if (pte.cow != null && access == GuestFault.WRITE) {
            breakCow(pte, addr, access);
        }
        return pte.data;
    }

    /**
     * {@link #page} for kernel code that may sleep and holds no lock (Linux's get_user_pages / fault_in_pages): when
     * the page cannot be charged, runs the memory cgroup's OOM handler and retries. Throws the OOM fault only when
     * the handler gives up (the calling task is being killed, or there is nothing to kill).
     */
    public byte[] faultIn(long addr, int access) throws GuestFault {
        while (true) {
            try {
                return page(addr, access);
            } catch (GuestFault f) {
                if (f.code != GuestFault.OOM || !memcg.outOfMemory(1)) {
                    throw f;
                }
            }
        }
    }

    /**
     * The first write to a copy-on-write page (Linux's do_wp_page): the page table gets its own copy, or keeps the
     * array when it is the last one mapping it. A copy changes the array behind the address, so every engine's TLB
     * must forget the old one (other threads of this address space may have cached it for reading). The copy is
     * charged first: without memory, nothing changes and the OOM fault is thrown.
     */
    private void breakCow(Pte pte, long addr, int access) throws GuestFault {
        CowPage c = pte.cow;
        if (c == ZERO) {
            if (!memcg.tryCharge(1)) {
                throw new GuestFault(addr, access, GuestFault.OOM);
            }
            pte.data = new byte[PAGE_SIZE];
            pte.cow = null;
            anonRss++;
            invalidate(); // engines may have cached the zero page for reading at this address
            return;
        }
        if (c.mappers.get() == 1) {
            pte.cow = null;
            return; // nobody else maps the array: take it over, no copy
        }
        if (!memcg.tryCharge(1)) {
            throw new GuestFault(addr, access, GuestFault.OOM);
        }
        pte.cow = null;
        // Copy first, then drop our count: until the count drops, no other mapper takes the array over and writes it.
        pte.data = pte.data.clone();
        if (c.mappers.decrementAndGet() == 0) {
            memcg.uncharge(1); // the other mappers copied it meanwhile too: the original is garbage
        }
        if (pte.file) {
            pte.file = false;
            fileRss--;
            anonRss++;
        }
        cowCopies++;
        invalidate();
    }

    /** The protection of the page holding addr (as {@link #page} would allow it), or -1 if unmapped. */
    public synchronized int protAt(long addr) {
        Vma v = vmaAt(addr);
        return v == null ? -1 : v.prot;
    }

    private Pte pte(long addr, int access) throws GuestFault {
        if (addr < 0 || addr >= TASK_SIZE) {
            throw new GuestFault(addr, access, GuestFault.MAPERR);
        }
        long vpn = addr >>> PAGE_SHIFT;
        Pte[] leaf = dir[(int) (vpn >>> LEAF_BITS)];
        Pte pte = leaf == null ? null : leaf[(int) (vpn & (LEAF_SIZE - 1))];
        if (pte == null) {
            Vma v = vmaAt(addr);
            if (v == null) {
                throw new GuestFault(addr, access, GuestFault.MAPERR);
            }
            if (!allows(v.prot, access)) {
                throw new GuestFault(addr, access, GuestFault.ACCERR);
            }
            pte = populate(v, addr & ~PAGE_MASK, addr, access);
        } else if (!allows(pte.prot, access)) {
            throw new GuestFault(addr, access, GuestFault.ACCERR);
        }
        return pte;
    }

    /** Linux riscv: PROT_WRITE implies readable (W without R is reserved in the page tables). */
    private static boolean allows(int prot, int access) {
        return switch (access) {
            case GuestFault.READ -> (prot & (PROT_READ | PROT_WRITE)) != 0;
            case GuestFault.WRITE -> (prot & PROT_WRITE) != 0;
            case GuestFault.EXEC -> (prot & PROT_EXEC) != 0;
            default -> false;
        };
    }

    private Pte populate(Vma v, long pageAddr, long addr, int access) throws GuestFault {
        if (v.shm != null) {
            byte[] shared = v.shm.page((v.fileOffset + (pageAddr - v.start)) >>> PAGE_SHIFT);
            if (shared == null) {
                throw new GuestFault(addr, access, GuestFault.BUSERR);
            }
            if (shared == SharedMemory.NO_MEMORY) {
                throw new GuestFault(addr, access, GuestFault.OOM);
            }
            Pte pte = new Pte(shared, v.prot, null, true, false);
            setPte(pageAddr >>> PAGE_SHIFT, pte);
            shmemRss++;
            return pte;
        }
        if (v.source == null && access != GuestFault.WRITE) {
            // A read (or fetch) of untouched anonymous memory: the zero page, until the first write.
            Pte pte = new Pte(ZERO_PAGE, v.prot, ZERO, false, false);
            setPte(pageAddr >>> PAGE_SHIFT, pte);
            return pte;
        }
        if (!memcg.tryCharge(1)) {
            throw new GuestFault(addr, access, GuestFault.OOM);
        }
        byte[] data = new byte[PAGE_SIZE];
        if (v.source != null) {
            int n;
            try {
                n = v.source.fill(v.fileOffset + (pageAddr - v.start), data, 0, PAGE_SIZE);
            } catch (IOException e) {
                n = 0; // an I/O error on a mapped file is SIGBUS on Linux too
            }
            if (n <= 0) {
                // A page wholly past the end of the file: SIGBUS/BUS_ADRERR (the tail of the last page reads zero).
                memcg.uncharge(1);
                throw new GuestFault(addr, access, GuestFault.BUSERR);
            }
        }
        Pte pte = new Pte(data, v.prot, null, false, v.source != null);
        setPte(pageAddr >>> PAGE_SHIFT, pte);
        if (v.source != null) {
            fileRss++;
        } else {
            anonRss++;
        }
        return pte;
    }

    /**
     * A page-table entry goes for good (unmap, MADV_DONTNEED, the last release): the page leaves this address
     * space's RSS, and its charge is returned when no page table maps it any more. A shared mapping's pages stay
     * charged to their {@link SharedMemory} until its last mapping goes.
     */
    private void dropPte(Pte p) {
        if (p.cow == ZERO) {
            return;
        }
        if (p.shared) {
            shmemRss--;
            return;
        }
        if (p.file) {
            fileRss--;
        } else {
            anonRss--;
        }
        if (p.cow == null || p.cow.mappers.decrementAndGet() == 0) {
            memcg.uncharge(1);
        }
    }

    private void setPte(long vpn, Pte pte) {
        int d = (int) (vpn >>> LEAF_BITS);
        Pte[] leaf = dir[d];
        if (leaf == null) {
            if (pte == null) {
                return;
            }
            leaf = dir[d] = new Pte[LEAF_SIZE];
        }
        leaf[(int) (vpn & (LEAF_SIZE - 1))] = pte;
    }

    private Pte getPte(long vpn) {
        Pte[] leaf = dir[(int) (vpn >>> LEAF_BITS)];
        return leaf == null ? null : leaf[(int) (vpn & (LEAF_SIZE - 1))];
    }

    /**
     * Removes the page-table entries of [start, end). With {@code release}, they are gone for good (their
     * copy-on-write counts drop, so the last remaining mapper can write without copying); without it, the caller
     * moves them elsewhere.
     */
    private void clearPtes(long start, long end, boolean release) {
        for (long a = start; a < end; a += PAGE_SIZE) {
            long vpn = a >>> PAGE_SHIFT;
            Pte[] leaf = dir[(int) (vpn >>> LEAF_BITS)];
            if (leaf == null) {
                // Skip the rest of this empty leaf.
                a = (((vpn >>> LEAF_BITS) + 1) << (LEAF_BITS + PAGE_SHIFT)) - PAGE_SIZE;
                continue;
            }
            int i = (int) (vpn & (LEAF_SIZE - 1));
            Pte p = leaf[i];
            if (p != null) {
                if (release) {
                    dropPte(p);
                }
                leaf[i] = null;
            }
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Copy helpers for syscalls and the loader (any alignment, may cross pages). They may sleep when memory runs out
    // (see faultIn): call them holding no lock that the exit of a process could need.
    // ------------------------------------------------------------------------------------------------------------

    public void read(long addr, byte[] dst, int off, int len) throws GuestFault {
        while (len > 0) {
            byte[] p = faultIn(addr, GuestFault.READ);
            int po = (int) (addr & PAGE_MASK);
            int n = Math.min(len, PAGE_SIZE - po);
            System.arraycopy(p, po, dst, off, n);
            addr += n;
            off += n;
            len -= n;
        }
    }

    public byte[] read(long addr, int len) throws GuestFault {
        byte[] b = new byte[len];
        read(addr, b, 0, len);
        return b;
    }

    public void write(long addr, byte[] src, int off, int len) throws GuestFault {
        while (len > 0) {
            byte[] p = faultIn(addr, GuestFault.WRITE);
            int po = (int) (addr & PAGE_MASK);
            int n = Math.min(len, PAGE_SIZE - po);
            System.arraycopy(src, off, p, po, n);
            addr += n;
            off += n;
            len -= n;
        }
    }

    public void write(long addr, byte[] src) throws GuestFault {
        write(addr, src, 0, src.length);
    }

    /** Writes into pages regardless of their protection (the loader filling read-only segments, like a kernel). */
    public void poke(long addr, byte[] src, int off, int len) throws GuestFault {
        while (len > 0) {
            byte[] p;
            while (true) {
                try {
                    p = pokePage(addr);
                    break;
                } catch (GuestFault f) {
                    if (f.code != GuestFault.OOM || !memcg.outOfMemory(1)) {
                        throw f;
                    }
                }
            }
            int po = (int) (addr & PAGE_MASK);
            int n = Math.min(len, PAGE_SIZE - po);
            System.arraycopy(src, off, p, po, n);
            addr += n;
            off += n;
            len -= n;
        }
    }

    /** The page at addr made writable for the kernel whatever its protection (copy-on-write broken). */
    private synchronized byte[] pokePage(long addr) throws GuestFault {
        Pte pte = pte(addr, GuestFault.READ);
        if (pte.cow != null) {
            breakCow(pte, addr, GuestFault.WRITE);
        }
        return pte.data;
    }

    public int read8(long addr) throws GuestFault {
        return faultIn(addr, GuestFault.READ)[(int) (addr & PAGE_MASK)] & 0xff;
    }

    public int read32(long addr) throws GuestFault {
        return (int) readLE(addr, 4);
    }

    public long read64(long addr) throws GuestFault {
        return readLE(addr, 8);
    }

    public void write32(long addr, int v) throws GuestFault {
        writeLE(addr, v, 4);
    }

    public void write64(long addr, long v) throws GuestFault {
        writeLE(addr, v, 8);
    }

    public long readLE(long addr, int size) throws GuestFault {
        byte[] b = new byte[size];
        read(addr, b, 0, size);
        long v = 0;
        for (int i = size - 1; i >= 0; i--) {
            v = (v << 8) | (b[i] & 0xff);
        }
        return v;
    }

    public void writeLE(long addr, long v, int size) throws GuestFault {
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) {
            b[i] = (byte) (v >>> (8 * i));
        }
        write(addr, b, 0, size);
    }

    /**
     * Reads a NUL-terminated string (strncpy_from_user). Returns null if no NUL occurs within {@code max} bytes; the
     * caller decides the errno (ENAMETOOLONG for paths, E2BIG for exec arguments).
     */
    public String readCString(long addr, int max) throws GuestFault {
        byte[] buf = new byte[64];
        int n = 0;
        while (n < max) {
            byte[] p = faultIn(addr, GuestFault.READ);
            int po = (int) (addr & PAGE_MASK);
            for (; po < PAGE_SIZE && n < max; po++, addr++) {
                byte c = p[po];
                if (c == 0) {
                    return new String(buf, 0, n, StandardCharsets.UTF_8);
                }
                if (n == buf.length) {
                    buf = java.util.Arrays.copyOf(buf, n * 2);
                }
                buf[n++] = c;
            }
        }
        return null;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Mappings
    // ------------------------------------------------------------------------------------------------------------

    public static long pageAlignUp(long v) {
        return (v + PAGE_MASK) & ~PAGE_MASK;
    }

    /** End of [addr, addr+len) rounded up to a page, or -1 if the range leaves user space or overflows. */
    private static long rangeEnd(long addr, long len) {
        if (addr < 0 || len < 0 || addr >= TASK_SIZE || len > TASK_SIZE) {
            return -1;
        }
        long end = pageAlignUp(addr + len);
        return end > TASK_SIZE ? -1 : end;
    }

    private Vma vmaAt(long addr) {
        Map.Entry<Long, Vma> e = vmas.floorEntry(addr);
        return e != null && addr < e.getValue().end ? e.getValue() : null;
    }

    private boolean isFree(long start, long end) {
        if (start < MMAP_MIN_ADDR || end > TASK_SIZE || start >= end) {
            return false;
        }
        Map.Entry<Long, Vma> below = vmas.lowerEntry(end);
        return below == null || below.getValue().end <= start;
    }

    /**
     * Enters a VMA. Every VMA in the tree holds a reference on its {@link SharedMemory} (the pages of a shared mapping
     * live, and stay charged, as long as some VMA in some address space refers to them).
     */
    private void putVma(Vma v) {
        if (v.shm != null) {
            v.shm.retain();
        }
        vmas.put(v.start, v);
    }

    /** Makes sure no VMA straddles {@code addr}. */
    private void splitAt(long addr) {
        Vma v = vmaAt(addr);
        if (v != null && v.start != addr) {
            Vma hi = v.slice(addr, v.end);
            v.end = addr;
            putVma(hi);
        }
    }

    /** Removes every mapping in [start, end). */
    private void unmapRange(long start, long end) {
        splitAt(start);
        splitAt(end);
        Map<Long, Vma> gone = vmas.subMap(start, true, end, false);
        clearPtes(start, end, true);
        for (Vma v : gone.values()) {
            if (v.shm != null) {
                v.shm.release();
            }
        }
        gone.clear();
        invalidate();
    }

    /** Finds a free range of {@code len} bytes, top-down from the mmap base (Linux's default layout). */
    private long findFree(long len) {
        long top = MMAP_BASE;
        while (top - len >= MMAP_MIN_ADDR) {
            long start = top - len;
            Map.Entry<Long, Vma> below = vmas.lowerEntry(top);
            if (below == null || below.getValue().end <= start) {
                return start;
            }
            top = below.getValue().start;
        }
        return -1;
    }

    /**
     * mmap(2) after the file has been resolved. {@code source} is null for anonymous memory. Returns the address, or
     * a negative errno. For the kernel's own mappings (exec, host scratch): no overcommit check.
     */
    public synchronized long mmap(long addr, long len, int prot, int flags, PageSource source, long offset,
            String name) {
        return mmap(addr, len, prot, flags, source, offset, name, false);
    }

    /**
     * Whether a mapping with these flags commits memory (Linux's accountable_mapping, and shmem's accounting of
     * shared anonymous memory): private writable, or shared anonymous, and not MAP_NORESERVE.
     */
    private static boolean accountable(int prot, int flags, boolean anonymous) {
        if ((flags & MAP_NORESERVE) != 0) {
            return false;
        }
        return (flags & MAP_TYPE) == MAP_PRIVATE ? (prot & PROT_WRITE) != 0 : anonymous;
    }

    /**
     * Linux's heuristic overcommit (vm.overcommit_memory = 0, __vm_enough_memory): a single request for more memory
     * than the machine has (here: the memory cgroup's limit, what /proc/meminfo reports as MemTotal; no swap) is
     * obviously impossible and refused. Everything smaller succeeds: only touching pages costs memory.
     */
    private boolean exceedsMemory(long bytes) {
        return (bytes >>> PAGE_SHIFT) > memcg.limitPages();
    }

    /**
     * mmap(2) as the syscall does it: as {@link #mmap(long, long, int, int, PageSource, long, String)}, and with
     * {@code overcommitCheck} a committing mapping larger than all of memory answers ENOMEM.
     */
    public synchronized long mmap(long addr, long len, int prot, int flags, PageSource source, long offset,
            String name, boolean overcommitCheck) {
        if (len == 0 || (offset & PAGE_MASK) != 0) {
            return -Errno.EINVAL;
        }
        int type = flags & MAP_TYPE;
        if (type != MAP_PRIVATE && type != MAP_SHARED && type != MAP_SHARED_VALIDATE) {
            return -Errno.EINVAL;
        }
        if ((prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC)) != 0) {
            return -Errno.EINVAL;
        }
        long alen = pageAlignUp(len);
        if (alen <= 0 || alen > TASK_SIZE) {
            return -Errno.ENOMEM;
        }
        long start;
        if ((flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) != 0) {
            if ((addr & PAGE_MASK) != 0) {
                return -Errno.EINVAL;
            }
            if (addr + alen > TASK_SIZE || addr + alen < addr) {
                return -Errno.ENOMEM;
            }
            if (addr < MMAP_MIN_ADDR) {
                return -Errno.EPERM;
            }
            if ((flags & MAP_FIXED_NOREPLACE) != 0 && (flags & MAP_FIXED) == 0 && !isFree(addr, addr + alen)) {
                return -Errno.EEXIST;
            }
            // Checked before the old mappings go: a refused MAP_FIXED leaves them in place, as on Linux.
            if (overcommitCheck && accountable(prot, flags, source == null) && exceedsMemory(alen)) {
                return -Errno.ENOMEM;
            }
            unmapRange(addr, addr + alen);
            start = addr;
        } else {
            long hint = addr & ~PAGE_MASK;
            if (hint != 0 && isFree(hint, hint + alen)) {
                start = hint;
            } else {
                start = findFree(alen);
                if (start < 0) {
                    return -Errno.ENOMEM;
                }
            }
            if (overcommitCheck && accountable(prot, flags, source == null) && exceedsMemory(alen)) {
                return -Errno.ENOMEM;
            }
        }
        // A shared mapping gets its own pages object (Linux's shmem_zero_setup for anonymous memory); a shared file
        // mapping is shared with this mapping's copies in forked address spaces, not with other mmaps of the file.
        SharedMemory shm = type == MAP_PRIVATE ? null : new SharedMemory(source, memcg);
        putVma(new Vma(start, start + alen, prot, flags, source, shm, source == null ? 0 : offset,
                name != null ? name : source != null ? source.name() : null));
        invalidate();
        return start;
    }

    public synchronized long munmap(long addr, long len) {
        if ((addr & PAGE_MASK) != 0 || len == 0) {
            return -Errno.EINVAL;
        }
        long end = rangeEnd(addr, len);
        if (end < 0) {
            return -Errno.EINVAL;
        }
        unmapRange(addr, end);
        return 0;
    }

    public synchronized long mprotect(long addr, long len, int prot) {
        if ((addr & PAGE_MASK) != 0) {
            return -Errno.EINVAL;
        }
        // PROT_GROWSDOWN/GROWSUP (0x01000000/0x02000000) are accepted and ignored: our stack does not grow.
        prot &= ~0x03000000;
        if ((prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC)) != 0) {
            return -Errno.EINVAL;
        }
        if (len == 0) {
            return 0;
        }
        long end = rangeEnd(addr, len);
        if (end < 0) {
            return -Errno.ENOMEM;
        }
        // Every page of the range must be mapped; a shared mapping of a file opened read-only stays read-only.
        for (long a = addr; a < end; ) {
            Vma v = vmaAt(a);
            if (v == null) {
                return -Errno.ENOMEM;
            }
            if ((prot & PROT_WRITE) != 0 && v.shm != null && v.source != null && v.source.sharedFile() != null
                    && !v.source.sharedWritable()) {
                return -Errno.EACCES;
            }
            a = v.end;
        }
        splitAt(addr);
        splitAt(end);
        for (Vma v : vmas.subMap(addr, true, end, false).values()) {
            v.prot = prot;
        }
        for (long a = addr; a < end; a += PAGE_SIZE) {
            Pte p = getPte(a >>> PAGE_SHIFT);
            if (p != null) {
                p.prot = prot;
            }
        }
        invalidate();
        return 0;
    }

    public synchronized long mremap(long oldAddr, long oldLen, long newLen, int flags, long newAddr) {
        if ((flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP)) != 0 || (oldAddr & PAGE_MASK) != 0) {
            return -Errno.EINVAL;
        }
        if ((flags & MREMAP_FIXED) != 0 && (flags & MREMAP_MAYMOVE) == 0) {
            return -Errno.EINVAL;
        }
        if ((flags & MREMAP_DONTUNMAP) != 0 && ((flags & MREMAP_MAYMOVE) == 0 || oldLen != newLen)) {
            return -Errno.EINVAL;
        }
        if (oldLen < 0 || oldLen > TASK_SIZE || newLen <= 0 || newLen > TASK_SIZE) {
            return newLen == 0 ? -Errno.EINVAL : -Errno.ENOMEM;
        }
        oldLen = pageAlignUp(oldLen);
        newLen = pageAlignUp(newLen);
        Vma v = vmaAt(oldAddr);
        // oldLen == 0 duplicates a shared mapping (a second view of the same pages, the old one stays); private
        // mappings get EINVAL on Linux too.
        if (v == null || oldAddr + oldLen > v.end || (oldLen == 0 && v.shm == null)) {
            return v == null ? -Errno.EFAULT : oldLen == 0 ? -Errno.EINVAL : -Errno.EFAULT;
        }
        if ((flags & MREMAP_FIXED) != 0) {
            if ((newAddr & PAGE_MASK) != 0 || newAddr < 0 || newAddr + newLen > TASK_SIZE) {
                return -Errno.EINVAL;
            }
            if (newAddr < oldAddr + oldLen && oldAddr < newAddr + newLen) {
                return -Errno.EINVAL;
            }
        }
        // Growing a private writable mapping commits the growth (VM_ACCOUNT): more than all of memory is refused.
        if (newLen > oldLen && v.shm == null && accountable(v.prot, v.flags, v.source == null)
                && exceedsMemory(newLen - oldLen)) {
            return -Errno.ENOMEM;
        }
        if ((flags & MREMAP_FIXED) != 0) {
            unmapRange(newAddr, newAddr + newLen);
            return move(v, oldAddr, oldLen, newAddr, newLen, flags);
        }
        if (newLen <= oldLen) {
            if (newLen < oldLen) {
                unmapRange(oldAddr + newLen, oldAddr + oldLen);
            }
            return oldAddr;
        }
        // Grow in place when the VMA ends here and the space after it is free.
        if (oldAddr + oldLen == v.end && isFree(v.end, oldAddr + newLen)) {
            v.end = oldAddr + newLen;
            invalidate();
            return oldAddr;
        }
        if ((flags & MREMAP_MAYMOVE) == 0) {
            return -Errno.ENOMEM;
        }
        long dest = findFree(newLen);
        if (dest < 0) {
            return -Errno.ENOMEM;
        }
        return move(v, oldAddr, oldLen, dest, newLen, flags);
    }

    private long move(Vma v, long oldAddr, long oldLen, long dest, long newLen, int flags) {
        Vma moved = v.slice(oldAddr, oldAddr + newLen);
        moved.start = dest;
        moved.end = dest + newLen;
        if (moved.shm != null) {
            moved.shm.retain(); // before the old range goes: its pages must survive the move
        }
        long n = Math.min(oldLen, newLen);
        List<Pte> carried = new ArrayList<>();
        for (long a = 0; a < n; a += PAGE_SIZE) {
            carried.add(getPte((oldAddr + a) >>> PAGE_SHIFT));
        }
        if ((flags & MREMAP_DONTUNMAP) != 0) {
            // The old range stays mapped but empty: its next touch sees fresh zero (or file) pages.
            clearPtes(oldAddr, oldAddr + oldLen, false);
            invalidate();
        } else if (oldLen > 0) {
            // The carried entries move, so they must not be released with the old range.
            clearPtes(oldAddr, oldAddr + n, false);
            unmapRange(oldAddr, oldAddr + oldLen);
        }
        vmas.put(dest, moved); // its SharedMemory reference was taken above
        for (int i = 0; i < carried.size(); i++) {
            setPte((dest >>> PAGE_SHIFT) + i, carried.get(i));
        }
        invalidate();
        return dest;
    }

    /** madvise(MADV_DONTNEED): private pages are dropped and read back as zero (or file contents). */
    public synchronized long dropPages(long addr, long len) {
        long end = rangeEnd(addr, len);
        if (end < 0) {
            return -Errno.ENOMEM;
        }
        for (long a = addr; a < end; ) {
            Vma v = vmaAt(a);
            if (v == null) {
                return -Errno.ENOMEM;
            }
            a = v.end;
        }
        clearPtes(addr, end, true);
        invalidate();
        return 0;
    }

    /**
     * mincore's answer for the page at addr (page aligned): 1 if this page table has an entry for it, 0 if not, -1 if
     * no VMA maps it.
     */
    public synchronized int resident(long addr) {
        if (vmaAt(addr) == null) {
            return -1;
        }
        long vpn = addr >>> PAGE_SHIFT;
        Pte[] leaf = dir[(int) (vpn >>> LEAF_BITS)];
        Pte pte = leaf == null ? null : leaf[(int) (vpn & (LEAF_SIZE - 1))];
        return pte != null && pte.data != null ? 1 : 0;
    }

    /** True if every page of [addr, addr+len) is mapped (madvise's ENOMEM check). */
    public synchronized boolean isMapped(long addr, long len) {
        long end = rangeEnd(addr, len);
        if (end < 0) {
            return false;
        }
        for (long a = addr; a < end; ) {
            Vma v = vmaAt(a);
            if (v == null) {
                return false;
            }
            a = v.end;
        }
        return true;
    }

    // ------------------------------------------------------------------------------------------------------------
    // brk
    // ------------------------------------------------------------------------------------------------------------

    /** Called by exec: the heap starts right after the program's last segment. */
    public synchronized void initBrk(long start) {
        brkStart = brkCur = pageAlignUp(start);
    }

    /** brk(2): returns the new break, or the old one when the request cannot be met (Linux never returns an errno). */
    public synchronized long brk(long newBrk) {
        if (newBrk < brkStart || newBrk > MMAP_BASE) {
            return brkCur;
        }
        long oldEnd = pageAlignUp(brkCur);
        long newEnd = pageAlignUp(newBrk);
        if (newEnd > oldEnd) {
            if (!isFree(oldEnd, newEnd) || newEnd > MMAP_BASE || exceedsMemory(newEnd - oldEnd)) {
                return brkCur;
            }
            Vma heap = vmaAt(oldEnd - 1);
            if (heap != null && heap.end == oldEnd && "[heap]".equals(heap.name)) {
                heap.end = newEnd;
            } else {
                putVma(new Vma(oldEnd, newEnd, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, null, null, 0,
                        "[heap]"));
            }
            invalidate();
        } else if (newEnd < oldEnd) {
            unmapRange(newEnd, oldEnd);
        }
        brkCur = newBrk;
        return brkCur;
    }

    // ------------------------------------------------------------------------------------------------------------
    // fork, users, futex identity
    // ------------------------------------------------------------------------------------------------------------

    /**
     * fork(2)'s copy of the address space (Linux's dup_mmap): a new address space with one user, the same VMAs
     * (names, protections, flags, file sources, offsets), the same brk and the same exe path. Private pages are not
     * copied: both page tables map the same array copy-on-write, and whichever side writes a page first gets its own
     * copy ({@link #page(long, int)}). Pages of MAP_SHARED mappings stay shared for good, including pages neither side
     * has touched yet. VMAs marked MADV_DONTFORK are left out; MADV_WIPEONFORK ones start empty (zero) in the child.
     *
     * <p>Bumps this address space's {@link #generation()}, so this process's engines drop the write translations of
     * pages that just became copy-on-write. Costs time proportional to the number of touched pages (no page data is
     * copied).
     */
    public synchronized AddressSpace fork() {
        AddressSpace forked = forkImpl();
        forked.sigreturnTrampoline = sigreturnTrampoline;
        return forked;
    }

    private AddressSpace forkImpl() {
        AddressSpace child = new AddressSpace(memcg);
        for (Vma v : vmas.values()) {
            if ((v.forkMode & FORK_SKIP) != 0) {
                continue;
            }
            child.putVma(v.slice(v.start, v.end));
            if ((v.forkMode & FORK_WIPE) == 0) {
                sharePtes(child, v.start, v.end);
            }
        }
        child.brkStart = brkStart;
        child.brkCur = brkCur;
        child.exePath = exePath;
        child.exeNode = exeNode;
        child.vdsoBase = vdsoBase;
        invalidate();
        return child;
    }

    /** Enters this page table's pages of [start, end) in the child's: private ones copy-on-write, shared ones as is. */
    private void sharePtes(AddressSpace child, long start, long end) {
        long vpn = start >>> PAGE_SHIFT;
        long last = end >>> PAGE_SHIFT;
        while (vpn < last) {
            long leafEnd = Math.min(last, ((vpn >>> LEAF_BITS) + 1) << LEAF_BITS);
            Pte[] leaf = dir[(int) (vpn >>> LEAF_BITS)];
            if (leaf == null) {
                vpn = leafEnd;
                continue;
            }
            for (; vpn < leafEnd; vpn++) {
                Pte p = leaf[(int) (vpn & (LEAF_SIZE - 1))];
                if (p == null) {
                    continue;
                }
                if (p.cow == ZERO) {
                    // both keep the zero page until they write
                } else if (p.shared) {
                    child.shmemRss++;
                } else {
                    if (p.cow == null) {
                        p.cow = new CowPage(2);
                    } else {
                        p.cow.mappers.incrementAndGet();
                    }
                    if (p.file) {
                        child.fileRss++;
                    } else {
                        child.anonRss++;
                    }
                }
                child.setPte(vpn, new Pte(p.data, p.prot, p.cow, p.shared, p.file));
            }
        }
    }

    /**
     * One more task uses this address space (a CLONE_VM thread, a vfork child): it stays alive until the matching
     * {@link #release()}. Throws IllegalStateException if it was already released (a kernel bug, not a guest error).
     */
    public synchronized void retain() {
        if (users <= 0) {
            throw new IllegalStateException("address space already released");
        }
        users++;
    }

    /**
     * A task stops using this address space (exit, exec, the end of a vfork child's borrowing). The last release
     * drops every mapping and page (Linux's mmput reaching zero): copy-on-write pages shared with other address
     * spaces lose a mapper, so their last remaining owner writes them without copying, and the memory becomes
     * garbage. Returns true if this was the last user. Further releases return false and do nothing.
     */
    public synchronized boolean release() {
        if (users <= 0 || --users > 0) {
            return false;
        }
        for (int d = 0; d < DIR_SIZE; d++) {
            Pte[] leaf = dir[d];
            if (leaf == null) {
                continue;
            }
            for (Pte p : leaf) {
                if (p != null) {
                    dropPte(p);
                }
            }
            dir[d] = null;
        }
        for (Vma v : vmas.values()) {
            if (v.shm != null) {
                v.shm.release();
            }
        }
        vmas.clear();
        brkStart = brkCur = 0;
        invalidate();
        return true;
    }

    /** How many tasks use this address space (0 once released). */
    public synchronized int users() {
        return users;
    }

    /** Identifies one page of a {@link SharedMemory}: equal for every mapper of that page, in any address space. */
    private record SharedPageKey(Object memory, long index) {
    }

    /**
     * The identity of the memory behind {@code addr}, for keying shared futexes (Linux's get_futex_key): for an
     * address in a MAP_SHARED mapping (anonymous or file), an object identifying the underlying shared page, equal
     * ({@code equals}/{@code hashCode}) for every address, in any address space (this one, forked ones, other views
     * made by mremap), that maps the same page, and stable for the life of the mapping. It identifies the page, not
     * the byte: key on it together with {@code addr & PAGE_MASK}. The page need not have been touched yet.
     *
     * <p>Returns null for private memory (anonymous, private file mappings, copy-on-write pages after fork) and for
     * unmapped addresses: key those on (this address space, addr), like Linux's private futex keys (mm, address).
     */
    public synchronized Object pageIdentity(long addr) {
        Vma v = vmaAt(addr);
        if (v == null || v.shm == null) {
            return null;
        }
        return new SharedPageKey(v.shm.identity(), (v.fileOffset + ((addr & ~PAGE_MASK) - v.start)) >>> PAGE_SHIFT);
    }

    private static final int MADV_DONTFORK = 10, MADV_DOFORK = 11, MADV_WIPEONFORK = 18, MADV_KEEPONFORK = 19;

    /**
     * madvise(2) fork advice on [addr, addr+len): MADV_DONTFORK (10, the range is left out of forked children),
     * MADV_DOFORK (11, undoes it), MADV_WIPEONFORK (18, children see zero pages; private anonymous memory only, else
     * EINVAL), MADV_KEEPONFORK (19, undoes it). Returns 0, -EINVAL, or -ENOMEM when part of the range is unmapped.
     */
    public synchronized long forkAdvice(long addr, long len, int advice) {
        if ((addr & PAGE_MASK) != 0) {
            return -Errno.EINVAL;
        }
        if (advice != MADV_DONTFORK && advice != MADV_DOFORK && advice != MADV_WIPEONFORK
                && advice != MADV_KEEPONFORK) {
            return -Errno.EINVAL;
        }
        long end = rangeEnd(addr, len);
        if (end < 0) {
            return -Errno.ENOMEM;
        }
        if (len == 0) {
            return 0;
        }
        for (long a = addr; a < end; ) {
            Vma v = vmaAt(a);
            if (v == null) {
                return -Errno.ENOMEM;
            }
            if (advice == MADV_WIPEONFORK && (v.source != null || v.shm != null)) {
                return -Errno.EINVAL;
            }
            a = v.end;
        }
        splitAt(addr);
        splitAt(end);
        for (Vma v : vmas.subMap(addr, true, end, false).values()) {
            v.forkMode = switch (advice) {
                case MADV_DONTFORK -> v.forkMode | FORK_SKIP;
                case MADV_DOFORK -> v.forkMode & ~FORK_SKIP;
                case MADV_WIPEONFORK -> v.forkMode | FORK_WIPE;
                default -> v.forkMode & ~FORK_WIPE;
            };
        }
        return 0;
    }

    /**
     * Test hook: how many page tables map the page at addr (1 if this one owns it alone), or 0 if none is present
     * (or only the zero page).
     */
    synchronized int mappers(long addr) {
        Pte p = getPte(addr >>> PAGE_SHIFT);
        return p == null || p.cow == ZERO ? 0 : p.cow == null ? 1 : p.cow.mappers.get();
    }

    /** Pages this address space has copied to break copy-on-write sharing. */
    synchronized long cowCopies() {
        return cowCopies;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Introspection
    // ------------------------------------------------------------------------------------------------------------

    /**
     * Resident pages of this address space in Linux's three RSS counters: {anonymous, file, shared memory}. Pages
     * shared copy-on-write with other address spaces count in each of them (as on Linux); the charge to the memory
     * cgroup counts them once.
     */
    public synchronized long[] rssPages() {
        return new long[] {anonRss, fileRss, shmemRss};
    }

    /** Resident pages of this address space (the sum of {@link #rssPages()}: what the OOM killer compares). */
    public synchronized long rss() {
        return anonRss + fileRss + shmemRss;
    }

    /** The size of every mapping together, in bytes (Linux's total_vm, /proc/PID/status VmSize). */
    public synchronized long totalVm() {
        long n = 0;
        for (Vma v : vmas.values()) {
            n += v.end - v.start;
        }
        return n;
    }

    /** The VMAs in address order (a snapshot), for /proc/self/maps. */
    public synchronized List<Vma> vmas() {
        List<Vma> out = new ArrayList<>();
        for (Vma v : vmas.values()) {
            out.add(v.slice(v.start, v.end));
        }
        return out;
    }
}
