package dev.jkernel.api;

import dev.jkernel.kernel.UserModeHelper;

/**
 * A program could not be started: the errno execve would return (ENOENT, EACCES, ENOEXEC, ...) and a message that
 * says why (for ENOEXEC, what is wrong with the file).
 */
public final class ExecException extends ErrnoException {
    public ExecException(String program, int errno, String message) {
        super(program, errno, message);
    }

    ExecException(String program, UserModeHelper.ExecFailure f) {
        this(program, f.errno, f.getMessage());
    }
}
