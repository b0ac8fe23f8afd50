package dev.jkernel.syscall;

import dev.jkernel.fs.Cred;
import dev.jkernel.fs.DirFile;
import dev.jkernel.fs.FdTable;
import dev.jkernel.fs.HostFile;
import dev.jkernel.fs.Mount;
import dev.jkernel.fs.Node;
import dev.jkernel.fs.OpenFile;
import dev.jkernel.fs.PipeFile;
import dev.jkernel.fs.Stat;
import dev.jkernel.fs.StatFs;
import dev.jkernel.fs.StreamFile;
import dev.jkernel.fs.TmpFile;
import dev.jkernel.fs.Tmpfs;
import dev.jkernel.fs.Vfs;
import dev.jkernel.kernel.Errno;
import dev.jkernel.kernel.ErrnoException;
import dev.jkernel.kernel.Task;
import dev.jkernel.mm.AddressSpace;
import dev.jkernel.mm.GuestFault;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static dev.jkernel.fs.OpenFile.*;
import static dev.jkernel.syscall.SyscallTable.Status.FULL;
import static dev.jkernel.syscall.SyscallTable.Status.PARTIAL;

/**
 * The file syscalls (Linux's fs/read_write.c, open.c, namei.c, stat.c, fcntl.c, ioctl.c, readdir.c ...), with
 * Linux's argument checks in Linux's order, so that errno values match.
 */
public final class FileSyscalls implements SyscallTable.Family {
    static final int AT_FDCWD = -100, AT_SYMLINK_NOFOLLOW = 0x100, AT_REMOVEDIR = 0x200, AT_EACCESS = 0x200,
            AT_SYMLINK_FOLLOW = 0x400, AT_NO_AUTOMOUNT = 0x800, AT_EMPTY_PATH = 0x1000, AT_STATX_SYNC_TYPE = 0x6000;
    /** The most one read or write transfers: INT_MAX rounded down to a page. */
    static final long MAX_RW_COUNT = 0x7ffff000L;
    static final int IOV_MAX = 1024;
    private static final int CHUNK = 64 << 10;

    @Override
    public void register(SyscallTable.Builder b) {
        b.add("read", FileSyscalls::read, FULL, "fd buf_out:2 size");
        b.add("write", FileSyscalls::write, FULL, "fd buf_in:2 size");
        b.add("readv", FileSyscalls::readv, FULL, "fd iov_out:2 int");
        b.add("writev", FileSyscalls::writev, FULL, "fd iov_in:2 int");
        b.add("pread64", FileSyscalls::pread64, FULL, "fd buf_out:2 size long");
        b.add("pwrite64", FileSyscalls::pwrite64, FULL, "fd buf_in:2 size long");
        b.add("preadv", FileSyscalls::preadv, FULL, "fd iov_out:2 int long long");
        b.add("pwritev", FileSyscalls::pwritev, FULL, "fd iov_in:2 int long long");
        b.add("openat", FileSyscalls::openat, PARTIAL, "dirfd path oflags mode",
                "O_TMPFILE is EOPNOTSUPP; a FIFO on the host file system is ENXIO (a tmpfs's FIFOs work); "
                        + "O_RDONLY|O_TRUNC does not truncate a host file (it does in a tmpfs)");
        b.add("close", FileSyscalls::close, FULL, "fd");
        b.add("close_range", FileSyscalls::closeRange, FULL, "uint uint hex",
                "CLOSE_RANGE_UNSHARE accepted: the table is not shared with other tasks");
        b.add("lseek", FileSyscalls::lseek, FULL, "fd long whence",
                "SEEK_DATA/SEEK_HOLE see host files as without holes (a tmpfs's holes are its missing pages)");
        b.add("fstat", FileSyscalls::fstat, PARTIAL, "fd struct",
                "st_blocks of a host file is estimated from st_size");
        b.add("newfstatat", FileSyscalls::newfstatat, PARTIAL, "dirfd path struct atflags",
                "st_blocks of a host file is estimated from st_size");
        b.add("statx", FileSyscalls::statx, PARTIAL, "dirfd path atflags hex struct",
                "reports STATX_BASIC_STATS only (no btime, mount id, attributes)");
        b.add("readlinkat", FileSyscalls::readlinkat, FULL, "dirfd path ptr size");
        b.add("getdents64", FileSyscalls::getdents64, FULL, "fd ptr size",
                "a tmpfs directory's offsets stay valid while entries are removed; a host directory's entries are a "
                        + "snapshot taken when reading starts at offset 0");
        b.add("faccessat", (t, a0, a1, a2, a3, a4, a5) -> faccessat2(t, a0, a1, a2, 0, 0, 0), FULL,
                "dirfd path int", "host files: checks with the host's real credentials; tmpfs: the task's");
        b.add("faccessat2", FileSyscalls::faccessat2, FULL, "dirfd path int atflags",
                "AT_EACCESS is the same check: jkernel's real and effective ids are equal");
        b.add("getcwd", FileSyscalls::getcwd, FULL, "ptr size");
        b.add("chdir", FileSyscalls::chdir, FULL, "path");
        b.add("fchdir", FileSyscalls::fchdir, FULL, "fd");
        b.add("mkdirat", FileSyscalls::mkdirat, FULL, "dirfd path mode");
        b.add("mknodat", FileSyscalls::mknodat, PARTIAL, "dirfd path mode hex",
                "FIFOs, sockets and whiteouts in a tmpfs; device nodes need root (EPERM otherwise); on the host file "
                        + "system only regular files (anything else EPERM: the JDK cannot make FIFOs)");
        b.add("unlinkat", FileSyscalls::unlinkat, FULL, "dirfd path atflags");
        b.add("renameat2", FileSyscalls::renameat2, PARTIAL, "dirfd path dirfd path hex",
                "RENAME_WHITEOUT is EINVAL; on host files RENAME_EXCHANGE is EINVAL and RENAME_NOREPLACE is checked, "
                        + "then renamed (not atomic)");
        b.add("symlinkat", FileSyscalls::symlinkat, PARTIAL, "str dirfd path",
                "a host symlink's target text is normalised by the JDK (repeated and trailing slashes dropped)");
        b.add("linkat", FileSyscalls::linkat, FULL, "dirfd path dirfd path atflags");
        b.add("fchmod", FileSyscalls::fchmod, FULL, "fd mode");
        b.add("fchmodat", FileSyscalls::fchmodat, FULL, "dirfd path mode");
        b.add("fchownat", FileSyscalls::fchownat, FULL, "dirfd path int int atflags",
                "host files: the host decides (EPERM unless jkernel runs as root or the ids are unchanged); tmpfs: "
                        + "Linux's chown rules for the task's ids");
        b.add("fchown", FileSyscalls::fchown, FULL, "fd int int");
        b.add("utimensat", FileSyscalls::utimensat, FULL, "dirfd path ptr atflags");
        b.add("truncate", FileSyscalls::truncate, FULL, "path long");
        b.add("ftruncate", FileSyscalls::ftruncate, FULL, "fd long");
        b.add("fsync", (t, a0, a1, a2, a3, a4, a5) -> fsync(t, a0, true), FULL, "fd");
        b.add("fdatasync", (t, a0, a1, a2, a3, a4, a5) -> fsync(t, a0, false), FULL, "fd");
        b.add("dup", FileSyscalls::dup, FULL, "fd");
        b.add("dup3", FileSyscalls::dup3, FULL, "fd int oflags");
        b.add("fcntl", FileSyscalls::fcntl, PARTIAL, "fd fcntlcmd hex",
                "record locks always succeed (one process); F_SETOWN/F_GETOWN, leases not supported; seals on tmpfs "
                        + "files (memfd_create)");
        b.add("memfd_create", FileSyscalls::memfdCreate, PARTIAL, "path hex",
                "a tmpfs file with no name; MFD_HUGETLB is EINVAL (no hugetlbfs); F_SEAL_WRITE does not look for "
                        + "writable shared mappings made before it (Linux: EBUSY), F_SEAL_FUTURE_WRITE does not stop "
                        + "mprotect from making an existing shared mapping writable, F_SEAL_EXEC does not stop chmod; "
                        + "vm.memfd_noexec is 0");
        b.add("pipe2", FileSyscalls::pipe2, PARTIAL, "ptr oflags",
                "O_NOTIFICATION_PIPE is ENOPKG (no watch queues)");
        PollSyscalls.register(b);
        FileMiscSyscalls.register(b);
        EpollSyscalls.register(b);
        b.add("ioctl", FileSyscalls::ioctl, PARTIAL, "fd ioctlreq hex",
                "FIOCLEX, FIONCLEX, FIONBIO, FIOASYNC, FIONREAD; terminal ioctls on tty stdio (TCGETS, TCSETS*, "
                        + "TIOCGWINSZ, TIOCSWINSZ, TIOCGPGRP ...)");
        b.add("umask", FileSyscalls::umask, FULL, "mode");
        b.add("statfs", FileSyscalls::statfs, PARTIAL, "path struct",
                "f_fsid is 0; for host files f_files and f_ffree are 0 and f_type comes from the JDK's file-store "
                        + "type name");
        b.add("fstatfs", FileSyscalls::fstatfs, PARTIAL, "fd struct", "as statfs");
        b.add("sendfile", FileSyscalls::sendfile, FULL, "fd fd ptr size");
        b.add("copy_file_range", FileSyscalls::copyFileRange, PARTIAL, "fd ptr fd ptr size uint",
                "copies through the JVM; overlapping ranges in one file are not refused");
    }

