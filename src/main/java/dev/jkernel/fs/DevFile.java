package dev.jkernel.fs;

import dev.jkernel.kernel.Errno;
import dev.jkernel.kernel.ErrnoException;
import dev.jkernel.mm.PageSource;

import java.security.SecureRandom;
import java.util.Arrays;

/** /dev/null, /dev/zero, /dev/full, /dev/random and /dev/urandom (drivers/char/mem.c, random.c). */
public final class DevFile extends OpenFile {
    private static final SecureRandom RANDOM = new SecureRandom();
    private final SynthNode.Kind kind;

    /** The device {@code kind} opened through {@code node} (its synthetic node, or a device node of a tmpfs). */
    DevFile(Node node, SynthNode.Kind kind, int flags) {
        this.node = node;
        this.kind = kind;
        this.flags = flags & ~(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_CLOEXEC);
    }

    /** A task's read: /dev/random and /dev/urandom draw from its kernel's HostOps (seeded when deterministic). */
    @Override
    public int read(dev.jkernel.kernel.Task t, byte[] b, int off, int len, long at) throws ErrnoException {
        if ((kind == SynthNode.Kind.DEV_RANDOM || kind == SynthNode.Kind.DEV_URANDOM) && t != null) {
            byte[] r = new byte[len];
            t.kernel().entropy(r);
            System.arraycopy(r, 0, b, off, len);
            return len;
        }
        return read(b, off, len, at);
    }

    @Override
    public int read(byte[] b, int off, int len, long at) {
        switch (kind) {
            case DEV_NULL -> {
                return 0;
            }
            case DEV_RANDOM, DEV_URANDOM -> {
                byte[] r = new byte[len];
                RANDOM.nextBytes(r);
                System.arraycopy(r, 0, b, off, len);
                return len;
            }
            default -> {
                Arrays.fill(b, off, off + len, (byte) 0);
                return len;
            }
        }
    }

    @Override
    public int write(byte[] b, int off, int len, long at) throws ErrnoException {
        if (kind == SynthNode.Kind.DEV_FULL) {
            throw new ErrnoException(Errno.ENOSPC);
        }
        return len;
    }

    @Override
    public boolean positional() {
        return true;
    }

    /** null_lseek and friends: the offset stays 0. */
    @Override
    public long seek(long offset, int whence) {
        return 0;
    }

    @Override
    public Stat stat() throws ErrnoException {
        return node.stat(null);
    }

    @Override
    public PageSource pageSource() {
        if (kind != SynthNode.Kind.DEV_ZERO) {
            return null;
        }
        return new PageSource() {
            @Override
            public int fill(long fileOffset, byte[] dst, int dstOff, int len) {
                return len;
            }

            @Override
            public String name() {
                return "/dev/zero";
            }
        };
    }
}
