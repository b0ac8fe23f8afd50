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
 * growing a VMA, and copying it into a forked address space, keep addressing the same pages. The pages live as long
 * as some VMA or page table still refers to the object (the garbage collector frees them after the last munmap).
 *
 * <p>Thread safety: synchronized on the object; called with an address space's lock held (lock order: address space,
 * then shared memory), never the reverse.
 */
final class SharedMemory {
    private final PageSource source;
    private final HashMap<Long, byte[]> pages = new HashMap<>();

    /** @param source the file's pages, or null for anonymous (zero-filled) memory */
    SharedMemory(PageSource source) {
        this.source = source;
    }

    /**
     * The page at {@code index} (its byte offset divided by the page size), created on first use; null when a file's
     * page lies wholly past its end (the caller raises SIGBUS).
     */
    synchronized byte[] page(long index) {
        if (source != null && source.sharedFile() != null) {
            // The file's own pages: nothing to keep here.
            return source.sharedPage(index);
        }
        byte[] p = pages.get(index);
        if (p == null) {
            p = new byte[AddressSpace.PAGE_SIZE];
            if (source != null) {
                int n;
                try {
                    n = source.fill(index << AddressSpace.PAGE_SHIFT, p, 0, AddressSpace.PAGE_SIZE);
                } catch (IOException e) {
                    n = 0;
                }
                if (n <= 0) {
                    return null; // not cached: the file may grow
                }
            }
            pages.put(index, p);
        }
        return p;
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
