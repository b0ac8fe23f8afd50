package dev.jkernel.api;

/** The Linux constants the API's calls take (the asm-generic values riscv64 uses). */
public final class Linux {
    private Linux() {}

    // open(2) flags
    public static final int O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_CREAT = 0100, O_EXCL = 0200,
            O_NOCTTY = 0400, O_TRUNC = 01000, O_APPEND = 02000, O_NONBLOCK = 04000, O_DIRECTORY = 0200000,
            O_NOFOLLOW = 0400000, O_CLOEXEC = 02000000;

    // lseek(2)
    public static final int SEEK_SET = 0, SEEK_CUR = 1, SEEK_END = 2;

    // signals
    public static final int SIGHUP = 1, SIGINT = 2, SIGQUIT = 3, SIGILL = 4, SIGTRAP = 5, SIGABRT = 6, SIGBUS = 7,
            SIGFPE = 8, SIGKILL = 9, SIGUSR1 = 10, SIGSEGV = 11, SIGUSR2 = 12, SIGPIPE = 13, SIGALRM = 14,
            SIGTERM = 15, SIGCHLD = 17, SIGCONT = 18, SIGSTOP = 19, SIGTSTP = 20;

    // wait4(2) options
    public static final int WNOHANG = 1, WUNTRACED = 2, WCONTINUED = 8;

    // errno values tests and callers compare with most often
    public static final int EPERM = 1, ENOENT = 2, ESRCH = 3, EINTR = 4, EIO = 5, EBADF = 9, ECHILD = 10,
            EAGAIN = 11, EACCES = 13, EEXIST = 17, ENOTDIR = 20, EISDIR = 21, EINVAL = 22, EPIPE = 32,
            ENOEXEC = 8, ENOTEMPTY = 39, EBUSY = 16, EXDEV = 18, ENOSPC = 28, EROFS = 30, ELOOP = 40;

    // d_type values of getdents
    public static final int DT_UNKNOWN = 0, DT_FIFO = 1, DT_CHR = 2, DT_DIR = 4, DT_BLK = 6, DT_REG = 8,
            DT_LNK = 10, DT_SOCK = 12;
}
