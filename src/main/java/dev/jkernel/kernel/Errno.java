package dev.jkernel.kernel;

/**
 * Linux errno values (asm-generic/errno-base.h and errno.h) with the names and messages strace prints. Syscall handlers
 * return {@code -Errno.X} for failure, exactly as Linux's do.
 */
public final class Errno {
    private Errno() {}

    public static final int EPERM = 1, ENOENT = 2, ESRCH = 3, EINTR = 4, EIO = 5, ENXIO = 6, E2BIG = 7, ENOEXEC = 8,
            EBADF = 9, ECHILD = 10, EAGAIN = 11, ENOMEM = 12, EACCES = 13, EFAULT = 14, ENOTBLK = 15, EBUSY = 16,
            EEXIST = 17, EXDEV = 18, ENODEV = 19, ENOTDIR = 20, EISDIR = 21, EINVAL = 22, ENFILE = 23, EMFILE = 24,
            ENOTTY = 25, ETXTBSY = 26, EFBIG = 27, ENOSPC = 28, ESPIPE = 29, EROFS = 30, EMLINK = 31, EPIPE = 32,
            EDOM = 33, ERANGE = 34, EDEADLK = 35, ENAMETOOLONG = 36, ENOLCK = 37, ENOSYS = 38, ENOTEMPTY = 39,
            ELOOP = 40, ENOMSG = 42, ENOPKG = 65, EOVERFLOW = 75, EILSEQ = 84, ENOTSOCK = 88, EOPNOTSUPP = 95,
            ENOTSUP = 95,
            EAFNOSUPPORT = 97, EADDRINUSE = 98, ETIMEDOUT = 110, ECONNREFUSED = 111, EALREADY = 114,
            EINPROGRESS = 115, ESTALE = 116, EDQUOT = 122, ECANCELED = 125, EOWNERDEAD = 130,
            ENOTRECOVERABLE = 131,
            // Kernel-internal restart codes (include/linux/errno.h); they never reach the guest.
            ERESTARTSYS = 512, ERESTARTNOINTR = 513, ERESTARTNOHAND = 514, ENOIOCTLCMD = 515,
            ERESTART_RESTARTBLOCK = 516;

    private static final String[][] TABLE = new String[600][];

    private static void def(int n, String name, String msg) { TABLE[n] = new String[] {name, msg}; }

    static {
        def(EPERM, "EPERM", "Operation not permitted");
        def(ENOENT, "ENOENT", "No such file or directory");
        def(ESRCH, "ESRCH", "No such process");
        def(EINTR, "EINTR", "Interrupted system call");
        def(EIO, "EIO", "Input/output error");
        def(ENXIO, "ENXIO", "No such device or address");
        def(E2BIG, "E2BIG", "Argument list too long");
        def(ENOEXEC, "ENOEXEC", "Exec format error");
        def(EBADF, "EBADF", "Bad file descriptor");
        def(ECHILD, "ECHILD", "No child processes");
        def(EAGAIN, "EAGAIN", "Resource temporarily unavailable");
        def(ENOMEM, "ENOMEM", "Cannot allocate memory");
        def(EACCES, "EACCES", "Permission denied");
        def(EFAULT, "EFAULT", "Bad address");
        def(ENOTBLK, "ENOTBLK", "Block device required");
        def(EBUSY, "EBUSY", "Device or resource busy");
        def(EEXIST, "EEXIST", "File exists");
        def(EXDEV, "EXDEV", "Invalid cross-device link");
        def(ENODEV, "ENODEV", "No such device");
        def(ENOTDIR, "ENOTDIR", "Not a directory");
        def(EISDIR, "EISDIR", "Is a directory");
        def(EINVAL, "EINVAL", "Invalid argument");
        def(ENFILE, "ENFILE", "Too many open files in system");
        def(EMFILE, "EMFILE", "Too many open files");
        def(ENOTTY, "ENOTTY", "Inappropriate ioctl for device");
        def(ETXTBSY, "ETXTBSY", "Text file busy");
        def(EFBIG, "EFBIG", "File too large");
        def(ENOSPC, "ENOSPC", "No space left on device");
        def(ESPIPE, "ESPIPE", "Illegal seek");
        def(EROFS, "EROFS", "Read-only file system");
        def(EMLINK, "EMLINK", "Too many links");
        def(EPIPE, "EPIPE", "Broken pipe");
        def(EDOM, "EDOM", "Numerical argument out of domain");
        def(ERANGE, "ERANGE", "Numerical result out of range");
        def(EDEADLK, "EDEADLK", "Resource deadlock avoided");
        def(ENAMETOOLONG, "ENAMETOOLONG", "File name too long");
        def(ENOLCK, "ENOLCK", "No locks available");
        def(ENOSYS, "ENOSYS", "Function not implemented");
        def(ENOTEMPTY, "ENOTEMPTY", "Directory not empty");
        def(ELOOP, "ELOOP", "Too many levels of symbolic links");
        def(ENOMSG, "ENOMSG", "No message of desired type");
        def(ENOPKG, "ENOPKG", "Package not installed");
        def(EOVERFLOW, "EOVERFLOW", "Value too large for defined data type");
        def(EILSEQ, "EILSEQ", "Invalid or incomplete multibyte or wide character");
        def(ENOTSOCK, "ENOTSOCK", "Socket operation on non-socket");
        def(EOPNOTSUPP, "EOPNOTSUPP", "Operation not supported");
        def(EAFNOSUPPORT, "EAFNOSUPPORT", "Address family not supported by protocol");
        def(EADDRINUSE, "EADDRINUSE", "Address already in use");
        def(ETIMEDOUT, "ETIMEDOUT", "Connection timed out");
        def(ECONNREFUSED, "ECONNREFUSED", "Connection refused");
        def(EALREADY, "EALREADY", "Operation already in progress");
        def(EINPROGRESS, "EINPROGRESS", "Operation now in progress");
        def(ESTALE, "ESTALE", "Stale file handle");
        def(EDQUOT, "EDQUOT", "Disk quota exceeded");
        def(ECANCELED, "ECANCELED", "Operation canceled");
        def(EOWNERDEAD, "EOWNERDEAD", "Owner died");
        def(ENOTRECOVERABLE, "ENOTRECOVERABLE", "State not recoverable");
        def(ERESTARTSYS, "ERESTARTSYS", "To be restarted if SA_RESTART is set");
        def(ERESTARTNOINTR, "ERESTARTNOINTR", "To be restarted");
        def(ERESTARTNOHAND, "ERESTARTNOHAND", "To be restarted if no handler");
        def(ENOIOCTLCMD, "ENOIOCTLCMD", "No ioctl command");
        def(ERESTART_RESTARTBLOCK, "ERESTART_RESTARTBLOCK", "Interrupted by signal");
    }

    /** "ENOENT", or "E123" for a value without a name. */
    public static String name(int errno) {
        String[] e = errno > 0 && errno < TABLE.length ? TABLE[errno] : null;
        return e != null ? e[0] : "E" + errno;
    }

    /** strerror's text. */
    public static String message(int errno) {
        String[] e = errno > 0 && errno < TABLE.length ? TABLE[errno] : null;
        return e != null ? e[1] : "Unknown error " + errno;
    }

    /** True when a syscall's raw return value means failure: Linux's IS_ERR_VALUE, -4095..-1. */
    public static boolean isError(long ret) {
        return ret < 0 && ret >= -4095;
    }
}
