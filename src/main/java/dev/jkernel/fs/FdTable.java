package dev.jkernel.fs;

/** A task's file descriptor table. STUB: the fs branch owns this file. */
public final class FdTable {
    private final OpenFile[] files = new OpenFile[1024];
    private final boolean[] cloexec = new boolean[1024];

    /** Installs f at the lowest free descriptor; returns it, or -EMFILE. */
    public synchronized int install(OpenFile f, boolean closeOnExec) {
        for (int i = 0; i < files.length; i++) {
            if (files[i] == null) {
                files[i] = f;
                cloexec[i] = closeOnExec;
                return i;
            }
        }
        return -24;
    }

    /** The open file at fd, or null. */
    public synchronized OpenFile get(int fd) {
        return fd >= 0 && fd < files.length ? files[fd] : null;
    }

    public synchronized void closeAll() {
        java.util.Arrays.fill(files, null);
    }

    public synchronized void closeOnExec() {
        for (int i = 0; i < files.length; i++) {
            if (cloexec[i]) {
                files[i] = null;
            }
        }
    }
}
