package dev.jkernel.fs;

/** Per-task file-system context (Linux's fs_struct): current directory and umask. */
public final class FsContext {
    /** The current directory's absolute guest path. */
    public String cwd;
    public int umask = 0022;
    /** The current directory's node, once looked up (null: look cwd up again). */
    Node cwdNode;

    public FsContext(String cwd) {
        this.cwd = cwd;
    }

    public synchronized FsContext copy() {
        FsContext c = new FsContext(cwd);
        c.umask = umask;
        c.cwdNode = cwdNode;
        return c;
    }

    /** chdir/fchdir: {@code dir} is an existing directory. */
    public synchronized void setCwd(Node dir) {
        this.cwd = dir.guest;
        this.cwdNode = dir;
    }
}
