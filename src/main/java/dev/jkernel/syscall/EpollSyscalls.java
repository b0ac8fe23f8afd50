package dev.jkernel.syscall;

import dev.jkernel.fs.AnonInodeFile;
import dev.jkernel.fs.EventFd;
import dev.jkernel.fs.OpenFile;
import dev.jkernel.fs.Stat;
import dev.jkernel.kernel.Errno;
import dev.jkernel.kernel.ErrnoException;
import dev.jkernel.kernel.SignalDelivery;
import dev.jkernel.kernel.Task;
import dev.jkernel.kernel.WaitQueue;
import dev.jkernel.mm.GuestFault;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.jkernel.syscall.SyscallTable.Status.PARTIAL;

/**
 * eventfd2 and epoll (Linux's fs/eventfd.c, fs/eventpoll.c). An epoll instance keeps its interest list keyed by
 * (open file description, fd number) as Linux does. Every watched file's {@link OpenFile#pollQueue()} gets a callback
 * (ep_poll_callback) that marks the item as woken and wakes the instance's own queue, where epoll_pwait sleeps and
 * which pollers of the epoll file sleep on. Level-triggered items are polled on every wait; edge-triggered ones only
 * after a wake-up of their file since they were last reported (the file's queue being woken, as in Linux, so a second
 * write to a pipe reports again). An item whose open file description has been released (its last descriptor closed)
 * is dropped when the instance next looks at it.
 */
final class EpollSyscalls {
    private EpollSyscalls() {}

    static final int EPOLL_CTL_ADD = 1, EPOLL_CTL_DEL = 2, EPOLL_CTL_MOD = 3;
    static final int EPOLLIN = 0x1, EPOLLPRI = 0x2, EPOLLOUT = 0x4, EPOLLERR = 0x8, EPOLLHUP = 0x10,
            EPOLLRDHUP = 0x2000, EPOLLEXCLUSIVE = 1 << 28, EPOLLWAKEUP = 1 << 29, EPOLLONESHOT = 1 << 30,
            EPOLLET = 1 << 31;
    /** Flags that are not events (EP_PRIVATE_BITS). */
    static final int PRIVATE_BITS = EPOLLWAKEUP | EPOLLONESHOT | EPOLLET | EPOLLEXCLUSIVE;
    static final int EPOLL_CLOEXEC = OpenFile.O_CLOEXEC;
    /** sizeof(struct epoll_event) on riscv64 (not packed: u32 events, padding, u64 data). */
    static final int EVENT_SIZE = 16;
    /** EP_MAX_EVENTS: INT_MAX / sizeof(struct epoll_event). */
    static final int MAX_EVENTS = Integer.MAX_VALUE / EVENT_SIZE;
    private static final long NSEC = 1_000_000_000L;

    static void register(SyscallTable.Builder b) {
        b.add("eventfd2", EpollSyscalls::eventfd2, PARTIAL, "uint hex",
                "no /proc/self/fdinfo eventfd-count; no EFD_IOCB / kernel-side signalling");
        b.add("epoll_create1", EpollSyscalls::epollCreate1, PARTIAL, "hex",
                "interest lists keyed by (open file, fd); an item goes when the instance next looks after its file's "
                        + "last reference is dropped; loops of nested epolls are ELOOP, depth not limited");
        b.add("epoll_ctl", EpollSyscalls::epollCtl, PARTIAL, "fd int fd ptr",
                "EPOLLEXCLUSIVE and EPOLLWAKEUP accepted and ignored; regular files and directories are EPERM");
        b.add("epoll_pwait", EpollSyscalls::epollPwait, PARTIAL, "fd ptr int int ptr size",
                "edge-triggered items report after any wake-up of their file's queue (pipes wake readers and writers "
                        + "alike); the order of events is the interest list's, not the ready list's; host streams "
                        + "re-checked every 10 ms");
        b.add("epoll_pwait2", EpollSyscalls::epollPwait2, PARTIAL, "fd ptr int ptr ptr size", "as epoll_pwait");
    }

    // ------------------------------------------------------------------------------------------------------------
    // eventfd2
    // ------------------------------------------------------------------------------------------------------------

