package dev.jkernel.fs;

import dev.jkernel.kernel.Errno;
import dev.jkernel.kernel.ErrnoException;
import dev.jkernel.kernel.Task;

import java.util.ArrayList;
import java.util.List;

/**
 * An open directory. A tmpfs directory's entries keep the offsets they got when added ({@link Node#readdir}), so a
 * position stays valid while entries are removed. Other directories are read from a snapshot of their entries, taken
 * when reading starts at offset 0; there the offset is the index of the next entry. Either way d_off values are
 * resumable cookies for lseek.
 */
public final class DirFile extends OpenFile {
    /** One entry getdents64 returns, with its d_off: the position after it. */
    public record Dirent(String name, long ino, int type, long next) {}

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

    /** Up to {@code max} entries from the current position, "." and ".." first; empty at the end. */
    public synchronized List<Dirent> next(int max) throws ErrnoException {
        List<Dirent> stable = node.readdir(opener, pos, max);
        if (stable != null) {
            return stable;
        }
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
        List<Dirent> out = new ArrayList<>();
        for (long i = pos; i < snapshot.size() && out.size() < max; i++) {
            DirEntry e = snapshot.get((int) i);
            out.add(new Dirent(e.name(), e.ino(), e.type(), i + 1));
        }
        return out;
    }

    /** The position getdents64 goes on from. */
    public synchronized long position() {
        return pos;
    }

    public synchronized void setPosition(long p) {
        pos = p;
    }

    @Override
    public Stat stat() throws ErrnoException {
        return node.fresh().stat(opener);
    }

    @Override
    public void sync(boolean metadata) {
    }
}
