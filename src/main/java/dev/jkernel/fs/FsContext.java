package dev.jkernel.fs;

/** Per-task file-system context (Linux's fs_struct): current directory and umask. STUB: the fs branch owns this file. */
public final class FsContext {
    public String cwd;
    public int umask = 0022;

    public FsContext(String cwd) {
        this.cwd = cwd;
    }

    public FsContext copy() {
        FsContext c = new FsContext(cwd);
        c.umask = umask;
        return c;
    }
}
