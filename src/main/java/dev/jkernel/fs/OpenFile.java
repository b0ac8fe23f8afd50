package dev.jkernel.fs;

import dev.jkernel.mm.PageSource;

/** An open file description (Linux's struct file). STUB: the fs branch owns this file. */
public abstract class OpenFile {
    /** open(2) flags as given, access mode in the low two bits (O_RDONLY 0, O_WRONLY 1, O_RDWR 2). */
    public int flags;

    /** What mmap reads pages from, or null if the file cannot be mapped (mmap answers ENODEV). */
    public PageSource pageSource() {
        return null;
    }
}
