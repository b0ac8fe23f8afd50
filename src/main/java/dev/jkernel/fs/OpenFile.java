package dev.jkernel.fs;

import dev.jkernel.kernel.Errno;
import dev.jkernel.kernel.ErrnoException;
import dev.jkernel.kernel.Task;
import dev.jkernel.kernel.WaitQueue;
import dev.jkernel.mm.GuestFault;
import dev.jkernel.mm.PageSource;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An open file description (Linux's struct file): shared by every descriptor dup'ed or inherited from the one that
 * opened it, with one file offset and one set of status flags. Reference counted: the last {@link #decRef()} releases
 * the host resources.
 */
public abstract class OpenFile {
    public static final int O_ACCMODE = 3, O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_CREAT = 0100, O_EXCL = 0200,
            O_NOCTTY = 0400, O_TRUNC = 01000, O_APPEND = 02000, O_NONBLOCK = 04000, O_DSYNC = 010000,
            O_ASYNC = 020000, O_DIRECT = 040000, O_LARGEFILE = 0100000, O_DIRECTORY = 0200000,
            O_NOFOLLOW = 0400000, O_NOATIME = 01000000, O_CLOEXEC = 02000000, O_SYNC = 04010000,
            O_PATH = 010000000, O_TMPFILE = 020000000;
    /**
     * Not an open(2) flag: execve's open of the program (Linux's __FMODE_EXEC), which needs execute permission, not
     * read permission. Never kept in {@link #flags}.
     */
    public static final int FMODE_EXEC = 1 << 29;

    /** open(2) flags as given, access mode in the low two bits (O_RDONLY 0, O_WRONLY 1, O_RDWR 2). */
    public int flags;

    /** The node this was opened from (for fchdir, *at() with a dirfd, /proc/self/fd); null for stdio streams. */
    protected Node node;

    /** The file offset; guarded by this. */
    protected long pos;

    private final AtomicInteger refs = new AtomicInteger(1);

    /** Whether writable MAP_SHARED mappings can share the file's own pages (tmpfs); else they are ENODEV. */
    public boolean sharesPages() {
        return false;
    }

    /** What mmap reads pages from, or null if the file cannot be mapped (mmap answers ENODEV). */
    public PageSource pageSource() {
        return null;
    }

    public Node node() {
        return node;
    }

    /** What /proc/self/fd/N reads as. */
    public String guestPath() {
        return node != null ? node.guest : "anon_inode:[unknown]";
    }

    public final void incRef() {
        refs.incrementAndGet();
    }

    /** Drops one reference; the last releases the host resources. */
    public final void decRef() {
        if (refs.decrementAndGet() == 0) {
            Runnable r = lastClose;
            if (r != null) {
                r.run();
            }
            release();
        }
    }

    /** Run when the last reference goes, before {@link #release} (drops the description's flock). */
    private volatile Runnable lastClose;

    public final void setLastClose(Runnable r) {
        lastClose = r;
    }

    /**
     * What identifies the file for flock(2) (Linux keys locks by inode): descriptions with equal keys lock the same
     * file. By default the description itself.
     */
    public Object lockKey() {
        return this;
    }

    /**
     * fallocate(2) on a regular file, after the syscall's checks: mode is 0, FALLOC_FL_KEEP_SIZE, or
     * FALLOC_FL_PUNCH_HOLE|FALLOC_FL_KEEP_SIZE. EOPNOTSUPP unless the file system supports it.
     */
    public void allocate(int mode, long offset, long len) throws ErrnoException {
        throw new ErrnoException(Errno.EOPNOTSUPP);
    }

    /** Whether the last reference has gone (epoll drops such files from its interest lists). */
    public final boolean isReleased() {
        return refs.get() <= 0;
    }

    /** Called once, when the last reference goes. */
    protected void release() {
    }

    public boolean isPath() {
        return (flags & O_PATH) != 0;
    }

    public boolean canRead() {
        int m = flags & O_ACCMODE;
        return !isPath() && (m == O_RDONLY || m == O_RDWR);
    }

    public boolean canWrite() {
        int m = flags & O_ACCMODE;
        return !isPath() && (m == O_WRONLY || m == O_RDWR);
    }

    public boolean isDirectory() {
        return false;
    }

    /**
     * True for files where a read returns what is there now rather than filling the whole buffer (terminals, pipes,
     * devices): read and readv stop after the first transfer that returns data.
     */
    public boolean isStream() {
        return true;
    }

    /** Reads at {@code at}, or at the file offset (advancing it) when {@code at < 0}. Returns 0 at end of file. */
    public int read(byte[] b, int off, int len, long at) throws ErrnoException {
        throw new ErrnoException(Errno.EINVAL);
    }

    /** Writes at {@code at}, or at the file offset (advancing it) when {@code at < 0}. */
    public int write(byte[] b, int off, int len, long at) throws ErrnoException {
        throw new ErrnoException(Errno.EINVAL);
    }

    /**
     * read(2) on behalf of a task, which may sleep in it (pipes): the syscall layer calls this one. Files that never
     * block need not override it.
     */
    public int read(Task t, byte[] b, int off, int len, long at) throws ErrnoException {
        return read(b, off, len, at);
    }

    /** write(2) on behalf of a task, which may sleep in it (pipes); as {@link #read(Task, byte[], int, int, long)}. */
    public int write(Task t, byte[] b, int off, int len, long at) throws ErrnoException {
        return write(b, off, len, at);
    }

    // poll(2) event bits (asm-generic/poll.h)
    public static final int POLLIN = 0x1, POLLPRI = 0x2, POLLOUT = 0x4, POLLERR = 0x8, POLLHUP = 0x10,
            POLLNVAL = 0x20, POLLRDNORM = 0x40, POLLRDBAND = 0x80, POLLWRNORM = 0x100, POLLWRBAND = 0x200;
    /** What a file without a poll operation reports (Linux's DEFAULT_POLLMASK): always readable and writable. */
    public static final int DEFAULT_POLLMASK = POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;

    /** The poll events that hold now (f_op->poll without the wait-queue part). */
    public int poll() {
        return DEFAULT_POLLMASK;
    }

    /** poll as seen by task t: files whose readiness depends on the poller (a signalfd) override this. */
    public int poll(Task t) {
        return poll();
    }

    /**
     * The queue woken whenever {@link #poll()}'s answer may change, for poll/select to sleep on; null when it never
     * changes by itself (see {@link #pollNeedsRecheck()} for files that cannot tell).
     */
    public WaitQueue pollQueue() {
        return null;
    }

    /**
     * Whether poll's answer can change without anybody waking {@link #pollQueue()} (host streams): a sleeping poller
     * then looks again every few milliseconds.
     */
    public boolean pollNeedsRecheck() {
        return false;
    }

    /** Whether pread/pwrite work (else ESPIPE). */
    public boolean positional() {
        return false;
    }

    public long seek(long offset, int whence) throws ErrnoException {
        throw new ErrnoException(Errno.ESPIPE);
    }

    public abstract Stat stat() throws ErrnoException;

    /** The directory's entries for getdents64, "." and ".." first. */
    public List<DirEntry> entries() throws ErrnoException {
        throw new ErrnoException(Errno.ENOTDIR);
    }

    /** ioctl(2): answers -ENOTTY by default. */
    public long ioctl(Task t, int request, long arg) throws GuestFault, ErrnoException {
        return -Errno.ENOTTY;
    }

    /** FIONREAD: bytes readable without blocking. */
    public int available() throws ErrnoException {
        return -Errno.ENOTTY;
    }

    public void truncate(long length) throws ErrnoException {
        throw new ErrnoException(Errno.EINVAL);
    }

    public void sync(boolean metadata) throws ErrnoException {
        throw new ErrnoException(Errno.EINVAL);
    }

    /** One directory entry: name, inode number, d_type. */
    public record DirEntry(String name, long ino, int type) {}

    /** d_type from a mode's file type. */
    public static int dtype(int mode) {
        return switch (mode & Stat.S_IFMT) {
            case Stat.S_IFIFO -> 1;
            case Stat.S_IFCHR -> 2;
            case Stat.S_IFDIR -> 4;
            case Stat.S_IFBLK -> 6;
            case Stat.S_IFREG -> 8;
            case Stat.S_IFLNK -> 10;
            case Stat.S_IFSOCK -> 12;
            default -> 0;
        };
    }

    /** Position arithmetic shared by the seekable files: SEEK_SET, SEEK_CUR, SEEK_END, SEEK_DATA, SEEK_HOLE. */
    protected long seekIn(long offset, int whence, long size) throws ErrnoException {
        synchronized (this) {
            long np;
            switch (whence) {
                case 0 -> np = offset;
                case 1 -> {
                    np = pos + offset;
                    if (((pos ^ np) & (offset ^ np)) < 0) {
                        throw new ErrnoException(Errno.EOVERFLOW);
                    }
                }
                case 2 -> {
                    np = size + offset;
                    if (((size ^ np) & (offset ^ np)) < 0) {
                        throw new ErrnoException(Errno.EOVERFLOW);
                    }
                }
                case 3, 4 -> {
                    // Files without holes: all data up to the end, one hole at the end.
                    if (offset < 0 || offset >= size) {
                        throw new ErrnoException(Errno.ENXIO);
                    }
                    np = whence == 3 ? offset : size;
                }
                default -> throw new ErrnoException(Errno.EINVAL);
            }
            if (np < 0) {
                throw new ErrnoException(Errno.EINVAL);
            }
            pos = np;
            return np;
        }
    }
}
