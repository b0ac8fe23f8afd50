package dev.jkernel.kernel;

import dev.jkernel.fs.FdTable;
import dev.jkernel.mm.AddressSpace;

import java.util.ArrayList;
import java.util.List;

/**
 * Leaving: exit, exit_group and what happens when the last thread of a process is gone (Linux's kernel/exit.c). A
 * process becomes a zombie that its parent reaps with wait; its children are handed to the nearest subreaper or to
 * init; a process's exit status is its group exit code, or its leader's if the threads left one by one.
 */
public final class Exit {
    private Exit() {}

    /** exit_group(2) and fatal signals: every thread of the process leaves with {@code waitStatus}. */
    static void exitGroup(Task t, int waitStatus) {
        Kernel k = t.kernel();
        synchronized (k.tasklist) {
            Proc p = t.proc;
            if (!p.groupExiting) {
                p.groupExiting = true;
                p.groupExitCode = waitStatus;
                for (Task other : p.threads) {
                    if (other != t) {
                        other.kill();
                    }
                }
            }
            t.exitCode = p.groupExitCode;
            t.exiting = true;
        }
    }

    /**
     * Kills every thread of {@code p} with {@code waitStatus} as the group's exit (a fatal signal). Called with the
     * tasklist lock held.
     */
    static void zapProcess(Proc p, int waitStatus) {
        if (!p.groupExiting) {
            p.groupExiting = true;
            p.groupExitCode = waitStatus;
        }
        p.groupStop = false;
        p.stopQueue.wakeAll();
        for (Task t : p.threads) {
            t.kill();
        }
    }

    /** A wait status for death by signal {@code sig} (with the core-dump flag for the signals that dump). */
    public static int killedStatus(int sig, boolean core) {
        return (sig & 0x7f) | (core ? 0x80 : 0);
    }

    /**
     * The end of a task, run on its own thread as the last thing it does (do_exit): release what it holds, then
     * leave the thread group; the last thread out makes the process a zombie and tells the parent.
     */
    static void doExit(Task t) {
        Kernel k = t.kernel();
        AddressSpace mm = t.mm();
        if (mm != null) {
            // mm_release: robust futexes, the CLONE_CHILD_CLEARTID word, then the vfork parent.
            k.futex().exitRobustList(t);
            long ctid = t.clearChildTid;
            if (ctid != 0) {
                t.clearChildTid = 0;
                try {
                    mm.write32(ctid, 0);
                    k.futex().wakeForExit(t, ctid);
                } catch (dev.jkernel.mm.GuestFault ignored) {
                    // Linux ignores a bad clear_child_tid address too.
                }
            }
        }
        completeVfork(t);
        if (mm != null) {
            t.setMm(null);
            mm.release();
        }
        FdTable files = t.files();
        if (files != null) {
            files.release();
        }
        List<Proc> reapNow = new ArrayList<>();
        synchronized (k.tasklist) {
            Proc p = t.proc;
            p.threads.remove(t);
            if (t != p.leader) {
                k.tasks.remove(t.tid);
            }
            if (t == p.leader) {
                p.leaderExitCode = p.groupExiting ? p.groupExitCode : t.exitCode;
            }
            if (p.threads.isEmpty()) {
                processDied(k, p, reapNow);
            }
        }
        t.proc.threadsChanged.wakeAll();
        for (Proc z : reapNow) {
            k.procDied(z);
        }
    }

    /** The vfork parent may run again: the child has exec'd or is exiting. */
    static void completeVfork(Task t) {
        Fork.VforkDone v = t.vforkDone;
        if (v != null) {
            t.vforkDone = null;
            v.complete();
        }
    }

    /** Called with the tasklist lock held when the last thread of {@code p} is gone. */
    private static void processDied(Kernel k, Proc p, List<Proc> notify) {
        p.waitStatus = p.groupExiting ? p.groupExitCode : p.leaderExitCode;
        p.state = Proc.State.ZOMBIE;
        reparentChildren(k, p);
        if (p.parent == null || p.parent.tgid == 0 || p.kernelThread) {
            // Nobody waits for kernel threads or for init: they are released at once; the kernel learns of it.
            release(k, p);
        } else {
            Proc parent = p.parent;
            if (SignalDelivery.notifyParentOfExit(p)) {
                release(k, p); // the parent ignores SIGCHLD (or SA_NOCLDWAIT): no zombie
            }
            parent.childWait.wakeAll();
        }
        notify.add(p);
    }

    /** Hands the children of a dying process to the nearest living subreaper above it, else to init. */
    private static void reparentChildren(Kernel k, Proc dying) {
        if (dying.children.isEmpty()) {
            return;
        }
        Proc reaper = null;
        for (Proc a = dying.parent; a != null; a = a.parent) {
            if (a.childSubreaper && a.state == Proc.State.ALIVE) {
                reaper = a;
                break;
            }
        }
        if (reaper == null) {
            reaper = k.procs.get(1);
        }
        boolean zombies = false;
        for (Proc c : dying.children) {
            c.parent = reaper;
            if (reaper != null && reaper != dying) {
                reaper.children.add(c);
            }
            zombies |= c.state == Proc.State.ZOMBIE;
        }
        dying.children.clear();
        if (reaper != null && zombies) {
            reaper.childWait.wakeAll();
        }
    }

    /** Reaps a zombie: its pid becomes free (with the tasklist lock held). */
    static void release(Kernel k, Proc p) {
        p.state = Proc.State.REAPED;
        if (p.parent != null) {
            p.parent.children.remove(p);
        }
        k.procs.remove(p.tgid);
        k.tasks.remove(p.tgid);
        if (p.leader != null) {
            k.tasks.remove(p.leader.tid);
        }
    }

    /** Undoes a clone that failed after the child was registered but before it ran. */
    static void abandon(Task child) {
        Kernel k = child.kernel();
        AddressSpace mm = child.mm();
        if (mm != null) {
            mm.release();
        }
        FdTable files = child.files();
        if (files != null) {
            files.release();
        }
        synchronized (k.tasklist) {
            Proc p = child.proc;
            p.threads.remove(child);
            k.tasks.remove(child.tid);
            if (p.threads.isEmpty() && p.leader == child) {
                release(k, p);
            }
        }
    }
}
