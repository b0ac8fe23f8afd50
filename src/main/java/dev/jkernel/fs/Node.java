package dev.jkernel.fs;

import dev.jkernel.kernel.Errno;
import dev.jkernel.kernel.ErrnoException;
import dev.jkernel.kernel.Task;

import java.util.List;

/**
 * A name the guest can look up (Linux's dentry): a file of a mounted host directory ({@link HostNode}), of a tmpfs
 * ({@link TmpNode}), or a synthetic file of /dev or /proc ({@link SynthNode}). Immutable; {@link #guest} is the
 * physical guest path (symlinks resolved) where it was looked up.
 */
public abstract class Node {
    /** The absolute guest path, without symlinks. */
    public final String guest;

    protected Node(String guest) {
        this.guest = guest;
    }

    /** False for the last component of a lookup that names nothing yet (what O_CREAT, mkdir, ... create). */
    public abstract boolean exists();

    /** The S_IFMT bits of the file's mode; 0 when it does not exist. */
    public abstract int type() throws ErrnoException;

    public final boolean isDir() throws ErrnoException {
        return type() == Stat.S_IFDIR;
    }

    public final boolean isSymlink() throws ErrnoException {
        return type() == Stat.S_IFLNK;
    }

    /** The link's text; EINVAL when this is not a symlink. */
    public String readlink(Task t) throws ErrnoException {
        throw new ErrnoException(Errno.EINVAL);
    }

    /** For /proc's "magic" links (exe, fd/N): the node they lead to, bypassing the link text; else null. */
    public Node followMagic(Task t) throws ErrnoException {
        return null;
    }

    /** Looks up {@code name} (not "." or "..") in this directory. */
    public abstract Node child(Task t, String name) throws ErrnoException;

    /** The directory ".." leads to. */
    public abstract Node parent(Task t) throws ErrnoException;

    public abstract Stat stat(Task t) throws ErrnoException;

    /** Opens this existing node with the given open(2) flags. */
    public abstract OpenFile open(Task t, int flags) throws ErrnoException;

    /** Entries of a directory, without "." and "..". */
    public List<OpenFile.DirEntry> list(Task t) throws ErrnoException {
        throw new ErrnoException(Errno.ENOTDIR);
    }

    /**
     * For directories whose entries keep their offsets (tmpfs): the entries from offset {@code pos} on, "." and ".."
     * included, at most {@code max}, each with the offset after it. Null (the default): {@link DirFile} reads a
     * snapshot of {@link #list} instead, the offset being an index into it.
     */
    public List<DirFile.Dirent> readdir(Task t, long pos, int max) throws ErrnoException {
        return null;
    }

    /** access(2) for modes R_OK 4, W_OK 2, X_OK 1 (0: existence), with the task's credentials. */
    public abstract void checkAccess(Task t, int mode) throws ErrnoException;

    /** Search permission on this directory, asked before each lookup in it (may_lookup); the host's own: none. */
    public void checkLookup(Task t) throws ErrnoException {
    }

    /** The mount this file belongs to; null for the synthetic files of /dev and /proc. */
    public Mount mount() {
        return null;
    }

    /** Whether this is a file of a mounted file system (host or tmpfs), which the mutating syscalls can change. */
    public boolean inFileSystem() {
        return false;
    }

    /** This node with its attributes read anew (host nodes cache what they read). */
    public Node fresh() {
        return this;
    }

    /**
     * The guest path of this file now: {@link #guest} is where it was looked up, and a tmpfs directory may have been
     * renamed since (getcwd and /proc/self/cwd answer where it is).
     */
    public String currentPath() {
        return guest;
    }

    /** Whether the file has been removed since this node was looked up (a deleted working directory). */
    public boolean isDeleted() {
        return false;
    }

    /** Whether both nodes name the same file (inode). */
    public boolean sameFile(Node other) {
        return false;
    }

    /** statfs(2) of the file system holding this file; null for the synthetic files. */
    public StatFs statfs() throws ErrnoException {
        return null;
    }

    // Changes. The syscall layer has checked the name (its existence, ".", "..") and the mount (EROFS, EXDEV, EBUSY);
    // the file system checks permissions and races. The defaults are what the synthetic files answer.

    /** open(O_CREAT) of this name, which names nothing: a new regular file with permission bits {@code mode}. */
    public OpenFile create(Cred c, int flags, int mode) throws ErrnoException {
        throw new ErrnoException(Errno.EACCES);
    }

    public void mkdir(Cred c, int mode) throws ErrnoException {
        throw new ErrnoException(Errno.EACCES);
    }

    public void symlink(Cred c, String target) throws ErrnoException {
        throw new ErrnoException(Errno.EACCES);
    }

    /**
     * mknod(2) of a character or block device, FIFO or socket ({@code mode} holds the type and permission bits;
     * {@code rdev} the device number). {@code checkCap}: a device node needs CAP_MKNOD.
     */
    public void mknod(Cred c, int mode, long rdev, boolean checkCap) throws ErrnoException {
        throw new ErrnoException(Errno.EACCES);
    }

    /** link(2): this (a name for nothing yet) becomes a name of {@code existing}. */
    public void link(Cred c, Node existing) throws ErrnoException {
        throw new ErrnoException(Errno.EXDEV);
    }

    public void unlink(Cred c) throws ErrnoException {
        throw new ErrnoException(Errno.EACCES);
    }

    public void rmdir(Cred c) throws ErrnoException {
        throw new ErrnoException(Errno.EACCES);
    }

    /** rename(2) of this name to {@code to} (flags: 0, RENAME_NOREPLACE 1, RENAME_EXCHANGE 2). */
    public void rename(Cred c, Node to, int flags) throws ErrnoException {
        throw new ErrnoException(Errno.EXDEV);
    }

    public void chmod(Cred c, int mode) throws ErrnoException {
        throw new ErrnoException(Errno.EPERM);
    }

    /** chown without following a symlink; -1 leaves an id unchanged. */
    public void chown(Cred c, int uid, int gid) throws ErrnoException {
        throw new ErrnoException(Errno.EPERM);
    }

    /** utimensat's special nanosecond values. */
    public static final long UTIME_NOW = (1L << 30) - 1, UTIME_OMIT = (1L << 30) - 2;

    /**
     * utimensat of this file itself (a symlink is not followed): nanoseconds {@link #UTIME_NOW} or
     * {@link #UTIME_OMIT} as utimensat takes them. Synthetic files record nothing.
     */
    public void setTimes(Cred c, long aSec, long aNs, long mSec, long mNs) throws ErrnoException {
    }

    /** The parent guest path of an absolute guest path. */
    static String parentOf(String guest) {
        int i = guest.lastIndexOf('/');
        return i <= 0 ? "/" : guest.substring(0, i);
    }

    static String childOf(String guest, String name) {
        return guest.equals("/") ? "/" + name : guest + "/" + name;
    }

    @Override
    public String toString() {
        return guest;
    }
}
