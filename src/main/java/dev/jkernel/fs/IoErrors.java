package dev.jkernel.fs;

import dev.jkernel.kernel.Errno;
import dev.jkernel.kernel.ErrnoException;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NonReadableChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.NotLinkException;

/** Maps the JDK's exceptions for host file operations back to the errno the host returned. */
public final class IoErrors {
    private IoErrors() {}

    public static int errno(Throwable e) {
        if (e instanceof NoSuchFileException) {
            return Errno.ENOENT;
        }
        if (e instanceof FileAlreadyExistsException) {
            return Errno.EEXIST;
        }
        if (e instanceof AccessDeniedException) {
            return Errno.EACCES;
        }
        if (e instanceof DirectoryNotEmptyException) {
            return Errno.ENOTEMPTY;
        }
        if (e instanceof NotDirectoryException) {
            return Errno.ENOTDIR;
        }
        if (e instanceof NotLinkException) {
            return Errno.EINVAL;
        }
        if (e instanceof FileSystemLoopException) {
            return Errno.ELOOP;
        }
        if (e instanceof AtomicMoveNotSupportedException) {
            return Errno.EXDEV;
        }
        if (e instanceof NonReadableChannelException || e instanceof NonWritableChannelException
                || e instanceof ClosedChannelException) {
            return Errno.EBADF;
        }
        if (e instanceof FileSystemException fse && fse.getReason() != null) {
            int n = byMessage(fse.getReason());
            if (n > 0) {
                return n;
            }
        }
        if (e instanceof IOException && e.getMessage() != null) {
            int n = byMessage(e.getMessage());
            if (n > 0) {
                return n;
            }
            if (e.getMessage().contains("No space left")) {
                return Errno.ENOSPC;
            }
        }
        return Errno.EIO;
    }

    private static int byMessage(String reason) {
        for (int i = 1; i < 134; i++) {
            if (reason.startsWith(Errno.message(i))) {
                return i;
            }
        }
        return -1;
    }

    public static ErrnoException of(Throwable e) {
        return new ErrnoException(errno(e));
    }
}