    // ------------------------------------------------------------------------------------------------------------
    // Helpers
    // ------------------------------------------------------------------------------------------------------------

    static ErrnoException err(int errno) {
        return new ErrnoException(errno);
    }

    /** The open file at fd (O_PATH descriptors included), else EBADF. */
    static OpenFile file(Task t, long fd) throws ErrnoException {
        OpenFile f = t.files().get((int) fd);
        if (f == null) {
            throw err(Errno.EBADF);
        }
        return f;
    }

    /** As {@link #file}, but O_PATH descriptors are EBADF (Linux's fdget for I/O). */
    static OpenFile ioFile(Task t, long fd) throws ErrnoException {
        OpenFile f = file(t, fd);
        if (f.isPath()) {
            throw err(Errno.EBADF);
        }
        return f;
    }

    /** A path argument: EFAULT, ENAMETOOLONG (no NUL within PATH_MAX), ENOENT for "". */
    static String path(Task t, long addr) throws GuestFault, ErrnoException {
        String s = t.mm().readCString(addr, Vfs.PATH_MAX);
        if (s == null) {
            throw err(Errno.ENAMETOOLONG);
        }
        return s;
    }

    /** Linux's access_ok: the range lies in user space. */
    static boolean accessOk(long addr, long len) {
        return len == 0 || (addr >= 0 && len > 0 && addr + len > addr && addr + len <= AddressSpace.TASK_SIZE);
    }

    static Vfs vfs(Task t) {
        return t.kernel().vfs();
    }

    /** The directory a relative path starts from: the cwd for AT_FDCWD, else dirfd's directory. */
    static Node startDir(Task t, int dirfd) throws ErrnoException {
        if (dirfd == AT_FDCWD) {
            return vfs(t).cwdNode(t, t.fs());
        }
        OpenFile f = file(t, dirfd);
        Node n = f.node();
        if (n == null || !n.isDir()) {
            throw err(Errno.ENOTDIR);
        }
        return n;
    }

    static Node lookupAt(Task t, int dirfd, String path, boolean follow) throws ErrnoException {
        Vfs.checkPath(path);
        Node start = path.startsWith("/") ? null : startDir(t, dirfd);
        return vfs(t).lookup(t, start, path, follow);
    }

    static Node existingAt(Task t, int dirfd, String path, boolean follow) throws ErrnoException {
        Node n = lookupAt(t, dirfd, path, follow);
        if (!n.exists()) {
            throw err(Errno.ENOENT);
        }
        return n;
    }

    /** The last component of a path as written ("" for "/"), for the "." and ".." checks of rmdir and rename. */
    static String lastComponent(String path) {
        String[] parts = path.split("/");
        for (int i = parts.length - 1; i >= 0; i--) {
            if (!parts[i].isEmpty()) {
                return parts[i];
            }
        }
        return "";
    }

    /** EROFS when m is mounted read-only (mnt_want_write). */
    static void writable(Mount m) throws ErrnoException {
        Vfs.checkWritable(m);
    }

    /** The mount of the directory holding n's name. */
    static Mount dirMount(Task t, Node n) {
        return vfs(t).dirMount(n);
    }

    // ------------------------------------------------------------------------------------------------------------
    // read / write and friends
    // ------------------------------------------------------------------------------------------------------------

    /**
     * A position in a list of user segments (address, length pairs), as Linux's iov_iter: reads gather from it and
     * writes scatter to it across segment boundaries, so that one transfer to a file sees the whole request (a
     * writev of at most PIPE_BUF bytes reaches a pipe as one atomic write; a readv from a pipe fills every segment).
     */
    static final class Segments {
        private final long[] segs;
        private int i;
        private long off;

        Segments(long[] segs) {
            this.segs = segs;
        }

        long total() {
            long n = 0;
            for (int k = 1; k < segs.length; k += 2) {
                n += segs[k];
            }
            return n;
        }

        /** Moves n bytes on. */
        void advance(long n) {
            while (n > 0 && i < segs.length) {
                long step = Math.min(n, segs[i + 1] - off);
                off += step;
                n -= step;
                if (off == segs[i + 1]) {
                    i += 2;
                    off = 0;
                }
            }
            while (i < segs.length && segs[i + 1] == off) {
                i += 2;
                off = 0;
            }
        }

        /** How many of the next n bytes lie in writable pages (stops at the first page that is not). */
        int probeWrite(AddressSpace mm, int n) {
            int ok = 0;
            int k = i;
            long o = off;
            while (ok < n && k < segs.length) {
                long addr = segs[k] + o;
                int len = (int) Math.min(n - ok, segs[k + 1] - o);
                long end = addr + len;
                for (long a = addr; a < end; a = (a & ~AddressSpace.PAGE_MASK) + AddressSpace.PAGE_SIZE) {
                    try {
                        mm.faultIn(a, GuestFault.WRITE);
                    } catch (GuestFault e) {
                        return ok + (int) (a - addr);
                    }
                }
                ok += len;
                k += 2;
                o = 0;
            }
            return ok;
        }

        /** Copies the next n bytes of buf into the segments (not advancing). */
        void scatter(AddressSpace mm, byte[] buf, int n) throws GuestFault {
            int done = 0;
            int k = i;
            long o = off;
            while (done < n) {
                int len = (int) Math.min(n - done, segs[k + 1] - o);
                mm.write(segs[k] + o, buf, done, len);
                done += len;
                k += 2;
                o = 0;
            }
        }

        /** Copies up to n bytes from the segments into buf (not advancing): fewer if a page faults. */
        int gather(AddressSpace mm, byte[] buf, int n) {
            int done = 0;
            int k = i;
            long o = off;
            while (done < n && k < segs.length) {
                long addr = segs[k] + o;
                int len = (int) Math.min(n - done, segs[k + 1] - o);
                try {
                    mm.read(addr, buf, done, len);
                } catch (GuestFault e) {
                    // Take what lies before the faulting page.
                    long a = addr;
                    while (a < addr + len) {
                        int piece = (int) Math.min(addr + len - a, AddressSpace.PAGE_SIZE - (a & AddressSpace.PAGE_MASK));
                        try {
                            mm.read(a, buf, done + (int) (a - addr), piece);
                        } catch (GuestFault f) {
                            return done + (int) (a - addr);
                        }
                        a += piece;
                    }
                    return done + len;
                }
                done += len;
                k += 2;
                o = 0;
            }
            return done;
        }
    }

