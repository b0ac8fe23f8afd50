package dev.jkernel.syscall;

import dev.jkernel.fs.FdTable;
import dev.jkernel.fs.OpenFile;
import dev.jkernel.kernel.Errno;
import dev.jkernel.kernel.ErrnoException;
import dev.jkernel.kernel.Rlimits;
import dev.jkernel.kernel.SignalDelivery;
import dev.jkernel.kernel.Task;
import dev.jkernel.kernel.WaitQueue;
import dev.jkernel.mm.GuestFault;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static dev.jkernel.fs.OpenFile.*;
import static dev.jkernel.syscall.SyscallTable.Status.PARTIAL;

/**
 * ppoll and pselect6 (Linux's fs/select.c; riscv64 has neither poll nor select). A file reports its events with
 * {@link OpenFile#poll()}; a poller that must sleep adds itself to every polled file's {@link OpenFile#pollQueue()}
 * (poll_wait) and sleeps until one of them wakes it, the timeout passes, or it is interrupted. Files whose state a
 * queue cannot announce (host streams) are re-checked every {@link #RECHECK_NANOS}.
 */
final class PollSyscalls {
    private PollSyscalls() {}

    static final long RECHECK_NANOS = 10_000_000L;
    private static final long NSEC = 1_000_000_000L;

    // select's event classes (fs/select.c)
    static final int POLLIN_SET = POLLRDNORM | POLLRDBAND | POLLIN | POLLHUP | POLLERR,
            POLLOUT_SET = POLLWRBAND | POLLWRNORM | POLLOUT | POLLERR, POLLEX_SET = POLLPRI;

    static void register(SyscallTable.Builder b) {
        b.add("ppoll", PollSyscalls::ppoll, PARTIAL, "ptr uint ptr ptr size",
                "stdio streams are best effort, re-checked every 10 ms");
        b.add("pselect6", PollSyscalls::pselect6, PARTIAL, "int ptr ptr ptr ptr ptr",
                "as ppoll; the descriptor table size that n is clamped to is estimated from the highest open fd");
    }

    // ------------------------------------------------------------------------------------------------------------
    // Timeouts
    // ------------------------------------------------------------------------------------------------------------

    /** A relative timeout as given (struct timespec), started at {@code start}; {@code deadline} in nanoTime. */
    record Timeout(long sec, long nsec, long start, long deadline) {
        boolean zero() {
            return sec == 0 && nsec == 0;
        }
    }

    /** get_timespec64 + poll_select_set_timeout: null for no timeout, EFAULT, EINVAL when not a valid timespec. */
    static Timeout timeout(Task t, long tsp) throws GuestFault, ErrnoException {
        if (tsp == 0) {
            return null;
        }
        byte[] b = t.mm().read(tsp, 16);
        long sec = FileSyscalls.le(b, 0);
        long nsec = FileSyscalls.le(b, 8);
        if (sec < 0 || nsec < 0 || nsec >= NSEC) {
            throw new ErrnoException(Errno.EINVAL);
        }
        long now = t.kernel().monotonicNanos();
        long deadline = WaitQueue.FOREVER;
        if (sec < Long.MAX_VALUE / NSEC - 1) {
            long d = now + sec * NSEC + nsec;
            if (d - now > 0) {
                deadline = d;
            }
        }
        return new Timeout(sec, nsec, now, deadline);
    }

