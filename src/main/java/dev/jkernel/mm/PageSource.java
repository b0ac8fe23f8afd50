package dev.jkernel.mm;

import java.io.IOException;

/** Where the pages of a file-backed mapping come from: an open file, read on first touch of each page. */
public interface PageSource {
    /**
     * Reads up to {@code len} bytes at {@code fileOffset} into {@code dst}; returns how many were read (fewer at end of
     * file; the rest of the page stays zero, as Linux zero-fills the tail of the last page).
     */
    int fill(long fileOffset, byte[] dst, int dstOff, int len) throws IOException;

    /** A name for /proc/self/maps (the file's guest path). */
    String name();

    /**
     * The file itself when MAP_SHARED mappings share the file's own pages (tmpfs, whose page cache is the file): every
     * mapping of it, in any address space, then sees every write, through a mapping or write(2). Null (the default):
     * a shared mapping gets pages of its own, read from the file once.
     */
    default Object sharedFile() {
        return null;
    }

    /**
     * For a {@link #sharedFile()}: the file's own page at {@code index}, created zero-filled when it lies within the
     * file; null when it lies wholly past the end, or there is no room for it (the caller raises SIGBUS).
     */
    default byte[] sharedPage(long index) {
        return null;
    }

    /** For a {@link #sharedFile()}: whether shared mappings may write it (it was open for writing when mapped). */
    default boolean sharedWritable() {
        return false;
    }
}
