package dev.jkernel.kernel;

import dev.jkernel.fs.AnonInodeFile;
import dev.jkernel.fs.OpenFile;
import dev.jkernel.mm.GuestFault;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A signalfd (Linux's fs/signalfd.c): reading it dequeues, from the reading thread's pending signals and then its
 * process's, those in the file's mask, as {@code struct signalfd_siginfo} records. Whose signals are read is decided
 * by the reader, not by whoever created the file.
 */
public final class SignalFd extends AnonInodeFile {
    static final int SFD_CLOEXEC = O_CLOEXEC, SFD_NONBLOCK = O_NONBLOCK;
    /** sizeof(struct signalfd_siginfo). */
    static final int SSI_SIZE = 128;

    /** The signals this file reads (never SIGKILL or SIGSTOP). */
    private volatile long mask;

    /** The process that created it: its queue is where pollers sleep (a reader of another process polls without it). */
    private final Proc owner;

    private SignalFd(Proc owner, long mask, int flags) {
        super("signalfd");
        this.owner = owner;
        this.mask = mask;
        this.flags = O_RDWR | flags;
    }

    /** signalfd4(fd, mask, sizemask, flags): a new signalfd when fd is -1, else a new mask for an existing one. */
    static long signalfd4(Task t, long ufd, long maskAddr, long sizemask, long flagsArg, long a4, long a5)
            throws GuestFault {
        if (sizemask != 8) {
            return -Errno.EINVAL;
        }
        long m = t.mm().read64(maskAddr) & ~Signals.UNBLOCKABLE;
        int flags = (int) flagsArg;
        if ((flagsArg & ~(long) (SFD_CLOEXEC | SFD_NONBLOCK)) != 0) {
            return -Errno.EINVAL;
        }
        int fd = (int) ufd;
        if (fd == -1) {
            return t.files().install(new SignalFd(t.proc, m, flags & SFD_NONBLOCK), (flags & SFD_CLOEXEC) != 0);
        }
        OpenFile f = fd < 0 ? null : t.files().get(fd);
        if (f == null) {
            return -Errno.EBADF;
        }
        if (!(f instanceof SignalFd s)) {
            return -Errno.EINVAL;
        }
        Proc p = t.proc;
        synchronized (p.siglock) {
            s.mask = m;
        }
        p.signalfdWait.wakeAll();
        return fd;
    }

    @Override
    public int read(byte[] b, int off, int len, long at) throws ErrnoException {
        throw new ErrnoException(Errno.EINVAL); // only a task can read its signals
    }

    @Override
    public int read(Task t, byte[] b, int off, int len, long at) throws ErrnoException {
        int count = len / SSI_SIZE;
        if (count == 0) {
            throw new ErrnoException(Errno.EINVAL);
        }
        Proc p = t.proc;
        int done = 0;
        boolean nonblock = (flags & O_NONBLOCK) != 0;
        while (done < count) {
            SigInfo info = dequeue(t, p, nonblock);
            if (info == null) {
                if (done == 0) {
                    throw new ErrnoException(Errno.EAGAIN);
                }
                break;
            }
            System.arraycopy(toSsi(info), 0, b, off + done * SSI_SIZE, SSI_SIZE);
            done++;
            nonblock = true; // only the first record is waited for
        }
        return done * SSI_SIZE;
    }

    /** One signal from the mask, or null (only when nonblock and one has been read); waits unless nonblock. */
    private SigInfo dequeue(Task t, Proc p, boolean nonblock) throws ErrnoException {
        SigInfo[] got = new SigInfo[1];
        synchronized (p.siglock) {
            got[0] = SignalDelivery.dequeue(t, mask);
        }
        if (got[0] != null || nonblock) {
            return got[0];
        }
        int r = p.signalfdWait.await(t, () -> {
            synchronized (p.siglock) {
                got[0] = SignalDelivery.dequeue(t, mask);
                return got[0] != null;
            }
        }, WaitQueue.FOREVER, true);
        if (got[0] == null) {
            throw new ErrnoException(r == WaitQueue.INTERRUPTED ? Errno.ERESTARTSYS : Errno.EINTR);
        }
        return got[0];
    }

    /** A siginfo as struct signalfd_siginfo: the fields of its si_code's layout (Linux's signalfd_copyinfo). */
    static byte[] toSsi(SigInfo i) {
        ByteBuffer b = ByteBuffer.allocate(SSI_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, i.signo()).putInt(4, i.errno()).putInt(8, i.code());
        int code = i.code();
        if (code == SigInfo.SI_TIMER) {
            b.putInt(24, i.timerId()).putInt(32, i.overrun()).putInt(44, (int) i.value()).putLong(48, i.value());
        } else if (code > 0 && code < SigInfo.SI_KERNEL) {
            switch (i.signo()) {
                case Signals.SIGCHLD -> b.putInt(12, i.pid()).putInt(16, i.uid()).putInt(40, i.status())
                        .putLong(56, i.utime()).putLong(64, i.stime());
                case Signals.SIGSEGV, Signals.SIGBUS, Signals.SIGILL, Signals.SIGFPE, Signals.SIGTRAP ->
                        b.putLong(72, i.addr());
                default -> b.putInt(12, i.pid()).putInt(16, i.uid());
            }
        } else if (code < 0) {
            b.putInt(12, i.pid()).putInt(16, i.uid()).putInt(44, (int) i.value()).putLong(48, i.value());
        } else {
            b.putInt(12, i.pid()).putInt(16, i.uid());
        }
        return b.array();
    }

    /** Readable when a signal of the mask is pending for the polling thread or its process. */
    @Override
    public int poll(Task t) {
        long pend = t.pending.set | t.proc.shared.set;
        return (pend & mask) != 0 ? POLLIN | POLLRDNORM : 0;
    }

    @Override
    public dev.jkernel.kernel.WaitQueue pollQueue() {
        return owner.signalfdWait;
    }
}
