package dev.jkernel.fs;

import dev.jkernel.kernel.Errno;

import java.util.ArrayList;
import java.util.List;

/**
 * A task's file descriptor table (Linux's files_struct): descriptors 0..RLIMIT_NOFILE-1, each referring to a shared
 * {@link OpenFile} with its own close-on-exec flag. Installing takes over the caller's reference to the file;
 * closing drops it.
 */
public final class FdTable {
    /** Tasks sharing this table (CLONE_FILES); the last one out closes every descriptor. */
    private final java.util.concurrent.atomic.AtomicInteger users = new java.util.concurrent.atomic.AtomicInteger(1);

    /** Another task shares this table (clone with CLONE_FILES). */
    public void retain() {
        users.incrementAndGet();
    }

    /** A task stops using this table (exit, or unshare at exec); the last one closes everything. */
    public void release() {
        if (users.decrementAndGet() == 0) {
            closeAll();
        }
    }

    /** Whether other tasks share this table. */
    public boolean shared() {
        return users.get() > 1;
    }

    /** RLIMIT_NOFILE's default soft limit. */
    public static final int NOFILE = 1024;

    private final OpenFile[] files = new OpenFile[NOFILE];
    private final boolean[] cloexec = new boolean[NOFILE];

    /** The descriptor limit (RLIMIT_NOFILE). */
    public int limit() {
        return NOFILE;
    }

    /** Installs f at the lowest free descriptor; returns it, or -EMFILE (and drops the reference). */
    public int install(OpenFile f, boolean closeOnExec) {
        return installFrom(0, f, closeOnExec);
    }

    /** Installs f at the lowest free descriptor at or above {@code min} (F_DUPFD); -EMFILE when none is free. */
    public int installFrom(int min, OpenFile f, boolean closeOnExec) {
        synchronized (this) {
            for (int i = Math.max(0, min); i < files.length; i++) {
                if (files[i] == null) {
                    files[i] = f;
                    cloexec[i] = closeOnExec;
                    return i;
                }
            }
        }
        f.decRef();
        return -Errno.EMFILE;
    }

    /** Installs f at exactly {@code fd} (dup3), closing what was there. The caller checked 0 <= fd < limit. */
    public void installAt(int fd, OpenFile f, boolean closeOnExec) {
        OpenFile old;
        synchronized (this) {
            old = files[fd];
            files[fd] = f;
            cloexec[fd] = closeOnExec;
        }
        if (old != null) {
            old.decRef();
        }
    }

    /** The open file at fd, or null. */
    public synchronized OpenFile get(int fd) {
        return fd >= 0 && fd < files.length ? files[fd] : null;
    }

    /** The open file at fd with a reference taken (drop it with decRef), or null. */
    public synchronized OpenFile take(int fd) {
        OpenFile f = get(fd);
        if (f != null) {
            f.incRef();
        }
        return f;
    }

    public synchronized boolean isCloexec(int fd) {
        return get(fd) != null && cloexec[fd];
    }

    public synchronized void setCloexec(int fd, boolean on) {
        if (get(fd) != null) {
            cloexec[fd] = on;
        }
    }

    /** close(2): false when fd was not open. */
    public boolean close(int fd) {
        OpenFile f;
        synchronized (this) {
            f = get(fd);
            if (f == null) {
                return false;
            }
            files[fd] = null;
            cloexec[fd] = false;
        }
        f.decRef();
        return true;
    }

    /** close_range(2) on [first, last]; with {@code cloexecOnly} marks them close-on-exec instead. */
    public void closeRange(long first, long last, boolean cloexecOnly) {
        long end = Math.min(last, files.length - 1L);
        for (long i = first; i <= end; i++) {
            if (cloexecOnly) {
                setCloexec((int) i, true);
            } else {
                close((int) i);
            }
        }
    }

    /** The open descriptors, ascending. */
    public synchronized List<Integer> openFds() {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < files.length; i++) {
            if (files[i] != null) {
                out.add(i);
            }
        }
        return out;
    }

    /** A copy sharing every open file (fork without CLONE_FILES). */
    public synchronized FdTable copy() {
        FdTable c = new FdTable();
        for (int i = 0; i < files.length; i++) {
            if (files[i] != null) {
                files[i].incRef();
                c.files[i] = files[i];
                c.cloexec[i] = cloexec[i];
            }
        }
        return c;
    }

    public void closeAll() {
        for (int i = 0; i < files.length; i++) {
            close(i);
        }
    }

    public void closeOnExec() {
        for (int i = 0; i < files.length; i++) {
            if (isCloexec(i)) {
                close(i);
            }
        }
    }
}
