package dev.jkernel.fs;

/**
 * A file on Linux's anonymous inode (fs/anon_inodes.c): eventfd, epoll, timerfd, signalfd, pidfd. Its path in
 * /proc/self/fd is "anon_inode:[NAME]" and its stat a bare inode with mode 0600.
 */
public abstract class AnonInodeFile extends OpenFile {
    private final String name;

    protected AnonInodeFile(String name) {
        this.name = name;
    }

    @Override
    public String guestPath() {
        return "anon_inode:[" + name + "]";
    }

    /** The inode number stat shows (0; a pidfd shows its process's pid). */
    protected long inode() {
        return 0;
    }

    @Override
    public Stat stat() {
        return Stat.synthetic(0, inode(), 0600, 0, 0);
    }
}
