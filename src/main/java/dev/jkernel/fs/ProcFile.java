package dev.jkernel.fs;

import dev.jkernel.kernel.ErrnoException;

/** A /proc file: its text generated when opened, then read (and seeked) like a regular file. */
public final class ProcFile extends OpenFile {
    private final byte[] content;

    ProcFile(Node node, int flags, byte[] content) {
        this.node = node;
        this.flags = flags & ~(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_CLOEXEC);
        this.content = content;
    }

    @Override
    public boolean isStream() {
        return false;
    }

    @Override
    public boolean positional() {
        return true;
    }

    @Override
    public int read(byte[] b, int off, int len, long at) {
        synchronized (this) {
            long p = at >= 0 ? at : pos;
            int n = p >= content.length ? 0 : (int) Math.min(len, content.length - p);
            if (n > 0) {
                System.arraycopy(content, (int) p, b, off, n);
            }
            if (at < 0) {
                pos += n;
            }
            return n;
        }
    }

    @Override
    public long seek(long offset, int whence) throws ErrnoException {
        return seekIn(offset, whence, content.length);
    }

    @Override
    public Stat stat() throws ErrnoException {
        return node.stat(null);
    }
}