    /**
     * poll_select_finish: writes the time left back (not for a zero timeout). If it cannot be written, the call
     * cannot be restarted with it: ERESTARTNOHAND becomes EINTR.
     */
    static long finish(Task t, long tsp, Timeout to, long ret) {
        SignalDelivery.restoreSavedMaskUnless(t, ret == -Errno.ERESTARTNOHAND);
        if (to == null || to.zero()) {
            return ret;
        }
        long elapsed = t.kernel().monotonicNanos() - to.start;
        long sec = to.sec - elapsed / NSEC;
        long nsec = to.nsec - elapsed % NSEC;
        if (nsec < 0) {
            nsec += NSEC;
            sec--;
        }
        if (sec < 0) {
            sec = 0;
            nsec = 0;
        }
        byte[] b = new byte[16];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (sec >>> (8 * i));
            b[8 + i] = (byte) (nsec >>> (8 * i));
        }
        try {
            t.mm().write(tsp, b);
            return ret;
        } catch (GuestFault e) {
            return ret == -Errno.ERESTARTNOHAND ? -Errno.EINTR : ret;
        }
    }

    /** set_user_sigmask: EINVAL for a size other than 8, EFAULT; installs the mask for the rest of the call. */
    static void sigmask(Task t, long mask, long size) throws GuestFault, ErrnoException {
        if (mask == 0) {
            return;
        }
        if (size != 8) {
            throw new ErrnoException(Errno.EINVAL);
        }
        long m = t.mm().read64(mask);
        SignalDelivery.setTemporaryMask(t, m);
    }

    // ------------------------------------------------------------------------------------------------------------
    // The sleeping loop shared by poll and select
    // ------------------------------------------------------------------------------------------------------------

    /** One pass over the polled files; registers on their queues when {@code reg} is given. */
    interface Scan {
        int scan(Set<WaitQueue> reg, boolean[] recheck);
    }

    /** The events of fd for a poller (POLLNVAL when not open or O_PATH), registering its queue in {@code reg}. */
    static int pollFile(Task t, FdTable files, int fd, Set<WaitQueue> reg, boolean[] recheck) {
        OpenFile f = files.get(fd);
        if (f == null || f.isPath()) {
            return POLLNVAL;
        }
        if (reg != null) {
            WaitQueue q = f.pollQueue();
            if (q != null && reg.add(q)) {
                q.addWaiter(t);
            }
        }
        if (f.pollNeedsRecheck()) {
            recheck[0] = true;
        }
        return f.poll(t);
    }

    /**
     * do_poll / do_select's loop: scans; while nothing is ready, sleeps on the files' queues until woken, the
     * timeout (a final scan follows it) or an interruption (ERESTARTNOHAND). Returns the scan's count.
     */
    static long sleepUntilReady(Task t, Scan scan, Timeout to) {
        boolean[] recheck = {false};
        if (to != null && to.zero()) {
            return nothingOrInterrupted(t, scan.scan(null, recheck));
        }
        Set<WaitQueue> reg = new HashSet<>();
        WaitQueue own = new WaitQueue();
        try {
            int n = scan.scan(reg, recheck);
            if (n != 0 || t.interruptPending()) {
                return nothingOrInterrupted(t, n);
            }
            long deadline = to == null ? WaitQueue.FOREVER : to.deadline;
            int[] res = new int[1];
            while (true) {
                long d = deadline;
                if (recheck[0]) {
                    long soon = t.kernel().monotonicNanos() + RECHECK_NANOS;
                    d = deadline == WaitQueue.FOREVER || soon - deadline < 0 ? soon : deadline;
                }
                int r = own.await(t, () -> {
                    res[0] = scan.scan(reg, recheck);
                    return res[0] != 0;
                }, d, true);
                if (r == WaitQueue.READY) {
                    return res[0];
                }
                if (r == WaitQueue.INTERRUPTED) {
                    return -Errno.ERESTARTNOHAND;
                }
                if (deadline != WaitQueue.FOREVER && t.kernel().monotonicNanos() - deadline >= 0) {
                    return nothingOrInterrupted(t, scan.scan(null, recheck));
                }
            }
        } finally {
            for (WaitQueue q : reg) {
                q.removeWaiter(t);
            }
        }
    }

    /** do_poll/do_select: a pass that found nothing ends in ERESTARTNOHAND when a signal is pending. */
    private static long nothingOrInterrupted(Task t, int n) {
        return n == 0 && t.interruptPending() ? -Errno.ERESTARTNOHAND : n;
    }

    // ------------------------------------------------------------------------------------------------------------
    // ppoll
    // ------------------------------------------------------------------------------------------------------------

    static long ppoll(Task t, long ufds, long nfdsArg, long tsp, long sigmask, long sigsetsize, long a5)
            throws GuestFault, ErrnoException {
        Timeout to = timeout(t, tsp);
        sigmask(t, sigmask, sigsetsize);
        long ret = doSysPoll(t, ufds, nfdsArg & 0xffffffffL, to);
        return finish(t, tsp, to, ret);
    }

    static long doSysPoll(Task t, long ufds, long nfds, Timeout to) throws ErrnoException {
        long lim = t.proc().rlimits()[Rlimits.RLIMIT_NOFILE][0];
        if (Long.compareUnsigned(nfds, lim) > 0) {
            return -Errno.EINVAL;
        }
        int n = (int) nfds;
        byte[] raw;
        try {
            raw = n == 0 ? new byte[0] : t.mm().read(ufds, 8 * n);
        } catch (GuestFault e) {
            return -Errno.EFAULT;
        }
        int[] fds = new int[n];
        int[] events = new int[n];
        int[] revents = new int[n];
        for (int i = 0; i < n; i++) {
            fds[i] = (raw[8 * i] & 0xff) | (raw[8 * i + 1] & 0xff) << 8 | (raw[8 * i + 2] & 0xff) << 16
                    | (raw[8 * i + 3] & 0xff) << 24;
            events[i] = (raw[8 * i + 4] & 0xff) | (raw[8 * i + 5] & 0xff) << 8;
        }
        FdTable files = t.files();
        long count = sleepUntilReady(t, (reg, recheck) -> {
            int c = 0;
            for (int i = 0; i < n; i++) {
                int m = 0;
                if (fds[i] >= 0) {
                    m = pollFile(t, files, fds[i], reg, recheck);
                    if (m != POLLNVAL) {
                        m &= events[i] | POLLERR | POLLHUP;
                    }
                }
                revents[i] = m;
                if (m != 0) {
                    c++;
                }
            }
            return c;
        }, to);
        byte[] two = new byte[2];
        for (int i = 0; i < n; i++) {
            two[0] = (byte) revents[i];
            two[1] = (byte) (revents[i] >>> 8);
            try {
                t.mm().write(ufds + 8L * i + 6, two);
            } catch (GuestFault e) {
                return -Errno.EFAULT;
            }
        }
        return count;
    }

    // ------------------------------------------------------------------------------------------------------------
    // pselect6
    // ------------------------------------------------------------------------------------------------------------

    static long pselect6(Task t, long nArg, long inp, long outp, long exp, long tsp, long sig)
            throws GuestFault, ErrnoException {
        long maskPtr = 0, maskSize = 0;
        if (sig != 0) {
            byte[] pack = t.mm().read(sig, 16);
            maskPtr = FileSyscalls.le(pack, 0);
            maskSize = FileSyscalls.le(pack, 8);
        }
        Timeout to = timeout(t, tsp);
        sigmask(t, maskPtr, maskSize);
        long ret = coreSysSelect(t, (int) nArg, inp, outp, exp, to);
        return finish(t, tsp, to, ret);
    }

    /**
     * The size of the descriptor table (fdt->max_fds) that n is clamped to: 64 at first, doubled whenever a higher
     * descriptor was needed. Estimated from the highest descriptor open now (Linux's never shrinks).
     */
    static int maxFds(FdTable files) {
        List<Integer> open = files.openFds();
        int high = open.isEmpty() ? -1 : open.get(open.size() - 1);
        int max = 64;
        while (max <= high) {
            max *= 2;
        }
        return Math.min(max, files.limit());
    }

    static long coreSysSelect(Task t, int nIn, long inp, long outp, long exp, Timeout to) {
        if (nIn < 0) {
            return -Errno.EINVAL;
        }
        FdTable files = t.files();
        int n = Math.min(nIn, maxFds(files));
        int size = (n + 63) / 64 * 8;
        byte[] in, out, ex;
        try {
            in = fdSet(t, inp, size);
            out = fdSet(t, outp, size);
            ex = fdSet(t, exp, size);
        } catch (GuestFault e) {
            return -Errno.EFAULT;
        }
        // max_select_fd: every descriptor asked about must be open.
        for (int i = 0; i < n; i++) {
            if ((bit(in, i) || bit(out, i) || bit(ex, i)) && files.get(i) == null) {
                return -Errno.EBADF;
            }
        }
        byte[] rin = new byte[size], rout = new byte[size], rex = new byte[size];
        long ret = sleepUntilReady(t, (reg, recheck) -> {
            java.util.Arrays.fill(rin, (byte) 0);
            java.util.Arrays.fill(rout, (byte) 0);
            java.util.Arrays.fill(rex, (byte) 0);
            int c = 0;
            for (int i = 0; i < n; i++) {
                boolean wi = bit(in, i), wo = bit(out, i), we = bit(ex, i);
                if (!wi && !wo && !we) {
                    continue;
                }
                int m = pollFile(t, files, i, reg, recheck);
                if (wi && (m & POLLIN_SET) != 0) {
                    set(rin, i);
                    c++;
                }
                if (wo && (m & POLLOUT_SET) != 0) {
                    set(rout, i);
                    c++;
                }
                if (we && (m & POLLEX_SET) != 0) {
                    set(rex, i);
                    c++;
                }
            }
            return c;
        }, to);
        if (ret < 0) {
            return ret;
        }
        try {
            if (inp != 0) {
                t.mm().write(inp, rin);
            }
            if (outp != 0) {
                t.mm().write(outp, rout);
            }
            if (exp != 0) {
                t.mm().write(exp, rex);
            }
        } catch (GuestFault e) {
            return -Errno.EFAULT;
        }
        return ret;
    }

    private static byte[] fdSet(Task t, long addr, int size) throws GuestFault {
        return addr == 0 || size == 0 ? new byte[size] : t.mm().read(addr, size);
    }

    private static boolean bit(byte[] set, int fd) {
        return (set[fd >> 3] & (1 << (fd & 7))) != 0;
    }

    private static void set(byte[] set, int fd) {
        set[fd >> 3] |= (byte) (1 << (fd & 7));
    }
}
