package dev.jkernel.kernel;

import dev.jkernel.mm.AddressSpace;
import dev.jkernel.mm.MemCgroup;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The kernel's OOM killer for its memory cgroup (Linux's mem_cgroup_out_of_memory and mm/oom_kill.c): when a page
 * cannot be charged without exceeding the limit, a process is chosen, killed with SIGKILL and reported with one line on
 * the kernel's diagnostic stream, and the allocating task waits for the memory to come back, then retries.
 *
 * <p>There is nothing to reclaim first: guest memory is anonymous or a private copy of a file's page, and there is no
 * swap. The choice is Linux's oom_badness without oom_score_adj: the process with the most resident pages (its
 * address space's RSS: anonymous, file and shared pages mapped), the newest one among equals. Never chosen: kernel
 * threads, processes already exiting, and the embedding application's host process (library mode). pid 1 is chosen
 * only when no other process is left to choose: Linux never kills the global init, but here pid 1 is the container's
 * init (in CLI mode, the program that was run), which a memory cgroup can kill; killing it ends the kernel's run, so
 * it is the last resort. Processes sharing the victim's address space (CLONE_VM without CLONE_THREAD) are killed with
 * it, as Linux does, since its memory would not come back otherwise.
 *
 * <p>While a victim is dying, further failed charges wait for it instead of killing again (Linux's "an OOM victim is
 * pending" abort); after {@link #GRACE_NANOS} without it having died, another may be chosen (Linux's OOM reaper gives
 * up on a victim after about a second and lets the killer move on). A task that is itself being killed never waits:
 * its charge fails and it leaves.
 */
final class OomKiller implements MemCgroup.OomHandler {
    /** How long a victim may take to die before another may be chosen. */
    static final long GRACE_NANOS = 1_000_000_000L;
    /** The longest a charger sleeps before re-checking (a process dying wakes it earlier). */
    static final long POLL_NANOS = 20_000_000L;

    private final Kernel kernel;
    /** Chargers waiting for memory; woken whenever a process dies. */
    private final WaitQueue waiters = new WaitQueue();
    private final Object lock = new Object();
    /** The last victim and when it was killed (guarded by lock). */
    private Proc victim;
    private long victimSince;
    private final AtomicLong kills = new AtomicLong();

    OomKiller(Kernel kernel) {
        this.kernel = kernel;
    }

    /** Processes killed so far (memory.events' oom_kill). */
    long kills() {
        return kills.get();
    }

    /** A process has died (its memory is uncharged): chargers waiting for memory look again. */
    void processDied() {
        if (waiters.hasWaiters()) {
            waiters.wakeAll();
        }
    }

    @Override
    public boolean outOfMemory(MemCgroup cg, long pages) {
        Task t = kernel.currentTask();
        if (t == null || t.fatalPending()) {
            return false; // not a task of this kernel (nothing can sleep here), or dying: let the charge fail
        }
        Proc wait;
        synchronized (lock) {
            if (cg.fits(pages)) {
                return true; // freed meanwhile
            }
            long now = kernel.monotonicNanos();
            if (victim != null && victim.alive() && now - victimSince < GRACE_NANOS) {
                wait = victim;
            } else {
                victim = null;
                Proc v = choose();
                if (v != null) {
                    kill(v);
                    victim = v;
                    victimSince = now;
                    wait = v;
                } else if (anyExiting()) {
                    wait = null; // nothing to choose, but memory is on its way back
                } else {
                    return false;
                }
            }
        }
        Proc w = wait;
        waiters.await(t, () -> (w != null && !w.alive()) || cg.fits(pages), kernel.monotonicNanos() + POLL_NANOS,
                false);
        return !t.fatalPending();
    }

    /** The process to kill, or null if there is none (see the class comment). */
    private Proc choose() {
        synchronized (kernel.tasklist) {
            Proc best = null, init = null;
            long bestRss = -1;
            for (Proc p : kernel.procs.values()) {
                if (p.kernelThread || p.hostProcess || p.state != Proc.State.ALIVE || p.groupExiting) {
                    continue;
                }
                AddressSpace mm = mmOf(p);
                if (mm == null) {
                    continue;
                }
                if (p.tgid == 1) {
                    init = p;
                    continue;
                }
                long rss = mm.rss();
                if (best == null || rss > bestRss || (rss == bestRss && p.startNanos > best.startNanos)) {
                    best = p;
                    bestRss = rss;
                }
            }
            return best != null ? best : init;
        }
    }

    /** Whether some user process is exiting (its memory will be uncharged soon). */
    private boolean anyExiting() {
        synchronized (kernel.tasklist) {
            for (Proc p : kernel.procs.values()) {
                if (!p.kernelThread && p.state == Proc.State.ALIVE && p.groupExiting) {
                    return true;
                }
            }
            return false;
        }
    }

    /** The address space of a live process: any of its threads' (null when none has one). Tasklist lock held. */
    private static AddressSpace mmOf(Proc p) {
        for (Task th : p.threads) {
            AddressSpace mm = th.mm();
            if (mm != null) {
                return mm;
            }
        }
        return null;
    }

    /** Kills {@code v} and every other process using its address space, and says so (Linux's oom_kill_process). */
    private void kill(Proc v) {
        AddressSpace mm;
        String comm;
        int uid;
        List<Proc> sharing = new ArrayList<>();
        synchronized (kernel.tasklist) {
            mm = mmOf(v);
            comm = v.leader == null ? "" : v.leader.comm;
            uid = v.leader == null ? 0 : v.leader.uid;
            for (Proc p : kernel.procs.values()) {
                if (p != v && !p.kernelThread && p.state == Proc.State.ALIVE && mm != null && mmOf(p) == mm) {
                    sharing.add(p);
                }
            }
        }
        long[] rss = mm == null ? new long[3] : mm.rssPages();
        long totalVm = mm == null ? 0 : mm.totalVm();
        SignalDelivery.sendToProcess(v, SigInfo.kernel(Signals.SIGKILL));
        kills.incrementAndGet();
        kernel.config().stderrPrinter().printf("jkernel: Memory cgroup out of memory: Killed process %d (%s) "
                + "total-vm:%dkB, anon-rss:%dkB, file-rss:%dkB, shmem-rss:%dkB, UID:%d pgtables:0kB "
                + "oom_score_adj:0%n", v.tgid, comm, totalVm >> 10, rss[0] * 4, rss[1] * 4, rss[2] * 4, uid);
        for (Proc p : sharing) {
            SignalDelivery.sendToProcess(p, SigInfo.kernel(Signals.SIGKILL));
        }
    }
}
