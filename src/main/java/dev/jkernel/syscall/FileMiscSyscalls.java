package dev.jkernel.syscall;

import dev.jkernel.fs.OpenFile;
import dev.jkernel.fs.Stat;
import dev.jkernel.kernel.Errno;
import dev.jkernel.kernel.ErrnoException;
import dev.jkernel.kernel.FileLocks;
import dev.jkernel.kernel.Task;
import dev.jkernel.mm.GuestFault;

import static dev.jkernel.syscall.SyscallTable.Status.FULL;
import static dev.jkernel.syscall.SyscallTable.Status.PARTIAL;

/**
 * Smaller file syscalls: the write-back and read-ahead hints (fs/sync.c, mm/fadvise.c, mm/readahead.c), flock
 * (fs/locks.c), fallocate (fs/open.c's vfs_fallocate) and preadv2/pwritev2 (fs/read_write.c), with Linux's checks in
 * Linux's order.
 */
final class FileMiscSyscalls {
    private FileMiscSyscalls() {
    }

    static final int SYNC_FILE_RANGE_VALID = 1 | 2 | 4;
    static final int FALLOC_FL_KEEP_SIZE = 1, FALLOC_FL_PUNCH_HOLE = 2;
    /** The fallocate mode bits Linux knows (keep-size, punch, no-hide-stale, collapse, zero, insert, unshare). */
    static final int FALLOC_FL_KNOWN = 0x01 | 0x02 | 0x04 | 0x08 | 0x10 | 0x20 | 0x40;
    static final int RWF_HIPRI = 1, RWF_DSYNC = 2, RWF_SYNC = 4;

    static void register(SyscallTable.Builder b) {
        b.add("sync", (t, a0, a1, a2, a3, a4, a5) -> 0, FULL, "",
                "tmpfs has nothing to write back; host files are written through the JDK as they are written");
        b.add("syncfs", FileMiscSyscalls::syncfs, FULL, "fd");
        b.add("sync_file_range", FileMiscSyscalls::syncFileRange, FULL, "fd long long hex",
                "checks the arguments; host files are forced with fdatasync when SYNC_FILE_RANGE_WRITE is given");
        b.add("fadvise64", FileMiscSyscalls::fadvise64, FULL, "fd long long int", "advice is checked, then ignored");
        b.add("readahead", FileMiscSyscalls::readahead, FULL, "fd long size", "checked, then ignored");
        b.add("flock", FileMiscSyscalls::flock, FULL, "fd hex",
                "locks are this kernel's (its guests see each other's), never taken on the host file");
        b.add("fallocate", FileMiscSyscalls::fallocate, PARTIAL, "fd hex long long",
                "modes 0, FALLOC_FL_KEEP_SIZE and FALLOC_FL_PUNCH_HOLE|FALLOC_FL_KEEP_SIZE; other modes "
                        + "EOPNOTSUPP. On a host file mode 0 extends the size without reserving blocks, "
                        + "FALLOC_FL_KEEP_SIZE does nothing, and a punched range is overwritten with zeros");
        b.add("preadv2", (t, a0, a1, a2, a3, a4, a5) -> rw2(t, a0, a1, a2, a3, a5, false), PARTIAL,
                "fd iov_out:2 int long long hex",
                "RWF_HIPRI, RWF_DSYNC, RWF_SYNC accepted; RWF_NOWAIT and other flags are EOPNOTSUPP");
        b.add("pwritev2", (t, a0, a1, a2, a3, a4, a5) -> rw2(t, a0, a1, a2, a3, a5, true), PARTIAL,
                "fd iov_in:2 int long long hex",
                "RWF_HIPRI, RWF_DSYNC, RWF_SYNC accepted; RWF_NOWAIT, RWF_APPEND and other flags are EOPNOTSUPP");
    }

    private static int type(OpenFile f) throws ErrnoException {
        return f.stat().mode() & Stat.S_IFMT;
    }

    static long syncfs(Task t, long fd, long a1, long a2, long a3, long a4, long a5) throws ErrnoException {
        FileSyscalls.ioFile(t, fd);
        return 0;
    }

    static long syncFileRange(Task t, long fd, long offset, long nbytes, long flags, long a4, long a5)
            throws ErrnoException {
        OpenFile f = FileSyscalls.ioFile(t, fd);
        int fl = (int) flags;
        if ((fl & ~SYNC_FILE_RANGE_VALID) != 0) {
            return -Errno.EINVAL;
        }
        long end = offset + nbytes;
        if (offset < 0 || end < 0 || end < offset) {
            return -Errno.EINVAL;
        }
        int type = type(f);
        if (type != Stat.S_IFREG && type != Stat.S_IFBLK && type != Stat.S_IFDIR && type != Stat.S_IFLNK) {
            return -Errno.ESPIPE;
        }
        if ((fl & 2) != 0 && type == Stat.S_IFREG) {
            f.sync(false);
        }
        return 0;
    }

