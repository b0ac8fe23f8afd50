package dev.jkernel.mm;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The memory a kernel's guests may use (Linux's memory cgroup with {@code memory.max}, one for the whole kernel):
 * every guest page the kernel allocates is charged here, and uncharged when it is freed.
 *
 * <p>What is charged, one 4 KiB page at a time: a private page on its first touch (anonymous, or a private copy of a
 * file's page: jkernel has no page cache, so the copy is the only page), the copy that breaks copy-on-write sharing,
 * and each page of a {@link SharedMemory} when it is first created. A page shared copy-on-write by several page tables
 * is charged once; it is uncharged when the last page table drops it (munmap, MADV_DONTNEED, exit, exec). Pages of a
 * shared mapping are uncharged when the last mapping of it goes. Reads of never-written private anonymous memory map
 * a shared zero page and charge nothing, as on Linux.
 *
 * <p>A charge that would exceed the limit fails ({@link #tryCharge}); the address space then raises a
 * {@link GuestFault#OOM} fault without having changed anything, and whoever can block handles it through
 * {@link #outOfMemory} (the kernel's OOM killer, {@link OomHandler}), then retries. The hot path is one atomic add per
 * allocated page; accesses to pages already present cost nothing.
 *
 * <p>Thread safety: lock-free; the limit and the handler may be changed at any time.
 */
public final class MemCgroup {
    /** No limit. */
    public static final long UNLIMITED = Long.MAX_VALUE;

    /** What the kernel does when a charge fails (Linux's mem_cgroup_out_of_memory). */
    public interface OomHandler {
        /**
         * Called by the thread whose charge of {@code pages} failed, holding no address-space lock. Frees memory
         * (kills a process and waits a little for it to die) and returns true when the caller should retry the
         * charge, false when it should give up (the calling task is dying, or there is nothing to kill).
         */
        boolean outOfMemory(MemCgroup cgroup, long pages);
    }

    private final AtomicLong usage = new AtomicLong();
    private volatile long limitPages;
    private volatile long peakPages;
    private volatile OomHandler handler;

    /** @param limitBytes the limit in bytes (rounded down to whole pages), or {@link #UNLIMITED} */
    public MemCgroup(long limitBytes) {
        setLimit(limitBytes);
    }

    /** An unlimited group, for address spaces made outside a kernel (tests, tools). */
    public static MemCgroup unlimited() {
        return new MemCgroup(UNLIMITED);
    }

    /**
     * Sets the limit (memory.max); rounded down to whole pages. Lowering it below the usage frees nothing at once:
     * the next charge fails and runs the OOM handler.
     *
     * @throws IllegalArgumentException if {@code bytes} is below one page
     */
    public void setLimit(long bytes) {
        if (bytes < AddressSpace.PAGE_SIZE) {
            throw new IllegalArgumentException("memory limit below one page: " + bytes);
        }
        limitPages = bytes == UNLIMITED ? UNLIMITED : bytes >>> AddressSpace.PAGE_SHIFT;
    }

    /** The limit in bytes, or {@link #UNLIMITED}. */
    public long limitBytes() {
        long l = limitPages;
        return l == UNLIMITED ? UNLIMITED : l << AddressSpace.PAGE_SHIFT;
    }

    public long limitPages() {
        return limitPages;
    }

    /** Bytes charged now (memory.current). */
    public long usageBytes() {
        return usage.get() << AddressSpace.PAGE_SHIFT;
    }

    public long usagePages() {
        return usage.get();
    }

    /** The highest usage seen, in bytes (memory.peak; may miss a concurrent peak by a few pages). */
    public long peakBytes() {
        return peakPages << AddressSpace.PAGE_SHIFT;
    }

    public void setOomHandler(OomHandler h) {
        handler = h;
    }

    /** Whether {@code pages} more would fit under the limit now. */
    public boolean fits(long pages) {
        return usage.get() + pages <= limitPages;
    }

    /**
     * Charges {@code pages}; returns false, having charged nothing, when the limit would be exceeded. Concurrent
     * chargers may see a failure caused by each other's momentary charge right at the limit: both then go through
     * the OOM path, which re-checks before killing.
     */
    boolean tryCharge(long pages) {
        long u = usage.addAndGet(pages);
        if (u > limitPages) {
            usage.addAndGet(-pages);
            return false;
        }
        if (u > peakPages) {
            peakPages = u;
        }
        return true;
    }

    /** Returns {@code pages} that have been freed. */
    void uncharge(long pages) {
        usage.addAndGet(-pages);
    }

    /**
     * A charge of {@code pages} failed: lets the OOM handler free memory. Returns true when the caller should retry,
     * false when it should give up (no handler, or the handler says so).
     */
    public boolean outOfMemory(long pages) {
        OomHandler h = handler;
        return h != null && h.outOfMemory(this, pages);
    }
}
