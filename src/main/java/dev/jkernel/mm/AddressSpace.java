package dev.jkernel.mm;

import dev.jkernel.kernel.Errno;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A guest virtual address space (Linux's mm_struct): a set of VMAs and a page table of 4 KiB pages, each page a
 * {@code byte[4096]} allocated on first touch. The layout follows riscv64 Sv39: user addresses below 2^38, the stack
 * at the top, mmap allocating top-down below it.
 *
 * <p>The execution engine caches page arrays in its own TLB; every change that can invalidate such a cached
 * translation (unmap, protection change, remap) bumps {@link #generation()}.
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

    /** One page-table entry: the page's memory and what the VMA allows on it. */
    static final class Pte {
        final byte[] data;
        int prot;

        Pte(byte[] data, int prot) {
            this.data = data;
            this.prot = prot;
        }
    }

    /** A virtual memory area: [start, end) with one protection and one backing. */
    public static final class Vma {
        public long start, end;
        public int prot;
        public final int flags;
        public final PageSource source;
        /** File offset of {@link #start} (file mappings). */
        public long fileOffset;
        /** For /proc/self/maps: "[heap]", "[stack]", a path, or null. */
        public final String name;

        Vma(long start, long end, int prot, int flags, PageSource source, long fileOffset, String name) {
            this.start = start;
            this.end = end;
            this.prot = prot;
            this.flags = flags;
            this.source = source;
            this.fileOffset = fileOffset;
            this.name = name;
        }

        Vma slice(long s, long e) {
            return new Vma(s, e, prot, flags, source, source == null ? 0 : fileOffset + (s - start), name);
        }
    }

    private final Pte[][] dir = new Pte[DIR_SIZE][];
    private final TreeMap<Long, Vma> vmas = new TreeMap<>();
    private volatile long generation;

    private long brkStart, brkCur;

    /** The guest path of the program this address space runs (/proc/self/exe); set by exec. */
    private volatile String exePath;
    /** The host path of that program, for reading it back. */
    private volatile java.nio.file.Path exeHostPath;

    public long generation() {
        return generation;
    }

    private void invalidate() {
        generation++;
    }

    public String exePath() {
        return exePath;
    }

    public java.nio.file.Path exeHostPath() {
        return exeHostPath;
    }

    public void setExe(String guestPath, java.nio.file.Path hostPath) {
        this.exePath = guestPath;
        this.exeHostPath = hostPath;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Page access (the engine's TLB-miss path and the syscall copy helpers)
    // ------------------------------------------------------------------------------------------------------------

    /**
     * The memory of the page holding {@code addr}, for an access of kind {@code access} (GuestFault.READ, WRITE or
     * EXEC), allocating and filling it on first touch.
     */
    public synchronized byte[] page(long addr, int access) throws GuestFault {
        Pte pte = pte(addr, access);
        return pte.data;
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
            pte = populate(v, addr & ~PAGE_MASK);
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

    private Pte populate(Vma v, long pageAddr) {
        byte[] data = new byte[PAGE_SIZE];
        if (v.source != null) {
            try {
                v.source.fill(v.fileOffset + (pageAddr - v.start), data, 0, PAGE_SIZE);
            } catch (IOException e) {
                // Linux would raise SIGBUS for an I/O error on a mapped file; the page stays zero here.
            }
        }
        Pte pte = new Pte(data, v.prot);
        setPte(pageAddr >>> PAGE_SHIFT, pte);
        return pte;
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

    private void clearPtes(long start, long end) {
        for (long a = start; a < end; a += PAGE_SIZE) {
            long vpn = a >>> PAGE_SHIFT;
            Pte[] leaf = dir[(int) (vpn >>> LEAF_BITS)];
            if (leaf == null) {
                // Skip the rest of this empty leaf.
                a = (((vpn >>> LEAF_BITS) + 1) << (LEAF_BITS + PAGE_SHIFT)) - PAGE_SIZE;
                continue;
            }
            leaf[(int) (vpn & (LEAF_SIZE - 1))] = null;
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Copy helpers for syscalls and the loader (any alignment, may cross pages)
    // ------------------------------------------------------------------------------------------------------------

    public void read(long addr, byte[] dst, int off, int len) throws GuestFault {
        while (len > 0) {
            byte[] p = page(addr, GuestFault.READ);
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
            byte[] p = page(addr, GuestFault.WRITE);
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
            byte[] p = pte(addr, GuestFault.READ).data;
            int po = (int) (addr & PAGE_MASK);
            int n = Math.min(len, PAGE_SIZE - po);
            System.arraycopy(src, off, p, po, n);
            addr += n;
            off += n;
            len -= n;
        }
    }

    public int read8(long addr) throws GuestFault {
        return page(addr, GuestFault.READ)[(int) (addr & PAGE_MASK)] & 0xff;
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
            byte[] p = page(addr, GuestFault.READ);
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

    /** Makes sure no VMA straddles {@code addr}. */
    private void splitAt(long addr) {
        Vma v = vmaAt(addr);
        if (v != null && v.start != addr) {
            Vma hi = v.slice(addr, v.end);
            v.end = addr;
            vmas.put(addr, hi);
        }
    }

    /** Removes every mapping in [start, end). */
    private void unmapRange(long start, long end) {
        splitAt(start);
        splitAt(end);
        vmas.subMap(start, true, end, false).clear();
        clearPtes(start, end);
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
     * a negative errno.
     */
    public synchronized long mmap(long addr, long len, int prot, int flags, PageSource source, long offset,
            String name) {
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
        }
        vmas.put(start, new Vma(start, start + alen, prot, flags, source, offset,
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
        // Every page of the range must be mapped.
        for (long a = addr; a < end; ) {
            Vma v = vmaAt(a);
            if (v == null) {
                return -Errno.ENOMEM;
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
        if (v == null || oldAddr + oldLen > v.end || oldLen == 0) {
            // oldLen == 0 only duplicates shared mappings; private ones get EINVAL on Linux too.
            return v == null ? -Errno.EFAULT : oldLen == 0 ? -Errno.EINVAL : -Errno.EFAULT;
        }
        if ((flags & MREMAP_FIXED) != 0) {
            if ((newAddr & PAGE_MASK) != 0 || newAddr < 0 || newAddr + newLen > TASK_SIZE) {
                return -Errno.EINVAL;
            }
            if (newAddr < oldAddr + oldLen && oldAddr < newAddr + newLen) {
                return -Errno.EINVAL;
            }
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
        Vma moved = new Vma(dest, dest + newLen, v.prot, v.flags, v.source,
                v.source == null ? 0 : v.fileOffset + (oldAddr - v.start), v.name);
        long n = Math.min(oldLen, newLen);
        List<Pte> carried = new ArrayList<>();
        for (long a = 0; a < n; a += PAGE_SIZE) {
            carried.add(getPte((oldAddr + a) >>> PAGE_SHIFT));
        }
        if ((flags & MREMAP_DONTUNMAP) != 0) {
            // The old range stays mapped but empty: its next touch sees fresh zero (or file) pages.
            clearPtes(oldAddr, oldAddr + oldLen);
            invalidate();
        } else {
            unmapRange(oldAddr, oldAddr + oldLen);
        }
        vmas.put(dest, moved);
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
        clearPtes(addr, end);
        invalidate();
        return 0;
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
            if (!isFree(oldEnd, newEnd) || newEnd > MMAP_BASE) {
                return brkCur;
            }
            Vma heap = vmaAt(oldEnd - 1);
            if (heap != null && heap.end == oldEnd && "[heap]".equals(heap.name)) {
                heap.end = newEnd;
            } else {
                vmas.put(oldEnd, new Vma(oldEnd, newEnd, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, null,
                        0, "[heap]"));
            }
            invalidate();
        } else if (newEnd < oldEnd) {
            unmapRange(newEnd, oldEnd);
        }
        brkCur = newBrk;
        return brkCur;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Introspection
    // ------------------------------------------------------------------------------------------------------------

    /** The VMAs in address order (a snapshot), for /proc/self/maps. */
    public synchronized List<Vma> vmas() {
        List<Vma> out = new ArrayList<>();
        for (Vma v : vmas.values()) {
            out.add(v.slice(v.start, v.end));
        }
        return out;
    }

    // ------------------------------------------------------------------------------------------------------------
    // TEMPORARY (replaced by the cow branch): users and fork by eager copy.
    // ------------------------------------------------------------------------------------------------------------

    private final java.util.concurrent.atomic.AtomicInteger users = new java.util.concurrent.atomic.AtomicInteger(1);

    public void retain() {
        users.incrementAndGet();
    }

    public void release() {
        users.decrementAndGet();
    }

    public synchronized AddressSpace fork() {
        AddressSpace c = new AddressSpace();
        for (Vma v : vmas.values()) {
            c.vmas.put(v.start, v.slice(v.start, v.end));
            for (long a = v.start; a < v.end; a += PAGE_SIZE) {
                Pte p = getPte(a >>> PAGE_SHIFT);
                if (p != null) {
                    c.setPte(a >>> PAGE_SHIFT, new Pte(p.data.clone(), p.prot));
                }
            }
        }
        c.brkStart = brkStart;
        c.brkCur = brkCur;
        c.exePath = exePath;
        c.exeHostPath = exeHostPath;
        return c;
    }
}