    static long eventfd2(Task t, long initval, long flagsArg, long a2, long a3, long a4, long a5) {
        int flags = (int) flagsArg;
        if ((flags & ~(EventFd.EFD_SEMAPHORE | EventFd.EFD_CLOEXEC | EventFd.EFD_NONBLOCK)) != 0) {
            return -Errno.EINVAL;
        }
        return t.files().install(new EventFd(initval & 0xffffffffL, flags), (flags & EventFd.EFD_CLOEXEC) != 0);
    }

    // ------------------------------------------------------------------------------------------------------------
    // The epoll file
    // ------------------------------------------------------------------------------------------------------------

    /** Identifies an item: the open file description (by identity) and the descriptor it was added through. */
    record Key(OpenFile file, int fd) {}

    /** One watched (file, fd) (struct epitem). */
    static final class Item {
        final Key key;
        volatile int events;
        volatile long data;
        /** Set by a wake-up of the file's queue; consumed by a report of an edge-triggered item. */
        volatile boolean woken = true;
        final WaitQueue queue;
        final Runnable callback;

        Item(Key key, int events, long data, Epoll ep) {
            this.key = key;
            this.events = events;
            this.data = data;
            this.queue = key.file.pollQueue();
            this.callback = () -> {
                woken = true;
                ep.wait.wakeAll();
            };
        }

        /** EPOLLONESHOT fired: no events left until EPOLL_CTL_MOD. */
        boolean disarmed() {
            return (events & ~PRIVATE_BITS) == 0;
        }
    }

    /** An epoll instance (struct eventpoll). */
    static final class Epoll extends AnonInodeFile {
        /** The interest list in insertion order; guarded by this. */
        private final Map<Key, Item> items = new LinkedHashMap<>();
        final WaitQueue wait = new WaitQueue();

        Epoll() {
            super("eventpoll");
            this.flags = O_RDWR;
        }

        synchronized Item find(Key k) {
            return items.get(k);
        }

        synchronized void add(Item it) {
            items.put(it.key, it);
            if (it.queue != null) {
                it.queue.addCallback(it.callback);
            }
        }

        synchronized void remove(Item it) {
            items.remove(it.key);
            if (it.queue != null) {
                it.queue.removeCallback(it.callback);
            }
        }

        synchronized List<Item> snapshot() {
            List<Item> l = new ArrayList<>(items.size());
            for (Item it : items.values()) {
                if (it.key.file.isReleased()) {
                    continue;
                }
                l.add(it);
            }
            // Drop items whose file is gone (eventpoll_release).
            items.values().removeIf(it -> {
                if (it.key.file.isReleased()) {
                    if (it.queue != null) {
                        it.queue.removeCallback(it.callback);
                    }
                    return true;
                }
                return false;
            });
            return l;
        }

        /** Whether any item's file cannot announce its changes (host streams). */
        synchronized boolean needsRecheck() {
            for (Item it : items.values()) {
                if (it.key.file.pollNeedsRecheck()) {
                    return true;
                }
            }
            return false;
        }

        /** Whether this epoll reaches {@code target} through the epolls it watches (for ELOOP). */
        boolean reaches(Epoll target, Set<Epoll> seen) {
            if (this == target) {
                return true;
            }
            if (!seen.add(this)) {
                return false;
            }
            for (Item it : snapshot()) {
                if (it.key.file instanceof Epoll e && e.reaches(target, seen)) {
                    return true;
                }
            }
            return false;
        }

        /** An item's events now, masked by what it asks for (EPOLLERR and EPOLLHUP always). */
        static int eventsOf(Task t, Item it, Set<Epoll> visiting) {
            int want = it.events;
            OpenFile f = it.key.file;
            int m = f instanceof Epoll e ? e.readyMask(t, visiting) : f.poll(t);
            return m & (want & ~PRIVATE_BITS | EPOLLERR | EPOLLHUP);
        }

        /** ep_send_events: up to max ready items as {events, data}, consuming edge-triggered and one-shot states. */
        List<long[]> collect(Task t, int max) {
            List<long[]> out = new ArrayList<>();
            for (Item it : snapshot()) {
                if (out.size() >= max) {
                    break;
                }
                synchronized (it) {
                    if (it.disarmed()) {
                        continue;
                    }
                    boolean et = (it.events & EPOLLET) != 0;
                    if (et && !it.woken && !it.key.file.pollNeedsRecheck()) {
                        continue;
                    }
                    it.woken = false;
                    int m = eventsOf(t, it, new HashSet<>());
                    if (m == 0) {
                        continue;
                    }
                    out.add(new long[] {m & 0xffffffffL, it.data});
                    if ((it.events & EPOLLONESHOT) != 0) {
                        it.events &= PRIVATE_BITS;
                    }
                }
            }
            return out;
        }

