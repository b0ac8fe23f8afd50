package dev.jkernel.kernel;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * A queue of pending signals (Linux's struct sigpending): a mask of which are pending plus their siginfos. Standard
 * signals coalesce (one instance at most); real-time signals queue every instance in order. Guarded by the owning
 * process's siglock.
 */
final class SigPending {
    /** Bit sig-1 set when sig is pending. Volatile so that signal-pending checks can read it without the lock. */
    volatile long set;
    private final List<SigInfo> queue = new ArrayList<>();

    boolean has(int sig) {
        return (set & Signals.bit(sig)) != 0;
    }

    /** Queues it; returns false when a standard signal of that number is already pending (coalesced). */
    boolean add(SigInfo info) {
        int sig = info.signo();
        if (!Signals.isRealtime(sig) && has(sig)) {
            return false;
        }
        queue.add(info);
        set |= Signals.bit(sig);
        return true;
    }

    int count() {
        return queue.size();
    }

    /**
     * Removes and returns the next signal among {@code allowed}: synchronous fault signals first, then the lowest
     * number (Linux's next_signal); null if none.
     */
    SigInfo dequeue(long allowed) {
        long ready = set & allowed;
        if (ready == 0) {
            return null;
        }
        long sync = ready & Signals.SYNCHRONOUS;
        int sig = Long.numberOfTrailingZeros(sync != 0 ? sync : ready) + 1;
        SigInfo found = null;
        boolean more = false;
        for (Iterator<SigInfo> it = queue.iterator(); it.hasNext(); ) {
            SigInfo i = it.next();
            if (i.signo() == sig) {
                if (found == null) {
                    found = i;
                    it.remove();
                } else {
                    more = true;
                    break;
                }
            }
        }
        if (!more) {
            set &= ~Signals.bit(sig);
        }
        return found;
    }

    /** Discards every pending instance of the signals in {@code mask}. */
    void discard(long mask) {
        if ((set & mask) == 0) {
            return;
        }
        queue.removeIf(i -> (mask & Signals.bit(i.signo())) != 0);
        set &= ~mask;
    }
}
