package dev.jkernel.api;

import dev.jkernel.kernel.Errno;

import java.io.IOException;

/**
 * A syscall failed with a Linux errno: the one error style of the embedding API. {@link #errno()} is the number,
 * {@link #errnoName()} its Linux name ("ENOENT"), the message says which call and strerror's text. An
 * {@link IOException}, so that it travels through Java I/O code naturally.
 */
public class ErrnoException extends IOException {
    private final int errno;
    private final String call;

    public ErrnoException(String call, int errno) {
        this(call, errno, call + ": " + Errno.name(errno) + " (" + Errno.message(errno) + ")");
    }

    protected ErrnoException(String call, int errno, String message) {
        super(message);
        this.errno = errno;
        this.call = call;
    }

    /** The errno value (ENOENT is 2). */
    public int errno() {
        return errno;
    }

    /** The errno's Linux name, such as "ENOENT". */
    public String errnoName() {
        return Errno.name(errno);
    }

    /** What failed: the syscall's name, or the program for an exec. */
    public String call() {
        return call;
    }
}
