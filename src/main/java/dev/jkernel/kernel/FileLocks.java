package dev.jkernel.kernel;

import dev.jkernel.fs.OpenFile;

import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * flock(2) locks (Linux's fs/locks.c, the FL_FLOCK part): one lock per open file description, shared by its
 * duplicates (dup, fork), dropped by LOCK_UN or the description's last close. Kept per kernel: only this kernel's
 * guests see them, and no host lock is taken.
 */
public final class FileLocks {
    public static final int LOCK_SH = 1, LOCK_EX = 2, LOCK_NB = 4, LOCK_UN = 8;

    /** The locks on one file: holder description → exclusive. */
    private static final class Locks {
        final Map<OpenFile, Boolean> holders = new IdentityHashMap<>();
    }

    /** Where every blocked flock sleeps (each re-checks its own file after a wake-up). */
    private final WaitQueue queue = new WaitQueue();

    private final Map<Object, Locks> files = new HashMap<>();

    /**
     * flock's operation on f: op is LOCK_SH, LOCK_EX or LOCK_UN, nonBlocking LOCK_NB. Returns 0, -EWOULDBLOCK, or
     * -ERESTARTSYS when a signal interrupts the wait.
     */
    public long flock(Task t, OpenFile f, int op, boolean nonBlocking) {
        Object key = f.lockKey();
        Locks l;
        synchronized (this) {
            l = files.computeIfAbsent(key, k -> new Locks());
            Boolean held = l.holders.get(f);
            if (op == LOCK_UN) {
                if (held != null) {
                    drop(key, l, f);
                }
                return 0;
            }
            boolean ex = op == LOCK_EX;
            if (held != null) {
                if (held == ex) {
                    return 0;
                }
                // A conversion is an unlock and a new lock, as in Linux: waiters may get in between.
                drop(key, l, f);
                files.put(key, l);
            }
            if (tryTake(l, f, ex, key)) {
                return 0;
            }
            if (nonBlocking) {
                cleanup(key, l);
                return -Errno.EAGAIN;
            }
        }
        boolean ex = op == LOCK_EX;
        int r = queue.await(t, () -> {
            synchronized (this) {
                return tryTake(files.computeIfAbsent(key, k -> new Locks()), f, ex, key);
            }
        }, WaitQueue.FOREVER, true);
        if (r == WaitQueue.READY) {
            return 0;
        }
        synchronized (this) {
            cleanup(key, files.get(key));
        }
        return -Errno.ERESTARTSYS;
    }

    private boolean tryTake(Locks l, OpenFile f, boolean ex, Object key) {
        for (Map.Entry<OpenFile, Boolean> e : l.holders.entrySet()) {
            if (e.getKey() != f && (ex || e.getValue())) {
                return false;
            }
        }
        l.holders.put(f, ex);
        f.setLastClose(() -> release(key, f));
        return true;
    }

    private void drop(Object key, Locks l, OpenFile f) {
        l.holders.remove(f);
        f.setLastClose(null);
        cleanup(key, l);
        queue.wakeAll();
    }

    private void cleanup(Object key, Locks l) {
        if (l != null && l.holders.isEmpty()) {
            files.remove(key, l);
        }
    }

    /** The description's last close. */
    private void release(Object key, OpenFile f) {
        Locks l;
        synchronized (this) {
            l = files.get(key);
            if (l == null || l.holders.remove(f) == null) {
                return;
            }
            cleanup(key, l);
        }
        queue.wakeAll();
    }
}