        /** The epoll file's own poll: EPOLLIN when an item would be reported. */
        int readyMask(Task t, Set<Epoll> visiting) {
            if (!visiting.add(this)) {
                return 0;
            }
            for (Item it : snapshot()) {
                if (it.disarmed()) {
                    continue;
                }
                if ((it.events & EPOLLET) != 0 && !it.woken) {
                    continue;
                }
                if (eventsOf(t, it, visiting) != 0) {
                    return POLLIN | POLLRDNORM;
                }
            }
            return 0;
        }

        @Override
        public int poll(Task t) {
            return readyMask(t, new HashSet<>());
        }

        @Override
        public int poll() {
            return 0; // only tasks poll an epoll file
        }

        @Override
        public WaitQueue pollQueue() {
            return wait;
        }

        @Override
        public boolean pollNeedsRecheck() {
            return needsRecheck();
        }

        @Override
        protected void release() {
            synchronized (this) {
                for (Item it : items.values()) {
                    if (it.queue != null) {
                        it.queue.removeCallback(it.callback);
                    }
                }
                items.clear();
            }
        }

        /** noop_llseek: the position stays 0. */
        @Override
        public long seek(long offset, int whence) {
            return 0;
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // epoll_create1 / epoll_ctl
    // ------------------------------------------------------------------------------------------------------------

    static long epollCreate1(Task t, long flagsArg, long a1, long a2, long a3, long a4, long a5) {
        int flags = (int) flagsArg;
        if ((flags & ~EPOLL_CLOEXEC) != 0) {
            return -Errno.EINVAL;
        }
        return t.files().install(new Epoll(), (flags & EPOLL_CLOEXEC) != 0);
    }

    /** fdget: null for a closed descriptor or an O_PATH one. */
    private static OpenFile fdget(Task t, long fd) {
        if (fd < 0 || fd > Integer.MAX_VALUE) {
            return null;
        }
        OpenFile f = t.files().get((int) fd);
        return f == null || f.isPath() ? null : f;
    }

    static long epollCtl(Task t, long epfdArg, long opArg, long fdArg, long eventPtr, long a4, long a5)
            throws GuestFault, ErrnoException {
        int epfd = (int) epfdArg, op = (int) opArg, fd = (int) fdArg;
        int events = 0;
        long data = 0;
        if (op != EPOLL_CTL_DEL) {
            byte[] b = t.mm().read(eventPtr, EVENT_SIZE);
            events = (int) FileSyscalls.le(b, 0);
            data = FileSyscalls.le(b, 8);
        }
        OpenFile ef = fdget(t, epfd);
        OpenFile tf = fdget(t, fd);
        if (ef == null || tf == null) {
            return -Errno.EBADF;
        }
        Stat st = tf.stat();
        int type = st.mode() & Stat.S_IFMT;
        if (type == Stat.S_IFREG || type == Stat.S_IFDIR) {
            return -Errno.EPERM; // no f_op->poll
        }
        if (ef == tf || !(ef instanceof Epoll ep)) {
            return -Errno.EINVAL;
        }
        if ((events & EPOLLEXCLUSIVE) != 0) {
            if (op == EPOLL_CTL_MOD) {
                return -Errno.EINVAL;
            }
            if (op == EPOLL_CTL_ADD && ((tf instanceof Epoll)
                    || (events & ~(EPOLLEXCLUSIVE | EPOLLWAKEUP | EPOLLET | EPOLLIN | EPOLLOUT | EPOLLERR
                    | EPOLLHUP | 0x40 | 0x100)) != 0)) {
                return -Errno.EINVAL;
            }
        }
        Key k = new Key(tf, fd);
        Item it = ep.find(k);
        switch (op) {
            case EPOLL_CTL_ADD -> {
                if (it != null) {
                    return -Errno.EEXIST;
                }
                if (tf instanceof Epoll target && target.reaches(ep, new HashSet<>())) {
                    return -Errno.ELOOP;
                }
                ep.add(new Item(k, events | EPOLLERR | EPOLLHUP, data, ep));
            }
            case EPOLL_CTL_DEL -> {
                if (it == null) {
                    return -Errno.ENOENT;
                }
                ep.remove(it);
            }
            case EPOLL_CTL_MOD -> {
                if (it == null) {
                    return -Errno.ENOENT;
                }
                if ((it.events & EPOLLEXCLUSIVE) != 0) {
                    return -Errno.EINVAL;
                }
                synchronized (it) {
                    it.events = events | EPOLLERR | EPOLLHUP;
                    it.data = data;
                    it.woken = true;
                }
            }
            default -> {
                return -Errno.EINVAL;
            }
        }
        ep.wait.wakeAll();
        return 0;
    }

    // ------------------------------------------------------------------------------------------------------------
    // epoll_pwait / epoll_pwait2
    // ------------------------------------------------------------------------------------------------------------

    static long epollPwait(Task t, long epfd, long events, long maxevents, long timeoutMs, long sigmask,
            long sigsetsize) throws GuestFault, ErrnoException {
        int ms = (int) timeoutMs;
        long deadline;
        boolean zero = ms == 0;
        if (ms < 0) {
            deadline = WaitQueue.FOREVER;
        } else {
            deadline = t.kernel().monotonicNanos() + ms * 1_000_000L;
        }
        return pwait(t, epfd, events, maxevents, zero, deadline, sigmask, sigsetsize);
    }

    static long epollPwait2(Task t, long epfd, long events, long maxevents, long tsp, long sigmask,
            long sigsetsize) throws GuestFault, ErrnoException {
        PollSyscalls.Timeout to = PollSyscalls.timeout(t, tsp);
        boolean zero = to != null && to.zero();
        long deadline = to == null ? WaitQueue.FOREVER : to.deadline();
        return pwait(t, epfd, events, maxevents, zero, deadline, sigmask, sigsetsize);
    }

    private static long pwait(Task t, long epfd, long events, long maxeventsArg, boolean zero, long deadline,
            long sigmask, long sigsetsize) throws GuestFault, ErrnoException {
        PollSyscalls.sigmask(t, sigmask, sigsetsize);
        long ret = doEpollWait(t, epfd, events, (int) maxeventsArg, zero, deadline);
        SignalDelivery.restoreSavedMaskUnless(t, ret == -Errno.EINTR);
        return ret;
    }

    private static long doEpollWait(Task t, long epfd, long events, int maxevents, boolean zero, long deadline) {
        if (maxevents <= 0 || maxevents > MAX_EVENTS) {
            return -Errno.EINVAL;
        }
        OpenFile f = fdget(t, epfd);
        if (f == null) {
            return -Errno.EBADF;
        }
        if (!(f instanceof Epoll ep)) {
            return -Errno.EINVAL;
        }
        List<long[]> got = ep.collect(t, maxevents);
        if (got.isEmpty() && !zero) {
            if (t.interruptPending()) {
                return -Errno.EINTR;
            }
            @SuppressWarnings("unchecked")
            List<long[]>[] res = new List[] {got};
            while (true) {
                long d = deadline;
                if (ep.needsRecheck()) {
                    long soon = t.kernel().monotonicNanos() + PollSyscalls.RECHECK_NANOS;
                    d = deadline == WaitQueue.FOREVER || soon - deadline < 0 ? soon : deadline;
                }
                int r = ep.wait.await(t, () -> {
                    res[0] = ep.collect(t, maxevents);
                    return !res[0].isEmpty();
                }, d, true);
                if (r == WaitQueue.READY) {
                    got = res[0];
                    break;
                }
                if (r == WaitQueue.INTERRUPTED) {
                    return -Errno.EINTR;
                }
                if (deadline != WaitQueue.FOREVER && t.kernel().monotonicNanos() - deadline >= 0) {
                    got = ep.collect(t, maxevents);
                    break;
                }
            }
        }
        byte[] b = new byte[EVENT_SIZE * got.size()];
        for (int i = 0; i < got.size(); i++) {
            long[] e = got.get(i);
            for (int j = 0; j < 4; j++) {
                b[EVENT_SIZE * i + j] = (byte) (e[0] >>> (8 * j));
            }
            for (int j = 0; j < 8; j++) {
                b[EVENT_SIZE * i + 8 + j] = (byte) (e[1] >>> (8 * j));
            }
        }
        if (b.length > 0) {
            try {
                t.mm().write(events, b);
            } catch (GuestFault e) {
                return -Errno.EFAULT;
            }
        }
        return got.size();
    }
}
