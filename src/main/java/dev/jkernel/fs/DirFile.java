package dev.jkernel.fs;

import dev.jkernel.kernel.Errno;
import dev.jkernel.kernel.ErrnoException;
import dev.jkernel.kernel.Task;

import java.util.ArrayList;
import java.util.List;

/**
 * An open directory. getdents64 reads a snapshot of the entries taken when reading starts at offset 0; the offset is
 * the index of the next entry, so d_off values are resumable cookies for lseek.
 */
public final class DirFile extends OpenFile {
    private final Task opener;
    private List<DirEntry> snapshot;

    DirFile(Node node, int flags, Task opener) {
        this.node = node;
        this.flags = flags & ~(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_CLOEXEC);
        this.opener = opener;
    }

    @Override
    public boolean isDirectory() {
        return true;
    }

    @Override
    public int read(byte[] b, int off, int len, long at) throws ErrnoException {
        throw new ErrnoException(Errno.EISDIR);
    }

    @Override
    public int write(byte[] b, int off, int len, long at) throws ErrnoException {
        throw new ErrnoException(Errno.EISDIR);
    }

    @Override
    public boolean positional() {
        return true;
    }

    @Override
    public synchronized long seek(long offset, int whence) throws ErrnoException {
        long np = switch (whence) {
            case 0 -> offset;
            case 1 -> pos + offset;
            default -> throw new ErrnoException(Errno.EINVAL);
        };
        if (np < 0) {
            throw new ErrnoException(Errno.EINVAL);
        }
        if (np == 0) {
            snapshot = null;
        }
        pos = np;
        return np;
    }

    /** The current snapshot, taken anew when reading from the start. */
    @Override
    public synchronized List<DirEntry> entries() throws ErrnoException {
        if (snapshot == null || pos == 0) {
            List<DirEntry> l = new ArrayList<>();
            Stat self = node.stat(opener);
            long parentIno = self.ino();
            try {
                parentIno = node.parent(opener).stat(opener).ino();
            } catch (ErrnoException e) {
                // Keep "." 's inode.
            }
            l.add(new DirEntry(".", self.ino(), 4));
            l.add(new DirEntry("..", parentIno, 4));
            l.addAll(node.list(opener));
            snapshot = l;
        }
        return snapshot;
    }

    /** The index of the next entry getdents64 returns. */
    public synchronized long position() {
        return pos;
    }

    public synchronized void setPosition(long p) {
        pos = p;
    }

    @Override
    public Stat stat() throws ErrnoException {
        return (node instanceof HostNode h ? h.fresh() : node).stat(opener);
    }

    @Override
    public void sync(boolean metadata) {
    }
}