    /**
     * Reads into the segments (address, length pairs) from the file, at {@code at} or the file offset. Stops at end
     * of file, after the first data from a stream, or at a fault (returning what was transferred, or EFAULT). May
     * sleep (pipes): an interrupted read with nothing read is -ERESTARTSYS.
     */
    static long doRead(Task t, OpenFile f, long[] segs, long at) throws ErrnoException {
        Segments sg = new Segments(segs);
        long want = Math.min(sg.total(), MAX_RW_COUNT);
        sg.advance(0);
        long total = 0;
        long p = at;
        byte[] buf = null;
        while (total < want) {
            int n = (int) Math.min(want - total, CHUNK);
            n = sg.probeWrite(t.mm(), n);
            if (n == 0) {
                if (total > 0) {
                    return total;
                }
                throw err(Errno.EFAULT);
            }
            if (buf == null || buf.length < n) {
                buf = new byte[n];
            }
            int got;
            try {
                got = f.read(t, buf, 0, n, p);
            } catch (ErrnoException e) {
                if (total > 0) {
                    return total;
                }
                throw e;
            }
            try {
                sg.scatter(t.mm(), buf, got);
            } catch (GuestFault e) {
                return total > 0 ? total : -Errno.EFAULT;
            }
            sg.advance(got);
            total += got;
            if (p >= 0) {
                p += got;
            }
            if (got < n || f.isStream()) {
                return total;
            }
        }
        return total;
    }

    /**
     * Writes the segments to the file, at {@code at} or the file offset, in transfers of up to 64 KiB gathered across
     * segments. May sleep (pipes); stops at a short write or a fault, returning what was written.
     */
    static long doWrite(Task t, OpenFile f, long[] segs, long at) throws ErrnoException {
        Segments sg = new Segments(segs);
        long want = Math.min(sg.total(), MAX_RW_COUNT);
        sg.advance(0);
        long total = 0;
        long p = at;
        byte[] buf = null;
        while (total < want) {
            int n = (int) Math.min(want - total, CHUNK);
            if (buf == null || buf.length < n) {
                buf = new byte[n];
            }
            int got = sg.gather(t.mm(), buf, n);
            if (got == 0) {
                if (total > 0) {
                    return total;
                }
                throw err(Errno.EFAULT);
            }
            int put;
            try {
                put = f.write(t, buf, 0, got, p);
            } catch (ErrnoException e) {
                if (total > 0) {
                    return total;
                }
                throw e;
            }
            sg.advance(put);
            total += put;
            if (p >= 0) {
                p += put;
            }
            if (put < got) {
                return total;
            }
        }
        return total;
    }

    static OpenFile readable(Task t, long fd) throws ErrnoException {
        OpenFile f = ioFile(t, fd);
        if (!f.canRead()) {
            throw err(Errno.EBADF);
        }
        return f;
    }

    static OpenFile writable(Task t, long fd) throws ErrnoException {
        OpenFile f = ioFile(t, fd);
        if (!f.canWrite()) {
            throw err(Errno.EBADF);
        }
        return f;
    }

    /**
     * The file at fd for a read or write that may sleep, with a reference held (drop it with decRef) so that a close
     * by another thread cannot release it meanwhile (Linux's fdget): EBADF if not open, O_PATH, or lacking the
     * access mode.
     */
    static OpenFile takeIo(Task t, long fd, boolean write) throws ErrnoException {
        OpenFile f = t.files().take((int) fd);
        if (f == null) {
            throw err(Errno.EBADF);
        }
        if (f.isPath() || !(write ? f.canWrite() : f.canRead())) {
            f.decRef();
            throw err(Errno.EBADF);
        }
        return f;
    }

    static long read(Task t, long fd, long buf, long count, long a3, long a4, long a5) throws ErrnoException {
        OpenFile f = takeIo(t, fd, false);
        try {
            if (!accessOk(buf, count)) {
                return -Errno.EFAULT;
            }
            return doRead(t, f, new long[] {buf, Math.min(count, MAX_RW_COUNT)}, -1);
        } finally {
            f.decRef();
        }
    }

    static long write(Task t, long fd, long buf, long count, long a3, long a4, long a5) throws ErrnoException {
        OpenFile f = takeIo(t, fd, true);
        try {
            if (!accessOk(buf, count)) {
                return -Errno.EFAULT;
            }
            return doWrite(t, f, new long[] {buf, Math.min(count, MAX_RW_COUNT)}, -1);
        } finally {
            f.decRef();
        }
    }

    static long pread64(Task t, long fd, long buf, long count, long pos, long a4, long a5) throws ErrnoException {
        if (pos < 0) {
            return -Errno.EINVAL;
        }
        OpenFile f = ioFile(t, fd);
        if (!f.positional()) {
            return -Errno.ESPIPE;
        }
        if (!f.canRead()) {
            return -Errno.EBADF;
        }
        if (!accessOk(buf, count)) {
            return -Errno.EFAULT;
        }
        return doRead(t, f, new long[] {buf, Math.min(count, MAX_RW_COUNT)}, pos);
    }

    static long pwrite64(Task t, long fd, long buf, long count, long pos, long a4, long a5) throws ErrnoException {
        if (pos < 0) {
            return -Errno.EINVAL;
        }
        OpenFile f = ioFile(t, fd);
        if (!f.positional()) {
            return -Errno.ESPIPE;
        }
        if (!f.canWrite()) {
            return -Errno.EBADF;
        }
        if (!accessOk(buf, count)) {
            return -Errno.EFAULT;
        }
        return doWrite(t, f, new long[] {buf, Math.min(count, MAX_RW_COUNT)}, pos);
    }

    /** Reads an iovec array: EINVAL for a bad count or a negative length, EFAULT for a bad array or buffer. */
    static long[] iovecs(Task t, long iov, long cnt) throws GuestFault, ErrnoException {
        if (cnt < 0 || cnt > IOV_MAX) {
            throw err(Errno.EINVAL);
        }
        int n = (int) cnt;
        if (n == 0) {
            return new long[0];
        }
        byte[] raw = t.mm().read(iov, 16 * n);
        long[] segs = new long[2 * n];
        long total = 0;
        for (int i = 0; i < n; i++) {
            long base = le(raw, 16 * i);
            long len = le(raw, 16 * i + 8);
            if (len < 0) {
                throw err(Errno.EINVAL);
            }
            if (!accessOk(base, len)) {
                throw err(Errno.EFAULT);
            }
            if (len > MAX_RW_COUNT - total) {
                len = MAX_RW_COUNT - total;
            }
            total += len;
            segs[2 * i] = base;
            segs[2 * i + 1] = len;
        }
        return segs;
    }

