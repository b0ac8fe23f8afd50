package dev.jkernel.fs;

import java.io.InputStream;
import java.io.OutputStream;

/** A file backed by Java streams: the guest's stdio. STUB: the fs branch owns this file. */
public final class StreamFile extends OpenFile {
    final InputStream in;
    final OutputStream out;
    final boolean tty;

    private StreamFile(InputStream in, OutputStream out, boolean tty, int flags) {
        this.in = in;
        this.out = out;
        this.tty = tty;
        this.flags = flags;
    }

    /** A read-only file reading {@code in}; {@code tty} makes it answer TCGETS like a terminal. */
    public static StreamFile input(InputStream in, boolean tty) {
        return new StreamFile(in, null, tty, 0);
    }

    /** A write-only file writing {@code out}. */
    public static StreamFile output(OutputStream out, boolean tty) {
        return new StreamFile(null, out, tty, 1);
    }
}
