package dev.jkernel.kernel;

import dev.jkernel.fs.AnonInodeFile;

/** A file descriptor that refers to a process (pidfd_open, CLONE_PIDFD, waitid P_PIDFD). */
public final class PidFd extends AnonInodeFile {
    private final Proc target;

    private PidFd(Proc target, int flags) {
        super("pidfd");
        this.target = target;
        this.flags = O_RDWR | flags;
    }

    /** Installs a close-on-exec pidfd for {@code p} in t's table; returns the fd or -errno. */
    static int install(Task t, Proc p) {
        return install(t, p, 0);
    }

    static int install(Task t, Proc p, int flags) {
        return t.files().install(new PidFd(p, flags), true);
    }

    /** The process a pidfd refers to, or null when fd is not a pidfd. */
    static Proc target(Task t, int fd) {
        return t.files().get(fd) instanceof PidFd p ? p.target : null;
    }

    @Override

    protected long inode() {

        return target.tgid;

    }
}