    static long le(byte[] b, int off) {
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = (v << 8) | (b[off + i] & 0xff);
        }
        return v;
    }

    static long readv(Task t, long fd, long iov, long cnt, long a3, long a4, long a5)
            throws GuestFault, ErrnoException {
        OpenFile f = takeIo(t, fd, false);
        try {
            return doRead(t, f, iovecs(t, iov, cnt), -1);
        } finally {
            f.decRef();
        }
    }

    static long writev(Task t, long fd, long iov, long cnt, long a3, long a4, long a5)
            throws GuestFault, ErrnoException {
        OpenFile f = takeIo(t, fd, true);
        try {
            return doWrite(t, f, iovecs(t, iov, cnt), -1);
        } finally {
            f.decRef();
        }
    }

    static long preadv(Task t, long fd, long iov, long cnt, long pos, long posHigh, long a5)
            throws GuestFault, ErrnoException {
        if (pos < 0) {
            return -Errno.EINVAL;
        }
        OpenFile f = ioFile(t, fd);
        if (!f.positional()) {
            return -Errno.ESPIPE;
        }
        if (!f.canRead()) {
            return -Errno.EBADF;
        }
        return doRead(t, f, iovecs(t, iov, cnt), pos);
    }

    static long pwritev(Task t, long fd, long iov, long cnt, long pos, long posHigh, long a5)
            throws GuestFault, ErrnoException {
        if (pos < 0) {
            return -Errno.EINVAL;
        }
        OpenFile f = ioFile(t, fd);
        if (!f.positional()) {
            return -Errno.ESPIPE;
        }
        if (!f.canWrite()) {
            return -Errno.EBADF;
        }
        return doWrite(t, f, iovecs(t, iov, cnt), pos);
    }

    static long lseek(Task t, long fd, long offset, long whence, long a3, long a4, long a5) throws ErrnoException {
        OpenFile f = ioFile(t, fd);
        int w = (int) whence;
        if (w < 0 || w > 4 || whence != (w & 0xffffffffL)) {
            return -Errno.EINVAL;
        }
        return f.seek(offset, w);
    }

    // ------------------------------------------------------------------------------------------------------------
    // open / close / dup
    // ------------------------------------------------------------------------------------------------------------

    static long openat(Task t, long dirfd, long pathAddr, long flagsArg, long modeArg, long a4, long a5)
            throws GuestFault, ErrnoException {
        // Unknown bits are dropped, as Linux's build_open_flags does (and FMODE_EXEC is the kernel's own).
        int flags = (int) flagsArg & ~FMODE_EXEC;
        int mode = (int) modeArg;
        String path = path(t, pathAddr);
        if ((flags & O_TMPFILE) == O_TMPFILE) {
            return -Errno.EOPNOTSUPP;
        }
        if ((flags & O_PATH) != 0) {
            flags &= O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
        }
        boolean creat = (flags & O_CREAT) != 0;
        boolean excl = creat && (flags & O_EXCL) != 0;
        boolean follow = (flags & O_NOFOLLOW) == 0 && !excl;
        Node n = lookupAt(t, (int) dirfd, path, follow);
        OpenFile f = null;
        if (!n.exists()) {
            if (!creat) {
                return -Errno.ENOENT;
            }
            if (path.endsWith("/")) {
                return -Errno.EISDIR;
            }
            if ((flags & O_DIRECTORY) != 0) {
                // Linux refuses O_CREAT|O_DIRECTORY outright since 6.4.
                return -Errno.EINVAL;
            }
            writable(dirMount(t, n));
            try {
                f = n.create(Cred.of(t), flags, mode & 07777 & ~t.fs().umask);
            } catch (ErrnoException e) {
                if (e.errno != Errno.EEXIST || excl) {
                    throw e;
                }
                // Another task created it meanwhile: open what is there now.
                n = lookupAt(t, (int) dirfd, path, follow);
                if (!n.exists()) {
                    throw e;
                }
            }
        }
        if (f == null) {
            if (excl) {
                return -Errno.EEXIST;
            }
            if (n.isSymlink()) {
                if ((flags & O_PATH) == 0) {
                    return -Errno.ELOOP;
                }
            } else if ((flags & O_DIRECTORY) != 0 && !n.isDir()) {
                return -Errno.ENOTDIR;
            }
            if (n.isDir() && (flags & O_PATH) == 0 && ((flags & O_ACCMODE) != O_RDONLY || creat)) {
                return -Errno.EISDIR;
            }
            if (((flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC) != 0) && (flags & O_PATH) == 0) {
                if (n.type() == Stat.S_IFREG) {
                    writable(n.mount());
                }
                checkNotRunning(t, n);
            }
            f = n.open(t, flags);
        }
        if (f.node() != null) {
            f.flags |= O_LARGEFILE;
        }
        return t.files().install(f, (flags & O_CLOEXEC) != 0);
    }

    /** ETXTBSY: the program the task runs is not writable (its pages are read from the file as they are touched). */
    static void checkNotRunning(Task t, Node n) throws ErrnoException {
        Node exe = t.mm().exeNode();
        if (exe != null && n.sameFile(exe)) {
            throw err(Errno.ETXTBSY);
        }
    }

    static long close(Task t, long fd, long a1, long a2, long a3, long a4, long a5) {
        return t.files().close((int) fd) ? 0 : -Errno.EBADF;
    }

    static long closeRange(Task t, long first, long last, long flags, long a3, long a4, long a5) {
        long f = first & 0xffffffffL;
        long l = last & 0xffffffffL;
        if ((flags & ~6L) != 0 || f > l) {
            return -Errno.EINVAL;
        }
        t.files().closeRange(f, l, (flags & 4) != 0);
        return 0;
    }

    static long dup(Task t, long fd, long a1, long a2, long a3, long a4, long a5) throws ErrnoException {
        OpenFile f = t.files().take((int) fd);
        if (f == null) {
            return -Errno.EBADF;
        }
        return t.files().install(f, false);
    }

    static long dup3(Task t, long oldfd, long newfd, long flags, long a3, long a4, long a5) {
        if ((flags & ~(long) O_CLOEXEC) != 0) {
            return -Errno.EINVAL;
        }
        if ((int) oldfd == (int) newfd) {
            return -Errno.EINVAL;
        }
        int nfd = (int) newfd;
        FdTable files = t.files();
        if (nfd < 0 || nfd >= files.limit()) {
            return -Errno.EBADF;
        }
        OpenFile f = files.take((int) oldfd);
        if (f == null) {
            return -Errno.EBADF;
        }
        files.installAt(nfd, f, (flags & O_CLOEXEC) != 0);
        return nfd;
    }

    /**
     * pipe2 (fs/pipe.c do_pipe2): both files and descriptors are made first, then the pair is stored; a fault there
     * closes both (EFAULT). Flags: O_CLOEXEC, O_NONBLOCK, O_DIRECT (packet mode); anything else EINVAL.
     */
    static long pipe2(Task t, long fdsAddr, long flagsArg, long a2, long a3, long a4, long a5) {
        int flags = (int) flagsArg;
        final int O_NOTIFICATION_PIPE = O_EXCL;
        if ((flags & ~(O_CLOEXEC | O_NONBLOCK | O_DIRECT | O_NOTIFICATION_PIPE)) != 0) {
            return -Errno.EINVAL;
        }
        if ((flags & O_NOTIFICATION_PIPE) != 0) {
            // A kernel built without CONFIG_WATCH_QUEUE.
            return -Errno.ENOPKG;
        }
        PipeFile[] ends = PipeFile.create(t, flags);
        boolean cloexec = (flags & O_CLOEXEC) != 0;
        FdTable files = t.files();
        int rfd = files.install(ends[0], cloexec);
        if (rfd < 0) {
            ends[1].decRef();
            return rfd;
        }
        int wfd = files.install(ends[1], cloexec);
        if (wfd < 0) {
            files.close(rfd);
            return wfd;
        }
        byte[] b = new byte[8];
        for (int i = 0; i < 4; i++) {
            b[i] = (byte) (rfd >>> (8 * i));
            b[4 + i] = (byte) (wfd >>> (8 * i));
        }
        try {
            t.mm().write(fdsAddr, b);
        } catch (GuestFault e) {
            files.close(rfd);
            files.close(wfd);
            return -Errno.EFAULT;
        }
        return 0;
    }

    static final int F_DUPFD = 0, F_GETFD = 1, F_SETFD = 2, F_GETFL = 3, F_SETFL = 4, F_GETLK = 5, F_SETLK = 6,
            F_SETLKW = 7, F_SETOWN = 8, F_GETOWN = 9, F_OFD_GETLK = 36, F_OFD_SETLK = 37, F_OFD_SETLKW = 38,
            F_DUPFD_CLOEXEC = 1030, F_SETPIPE_SZ = 1031, F_GETPIPE_SZ = 1032,
            F_ADD_SEALS = 1033, F_GET_SEALS = 1034;

    // memfd_create flags (uapi/linux/memfd.h)
    static final int MFD_CLOEXEC = 1, MFD_ALLOW_SEALING = 2, MFD_HUGETLB = 4, MFD_NOEXEC_SEAL = 8, MFD_EXEC = 0x10;
    static final int MFD_ALL_FLAGS = MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_HUGETLB | MFD_NOEXEC_SEAL | MFD_EXEC;
    /** MFD_HUGE_MASK << MFD_HUGE_SHIFT: a huge page size, with MFD_HUGETLB. */
    static final int MFD_HUGE_BITS = 0x3f << 26;
    /** NAME_MAX minus the length of "memfd:". */
    static final int MFD_NAME_MAX_LEN = 249;

    /** memfd_create(name, flags) (Linux's mm/memfd.c): an unnamed tmpfs file, open read-write. */
    static long memfdCreate(Task t, long nameAddr, long flagsArg, long a2, long a3, long a4, long a5)
            throws GuestFault, ErrnoException {
        long allowed = (flagsArg & MFD_HUGETLB) != 0 ? MFD_ALL_FLAGS | (MFD_HUGE_BITS & 0xffffffffL) : MFD_ALL_FLAGS;
        if ((flagsArg & ~allowed) != 0) {
            return -Errno.EINVAL;
        }
        int flags = (int) flagsArg;
        if ((flags & MFD_EXEC) != 0 && (flags & MFD_NOEXEC_SEAL) != 0) {
            return -Errno.EINVAL;
        }
        String name = t.mm().readCString(nameAddr, MFD_NAME_MAX_LEN + 1);
        if (name == null) {
            return -Errno.EINVAL;
        }
        if ((flags & MFD_HUGETLB) != 0) {
            return -Errno.EINVAL; // no hugetlbfs
        }
        int mode = 0777;
        int seals = Tmpfs.F_SEAL_SEAL;
        if ((flags & MFD_NOEXEC_SEAL) != 0) {
            mode &= ~0111;
            seals = Tmpfs.F_SEAL_EXEC;
        } else if ((flags & MFD_ALLOW_SEALING) != 0) {
            seals = 0;
        }
        OpenFile f = vfs(t).memfd(Cred.of(t), name, mode, seals);
        return t.files().install(f, (flags & MFD_CLOEXEC) != 0);
    }
    static final int SETFL_MASK = O_APPEND | O_NONBLOCK | O_ASYNC | O_DIRECT | O_NOATIME;

    static long fcntl(Task t, long fd, long cmd, long arg, long a3, long a4, long a5)
            throws GuestFault, ErrnoException {
        OpenFile f = file(t, fd);
        int c = (int) cmd;
        FdTable files = t.files();
        switch (c) {
            case F_DUPFD, F_DUPFD_CLOEXEC -> {
                if (arg < 0 || arg >= files.limit()) {
                    return -Errno.EINVAL;
                }
                OpenFile g = files.take((int) fd);
                if (g == null) {
                    return -Errno.EBADF;
                }
                return files.installFrom((int) arg, g, c == F_DUPFD_CLOEXEC);
            }
            case F_GETFD -> {
                return files.isCloexec((int) fd) ? 1 : 0;
            }
            case F_SETFD -> {
                files.setCloexec((int) fd, (arg & 1) != 0);
                return 0;
            }
            case F_GETFL -> {
                return f.flags & ~O_CLOEXEC;
            }
            default -> {
            }
        }
        if (f.isPath()) {
            return -Errno.EBADF;
        }
        switch (c) {
            case F_SETFL -> {
                synchronized (f) {
                    f.flags = (f.flags & ~SETFL_MASK) | ((int) arg & SETFL_MASK);
                }
                return 0;
            }
            case F_GETLK, F_SETLK, F_SETLKW, F_OFD_GETLK, F_OFD_SETLK, F_OFD_SETLKW -> {
                byte[] fl = t.mm().read(arg, 32);
                int type = (short) ((fl[0] & 0xff) | (fl[1] & 0xff) << 8);
                int whence = (short) ((fl[2] & 0xff) | (fl[3] & 0xff) << 8);
                int pid = (int) (le(fl, 24) & 0xffffffffL);
                boolean ofd = c >= F_OFD_GETLK && c <= F_OFD_SETLKW;
                if (type < 0 || type > 2 || whence < 0 || whence > 2 || (ofd && pid != 0)) {
                    return -Errno.EINVAL;
                }
                if (c == F_GETLK || c == F_OFD_GETLK) {
                    // Nobody else holds locks: the lock could be placed.
                    fl[0] = 2;
                    fl[1] = 0;
                    t.mm().write(arg, fl);
                    return 0;
                }
                if ((type == 0 && !f.canRead()) || (type == 1 && !f.canWrite())) {
                    return -Errno.EBADF;
                }
                return 0;
            }
            case F_GETOWN -> {
                return 0;
            }
            case F_ADD_SEALS, F_GET_SEALS -> {
                if (!(f instanceof TmpFile tf)) {
                    return -Errno.EINVAL;
                }
                if (c == F_GET_SEALS) {
                    return tf.seals();
                }
                tf.addSeals((int) arg);
                return 0;
            }
            case F_GETPIPE_SZ, F_SETPIPE_SZ -> {
                if (!(f instanceof PipeFile p)) {
                    return -Errno.EBADF;
                }
                // CAP_SYS_RESOURCE: jkernel's guests run as the host user; root may exceed pipe-max-size.
                return c == F_GETPIPE_SZ ? p.pipe().capacity() : p.pipe().setSize((int) arg, t.uid == 0);
            }
            default -> {
                return -Errno.EINVAL;
            }
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // stat family
    // ------------------------------------------------------------------------------------------------------------

    /** The stat of dirfd itself (AT_EMPTY_PATH). */
    static Stat statFd(Task t, int dirfd) throws ErrnoException {
        if (dirfd == AT_FDCWD) {
            return vfs(t).cwdNode(t, t.fs()).stat(t);
        }
        return file(t, dirfd).stat();
    }

    static Stat statAt(Task t, int dirfd, long pathAddr, int flags) throws GuestFault, ErrnoException {
        if (pathAddr == 0 && (flags & AT_EMPTY_PATH) != 0) {
            return statFd(t, dirfd);
        }
        String path = path(t, pathAddr);
        if (path.isEmpty() && (flags & AT_EMPTY_PATH) != 0) {
            return statFd(t, dirfd);
        }
        return existingAt(t, dirfd, path, (flags & AT_SYMLINK_NOFOLLOW) == 0).stat(t);
    }

    static long fstat(Task t, long fd, long buf, long a2, long a3, long a4, long a5)
            throws GuestFault, ErrnoException {
        Stat s = file(t, fd).stat();
        s.writeStat(t.mm(), buf);
        return 0;
    }

    static long newfstatat(Task t, long dirfd, long path, long buf, long flags, long a4, long a5)
            throws GuestFault, ErrnoException {
        int fl = (int) flags;
        if ((fl & ~(AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH)) != 0) {
            return -Errno.EINVAL;
        }
        Stat s = statAt(t, (int) dirfd, path, fl);
        s.writeStat(t.mm(), buf);
        return 0;
    }

    static long statx(Task t, long dirfd, long path, long flags, long mask, long buf, long a5)
            throws GuestFault, ErrnoException {
        int fl = (int) flags;
        if ((fl & ~(AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH | AT_STATX_SYNC_TYPE)) != 0
                || (fl & AT_STATX_SYNC_TYPE) == AT_STATX_SYNC_TYPE || (mask & 0x80000000L) != 0) {
            return -Errno.EINVAL;
        }
        Stat s = statAt(t, (int) dirfd, path, fl);
        t.mm().write(buf, s.toStatx());
        return 0;
    }

    static long readlinkat(Task t, long dirfd, long pathAddr, long buf, long size, long a4, long a5)
            throws GuestFault, ErrnoException {
        int n = (int) size;
        if (n <= 0) {
            return -Errno.EINVAL;
        }
        String path = path(t, pathAddr);
        Node node;
        if (path.isEmpty()) {
            // Linux reads the link an O_PATH|O_NOFOLLOW descriptor names.
            if ((int) dirfd == AT_FDCWD) {
                return -Errno.ENOENT;
            }
            node = file(t, dirfd).node();
            if (node == null || !node.isSymlink()) {
                return -Errno.ENOENT;
            }
        } else {
            node = existingAt(t, (int) dirfd, path, false);
        }
        byte[] target = node.readlink(t).getBytes(StandardCharsets.UTF_8);
        int len = Math.min(n, target.length);
        t.mm().write(buf, target, 0, len);
        return len;
    }

    static long getdents64(Task t, long fd, long dirp, long count, long a3, long a4, long a5)
            throws GuestFault, ErrnoException {
        OpenFile f = ioFile(t, fd);
        if (!(f instanceof DirFile d)) {
            return -Errno.ENOTDIR;
        }
        long cnt = count & 0xffffffffL;
        if (!accessOk(dirp, cnt)) {
            return -Errno.EFAULT;
        }
        synchronized (d) {
            int max = (int) Math.min(cnt, 1 << 20);
            // The smallest record is 24 bytes: ask for no more entries than can fit.
            List<DirFile.Dirent> entries = d.next(max / 24 + 1);
            byte[] out = new byte[Math.min(max, 64 << 10)];
            int used = 0;
            long pos = d.position();
            for (DirFile.Dirent e : entries) {
                byte[] name = e.name().getBytes(StandardCharsets.UTF_8);
                int reclen = (19 + name.length + 1 + 7) & ~7;
                if (used + reclen > max) {
                    if (used == 0) {
                        return -Errno.EINVAL;
                    }
                    break;
                }
                if (used + reclen > out.length) {
                    out = java.util.Arrays.copyOf(out, Math.min(max, Math.max(out.length * 2, used + reclen)));
                }
                putLE(out, used, e.ino(), 8);
                putLE(out, used + 8, e.next(), 8);
                putLE(out, used + 16, reclen, 2);
                out[used + 18] = (byte) e.type();
                System.arraycopy(name, 0, out, used + 19, name.length);
                for (int i = used + 19 + name.length; i < used + reclen; i++) {
                    out[i] = 0;
                }
                used += reclen;
                pos = e.next();
            }
            if (used > 0) {
                t.mm().write(dirp, out, 0, used);
            }
            d.setPosition(pos);
            return used;
        }
    }

    static void putLE(byte[] b, int off, long v, int size) {
        for (int i = 0; i < size; i++) {
            b[off + i] = (byte) (v >>> (8 * i));
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Names: access, cwd, mkdir, unlink, rename, links
    // ------------------------------------------------------------------------------------------------------------

    static long faccessat2(Task t, long dirfd, long pathAddr, long mode, long flags, long a4, long a5)
            throws GuestFault, ErrnoException {
        if ((mode & ~7L) != 0) {
            return -Errno.EINVAL;
        }
        int fl = (int) flags;
        if ((fl & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) != 0) {
            return -Errno.EINVAL;
        }
        String path = path(t, pathAddr);
        Node n;
        if (path.isEmpty() && (fl & AT_EMPTY_PATH) != 0) {
            n = (int) dirfd == AT_FDCWD ? vfs(t).cwdNode(t, t.fs()) : file(t, dirfd).node();
            if (n == null) {
                return 0;
            }
        } else {
            n = existingAt(t, (int) dirfd, path, (fl & AT_SYMLINK_NOFOLLOW) == 0);
        }
        if (n.isSymlink()) {
            return 0;
        }
        n.checkAccess(t, (int) mode);
        int type = n.type();
        if ((mode & 2) != 0 && (type == Stat.S_IFREG || type == Stat.S_IFDIR)) {
            writable(n.mount());
        }
        return 0;
    }

    static long getcwd(Task t, long buf, long size, long a2, long a3, long a4, long a5)
            throws GuestFault, ErrnoException {
        Node cwd = vfs(t).cwdNode(t, t.fs());
        if (cwd.isDeleted()) {
            return -Errno.ENOENT;
        }
        byte[] p = cwd.currentPath().getBytes(StandardCharsets.UTF_8);
        if (Long.compareUnsigned(size, p.length + 1) < 0) {
            return -Errno.ERANGE;
        }
        byte[] out = java.util.Arrays.copyOf(p, p.length + 1);
        t.mm().write(buf, out);
        return out.length;
    }

    static long chdir(Task t, long pathAddr, long a1, long a2, long a3, long a4, long a5)
            throws GuestFault, ErrnoException {
        Node n = existingAt(t, AT_FDCWD, path(t, pathAddr), true);
        if (!n.isDir()) {
            return -Errno.ENOTDIR;
        }
        n.checkAccess(t, 1);
        t.fs().setCwd(n);
        return 0;
    }

    static long fchdir(Task t, long fd, long a1, long a2, long a3, long a4, long a5) throws ErrnoException {
        Node n = file(t, fd).node();
        if (n == null || !n.isDir()) {
            return -Errno.ENOTDIR;
        }
        n.checkAccess(t, 1);
        t.fs().setCwd(n);
        return 0;
    }

    static long mkdirat(Task t, long dirfd, long pathAddr, long mode, long a3, long a4, long a5)
            throws GuestFault, ErrnoException {
        Node n = lookupAt(t, (int) dirfd, path(t, pathAddr), false);
        if (n.exists()) {
            return -Errno.EEXIST;
        }
        writable(dirMount(t, n));
        n.mkdir(Cred.of(t), (int) mode & 01777 & ~t.fs().umask);
        return 0;
    }

    /**
     * do_mknodat: the type first (a directory EPERM, an unknown type EINVAL), then the name (EEXIST; a trailing slash
     * on a missing name ENOENT), the mount (EROFS), then the file system (EACCES, then EPERM for a device node
     * without CAP_MKNOD). Type 0 or S_IFREG makes a regular file, as open(O_CREAT|O_EXCL) would.
     */
    static long mknodat(Task t, long dirfd, long pathAddr, long modeArg, long devArg, long a4, long a5)
            throws GuestFault, ErrnoException {
        int mode = (int) modeArg;
        int type = mode & Stat.S_IFMT;
        switch (type) {
            case 0, Stat.S_IFREG, Stat.S_IFCHR, Stat.S_IFBLK, Stat.S_IFIFO, Stat.S_IFSOCK -> {
            }
            case Stat.S_IFDIR -> {
                return -Errno.EPERM;
            }
            default -> {
                return -Errno.EINVAL;
            }
        }
        String path = path(t, pathAddr);
        // filename_create: the last component is looked up as it is, whatever slashes follow it.
        String name = path;
        while (name.length() > 1 && name.endsWith("/")) {
            name = name.substring(0, name.length() - 1);
        }
        Vfs.checkPath(path);
        Node n = lookupAt(t, (int) dirfd, name, false);
        if (n.exists()) {
            return -Errno.EEXIST;
        }
        if (!name.equals(path)) {
            return -Errno.ENOENT;
        }
        writable(dirMount(t, n));
        int perm = mode & 07777 & ~t.fs().umask;
        Cred c = Cred.of(t);
        if (type == 0 || type == Stat.S_IFREG) {
            n.create(c, O_RDONLY, perm).decRef();
            return 0;
        }
        long rdev = 0;
        if (type == Stat.S_IFCHR || type == Stat.S_IFBLK) {
            // new_decode_dev: the 32-bit encoding, 12 bits of major and 20 of minor.
            long dev = devArg & 0xffffffffL;
            rdev = Stat.makedev((dev & 0xfff00) >> 8, (dev & 0xff) | ((dev >> 12) & 0xfff00));
        }
        n.mknod(c, type | perm, rdev, true);
        return 0;
    }

    static long unlinkat(Task t, long dirfd, long pathAddr, long flags, long a3, long a4, long a5)
            throws GuestFault, ErrnoException {
        if ((flags & ~(long) AT_REMOVEDIR) != 0) {
            return -Errno.EINVAL;
        }
        String path = path(t, pathAddr);
        boolean rmdir = (flags & AT_REMOVEDIR) != 0;
        Vfs.checkPath(path);
        String last = lastComponent(path);
        Node n = lookupAt(t, (int) dirfd, path, false);
        // do_rmdir/do_unlinkat: the kind of last component, then the mount, then the name itself.
        if (rmdir) {
            if (last.equals(".")) {
                return -Errno.EINVAL;
            }
            if (last.equals("..")) {
                return -Errno.ENOTEMPTY;
            }
            if (n.guest.equals("/")) {
                return -Errno.EBUSY;
            }
        } else if (last.isEmpty() || last.equals(".") || last.equals("..")) {
            return -Errno.EISDIR;
        }
        writable(dirMount(t, n));
        if (!n.exists()) {
            return -Errno.ENOENT;
        }
        if (rmdir) {
            if (!n.isDir()) {
                return -Errno.ENOTDIR;
            }
            if (vfs(t).isMountRoot(n)) {
                return -Errno.EBUSY;
            }
            n.rmdir(Cred.of(t));
        } else {
            if (n.isDir()) {
                return -Errno.EISDIR;
            }
            n.unlink(Cred.of(t));
        }
        return 0;
    }

    static final int RENAME_NOREPLACE = 1, RENAME_EXCHANGE = 2, RENAME_WHITEOUT = 4;

    static long renameat2(Task t, long olddirfd, long oldAddr, long newdirfd, long newAddr, long flags, long a5)
            throws GuestFault, ErrnoException {
        int fl = (int) flags;
        if ((flags & ~7L) != 0 || ((fl & RENAME_NOREPLACE) != 0 && (fl & RENAME_EXCHANGE) != 0)
                || ((fl & RENAME_WHITEOUT) != 0 && (fl & RENAME_EXCHANGE) != 0)) {
            return -Errno.EINVAL;
        }
        String oldPath = path(t, oldAddr);
        String newPath = path(t, newAddr);
        Node from = lookupAt(t, (int) olddirfd, oldPath, false);
        Node to = lookupAt(t, (int) newdirfd, newPath, false);
        String ol = lastComponent(oldPath);
        String nl = lastComponent(newPath);
        if (ol.equals(".") || ol.equals("..") || nl.equals(".") || nl.equals("..") || ol.isEmpty()
                || nl.isEmpty()) {
            return -Errno.EBUSY;
        }
        if ((fl & RENAME_WHITEOUT) != 0) {
            return -Errno.EINVAL;
        }
        Mount m = dirMount(t, from);
        if (m != dirMount(t, to) || m == null) {
            return -Errno.EXDEV;
        }
        writable(m);
        if (!from.exists()) {
            return -Errno.ENOENT;
        }
        if ((fl & RENAME_NOREPLACE) != 0 && to.exists()) {
            return -Errno.EEXIST;
        }
        if ((fl & RENAME_EXCHANGE) != 0) {
            if (!to.exists()) {
                return -Errno.ENOENT;
            }
            if (!to.isDir() && newPath.endsWith("/")) {
                return -Errno.ENOTDIR;
            }
        }
        if (!from.isDir() && (oldPath.endsWith("/") || ((fl & RENAME_EXCHANGE) == 0 && newPath.endsWith("/")))) {
            return -Errno.ENOTDIR;
        }
        if (vfs(t).isMountRoot(from) || (to.exists() && vfs(t).isMountRoot(to)) || vfs(t).hasMountBelow(from)
                || (to.exists() && vfs(t).hasMountBelow(to))) {
            // Mounts stay where they are: a directory holding one does not move (Linux would move the mount).
            return -Errno.EBUSY;
        }
        from.rename(Cred.of(t), to, fl & (RENAME_NOREPLACE | RENAME_EXCHANGE));
        return 0;
    }

    static long symlinkat(Task t, long targetAddr, long dirfd, long pathAddr, long a3, long a4, long a5)
            throws GuestFault, ErrnoException {
        String target = path(t, targetAddr);
        String path = path(t, pathAddr);
        if (target.isEmpty()) {
            return -Errno.ENOENT;
        }
        Node n = lookupAt(t, (int) dirfd, path, false);
        if (n.exists()) {
            return -Errno.EEXIST;
        }
        writable(dirMount(t, n));
        n.symlink(Cred.of(t), target);
        return 0;
    }

    static long linkat(Task t, long olddirfd, long oldAddr, long newdirfd, long newAddr, long flags, long a5)
            throws GuestFault, ErrnoException {
        int fl = (int) flags;
        if ((fl & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH)) != 0) {
            return -Errno.EINVAL;
        }
        String oldPath = path(t, oldAddr);
        String newPath = path(t, newAddr);
        Node from;
        if (oldPath.isEmpty() && (fl & AT_EMPTY_PATH) != 0) {
            from = file(t, olddirfd).node();
            if (from == null) {
                return -Errno.ENOENT;
            }
        } else {
            from = existingAt(t, (int) olddirfd, oldPath, (fl & AT_SYMLINK_FOLLOW) != 0);
        }
        Node to = lookupAt(t, (int) newdirfd, newPath, false);
        if (to.exists()) {
            return -Errno.EEXIST;
        }
        Mount m = dirMount(t, to);
        writable(m);
        if (from.mount() != m || m == null) {
            return -Errno.EXDEV;
        }
        if (from.isDir()) {
            return -Errno.EPERM;
        }
        to.link(Cred.of(t), from);
        return 0;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Attributes
    // ------------------------------------------------------------------------------------------------------------

    static long fchmod(Task t, long fd, long mode, long a2, long a3, long a4, long a5) throws ErrnoException {
        OpenFile f = ioFile(t, fd);
        return chmod(t, f.node(), (int) mode);
    }

    static long chmod(Task t, Node n, int mode) throws ErrnoException {
        if (n == null) {
            return -Errno.EPERM;
        }
        writable(n.mount());
        n.chmod(Cred.of(t), mode & 07777);
        return 0;
    }

    static long fchmodat(Task t, long dirfd, long pathAddr, long mode, long a3, long a4, long a5)
            throws GuestFault, ErrnoException {
        Node n = existingAt(t, (int) dirfd, path(t, pathAddr), true);
        return chmod(t, n, (int) mode);
    }

    static long chown(Task t, Node n, int uid, int gid) throws ErrnoException {
        if (n == null) {
            return -Errno.EPERM;
        }
        writable(n.mount());
        n.chown(Cred.of(t), uid, gid);
        return 0;
    }

    static long fchownat(Task t, long dirfd, long pathAddr, long uid, long gid, long flags, long a5)
            throws GuestFault, ErrnoException {
        int fl = (int) flags;
        if ((fl & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) != 0) {
            return -Errno.EINVAL;
        }
        String path = path(t, pathAddr);
        Node n;
        if (path.isEmpty() && (fl & AT_EMPTY_PATH) != 0) {
            n = (int) dirfd == AT_FDCWD ? vfs(t).cwdNode(t, t.fs()) : file(t, dirfd).node();
        } else {
            n = existingAt(t, (int) dirfd, path, (fl & AT_SYMLINK_NOFOLLOW) == 0);
        }
        return chown(t, n, (int) uid, (int) gid);
    }

    static long fchown(Task t, long fd, long uid, long gid, long a3, long a4, long a5) throws ErrnoException {
        OpenFile f = ioFile(t, fd);
        return chown(t, f.node(), (int) uid, (int) gid);
    }

    static final long UTIME_NOW = Node.UTIME_NOW, UTIME_OMIT = Node.UTIME_OMIT;

    static long utimensat(Task t, long dirfd, long pathAddr, long times, long flags, long a4, long a5)
            throws GuestFault, ErrnoException {
        long[] ts = {0, UTIME_NOW, 0, UTIME_NOW};
        if (times != 0) {
            byte[] raw = t.mm().read(times, 32);
            int omitted = 0;
            for (int i = 0; i < 2; i++) {
                long sec = le(raw, 16 * i);
                long nsec = le(raw, 16 * i + 8);
                if (nsec == UTIME_OMIT) {
                    omitted++;
                } else if (nsec != UTIME_NOW && (nsec < 0 || nsec > 999_999_999L)) {
                    return -Errno.EINVAL;
                }
                ts[2 * i] = sec;
                ts[2 * i + 1] = nsec;
            }
            if (omitted == 2) {
                return (flags & ~(long) (AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) != 0 ? -Errno.EINVAL : 0;
            }
        }
        int fl = (int) flags;
        if ((fl & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) != 0) {
            return -Errno.EINVAL;
        }
        Node n;
        boolean follow = (fl & AT_SYMLINK_NOFOLLOW) == 0;
        if (pathAddr == 0 && (int) dirfd != AT_FDCWD) {
            n = file(t, dirfd).node();
        } else {
            String path = path(t, pathAddr);
            if (path.isEmpty() && (fl & AT_EMPTY_PATH) != 0) {
                n = (int) dirfd == AT_FDCWD ? vfs(t).cwdNode(t, t.fs()) : file(t, dirfd).node();
            } else {
                n = existingAt(t, (int) dirfd, path, follow);
            }
        }
        if (n == null || !n.inFileSystem()) {
            // Devices and stdio: nothing to record.
            return 0;
        }
        writable(n.mount());
        n.setTimes(Cred.of(t), ts[0], ts[1], ts[2], ts[3]);
        return 0;
    }

    static long truncate(Task t, long pathAddr, long length, long a2, long a3, long a4, long a5)
            throws GuestFault, ErrnoException {
        String path = path(t, pathAddr);
        if (length < 0) {
            return -Errno.EINVAL;
        }
        Node n = existingAt(t, AT_FDCWD, path, true);
        if (n.isDir()) {
            return -Errno.EISDIR;
        }
        if (!n.inFileSystem() || n.type() != Stat.S_IFREG) {
            return -Errno.EINVAL;
        }
        writable(n.mount());
        OpenFile f = n.open(t, O_WRONLY);
        try {
            checkNotRunning(t, n);
            f.truncate(length);
        } finally {
            f.decRef();
        }
        return 0;
    }

    static long ftruncate(Task t, long fd, long length, long a2, long a3, long a4, long a5) throws ErrnoException {
        if (length < 0) {
            return -Errno.EINVAL;
        }
        ioFile(t, fd).truncate(length);
        return 0;
    }

    static long fsync(Task t, long fd, boolean metadata) throws ErrnoException {
        ioFile(t, fd).sync(metadata);
        return 0;
    }

    static long umask(Task t, long mask, long a1, long a2, long a3, long a4, long a5) {
        synchronized (t.fs()) {
            int old = t.fs().umask;
            t.fs().umask = (int) mask & 0777;
            return old;
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // ioctl
    // ------------------------------------------------------------------------------------------------------------

    static final int FIONREAD = 0x541B, FIONBIO = 0x5421, FIONCLEX = 0x5450, FIOCLEX = 0x5451, FIOASYNC = 0x5452;

    static long ioctl(Task t, long fd, long req, long arg, long a3, long a4, long a5)
            throws GuestFault, ErrnoException {
        OpenFile f = ioFile(t, fd);
        int r = (int) req;
        switch (r) {
            case FIOCLEX, FIONCLEX -> {
                t.files().setCloexec((int) fd, r == FIOCLEX);
                return 0;
            }
            case FIONBIO, FIOASYNC -> {
                int on = t.mm().read32(arg);
                int bit = r == FIONBIO ? O_NONBLOCK : O_ASYNC;
                synchronized (f) {
                    f.flags = on != 0 ? f.flags | bit : f.flags & ~bit;
                }
                return 0;
            }
            case FIONREAD -> {
                if (f.isDirectory()) {
                    return -Errno.ENOTTY;
                }
                int n = f.available();
                if (n < 0) {
                    return n;
                }
                t.mm().write32(arg, n);
                return 0;
            }
            default -> {
                return f.ioctl(t, r, arg);
            }
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // statfs
    // ------------------------------------------------------------------------------------------------------------

    static long statfs(Task t, long pathAddr, long buf, long a2, long a3, long a4, long a5)
            throws GuestFault, ErrnoException {
        Node n = existingAt(t, AT_FDCWD, path(t, pathAddr), true);
        t.mm().write(buf, statfsOf(n, null));
        return 0;
    }

    static long fstatfs(Task t, long fd, long buf, long a2, long a3, long a4, long a5)
            throws GuestFault, ErrnoException {
        OpenFile f = file(t, fd);
        t.mm().write(buf, statfsOf(f.node(), f));
        return 0;
    }

    static byte[] statfsOf(Node n, OpenFile f) throws ErrnoException {
        byte[] b = new byte[120];
        long type;
        long bsize = 4096, blocks = 0, bfree = 0, bavail = 0, files = 0, ffree = 0, flags = 0;
        StatFs fs = n == null ? null : n.statfs();
        if (fs != null) {
            type = fs.type();
            bsize = fs.bsize();
            blocks = fs.blocks();
            bfree = fs.bfree();
            bavail = fs.bavail();
            files = fs.files();
            ffree = fs.ffree();
            flags = fs.flags() | (n.mount() != null && n.mount().readOnly ? StatFs.ST_RDONLY : 0);
        } else if (f instanceof StreamFile s) {
            type = s.stat().type() == Stat.S_IFCHR ? 0x1cd1L : 0x50495045L;
        } else if (n != null && n.guest.startsWith("/proc")) {
            type = 0x9fa0L;
        } else {
            type = 0x01021994L;
        }
        putLE(b, 0, type, 8);
        putLE(b, 8, bsize, 8);
        putLE(b, 16, blocks, 8);
        putLE(b, 24, bfree, 8);
        putLE(b, 32, bavail, 8);
        putLE(b, 40, files, 8);
        putLE(b, 48, ffree, 8);
        putLE(b, 64, 255, 8);
        putLE(b, 72, bsize, 8);
        putLE(b, 80, flags, 8);
        return b;
    }

    // ------------------------------------------------------------------------------------------------------------
    // sendfile, copy_file_range
    // ------------------------------------------------------------------------------------------------------------

    static long sendfile(Task t, long outFd, long inFd, long offPtr, long count, long a4, long a5)
            throws GuestFault, ErrnoException {
        OpenFile in = readable(t, inFd);
        OpenFile out = writable(t, outFd);
        if ((out.flags & O_APPEND) != 0 || in.isDirectory()) {
            return -Errno.EINVAL;
        }
        long pos = -1;
        if (offPtr != 0) {
            pos = t.mm().read64(offPtr);
            if (pos < 0) {
                return -Errno.EINVAL;
            }
            if (!in.positional()) {
                return -Errno.ESPIPE;
            }
        }
        long n = transfer(t, in, pos, out, -1, Math.min(count, MAX_RW_COUNT));
        if (offPtr != 0 && n > 0) {
            t.mm().write64(offPtr, pos + n);
        }
        return n;
    }

    static long copyFileRange(Task t, long inFd, long inOffPtr, long outFd, long outOffPtr, long len, long flags)
            throws GuestFault, ErrnoException {
        if (flags != 0) {
            return -Errno.EINVAL;
        }
        OpenFile in = readable(t, inFd);
        OpenFile out = writable(t, outFd);
        if ((out.flags & O_APPEND) != 0) {
            return -Errno.EBADF;
        }
        if (!regularFile(in) || !regularFile(out)) {
            return in.isDirectory() || out.isDirectory() ? -Errno.EISDIR : -Errno.EINVAL;
        }
        long inPos = inOffPtr != 0 ? t.mm().read64(inOffPtr) : -1;
        long outPos = outOffPtr != 0 ? t.mm().read64(outOffPtr) : -1;
        if ((inOffPtr != 0 && inPos < 0) || (outOffPtr != 0 && outPos < 0)) {
            return -Errno.EINVAL;
        }
        long n = transfer(t, in, inPos, out, outPos, Math.min(len, MAX_RW_COUNT));
        if (n > 0) {
            if (inOffPtr != 0) {
                t.mm().write64(inOffPtr, inPos + n);
            }
            if (outOffPtr != 0) {
                t.mm().write64(outOffPtr, outPos + n);
            }
        }
        return n;
    }

    static boolean regularFile(OpenFile f) {
        return f instanceof HostFile || f instanceof TmpFile;
    }

    /** Copies up to count bytes between files (positions -1: the file offsets). */
    static long transfer(Task t, OpenFile in, long inPos, OpenFile out, long outPos, long count)
            throws ErrnoException {
        long total = 0;
        byte[] buf = new byte[(int) Math.min(CHUNK, Math.max(count, 1))];
        while (total < count) {
            int want = (int) Math.min(buf.length, count - total);
            int got;
            try {
                got = in.read(t, buf, 0, want, inPos < 0 ? -1 : inPos + total);
            } catch (ErrnoException e) {
                if (total > 0) {
                    return total;
                }
                throw e;
            }
            if (got <= 0) {
                break;
            }
            int put;
            try {
                put = out.write(t, buf, 0, got, outPos < 0 ? -1 : outPos + total);
            } catch (ErrnoException e) {
                if (total > 0) {
                    return total;
                }
                throw e;
            }
            total += put;
            if (put < got || (in.isStream() && got < want)) {
                break;
            }
        }
        return total;
    }
}
