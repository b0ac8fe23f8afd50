package dev.jkernel.fs;

import dev.jkernel.kernel.Errno;
import dev.jkernel.kernel.ErrnoException;

/** An O_PATH descriptor: names a file for fstat, fchdir and the *at() calls; no I/O (EBADF). */
public final class PathFile extends OpenFile {
    PathFile(Node node, int flags) {
        this.node = node;
        this.flags = flags & (O_PATH | O_DIRECTORY | O_NOFOLLOW | O_LARGEFILE);
    }

    @Override
    public boolean isDirectory() {
        try {
            return node.isDir();
        } catch (ErrnoException e) {
            return false;
        }
    }

    @Override
    public long seek(long offset, int whence) throws ErrnoException {
        throw new ErrnoException(Errno.EBADF);
    }

    @Override
    public Stat stat() throws ErrnoException {
        return node.fresh().stat(null);
    }

    @Override
    public void sync(boolean metadata) throws ErrnoException {
        throw new ErrnoException(Errno.EBADF);
    }
}
