package dev.jkernel.fs;

import dev.jkernel.kernel.Errno;
import dev.jkernel.kernel.ErrnoException;
import dev.jkernel.mm.PageSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Set;

/** A regular file of the host (or another non-directory the host lets us open), read and written positionally. */
public final class HostFile extends OpenFile {
    private final FileChannel ch;
    private final Stat openStat;

    private HostFile(HostNode node, int flags, FileChannel ch, Stat openStat) {
        this.node = node;
        this.flags = flags;
        this.ch = ch;
        this.openStat = openStat;
    }

    /** Opens an existing host file; O_TRUNC truncates. */
    static HostFile open(HostNode node, int flags) throws ErrnoException {
        return open(node, flags, false);
    }

    /** Creates the host file (O_CREAT): EEXIST if it exists. The caller sets the mode. */
    public static HostFile create(HostNode node, int flags) throws ErrnoException {
        return open(node, flags, true);
    }

    private static HostFile open(HostNode node, int flags, boolean create) throws ErrnoException {
        Set<OpenOption> opts = new HashSet<>();
        int acc = flags & O_ACCMODE;
        if (acc != O_WRONLY) {
            opts.add(StandardOpenOption.READ);
        }
        if (acc != O_RDONLY) {
            opts.add(StandardOpenOption.WRITE);
            if ((flags & O_TRUNC) != 0) {
                opts.add(StandardOpenOption.TRUNCATE_EXISTING);
            }
        }
        if ((flags & O_DSYNC) != 0) {
            opts.add((flags & O_SYNC) == O_SYNC ? StandardOpenOption.SYNC : StandardOpenOption.DSYNC);
        }
        if (create) {
            opts.add(StandardOpenOption.CREATE_NEW);
            if (acc == O_RDONLY) {
                // The JDK creates only with write access; the guest still gets a read-only descriptor.
                opts.add(StandardOpenOption.WRITE);
            }
        }
        try {
            FileChannel ch = FileChannel.open(node.host, opts);
            Stat st;
            try {
                st = node.fresh().stat(null);
            } catch (ErrnoException e) {
                st = Stat.synthetic(0, 0, Stat.S_IFREG | 0600, 0, 0);
            }
            return new HostFile(node, flags & ~(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_CLOEXEC), ch, st);
        } catch (IOException | RuntimeException e) {
            int errno = IoErrors.errno(e);
            throw new ErrnoException(errno);
        }
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
    public int read(byte[] b, int off, int len, long at) throws ErrnoException {
        try {
            if (at >= 0) {
                return readAt(b, off, len, at);
            }
            synchronized (this) {
                int n = readAt(b, off, len, pos);
                pos += n;
                return n;
            }
        } catch (IOException | RuntimeException e) {
            throw IoErrors.of(e);
        }
    }

    private int readAt(byte[] b, int off, int len, long at) throws IOException {
        ByteBuffer bb = ByteBuffer.wrap(b, off, len);
        int total = 0;
        while (bb.hasRemaining()) {
            int n = ch.read(bb, at + total);
            if (n <= 0) {
                break;
            }
            total += n;
        }
        return total;
    }

    @Override
    public int write(byte[] b, int off, int len, long at) throws ErrnoException {
        try {
            synchronized (this) {
                boolean append = (flags & O_APPEND) != 0;
                long where = append ? ch.size() : at >= 0 ? at : pos;
                if (where + len < 0) {
                    throw new ErrnoException(Errno.EFBIG);
                }
                ByteBuffer bb = ByteBuffer.wrap(b, off, len);
                long p = where;
                while (bb.hasRemaining()) {
                    p += ch.write(bb, p);
                }
                if (at < 0) {
                    pos = p;
                }
                return len;
            }
        } catch (IOException | RuntimeException e) {
            throw IoErrors.of(e);
        }
    }

    @Override
    public long seek(long offset, int whence) throws ErrnoException {
        try {
            return seekIn(offset, whence, ch.size());
        } catch (IOException e) {
            throw IoErrors.of(e);
        }
    }

    @Override
    public Stat stat() throws ErrnoException {
        try {
            return ((HostNode) node).fresh().stat(null);
        } catch (ErrnoException e) {
            // Unlinked while open: what fstat still knows, with no links left.
            try {
                return openStat.withNlink(0).withSize(ch.size());
            } catch (IOException io) {
                return openStat.withNlink(0);
            }
        }
    }

    @Override
    public int available() throws ErrnoException {
        try {
            synchronized (this) {
                return (int) Math.max(0, Math.min(Integer.MAX_VALUE, ch.size() - pos));
            }
        } catch (IOException e) {
            throw IoErrors.of(e);
        }
    }

    @Override
    public void truncate(long length) throws ErrnoException {
        if (!canWrite()) {
            throw new ErrnoException(Errno.EINVAL);
        }
        try {
            long size = ch.size();
            if (length < size) {
                ch.truncate(length);
            } else if (length > size) {
                // FileChannel.truncate cannot grow a file: write its last byte (the rest stays a hole).
                ch.write(ByteBuffer.wrap(new byte[1]), length - 1);
            }
        } catch (IOException | RuntimeException e) {
            throw IoErrors.of(e);
        }
    }

    /** The host file's identity (device and inode, from the JDK's fileKey), else its path. */
    @Override
    public Object lockKey() {
        Path host = ((HostNode) node).host;
        try {
            Object k = java.nio.file.Files.readAttributes(host, java.nio.file.attribute.BasicFileAttributes.class)
                    .fileKey();
            if (k != null) {
                return k;
            }
        } catch (IOException | RuntimeException e) {
            // fall through: the path is the best identity left
        }
        return host.toAbsolutePath().normalize();
    }

    /**
     * fallocate: mode 0 extends the file to offset+len (the JDK cannot reserve blocks: the new part is a hole);
     * FALLOC_FL_KEEP_SIZE does nothing; a punched hole is written over with zeros (no portable JDK call frees the
     * blocks: reads see the hole, st_blocks does not shrink).
     */
    @Override
    public void allocate(int mode, long offset, long len) throws ErrnoException {
        try {
            if ((mode & 2) != 0) {
                long end = Math.min(offset + len, ch.size());
                byte[] zeros = new byte[(int) Math.min(64 << 10, Math.max(0, end - offset))];
                for (long p = offset; p < end; ) {
                    int k = (int) Math.min(zeros.length, end - p);
                    p += ch.write(ByteBuffer.wrap(zeros, 0, k), p);
                }
                return;
            }
            if ((mode & 1) != 0) {
                return;
            }
            if (offset + len > ch.size()) {
                ch.write(ByteBuffer.wrap(new byte[1]), offset + len - 1);
            }
        } catch (IOException | RuntimeException e) {
            throw IoErrors.of(e);
        }
    }

    @Override
    public void sync(boolean metadata) throws ErrnoException {
        try {
            ch.force(metadata);
        } catch (IOException | RuntimeException e) {
            throw IoErrors.of(e);
        }
    }

    @Override
    public PageSource pageSource() {
        // The mapping keeps the file open, as a VMA holds its struct file.
        incRef();
        String name = guestPath();
        return new PageSource() {
            @Override
            public int fill(long fileOffset, byte[] dst, int dstOff, int len) throws IOException {
                return readAt(dst, dstOff, len, fileOffset);
            }

            @Override
            public String name() {
                return name;
            }
        };
    }

    @Override
    protected void release() {
        try {
            ch.close();
        } catch (IOException e) {
            // Nothing to tell: close(2) has already succeeded for the guest.
        }
    }
}
