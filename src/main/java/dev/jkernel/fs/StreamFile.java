package dev.jkernel.fs;

import dev.jkernel.kernel.Errno;
import dev.jkernel.kernel.ErrnoException;
import dev.jkernel.kernel.Task;
import dev.jkernel.mm.GuestFault;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * A file backed by Java streams: the guest's stdio. Not seekable (ESPIPE). Output is flushed after every write. With
 * {@code tty} it answers the terminal ioctls (TCGETS, TIOCGWINSZ, ...) like a terminal in its default cooked mode;
 * without, they are ENOTTY, as for a pipe. Releasing it flushes but never closes the streams: they belong to whoever
 * embeds the kernel.
 */
public final class StreamFile extends OpenFile {
    final InputStream in;
    final OutputStream out;
    final boolean tty;
    /** The terminal settings last set with TCSETS* (struct termios, 36 bytes). */
    private byte[] termios;
    private int winRows = 24, winCols = 80;
    /** A read has seen the end of the input stream. */
    private volatile boolean sawEof;

    private StreamFile(InputStream in, OutputStream out, boolean tty, int flags) {
        this.in = in;
        this.out = out;
        this.tty = tty;
        this.flags = flags;
    }

    /** A read-only file reading {@code in}; {@code tty} makes it answer TCGETS like a terminal. */
    public static StreamFile input(InputStream in, boolean tty) {
        return new StreamFile(in, null, tty, O_RDONLY);
    }

    /** A write-only file writing {@code out}. */
    public static StreamFile output(OutputStream out, boolean tty) {
        return new StreamFile(null, out, tty, O_WRONLY);
    }

    @Override
    public String guestPath() {
        return tty ? "/dev/pts/0" : "pipe:[" + (in != null ? 1 : 2) + "]";
    }

    @Override
    public boolean canRead() {
        return in != null && super.canRead();
    }

    @Override
    public boolean canWrite() {
        return out != null && super.canWrite();
    }

    @Override
    public int read(byte[] b, int off, int len, long at) throws ErrnoException {
        if (in == null) {
            throw new ErrnoException(Errno.EBADF);
        }
        if (len == 0) {
            return 0;
        }
        try {
            if ((flags & O_NONBLOCK) != 0 && in.available() == 0) {
                throw new ErrnoException(Errno.EAGAIN);
            }
            int n = in.read(b, off, len);
            if (n < 0) {
                sawEof = true;
            }
            return Math.max(n, 0);
        } catch (IOException e) {
            throw new ErrnoException(Errno.EIO);
        }
    }

    @Override
    public int write(byte[] b, int off, int len, long at) throws ErrnoException {
        if (out == null) {
            throw new ErrnoException(Errno.EBADF);
        }
        try {
            out.write(b, off, len);
            out.flush();
            return len;
        } catch (IOException e) {
            throw new ErrnoException(Errno.EPIPE);
        }
    }

    @Override
    public Stat stat() {
        return tty ? Stat.synthetic(Stat.makedev(0, 0x18), 3, Stat.S_IFCHR | 0620, Stat.makedev(136, 0), 0)
                : Stat.synthetic(Stat.makedev(0, 0xe), in != null ? 1 : 2, Stat.S_IFIFO | 0600, 0, 0);
    }

    @Override
    public int available() throws ErrnoException {
        if (in == null) {
            return 0;
        }
        try {
            return Math.max(0, in.available());
        } catch (IOException e) {
            throw new ErrnoException(Errno.EIO);
        }
    }

    /**
     * Best effort, as a Java stream cannot be waited on: the input is readable when {@code available() > 0} or once
     * a read has seen its end (an end not yet read is not noticed); output is always writable. Pollers re-check
     * every few milliseconds ({@link #pollNeedsRecheck}).
     */
    @Override
    public int poll() {
        int mask = 0;
        if (in != null) {
            try {
                if (sawEof || in.available() > 0) {
                    mask |= POLLIN | POLLRDNORM;
                }
            } catch (IOException e) {
                mask |= POLLERR;
            }
        }
        if (out != null) {
            mask |= POLLOUT | POLLWRNORM;
        }
        return mask;
    }

    @Override
    public boolean pollNeedsRecheck() {
        return in != null;
    }

    // asm-generic ioctl numbers
    static final int TCGETS = 0x5401, TCSETS = 0x5402, TCSETSW = 0x5403, TCSETSF = 0x5404, TIOCSCTTY = 0x540E,
            TIOCGPGRP = 0x540F, TIOCSPGRP = 0x5410, TIOCGWINSZ = 0x5413, TIOCSWINSZ = 0x5414, TIOCGSID = 0x5429;

    private static byte[] defaultTermios() {
        byte[] b = new byte[36];
        Stat.put(b, 0, 0x500, 4);   // c_iflag: ICRNL | IXON
        Stat.put(b, 4, 0x5, 4);     // c_oflag: OPOST | ONLCR
        Stat.put(b, 8, 0xbf, 4);    // c_cflag: B38400 | CS8 | CREAD
        Stat.put(b, 12, 0x8a3b, 4); // c_lflag: ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN
        byte[] cc = {3, 28, 127, 21, 4, 0, 1, 0, 17, 19, 26, 0, 18, 15, 23, 22, 0, 0, 0};
        System.arraycopy(cc, 0, b, 17, cc.length);
        return b;
    }

    @Override
    public long ioctl(Task t, int request, long arg) throws GuestFault, ErrnoException {
        if (!tty) {
            return -Errno.ENOTTY;
        }
        switch (request) {
            case TCGETS -> {
                synchronized (this) {
                    t.mm().write(arg, termios != null ? termios : defaultTermios());
                }
                return 0;
            }
            case TCSETS, TCSETSW, TCSETSF -> {
                byte[] b = t.mm().read(arg, 36);
                synchronized (this) {
                    termios = b;
                }
                return 0;
            }
            case TIOCGWINSZ -> {
                byte[] b = new byte[8];
                Stat.put(b, 0, winRows, 2);
                Stat.put(b, 2, winCols, 2);
                t.mm().write(arg, b);
                return 0;
            }
            case TIOCSWINSZ -> {
                byte[] b = t.mm().read(arg, 8);
                winRows = (b[0] & 0xff) | (b[1] & 0xff) << 8;
                winCols = (b[2] & 0xff) | (b[3] & 0xff) << 8;
                return 0;
            }
            case TIOCGPGRP, TIOCGSID -> {
                t.mm().write32(arg, t.tgid());
                return 0;
            }
            case TIOCSPGRP, TIOCSCTTY -> {
                return 0;
            }
            default -> {
                return -Errno.ENOTTY;
            }
        }
    }

    @Override
    protected void release() {
        if (out != null) {
            try {
                out.flush();
            } catch (IOException e) {
                // The guest's close has succeeded.
            }
        }
    }
}
