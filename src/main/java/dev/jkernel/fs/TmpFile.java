package dev.jkernel.fs;

import dev.jkernel.kernel.Errno;
import dev.jkernel.kernel.ErrnoException;
import dev.jkernel.mm.PageSource;

/**
 * An open regular file of a {@link Tmpfs}. It keeps its inode alive: after an unlink the data stays readable and
 * writable here until the last close (and in mappings after that).
 */
public final class TmpFile extends OpenFile {
    private final Tmpfs fs;
    private final Tmpfs.Reg inode;
    /** The opener's credentials (Linux's f_cred): whose writes clear set-user-ID bits. */
    private final Cred cred;

    TmpFile(TmpNode node, Tmpfs.Reg inode, int flags, Cred cred) {
        this.node = node;
        this.fs = node.fs;
        this.inode = inode;
        this.cred = cred;
        this.flags = flags & ~(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_CLOEXEC);
        fs.opened(inode);
    }

    @Override
    public String guestPath() {
        return fs.nlink(inode) == 0 ? node.guest + " (deleted)" : node.guest;
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
        if (at >= 0) {
            return fs.read(inode, at, b, off, len);
        }
        synchronized (this) {
            int n = fs.read(inode, pos, b, off, len);
            pos += n;
            return n;
        }
    }

    @Override
    public int write(byte[] b, int off, int len, long at) throws ErrnoException {
        synchronized (this) {
            // O_APPEND writes at the end even for pwrite (Linux's generic_write_checks), which moves no offset.
            if ((flags & O_APPEND) != 0) {
                long[] end = new long[1];
                int n = fs.write(inode, Tmpfs.APPEND, b, off, len, cred, end);
                if (at < 0 && n > 0) {
                    pos = end[0];
                }
                return n;
            }
            long where = at >= 0 ? at : pos;
            int n = fs.write(inode, where, b, off, len, cred);
            if (at < 0) {
                pos = where + n;
            }
            return n;
        }
    }

    @Override
    public long seek(long offset, int whence) throws ErrnoException {
        if (whence == 3 || whence == 4) {
            synchronized (this) {
                long np = fs.seekData(inode, offset, whence == 4);
                pos = np;
                return np;
            }
        }
        return seekIn(offset, whence, fs.size(inode));
    }

    @Override
    public Stat stat() throws ErrnoException {
        return fs.stat(inode);
    }

    @Override
    public int available() {
        synchronized (this) {
            return (int) Math.max(0, Math.min(Integer.MAX_VALUE, fs.size(inode) - pos));
        }
    }

    @Override
    public void truncate(long length) throws ErrnoException {
        if (!canWrite()) {
            throw new ErrnoException(Errno.EINVAL);
        }
        fs.truncate(inode, length, cred);
    }

    @Override
    public Object lockKey() {
        return inode;
    }

    @Override
    public void allocate(int mode, long offset, long len) throws ErrnoException {
        // FALLOC_FL_KEEP_SIZE 1, FALLOC_FL_PUNCH_HOLE 2
        fs.allocate(inode, offset, len, (mode & 2) != 0, (mode & 1) != 0);
    }

    /** F_GET_SEALS. */
    public int seals() {
        return fs.seals(inode);
    }

    /** F_ADD_SEALS: EPERM unless open for writing. */
    public void addSeals(int seals) throws ErrnoException {
        if (!canWrite()) {
            throw new ErrnoException(Errno.EPERM);
        }
        fs.addSeals(inode, seals);
    }

    /** Whether a writable shared mapping is refused (F_SEAL_WRITE, F_SEAL_FUTURE_WRITE). */
    public boolean writeSealed() {
        return (fs.seals(inode) & (Tmpfs.F_SEAL_WRITE | Tmpfs.F_SEAL_FUTURE_WRITE)) != 0;
    }

    @Override
    public void sync(boolean metadata) {
    }

    @Override
    public boolean sharesPages() {
        return true;
    }

    @Override
    public PageSource pageSource() {
        // The mapping refers to the inode itself, which the garbage collector keeps while it is mapped.
        String name = node.guest;
        boolean writable = canWrite();
        return new PageSource() {
            @Override
            public int fill(long fileOffset, byte[] dst, int dstOff, int len) {
                return fs.readPage(inode, fileOffset, dst, dstOff, len);
            }

            @Override
            public String name() {
                return name;
            }

            @Override
            public Object sharedFile() {
                return inode;
            }

            @Override
            public byte[] sharedPage(long index) {
                return fs.sharedPage(inode, index);
            }

            @Override
            public boolean sharedWritable() {
                return writable;
            }
        };
    }

    @Override
    protected void release() {
        fs.closed(inode);
    }
}
