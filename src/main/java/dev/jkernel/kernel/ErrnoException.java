package dev.jkernel.kernel;

/**
 * A syscall's failure with a Linux errno, for code paths where a negative return value is awkward (a method that
 * returns a Path, say). The syscall dispatcher turns it into {@code -errno}. Carries no stack trace: it is a result,
 * not a bug.
 */
public final class ErrnoException extends Exception {
    public final int errno;

    public ErrnoException(int errno) {
        super(null, null, false, false);
        this.errno = errno;
    }

    @Override
    public String getMessage() {
        return Errno.name(errno) + " (" + Errno.message(errno) + ")";
    }
}
