package dev.jkernel.fs;

import dev.jkernel.kernel.Errno;
import dev.jkernel.kernel.ErrnoException;
import dev.jkernel.kernel.Task;

import java.util.List;

/**
 * A name the guest can look up (Linux's dentry): a host file under the guest's root, or a synthetic file of
 * /dev or /proc. Immutable; {@link #guest} is the physical guest path (symlinks resolved).
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

    /** access(2) for modes R_OK 4, W_OK 2, X_OK 1 (0: existence). */
    public abstract void checkAccess(int mode) throws ErrnoException;

    /** Whether this is a file of the guest's root file system, which the mutating syscalls can change. */
    public boolean isHost() {
        return false;
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