    static long fadvise64(Task t, long fd, long offset, long len, long advice, long a4, long a5)
            throws ErrnoException {
        OpenFile f = FileSyscalls.ioFile(t, fd);
        if (type(f) == Stat.S_IFIFO) {
            return -Errno.ESPIPE;
        }
        if (len < 0) {
            return -Errno.EINVAL;
        }
        // POSIX_FADV_NORMAL, RANDOM, SEQUENTIAL, WILLNEED, DONTNEED, NOREUSE
        return (int) advice >= 0 && (int) advice <= 5 ? 0 : -Errno.EINVAL;
    }

    static long readahead(Task t, long fd, long offset, long count, long a3, long a4, long a5)
            throws ErrnoException {
        OpenFile f = FileSyscalls.ioFile(t, fd);
        if (!f.canRead()) {
            return -Errno.EBADF;
        }
        int type = type(f);
        if (type != Stat.S_IFREG && type != Stat.S_IFBLK) {
            return -Errno.EINVAL;
        }
        return count < 0 ? -Errno.EINVAL : 0;
    }

    static long flock(Task t, long fd, long cmd, long a2, long a3, long a4, long a5) throws ErrnoException {
        OpenFile f = FileSyscalls.ioFile(t, fd);
        int c = (int) cmd;
        int op = c & ~FileLocks.LOCK_NB;
        if (op != FileLocks.LOCK_SH && op != FileLocks.LOCK_EX && op != FileLocks.LOCK_UN) {
            return -Errno.EINVAL;
        }
        return t.kernel().fileLocks().flock(t, f, op, (c & FileLocks.LOCK_NB) != 0);
    }

    static long fallocate(Task t, long fd, long modeArg, long offset, long len, long a4, long a5)
            throws ErrnoException {
        OpenFile f = FileSyscalls.ioFile(t, fd);
        int mode = (int) modeArg;
        if (offset < 0 || len <= 0) {
            return -Errno.EINVAL;
        }
        if ((mode & ~FALLOC_FL_KNOWN) != 0) {
            return -Errno.EOPNOTSUPP;
        }
        int kind = mode & ~FALLOC_FL_KEEP_SIZE;
        if (kind == FALLOC_FL_PUNCH_HOLE ? (mode & FALLOC_FL_KEEP_SIZE) == 0 : kind != 0) {
            return -Errno.EOPNOTSUPP;
        }
        if (!f.canWrite()) {
            return -Errno.EBADF;
        }
        int type = type(f);
        if (type == Stat.S_IFIFO) {
            return -Errno.ESPIPE;
        }
        if (type == Stat.S_IFDIR) {
            return -Errno.EISDIR;
        }
        if (type != Stat.S_IFREG && type != Stat.S_IFBLK) {
            return -Errno.ENODEV;
        }
        if (offset + len < 0) {
            return -Errno.EFBIG;
        }
        f.allocate(mode, offset, len);
        return 0;
    }

    static long rw2(Task t, long fd, long iov, long cnt, long pos, long flags, boolean write)
            throws GuestFault, ErrnoException {
        if (pos != -1 && pos < 0) {
            return -Errno.EINVAL;
        }
        if ((flags & ~(long) (RWF_HIPRI | RWF_DSYNC | RWF_SYNC)) != 0) {
            // Validate the descriptor first, as Linux does before looking at the flags.
            if (pos == -1) {
                FileSyscalls.takeIo(t, fd, write).decRef();
            } else {
                OpenFile f = FileSyscalls.ioFile(t, fd);
                if (!f.positional()) {
                    return -Errno.ESPIPE;
                }
                if (!(write ? f.canWrite() : f.canRead())) {
                    return -Errno.EBADF;
                }
            }
            return -Errno.EOPNOTSUPP;
        }
        if (pos == -1) {
            return write ? FileSyscalls.writev(t, fd, iov, cnt, 0, 0, 0) : FileSyscalls.readv(t, fd, iov, cnt, 0, 0, 0);
        }
        long r = write ? FileSyscalls.pwritev(t, fd, iov, cnt, pos, 0, 0)
                : FileSyscalls.preadv(t, fd, iov, cnt, pos, 0, 0);
        if (write && r > 0 && (flags & (RWF_DSYNC | RWF_SYNC)) != 0) {
            FileSyscalls.ioFile(t, fd).sync((flags & RWF_SYNC) != 0);
        }
        return r;
    }
}
