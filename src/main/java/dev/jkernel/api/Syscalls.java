package dev.jkernel.api;

import dev.jkernel.kernel.Errno;
import dev.jkernel.kernel.HostThreads;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Syscalls from ordinary Java threads of the application (LKL's host threads), with Linux semantics.
 *
 * <p>Every Java thread that calls gets, on its first call, a task of its own in the kernel's <em>host process</em>
 * (a child of init): the calling threads are that process's threads, so descriptors, the working directory and the
 * umask are shared between them, as in any multi-threaded Linux program. A call that blocks (a read of an empty pipe,
 * say) parks only the calling Java thread; interrupting that thread makes the call fail with EINTR (the interrupt
 * flag stays set). Paths are guest paths, relative ones from the host process's working directory (the kernel's
 * {@code cwd}, changed with {@link #chdir}).
 *
 * <p>Errors: every failure is an {@link ErrnoException} with the errno; a call made after {@link JKernel#close()}, or
 * blocked when it happened, throws {@link KernelClosedException}. Buffers are Java arrays: reads and writes move at
 * most {@link #MAX_IO} bytes per call (a short count, as Linux allows; {@link #writeFully} loops).
 */
public final class Syscalls {
    /** The most bytes one read or write moves. */
    public static final int MAX_IO = 1 << 20;

    private static final int AT_FDCWD = -100, AT_REMOVEDIR = 0x200, AT_SYMLINK_NOFOLLOW = 0x100;

    private final JKernel jk;

    Syscalls(JKernel jk) {
        this.jk = jk;
    }

    @FunctionalInterface
    private interface Body<T> {
        T run(HostThreads.Session s) throws dev.jkernel.kernel.ErrnoException;
    }

    /** Enters the kernel as the calling thread's task, runs {@code body}, converts errors. */
    private <T> T call(String name, Body<T> body) throws ErrnoException {
        HostThreads.Session s;
        try {
            s = jk.kernel().hostThreads().enter();
        } catch (IllegalStateException e) {
            if (jk.isClosed() || jk.kernel().isShutDown()) {
                throw new KernelClosedException();
            }
            throw e;
        } catch (dev.jkernel.kernel.ErrnoException e) {
            throw new ErrnoException(name, e.errno);
        }
        try {
            return body.run(s);
        } catch (dev.jkernel.kernel.ErrnoException e) {
            if (jk.kernel().isShutDown()) {
                throw new KernelClosedException();
            }
            throw new ErrnoException(name, e.errno);
        } finally {
            s.leave();
        }
    }

    private static long check(long ret) throws dev.jkernel.kernel.ErrnoException {
        if (Errno.isError(ret)) {
            throw new dev.jkernel.kernel.ErrnoException((int) -ret);
        }
        return ret;
    }

    private static void checkRange(byte[] b, int off, int len) {
        if (off < 0 || len < 0 || off > b.length - len) {
            throw new IndexOutOfBoundsException("offset " + off + ", length " + len + ", array " + b.length);
        }
    }

    // ---- files ----

    /** open(2) (openat from the working directory); returns the descriptor. */
    public int open(String path, int flags, int mode) throws ErrnoException {
        return call("open", s -> (int) check(s.syscall("openat", AT_FDCWD, s.putString(path), flags, mode)));
    }

    /** open(2) without O_CREAT. */
    public int open(String path, int flags) throws ErrnoException {
        return open(path, flags, 0);
    }

    /** read(2) into {@code b[off..off+len)}; returns the count (0 at end of file). */
    public int read(int fd, byte[] b, int off, int len) throws ErrnoException {
        checkRange(b, off, len);
        int n = Math.min(len, MAX_IO);
        return call("read", s -> {
            long buf = s.alloc(n);
            int got = (int) check(s.syscall("read", fd, buf, n));
            s.get(buf, b, off, got);
            return got;
        });
    }

    public int read(int fd, byte[] b) throws ErrnoException {
        return read(fd, b, 0, b.length);
    }

    /** write(2) of {@code b[off..off+len)}; returns the count written (it may be short). */
    public int write(int fd, byte[] b, int off, int len) throws ErrnoException {
        checkRange(b, off, len);
        int n = Math.min(len, MAX_IO);
        return call("write", s -> {
            long buf = s.alloc(n);
            s.put(buf, b, off, n);
            return (int) check(s.syscall("write", fd, buf, n));
        });
    }

    public int write(int fd, byte[] b) throws ErrnoException {
        return write(fd, b, 0, b.length);
    }

    /** Writes all of {@code b}, looping over short writes. */
    public void writeFully(int fd, byte[] b) throws ErrnoException {
        int off = 0;
        while (off < b.length) {
            off += write(fd, b, off, b.length - off);
        }
    }

    /** lseek(2); returns the new offset. */
    public long lseek(int fd, long offset, int whence) throws ErrnoException {
        return call("lseek", s -> check(s.syscall("lseek", fd, offset, whence)));
    }

    /** close(2). */
    public void close(int fd) throws ErrnoException {
        call("close", s -> check(s.syscall("close", fd)));
    }

    /** pipe2(2) with O_CLOEXEC (and {@code flags}); returns {read end, write end}. */
    public int[] pipe(int flags) throws ErrnoException {
        return call("pipe", s -> {
            long buf = s.alloc(8);
            check(s.syscall("pipe2", buf, flags | Linux.O_CLOEXEC));
            byte[] b = new byte[8];
            s.get(buf, b, 0, 8);
            ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
            return new int[] {bb.getInt(0), bb.getInt(4)};
        });
    }

    public int[] pipe() throws ErrnoException {
        return pipe(0);
    }

    /** mkdir(2). */
    public void mkdir(String path, int mode) throws ErrnoException {
        call("mkdir", s -> check(s.syscall("mkdirat", AT_FDCWD, s.putString(path), mode)));
    }

    /** unlink(2). */
    public void unlink(String path) throws ErrnoException {
        call("unlink", s -> check(s.syscall("unlinkat", AT_FDCWD, s.putString(path), 0)));
    }

    /** rmdir(2). */
    public void rmdir(String path) throws ErrnoException {
        call("rmdir", s -> check(s.syscall("unlinkat", AT_FDCWD, s.putString(path), AT_REMOVEDIR)));
    }

    /** rename(2). */
    public void rename(String from, String to) throws ErrnoException {
        call("rename", s -> check(s.syscall("renameat2", AT_FDCWD, s.putString(from), AT_FDCWD,
                s.putString(to), 0)));
    }

    /** chdir(2): the working directory of every host thread. */
    public void chdir(String path) throws ErrnoException {
        call("chdir", s -> check(s.syscall("chdir", s.putString(path))));
    }

    /** getcwd(2). */
    public String getcwd() throws ErrnoException {
        return call("getcwd", s -> {
            long buf = s.alloc(4096);
            int n = (int) check(s.syscall("getcwd", buf, 4096));
            byte[] b = new byte[Math.max(0, n - 1)];
            s.get(buf, b, 0, b.length);
            return new String(b, StandardCharsets.UTF_8);
        });
    }

    /** stat(2), following a final symlink. */
    public FileStat stat(String path) throws ErrnoException {
        return statAt(path, 0, "stat");
    }

    /** lstat(2). */
    public FileStat lstat(String path) throws ErrnoException {
        return statAt(path, AT_SYMLINK_NOFOLLOW, "lstat");
    }

    private FileStat statAt(String path, int flags, String name) throws ErrnoException {
        return call(name, s -> {
            long buf = s.alloc(128);
            check(s.syscall("newfstatat", AT_FDCWD, s.putString(path), buf, flags));
            byte[] b = new byte[128];
            s.get(buf, b, 0, 128);
            return FileStat.parse(b);
        });
    }

    /** fstat(2). */
    public FileStat fstat(int fd) throws ErrnoException {
        return call("fstat", s -> {
            long buf = s.alloc(128);
            check(s.syscall("fstat", fd, buf));
            byte[] b = new byte[128];
            s.get(buf, b, 0, 128);
            return FileStat.parse(b);
        });
    }

    /** One directory entry as getdents64 returns it. */
    public record DirEntry(long ino, int type, String name) {}

    /** getdents64(2) until the end: the entries of an open directory from its current offset ("." and ".." too). */
    public List<DirEntry> getdents(int fd) throws ErrnoException {
        List<DirEntry> out = new ArrayList<>();
        while (true) {
            byte[] chunk = call("getdents64", s -> {
                long buf = s.alloc(32768);
                int n = (int) check(s.syscall("getdents64", fd, buf, 32768));
                byte[] b = new byte[n];
                s.get(buf, b, 0, n);
                return b;
            });
            if (chunk.length == 0) {
                return out;
            }
            ByteBuffer bb = ByteBuffer.wrap(chunk).order(ByteOrder.LITTLE_ENDIAN);
            for (int at = 0; at < chunk.length; ) {
                long ino = bb.getLong(at);
                int reclen = bb.getShort(at + 16) & 0xffff;
                int type = chunk[at + 18] & 0xff;
                int end = at + 19;
                while (end < at + reclen && chunk[end] != 0) {
                    end++;
                }
                out.add(new DirEntry(ino, type, new String(chunk, at + 19, end - at - 19, StandardCharsets.UTF_8)));
                if (reclen == 0) {
                    break;
                }
                at += reclen;
            }
        }
    }

    /** The names in a directory, without "." and "..", in the order getdents returns them. */
    public List<String> listDirectory(String path) throws ErrnoException {
        int fd = open(path, Linux.O_RDONLY | Linux.O_DIRECTORY | Linux.O_CLOEXEC);
        try {
            List<String> names = new ArrayList<>();
            for (DirEntry e : getdents(fd)) {
                if (!e.name().equals(".") && !e.name().equals("..")) {
                    names.add(e.name());
                }
            }
            return names;
        } finally {
            close(fd);
        }
    }

    /** Creates or truncates {@code path} (mode 0644 before the umask) and writes {@code data} into it. */
    public void writeFile(String path, byte[] data) throws ErrnoException {
        int fd = open(path, Linux.O_WRONLY | Linux.O_CREAT | Linux.O_TRUNC | Linux.O_CLOEXEC, 0644);
        try {
            writeFully(fd, data);
        } finally {
            close(fd);
        }
    }

    /** Reads the whole of {@code path}. */
    public byte[] readFile(String path) throws ErrnoException {
        int fd = open(path, Linux.O_RDONLY | Linux.O_CLOEXEC);
        try {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            byte[] b = new byte[65536];
            int n;
            while ((n = read(fd, b, 0, b.length)) > 0) {
                out.write(b, 0, n);
            }
            return out.toByteArray();
        } finally {
            close(fd);
        }
    }

    // ---- processes ----

    /** getpid(2): the host process's pid. */
    public int getpid() throws ErrnoException {
        return call("getpid", s -> (int) check(s.syscall("getpid")));
    }

    /** kill(2), sent by the host process (pid > 0, 0, -1, or -pgid as Linux). */
    public void kill(int pid, int sig) throws ErrnoException {
        call("kill", s -> check(s.syscall("kill", pid, sig)));
    }

    /** What {@link #waitpid} found: a pid (0 with WNOHANG when no child changed) and its status. */
    public record WaitResult(int pid, int rawStatus) {
        public ExitStatus status() {
            return ExitStatus.fromWaitStatus(rawStatus);
        }
    }

    /**
     * waitpid(2) for children of the host process. (Processes started with {@link JKernel#process} are init's
     * children: wait for them with {@link GuestProcess#waitFor}; this answers ECHILD for them, as Linux would.)
     */
    public WaitResult waitpid(int pid, int options) throws ErrnoException {
        return call("wait4", s -> {
            long buf = s.alloc(4);
            int got = (int) check(s.syscall("wait4", pid, buf, options, 0));
            byte[] b = new byte[4];
            s.get(buf, b, 0, 4);
            return new WaitResult(got, ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt());
        });
    }

    /** Takes a reference to the open file behind one of the host process's descriptors (null if none). */
    dev.jkernel.fs.OpenFile takeFile(int fd) throws ErrnoException {
        return call("dup", s -> s.task().files().take(fd));
    }
}
