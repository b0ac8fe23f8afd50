package dev.jkernel.kernel;

import dev.jkernel.mm.AddressSpace;
import dev.jkernel.mm.GuestFault;
import dev.jkernel.mm.PageAtomics;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * Fast user-space mutexes (Linux's kernel/futex): the futex(2) operations and the futex work of a dying thread.
 *
 * <p>Waiters sit in hash buckets chosen by their key. A key names the futex word: (address space, address) for
 * private futexes and for "shared" futexes on private memory (the latter marked, as Linux's FUT_OFF_MMSHARED, so the
 * two never match), and (shared page, offset) for shared futexes on MAP_SHARED memory, which therefore match across
 * processes. The no-lost-wake-up argument is Linux's: a waiter reads the futex word while holding its bucket's lock
 * and queues itself before dropping it; a waker changes the word first and then takes the same lock to look for
 * waiters. Either the waker's lock comes first (and the waiter's read sees the new value: EAGAIN) or the waiter is
 * already queued when the waker looks.
 *
 * <p>PI futexes (FUTEX_LOCK_PI and friends) are not implemented: they answer ENOSYS.
 */
public final class Futex {
    // futex(2) commands and flags (include/uapi/linux/futex.h).
    public static final int FUTEX_WAIT = 0, FUTEX_WAKE = 1, FUTEX_FD = 2, FUTEX_REQUEUE = 3, FUTEX_CMP_REQUEUE = 4,
            FUTEX_WAKE_OP = 5, FUTEX_LOCK_PI = 6, FUTEX_UNLOCK_PI = 7, FUTEX_TRYLOCK_PI = 8, FUTEX_WAIT_BITSET = 9,
            FUTEX_WAKE_BITSET = 10, FUTEX_WAIT_REQUEUE_PI = 11, FUTEX_CMP_REQUEUE_PI = 12, FUTEX_LOCK_PI2 = 13;
    public static final int FUTEX_PRIVATE_FLAG = 128, FUTEX_CLOCK_REALTIME = 256;
    private static final int FUTEX_CMD_MASK = ~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);
    public static final int FUTEX_BITSET_MATCH_ANY = -1;

    // The futex word of robust mutexes.
    public static final int FUTEX_WAITERS = 0x80000000, FUTEX_OWNER_DIED = 0x40000000, FUTEX_TID_MASK = 0x3fffffff;
    /** The most robust-list entries exit walks (Linux's ROBUST_LIST_LIMIT). */
    public static final int ROBUST_LIST_LIMIT = 2048;

    private static final long NSEC_PER_SEC = 1_000_000_000L;
    /** The largest seconds value a ktime_t holds; later times are "never". */
    private static final long KTIME_SEC_MAX = Long.MAX_VALUE / NSEC_PER_SEC;

    private static final int BUCKETS = 256;

    /** One hash bucket: its lock is the object's monitor; waiters in queue (FIFO) order. */
    private static final class Bucket {
        final int index;
        final LinkedHashSet<Waiter> queue = new LinkedHashSet<>();

        Bucket(int index) {
            this.index = index;
        }
    }

    /** A task sleeping on a futex (Linux's futex_q). key and bucket change under the bucket lock (requeue). */
    private static final class Waiter {
        final Task task;
        final int bitset;
        volatile Object key;
        volatile Bucket bucket;
        /** Set, under the bucket lock, by whoever takes this waiter off its queue to wake it. */
        volatile boolean woken;

        Waiter(Task task, Object key, Bucket bucket, int bitset) {
            this.task = task;
            this.key = key;
            this.bucket = bucket;
            this.bitset = bitset;
        }
    }

    /** Private futex key; {@code shared} marks a shared-flagged futex on private memory (FUT_OFF_MMSHARED). */
    private record PrivateKey(AddressSpace mm, long addr, boolean shared) {
    }

    /** Shared futex key on MAP_SHARED memory: the page's identity and the offset in the page. */
    private record SharedKey(Object page, int offset) {
    }

    private final Bucket[] buckets = new Bucket[BUCKETS];
    /** Where futex waiters park; nobody calls wakeAll on it: wakers unpark the waiter's task directly. */
    private final WaitQueue sleepers = new WaitQueue();

    Futex() {
        for (int i = 0; i < BUCKETS; i++) {
            buckets[i] = new Bucket(i);
        }
    }

    private Bucket bucket(Object key) {
        int h = key.hashCode();
        h ^= h >>> 16;
        h *= 0x9e3779b1;
        return buckets[(h >>> 24) & (BUCKETS - 1)];
    }

    // ------------------------------------------------------------------------------------------------------------
    // futex(2)
    // ------------------------------------------------------------------------------------------------------------

    /**
     * futex(uaddr, op, val, utime/val2, uaddr2, val3). {@code utime} is the raw fourth argument: a timespec pointer
     * for the waiting commands, the count val2 (truncated to 32 bits) for the requeueing ones. Returns the result or
     * -errno; an interrupted wait returns -ERESTARTSYS, or -ERESTART_RESTARTBLOCK when it had a timeout.
     */
    public long futex(Task t, long uaddr, int op, int val, long utime, long uaddr2, int val3) {
        int cmd = op & FUTEX_CMD_MASK;
        boolean shared = (op & FUTEX_PRIVATE_FLAG) == 0;
        boolean clockRealtime = (op & FUTEX_CLOCK_REALTIME) != 0;
        AddressSpace mm = t.mm();
        if (mm == null) {
            return -Errno.EFAULT;
        }
        long deadline = WaitQueue.FOREVER;
        boolean timed = false;
        if (utime != 0 && (cmd == FUTEX_WAIT || cmd == FUTEX_WAIT_BITSET || cmd == FUTEX_LOCK_PI
                || cmd == FUTEX_LOCK_PI2 || cmd == FUTEX_WAIT_REQUEUE_PI)) {
            long sec, nsec;
            try {
                sec = mm.read64(utime);
                nsec = mm.read64(utime + 8);
            } catch (GuestFault f) {
                return -Errno.EFAULT;
            }
            if (sec < 0 || nsec < 0 || nsec >= NSEC_PER_SEC) {
                return -Errno.EINVAL;
            }
            deadline = deadline(t.kernel(), cmd, clockRealtime, sec, nsec);
            timed = true;
        }
        if (clockRealtime && cmd != FUTEX_WAIT_BITSET && cmd != FUTEX_WAIT_REQUEUE_PI && cmd != FUTEX_LOCK_PI2) {
            return -Errno.ENOSYS;
        }
        try {
            return switch (cmd) {
                case FUTEX_WAIT -> wait(t, uaddr, shared, val, deadline, timed, FUTEX_BITSET_MATCH_ANY);
                case FUTEX_WAIT_BITSET -> wait(t, uaddr, shared, val, deadline, timed, val3);
                case FUTEX_WAKE -> wake(t, uaddr, shared, val, FUTEX_BITSET_MATCH_ANY);
                case FUTEX_WAKE_BITSET -> wake(t, uaddr, shared, val, val3);
                case FUTEX_REQUEUE -> requeue(t, uaddr, shared, uaddr2, val, (int) utime, false, 0);
                case FUTEX_CMP_REQUEUE -> requeue(t, uaddr, shared, uaddr2, val, (int) utime, true, val3);
                case FUTEX_WAKE_OP -> wakeOp(t, uaddr, shared, uaddr2, val, (int) utime, val3);
                default -> -Errno.ENOSYS; // FUTEX_FD (gone since 2.6.26), the PI commands, unknown ones
            };
        } catch (ErrnoException e) {
            return -e.errno;
        }
    }

    /** A validated timespec as a CLOCK_MONOTONIC deadline. */
    private static long deadline(Kernel k, int cmd, boolean clockRealtime, long sec, long nsec) {
        if (sec >= KTIME_SEC_MAX) {
            return WaitQueue.FOREVER;
        }
        long t = sec * NSEC_PER_SEC + nsec;
        long now = k.monotonicNanos();
        if (cmd == FUTEX_WAIT) {
            return addSaturated(now, t); // relative, on CLOCK_MONOTONIC
        }
        if (clockRealtime) {
            long realNow = k.realtimeNanos();
            return addSaturated(now, t - realNow);
        }
        return t; // absolute CLOCK_MONOTONIC
    }

    private static long addSaturated(long a, long b) {
        long r = a + b;
        if (((a ^ r) & (b ^ r)) < 0) {
            return b > 0 ? WaitQueue.FOREVER : Long.MIN_VALUE;
        }
        return r;
    }

    /** Linux's get_futex_key: EINVAL if misaligned, EFAULT if out of range or (for shared keys) not mapped. */
    private static Object key(Task t, long uaddr, boolean shared, int access) throws ErrnoException {
        if ((uaddr & 3) != 0) {
            throw new ErrnoException(Errno.EINVAL);
        }
        if (uaddr < 0 || uaddr > AddressSpace.TASK_SIZE - 4) {
            throw new ErrnoException(Errno.EFAULT);
        }
        AddressSpace mm = t.mm();
        if (!shared) {
            return new PrivateKey(mm, uaddr, false);
        }
        try {
            mm.faultIn(uaddr, access); // get_user_pages: the page must exist for a shared key
        } catch (GuestFault f) {
            throw new ErrnoException(Errno.EFAULT);
        }
        Object page = mm.pageIdentity(uaddr);
        if (page == null) {
            // Linux: a read-only anonymous page never changes, so a shared futex on it makes no sense (EFAULT).
            if ((mm.protAt(uaddr) & AddressSpace.PROT_WRITE) == 0 && isAnonymous(mm, uaddr)) {
                throw new ErrnoException(Errno.EFAULT);
            }
            return new PrivateKey(mm, uaddr, true);
        }
        return new SharedKey(page, (int) (uaddr & AddressSpace.PAGE_MASK));
    }

    private static boolean isAnonymous(AddressSpace mm, long addr) {
        for (AddressSpace.Vma v : mm.vmas()) {
            if (addr >= v.start && addr < v.end) {
                return v.source == null;
            }
        }
        return false;
    }

    /** FUTEX_WAIT / FUTEX_WAIT_BITSET. */
    private long wait(Task t, long uaddr, boolean shared, int val, long deadline, boolean timed, int bitset)
            throws ErrnoException {
        if (bitset == 0) {
            return -Errno.EINVAL;
        }
        Object key = key(t, uaddr, shared, GuestFault.READ);
        Bucket b = bucket(key);
        Waiter w = new Waiter(t, key, b, bitset);
        synchronized (b) {
            int cur;
            try {
                cur = UserWord.load(t.mm(), uaddr);
            } catch (GuestFault f) {
                return -Errno.EFAULT;
            }
            if (cur != val) {
                return -Errno.EAGAIN;
            }
            b.queue.add(w);
        }
        int r = sleepers.await(t, () -> w.woken, deadline, true);
        if (!unqueue(w)) {
            return 0; // woken, whatever else happened meanwhile
        }
        if (r == WaitQueue.TIMED_OUT) {
            return -Errno.ETIMEDOUT;
        }
        if (!timed) {
            return -Errno.ERESTARTSYS;
        }
        // Linux's futex_wait_restart: restart_syscall waits again, to the same deadline.
        t.setRestartBlock(tt -> wait(tt, uaddr, shared, val, deadline, true, bitset));
        return -Errno.ERESTART_RESTARTBLOCK;
    }

    /** Takes w off its queue unless a waker already did: returns false if it was woken. */
    private static boolean unqueue(Waiter w) {
        while (true) {
            Bucket b = w.bucket;
            synchronized (b) {
                if (w.bucket != b) {
                    continue; // requeued meanwhile: lock the new bucket
                }
                if (w.woken) {
                    return false;
                }
                b.queue.remove(w);
                return true;
            }
        }
    }

    /** Under b's lock: takes w off the queue (through the iterator) and marks it woken; the caller unparks it. */
    private static void markWoken(Iterator<Waiter> it, Waiter w, List<Task> toWake) {
        it.remove();
        w.woken = true;
        toWake.add(w.task);
    }

    private static void unparkAll(List<Task> tasks) {
        for (Task t : tasks) {
            t.unpark();
        }
    }

    /**
     * Wakes up to nr waiters of key whose bitset intersects {@code bitset}. Like Linux, a count of zero or less still
     * wakes one. Returns how many were woken.
     */
    private static int wakeKey(Bucket b, Object key, int nr, int bitset, List<Task> toWake) {
        int n = 0;
        for (Iterator<Waiter> it = b.queue.iterator(); it.hasNext(); ) {
            Waiter w = it.next();
            if (!key.equals(w.key) || (w.bitset & bitset) == 0) {
                continue;
            }
            markWoken(it, w, toWake);
            if (++n >= nr) {
                break;
            }
        }
        return n;
    }

    /** FUTEX_WAKE / FUTEX_WAKE_BITSET. */
    private long wake(Task t, long uaddr, boolean shared, int nr, int bitset) throws ErrnoException {
        if (bitset == 0) {
            return -Errno.EINVAL;
        }
        Object key = key(t, uaddr, shared, GuestFault.READ);
        Bucket b = bucket(key);
        List<Task> toWake = new ArrayList<>();
        int n;
        synchronized (b) {
            n = wakeKey(b, key, nr, bitset, toWake);
        }
        unparkAll(toWake);
        return n;
    }

    /** FUTEX_REQUEUE / FUTEX_CMP_REQUEUE. */
    private long requeue(Task t, long uaddr, boolean shared, long uaddr2, int nrWake, int nrRequeue, boolean cmp,
            int cmpval) throws ErrnoException {
        if (nrWake < 0 || nrRequeue < 0) {
            return -Errno.EINVAL;
        }
        Object key1 = key(t, uaddr, shared, GuestFault.READ);
        Object key2 = key(t, uaddr2, shared, GuestFault.READ);
        Bucket b1 = bucket(key1), b2 = bucket(key2);
        Bucket first = b1.index <= b2.index ? b1 : b2, second = first == b1 ? b2 : b1;
        List<Task> toWake = new ArrayList<>();
        int count = 0;
        synchronized (first) {
            synchronized (second) {
                if (cmp) {
                    int cur;
                    try {
                        cur = UserWord.load(t.mm(), uaddr);
                    } catch (GuestFault f) {
                        return -Errno.EFAULT;
                    }
                    if (cur != cmpval) {
                        return -Errno.EAGAIN;
                    }
                }
                List<Waiter> moved = new ArrayList<>();
                for (Iterator<Waiter> it = b1.queue.iterator(); it.hasNext(); ) {
                    if (count - nrWake >= nrRequeue) {
                        break;
                    }
                    Waiter w = it.next();
                    if (!key1.equals(w.key)) {
                        continue;
                    }
                    if (++count <= nrWake) {
                        markWoken(it, w, toWake);
                    } else {
                        w.key = key2;
                        if (b1 != b2) {
                            it.remove();
                            moved.add(w);
                        }
                    }
                }
                for (Waiter w : moved) {
                    b2.queue.add(w);
                    w.bucket = b2;
                }
            }
        }
        unparkAll(toWake);
        return count;
    }

    private static final int FUTEX_OP_SET = 0, FUTEX_OP_ADD = 1, FUTEX_OP_OR = 2, FUTEX_OP_ANDN = 3,
            FUTEX_OP_XOR = 4, FUTEX_OP_OPARG_SHIFT = 8;
    private static final int FUTEX_OP_CMP_EQ = 0, FUTEX_OP_CMP_NE = 1, FUTEX_OP_CMP_LT = 2, FUTEX_OP_CMP_LE = 3,
            FUTEX_OP_CMP_GT = 4, FUTEX_OP_CMP_GE = 5;

    /** FUTEX_WAKE_OP. */
    private long wakeOp(Task t, long uaddr, boolean shared, long uaddr2, int nr1, int nr2, int encoded)
            throws ErrnoException {
        Object key1 = key(t, uaddr, shared, GuestFault.READ);
        Object key2 = key(t, uaddr2, shared, GuestFault.WRITE);
        Bucket b1 = bucket(key1), b2 = bucket(key2);
        Bucket first = b1.index <= b2.index ? b1 : b2, second = first == b1 ? b2 : b1;
        List<Task> toWake = new ArrayList<>();
        int n;
        synchronized (first) {
            synchronized (second) {
                int opRet = atomicOp(t.mm(), uaddr2, encoded);
                if (opRet < 0) {
                    return opRet;
                }
                n = 0;
                for (Iterator<Waiter> it = b1.queue.iterator(); it.hasNext(); ) {
                    Waiter w = it.next();
                    if (key1.equals(w.key)) {
                        markWoken(it, w, toWake);
                        if (++n >= nr1) {
                            break;
                        }
                    }
                }
                if (opRet > 0) {
                    int n2 = 0;
                    for (Iterator<Waiter> it = b2.queue.iterator(); it.hasNext(); ) {
                        Waiter w = it.next();
                        if (key2.equals(w.key)) {
                            markWoken(it, w, toWake);
                            if (++n2 >= nr2) {
                                break;
                            }
                        }
                    }
                    n += n2;
                }
            }
        }
        unparkAll(toWake);
        return n;
    }

    /**
     * Linux's futex_atomic_op_inuser: applies the encoded operation to the word at uaddr atomically and returns the
     * comparison of the old value (1 or 0), -ENOSYS for an unknown operation or comparison (an unknown comparison is
     * reported after the operation was applied, as on Linux), -EFAULT if the word is not writable.
     */
    static int atomicOp(AddressSpace mm, long uaddr, int encoded) {
        int op = (encoded >>> 28) & 7;
        int cmp = (encoded >>> 24) & 15;
        int oparg = (encoded << 8) >> 20;  // bits 12..23, sign-extended
        int cmparg = (encoded << 20) >> 20; // bits 0..11, sign-extended
        if (((encoded >>> 28) & FUTEX_OP_OPARG_SHIFT) != 0) {
            oparg = 1 << (oparg & 31); // Linux warns about shifts outside 0..31 and masks them
        }
        if (op > FUTEX_OP_XOR) {
            return -Errno.ENOSYS;
        }
        int old;
        try {
            byte[] page = mm.page(uaddr, GuestFault.WRITE);
            int o = (int) (uaddr & AddressSpace.PAGE_MASK);
            while (true) {
                old = UserWord.load(page, o);
                int nv = switch (op) {
                    case FUTEX_OP_SET -> oparg;
                    case FUTEX_OP_ADD -> old + oparg;
                    case FUTEX_OP_OR -> old | oparg;
                    case FUTEX_OP_ANDN -> old & ~oparg;
                    default -> old ^ oparg;
                };
                if (UserWord.cas(page, o, old, nv)) {
                    break;
                }
            }
        } catch (GuestFault f) {
            return -Errno.EFAULT;
        }
        return switch (cmp) {
            case FUTEX_OP_CMP_EQ -> old == cmparg ? 1 : 0;
            case FUTEX_OP_CMP_NE -> old != cmparg ? 1 : 0;
            case FUTEX_OP_CMP_LT -> old < cmparg ? 1 : 0;
            case FUTEX_OP_CMP_GE -> old >= cmparg ? 1 : 0;
            case FUTEX_OP_CMP_LE -> old <= cmparg ? 1 : 0;
            case FUTEX_OP_CMP_GT -> old > cmparg ? 1 : 0;
            default -> -Errno.ENOSYS;
        };
    }

    /** The number of tasks waiting on any futex (for tests). */
    int waiterCount() {
        int n = 0;
        for (Bucket b : buckets) {
            synchronized (b) {
                n += b.queue.size();
            }
        }
        return n;
    }

    // ------------------------------------------------------------------------------------------------------------
    // exit
    // ------------------------------------------------------------------------------------------------------------

    /** Exit's CLONE_CHILD_CLEARTID wake-up: wakes one waiter on the (shared-keyed) futex at addr of t's memory. */
    public void wakeForExit(Task t, long addr) {
        if (t.mm() == null) {
            return;
        }
        try {
            wake(t, addr, true, 1, FUTEX_BITSET_MATCH_ANY);
        } catch (ErrnoException ignored) {
            // Linux ignores the result too
        }
    }

    /**
     * Exit's walk of the robust futex list registered with set_robust_list (Linux's exit_robust_list). The head is
     * {next, futex_offset, list_op_pending}; bit 0 of a pointer marks a PI futex. For each lock whose owner is the
     * dying thread, the word becomes FUTEX_OWNER_DIED (keeping FUTEX_WAITERS) and, if it had waiters, one of them
     * is woken. At most ROBUST_LIST_LIMIT entries; a fault ends the walk quietly.
     */
    public void exitRobustList(Task t) {
        long head = t.robustListHead;
        AddressSpace mm = t.mm();
        if (head == 0 || mm == null) {
            return;
        }
        long entry, futexOffset, pending;
        boolean pi, pip;
        try {
            long e = mm.read64(head);
            entry = e & ~1L;
            pi = (e & 1) != 0;
            futexOffset = mm.read64(head + 8);
            long p = mm.read64(head + 16);
            pending = p & ~1L;
            pip = (p & 1) != 0;
        } catch (GuestFault f) {
            return;
        }
        int limit = ROBUST_LIST_LIMIT;
        while (entry != head) {
            long next = 0;
            boolean nextPi = false;
            boolean fault = false;
            try {
                long n = mm.read64(entry);
                next = n & ~1L;
                nextPi = (n & 1) != 0;
            } catch (GuestFault f) {
                fault = true;
            }
            if (entry != pending && !handleFutexDeath(t, mm, entry + futexOffset, pi, false)) {
                return;
            }
            if (fault) {
                return;
            }
            entry = next;
            pi = nextPi;
            if (--limit == 0) {
                break;
            }
        }
        if (pending != 0) {
            handleFutexDeath(t, mm, pending + futexOffset, pip, true);
        }
    }

    /** Linux's handle_futex_death; returns false where Linux returns an error (ending the walk). */
    private boolean handleFutexDeath(Task t, AddressSpace mm, long uaddr, boolean pi, boolean pendingOp) {
        if ((uaddr & 3) != 0) {
            return false;
        }
        try {
            while (true) {
                int uval = UserWord.load(mm, uaddr);
                int owner = uval & FUTEX_TID_MASK;
                if (pendingOp && !pi && owner == 0) {
                    // The owner died between releasing the word and waking: wake so that nobody sleeps forever.
                    wakeQuietly(t, uaddr);
                    return true;
                }
                if (owner != t.tid()) {
                    return true;
                }
                int mval = (uval & FUTEX_WAITERS) | FUTEX_OWNER_DIED;
                byte[] page = mm.page(uaddr, GuestFault.WRITE);
                if (!UserWord.cas(page, (int) (uaddr & AddressSpace.PAGE_MASK), uval, mval)) {
                    continue; // changed meanwhile: look again
                }
                if (!pi && (uval & FUTEX_WAITERS) != 0) {
                    wakeQuietly(t, uaddr);
                }
                return true;
            }
        } catch (GuestFault f) {
            return false;
        }
    }

    private void wakeQuietly(Task t, long uaddr) {
        try {
            wake(t, uaddr, true, 1, FUTEX_BITSET_MATCH_ANY);
        } catch (ErrnoException ignored) {
            // as Linux: the result of this wake is not looked at
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // atomic access to guest words
    // ------------------------------------------------------------------------------------------------------------

    /** Atomic 32-bit access to aligned guest words, shared with the interpreter's AMOs ({@link PageAtomics}). */
    static final class UserWord {
        private UserWord() {}

        static int load(AddressSpace mm, long uaddr) throws GuestFault {
            return load(mm.page(uaddr, GuestFault.READ), (int) (uaddr & AddressSpace.PAGE_MASK));
        }

        static int load(byte[] page, int o) {
            return PageAtomics.load32(page, o);
        }

        static boolean cas(byte[] page, int o, int expect, int value) {
            return PageAtomics.cas32(page, o, expect, value);
        }
    }
}
