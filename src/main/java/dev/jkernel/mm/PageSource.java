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
}
