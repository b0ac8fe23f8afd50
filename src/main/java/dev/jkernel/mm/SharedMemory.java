package dev.jkernel.mm;

import java.io.IOException;
import java.util.HashMap;

/**
 * The memory behind one MAP_SHARED mapping (Linux's shmem object for shared anonymous memory, or the file's pages for
 * a shared file mapping): pages by page index, each handed out once and then the same {@code byte[]} to every page
 * table that maps it, in any address space. A page is created on first touch by any of its mappers, zero-filled or
 * read from the file. A file whose pages can be shared ({@link PageSource#sharedFile()}, tmpfs) hands out its own
 * pages instead, so that every mapping of it and its read and write calls see the same bytes.
 *
 * <p>VMAs keep the object and an offset into it ({@link AddressSpace.Vma#fileOffset}), so splitting, moving and
 * growing a VMA, and copying it into a forked address space, keep addressing the same pages. Every VMA that refers to
 * the object, in any address space, holds a reference ({@link #retain}, {@link #release}); when the last goes (the
 * last munmap, exit or exec of a mapper) the pages are dropped and their charge to the {@link MemCgroup} returned.
 * Each page is charged once when it is created, however many page tables map it.
 *
 * <p>Thread safety: synchronized on the object; called with an address space's lock held (lock order: address space,
 * then shared memory), never the reverse.
 */
final class SharedMemory {
    /** What {@link #page} answers when a new page cannot be charged (compared by identity). */
    static final byte[] NO_MEMORY = new byte[0];

    private final PageSource source;
    private final MemCgroup memcg;
    private final HashMap<Long, byte[]> pages = new HashMap<>();
    /** VMAs referring to this object. */
    private int refs;

    /**
     * @param source the file's pages, or null for anonymous (zero-filled) memory
     * @param memcg  where its pages are charged
     */
    SharedMemory(PageSource source, MemCgroup memcg) {
        this.source = source;
        this.memcg = memcg;
    }

    /**
     * The page at {@code index} (its byte offset divided by the page size), created on first use; null when a file's
     * page lies wholly past its end (the caller raises SIGBUS); {@link #NO_MEMORY} when a new page would exceed the
     * memory cgroup's limit (nothing changed).
     */
    synchronized byte[] page(long index) {
        if (source != null && source.sharedFile() != null) {
            // The file's own pages: nothing to keep here.
            return source.sharedPage(index);
        }
        byte[] p = pages.get(index);
        if (p == null) {
            if (!memcg.tryCharge(1)) {
                return NO_MEMORY;
            }
            p = new byte[AddressSpace.PAGE_SIZE];
            if (source != null) {
                int n;
                try {
                    n = source.fill(index << AddressSpace.PAGE_SHIFT, p, 0, AddressSpace.PAGE_SIZE);
                } catch (IOException e) {
                    n = 0;
                }
                if (n <= 0) {
                    memcg.uncharge(1);
                    return null; // not cached: the file may grow
                }
            }
            pages.put(index, p);
        }
        return p;
    }

    /** One more VMA refers to this object. */
    synchronized void retain() {
        refs++;
    }

    /** A VMA referring to this object is gone; the last one drops every page and returns their charge. */
    synchronized void release() {
        if (--refs == 0) {
            memcg.uncharge(pages.size());
            pages.clear();
        }
    }

    /** What identifies the memory for shared futex keys: the file when its pages are shared, else this object. */
    Object identity() {
        Object f = source == null ? null : source.sharedFile();
        return f != null ? f : this;
    }

    /** How many pages exist (for tests). */
    synchronized int pageCount() {
        return pages.size();
    }
}
