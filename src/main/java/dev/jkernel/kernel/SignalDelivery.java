package dev.jkernel.kernel;

import dev.jkernel.arch.Arch;
import dev.jkernel.mm.AddressSpace;
import dev.jkernel.mm.GuestFault;

/**
 * Sending, queueing and delivering signals (Linux's kernel/signal.c) and the syscall-restart decision (seed 002).
 * Delivery happens only in {@link #doSignal}, which the exit-to-user loop calls; nothing else builds a signal frame
 * or rewinds a syscall.
 */
public final class SignalDelivery {
    private SignalDelivery() {}

    public static final int SS_ONSTACK = 1, SS_DISABLE = 2, SS_AUTODISARM = 1 << 31;
    public static final int MINSIGSTKSZ = 2048;

    // ------------------------------------------------------------------------------------------------------------
    // Sending
    // ------------------------------------------------------------------------------------------------------------

    /**
     * Sends {@code info} to a whole process (kill, SIGCHLD, timers): it goes to the shared queue and wakes a thread
     * that does not block it. Returns 0, or -EAGAIN when the real-time queue is full.
     */
    public static int sendToProcess(Proc p, SigInfo info) {
        return send(p, null, info);
    }

    /** Sends {@code info} to one thread (tkill, tgkill, faults). */
    public static int sendToThread(Task t, SigInfo info) {
        return send(t.proc, t, info);
    }

    /*
     * Lock order: the tasklist lock, then one process's siglock. Paths that hold a siglock alone (delivery, mask
     * changes, faults) take no other lock inside it.
     */
    private static int send(Proc p, Task target, SigInfo info) {
        int sig = info.signo();
        synchronized (p.kernel.tasklist) {
            synchronized (p.siglock) {
                return queue(p, target, info, sig);
            }
        }
    }

    private static int queue(Proc p, Task target, SigInfo info, int sig) {
        if (p.state != Proc.State.ALIVE || !prepareSignal(p, target, sig)) {
            return 0;
        }
        SigPending q = target != null ? target.pending : p.shared;
        if (Signals.isRealtime(sig) && q.count() >= p.rlimits[Rlimits.RLIMIT_SIGPENDING][0]
                && info.code() < 0 && info.code() != SigInfo.SI_TKILL) {
            return -Errno.EAGAIN;
        }
        if (q.add(info)) { // false: a standard signal already pending, coalesced
            p.signalfdWait.wakeAll();
            completeSignal(p, target, sig);
        }
        return 0;
    }

    /**
     * The side effects of sending (Linux's prepare_signal): stop signals cancel a pending SIGCONT and vice versa, and
     * SIGCONT resumes a stopped process at once. Returns false when the signal is to be discarded (ignored).
     */
    private static boolean prepareSignal(Proc p, Task target, int sig) {
        if (p.groupExiting) {
            return sig == Signals.SIGKILL;
        }
        if (Signals.isStop(sig)) {
            removeFromAll(p, Signals.bit(Signals.SIGCONT));
        } else if (sig == Signals.SIGCONT) {
            removeFromAll(p, Signals.STOP_SET);
            if (p.groupStop) {
                p.groupStop = false;
                p.stopReport = -1;
                p.continuedReport = true;
                p.stopQueue.wakeAll();
                notifyParentOfStop(p, SigInfo.CLD_CONTINUED, Signals.SIGCONT);
            }
        }
        return !ignored(p, target, sig);
    }

    private static void removeFromAll(Proc p, long mask) {
        p.shared.discard(mask);
        for (Task t : p.threads) {
            t.pending.discard(mask);
        }
    }

    /** Whether sending sig would have no effect at all (ignored and not blocked, so it can be dropped now). */
    private static boolean ignored(Proc p, Task target, int sig) {
        Task t = target != null ? target : p.leader;
        if (t == null) {
            return true;
        }
        if ((t.blocked & Signals.bit(sig)) != 0) {
            return false;
        }
        SigAction a = t.sighand.get(sig);
        return a.isIgnore() || (a.isDefault() && Signals.defaultIgnored(sig));
    }

    /** Picks a thread to handle a newly queued signal and wakes it; a fatal signal kills the group at once. */
    private static void completeSignal(Proc p, Task target, int sig) {
        Task chosen = null;
        if (target != null) {
            chosen = wants(target, sig) ? target : null;
        } else if (p.leader != null && p.threads.contains(p.leader) && wants(p.leader, sig)) {
            chosen = p.leader;
        } else {
            for (Task t : p.threads) {
                if (wants(t, sig)) {
                    chosen = t;
                    break;
                }
            }
        }
        if (chosen == null) {
            return; // blocked everywhere: it waits in the queue
        }
        SigAction a = chosen.sighand.get(sig);
        boolean fatal = sig == Signals.SIGKILL || (a.isDefault() && !Signals.defaultIgnored(sig)
                && !Signals.isStop(sig) && (chosen.realBlocked & Signals.bit(sig)) == 0);
        if (fatal && !p.groupExiting && !Signals.dumpsCore(sig)) {
            // Linux's shortcut: a signal that kills needs no delivery, the whole group dies now.
            p.shared.discard(-1L);
            Exit.zapProcess(p, Exit.killedStatus(sig, false));
            return;
        }
        if (sig == Signals.SIGKILL) {
            Exit.zapProcess(p, Exit.killedStatus(sig, false));
            return;
        }
        signalWakeUp(chosen);
    }

    private static boolean wants(Task t, int sig) {
        return !t.exiting && (sig == Signals.SIGKILL || (t.blocked & Signals.bit(sig)) == 0);
    }

    /** TIF_SIGPENDING: get the task out of guest code and out of an interruptible sleep. */
    static void signalWakeUp(Task t) {
        t.ctx.interruptRequested = true;
        t.unpark();
    }

    /**
     * A synchronous fault (Linux's force_sig_fault): the signal goes to the faulting thread and cannot be ignored or
     * blocked away — if it is, the disposition is reset to default and it is unblocked, so the process dies.
     */
    public static void forceFault(Task t, int sig, int code, long addr) {
        Proc p = t.proc;
        synchronized (p.siglock) {
            SigAction a = t.sighand.get(sig);
            boolean blocked = (t.blocked & Signals.bit(sig)) != 0;
            if (blocked || a.isIgnore()) {
                t.sighand.set(sig, SigAction.DEFAULT);
                t.blocked &= ~Signals.bit(sig);
            }
            t.pending.add(SigInfo.fault(sig, code, addr));
        }
        signalWakeUp(t);
    }

    /**
     * Linux's dequeue_signal: the next signal among {@code allowed} from the thread's queue, else the process's; a
     * timer's signal re-arms its timer (and one of a timer since re-armed or deleted is dropped). Siglock held.
     */
    static SigInfo dequeue(Task t, long allowed) {
        Proc p = t.proc;
        while (true) {
            SigInfo info = t.pending.dequeue(allowed);
            if (info == null) {
                info = p.shared.dequeue(allowed);
            }
            if (info == null) {
                return null;
            }
            if (info.code() == SigInfo.SI_TIMER) {
                info = p.timers.dequeued(info);
                if (info == null) {
                    continue;
                }
            }
            return info;
        }
    }

    /** Whether the task has something to deliver or a stop to honour (signal_pending). */
    static boolean pending(Task t) {
        return ((t.pending.set | t.proc.shared.set) & ~t.blocked) != 0 || t.proc.groupStop;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Delivery (called only from the exit-to-user loop)
    // ------------------------------------------------------------------------------------------------------------

    /**
     * Linux's arch_do_signal_or_restart: deliver the next signal with a handler (building its frame, after deciding
     * what happens to an interrupted syscall), or, when no handler runs, restart the syscall or restore the saved
     * mask. Returns true when a handler frame was set up (the loop then checks for more work).
     */
    static boolean doSignal(Task t) {
        Kernel k = t.kernel();
        Arch arch = k.arch();
        Delivery d = getSignal(t);
        if (d != null) {
            if (t.inSyscall) {
                long ret = arch.syscallReturnValue(t.ctx);
                t.inSyscall = false;
                if (ret == -Errno.ERESTART_RESTARTBLOCK || ret == -Errno.ERESTARTNOHAND
                        || (ret == -Errno.ERESTARTSYS && !d.action.has(SigAction.SA_RESTART))) {
                    arch.setSyscallReturn(t.ctx, -Errno.EINTR);
                } else if (ret == -Errno.ERESTARTNOINTR || ret == -Errno.ERESTARTSYS) {
                    arch.restartSyscall(t.ctx, -1);
                }
            }
            handleSignal(t, d);
            return true;
        }
        if (t.inSyscall) {
            long ret = arch.syscallReturnValue(t.ctx);
            t.inSyscall = false;
            if (ret == -Errno.ERESTARTNOHAND || ret == -Errno.ERESTARTSYS || ret == -Errno.ERESTARTNOINTR) {
                arch.restartSyscall(t.ctx, -1);
            } else if (ret == -Errno.ERESTART_RESTARTBLOCK) {
                arch.restartSyscall(t.ctx, arch.syscallNumbers().get("restart_syscall"));
            }
        }
        if (t.restoreSigmask) {
            t.restoreSigmask = false;
            setBlocked(t, t.savedMask);
        }
        return false;
    }

    private record Delivery(SigInfo info, SigAction action) {}

    /**
     * Linux's get_signal: dequeue signals until one needs a handler; default actions (ignore, stop, terminate) are
     * carried out here. Returns null when nothing needs a handler (or the task is to exit).
     */
    private static Delivery getSignal(Task t) {
        Proc p = t.proc;
        while (true) {
            if (t.killed || t.exiting) {
                return null;
            }
            if (p.groupStop) {
                doSignalStop(t);
                continue;
            }
            SigInfo info;
            SigAction action;
            synchronized (p.siglock) {
                info = dequeue(t, ~t.blocked);
                if (info == null) {
                    return null;
                }
                action = t.sighand.get(info.signo());
            }
            int sig = info.signo();
            if (action.isIgnore()) {
                continue;
            }
            if (!action.isDefault()) {
                return new Delivery(info, action);
            }
            if (Signals.defaultIgnored(sig)) {
                continue;
            }
            if (Signals.isStop(sig)) {
                boolean stopped = false;
                synchronized (p.kernel.tasklist) {
                    synchronized (p.siglock) {
                        if (!p.groupStop && !p.groupExiting) {
                            p.groupStop = true;
                            p.stopSig = sig;
                            p.stopReport = (sig << 8) | 0x7f;
                            p.continuedReport = false;
                            for (Task other : p.threads) {
                                if (other != t) {
                                    signalWakeUp(other);
                                }
                            }
                            stopped = true;
                        }
                    }
                    if (stopped) {
                        notifyParentOfStop(p, SigInfo.CLD_STOPPED, sig);
                    }
                }
                continue;
            }
            // Terminate, with a core dump for the signals that dump (no core file is written).
            if (Signals.dumpsCore(sig) && info.code() > 0 && info.code() < SigInfo.SI_KERNEL && t.faultText != null) {
                t.kernel().config().stderrPrinter().printf("jkernel: pid %d killed by %s at pc 0x%x: %s%n",
                        t.tgid(), Signals.name(sig), t.ctx.pc, t.faultText);
            }
            // The wait status says "core dumped" when Linux would have dumped one: RLIMIT_CORE at least a page (its
            // binfmt's min_coredump). No core file is written.
            long coreLimit = p.rlimits[Rlimits.RLIMIT_CORE][0];
            boolean core = Signals.dumpsCore(sig) && (coreLimit == Rlimits.INFINITY || coreLimit >= 4096);
            Exit.exitGroup(t, Exit.killedStatus(sig, core));
            return null;
        }
    }

    /** A thread of a stopped process sleeps here until SIGCONT or SIGKILL. */
    private static void doSignalStop(Task t) {
        Proc p = t.proc;
        p.stopQueue.await(t, () -> !p.groupStop, WaitQueue.FOREVER, false);
    }

    /** Builds the handler's frame (Linux's handle_signal + setup_rt_frame) and updates the mask. */
    private static void handleSignal(Task t, Delivery d) {
        Kernel k = t.kernel();
        Arch arch = k.arch();
        AddressSpace mm = t.mm();
        int sig = d.info().signo();
        SigAction a = d.action();
        Rseq.signalDeliver(t); // an rseq critical section aborts before its pc is saved in the frame
        long sp = arch.stackPointer(t.ctx);
        boolean onAlt = onAltStack(t, sp);
        if (a.has(SigAction.SA_ONSTACK) && t.altFlags == 0 && !onAlt) {
            sp = t.altSp + t.altSize;
        }
        long saved = t.restoreSigmask ? t.savedMask : t.blocked;
        t.restoreSigmask = false;
        int altFlags = t.altFlags == SS_DISABLE ? SS_DISABLE : onAltStack(t, arch.stackPointer(t.ctx))
                ? SS_ONSTACK : t.altFlags;
        try {
            arch.setupSignalFrame(t.ctx, mm, sp, sig, d.info().toBytes(), saved, t.altSp, altFlags, t.altSize,
                    a.handler(), mm.sigreturnTrampoline());
        } catch (GuestFault f) {
            // The frame cannot be written (stack overflow, say): Linux's force_sigsegv.
            if (sig == Signals.SIGSEGV) {
                t.sighand.set(Signals.SIGSEGV, SigAction.DEFAULT);
            }
            forceFault(t, Signals.SIGSEGV, SigInfo.SI_KERNEL, 0);
            return;
        }
        if ((t.altFlags & SS_AUTODISARM) != 0) {
            t.altSp = 0;
            t.altSize = 0;
            t.altFlags = SS_DISABLE;
        }
        long add = a.mask() | (a.has(SigAction.SA_NODEFER) ? 0 : Signals.bit(sig));
        setBlocked(t, t.blocked | add);
        if (a.has(SigAction.SA_RESETHAND)) {
            t.sighand.set(sig, SigAction.DEFAULT);
        }
    }

    static boolean onAltStack(Task t, long sp) {
        return t.altFlags != SS_DISABLE && t.altSize != 0 && sp > t.altSp && sp - t.altSp <= t.altSize;
    }

    /**
     * set_user_sigmask (ppoll, pselect6): installs {@code mask} for the rest of the syscall, saving the current one.
     * Undo with {@link #restoreSavedMaskUnless}.
     */
    public static void setTemporaryMask(Task t, long mask) {
        t.savedMask = t.blocked;
        t.restoreSigmask = true;
        setBlocked(t, mask);
    }

    /**
     * restore_saved_sigmask_unless: when a signal interrupted the call ({@code interrupted}, the result being
     * ERESTARTNOHAND), the saved mask stays pending so that the handler runs under the temporary one and the signal
     * frame carries the saved one; otherwise it comes back now.
     */
    public static void restoreSavedMaskUnless(Task t, boolean interrupted) {
        if (interrupted || !t.restoreSigmask) {
            return;
        }
        t.restoreSigmask = false;
        setBlocked(t, t.savedMask);
    }

    /** Sets the mask (never blocking SIGKILL/SIGSTOP) and re-targets shared signals the change unblocked. */
    public static void setBlocked(Task t, long mask) {
        Proc p = t.proc;
        synchronized (p.siglock) {
            long old = t.blocked;
            t.blocked = mask & ~Signals.UNBLOCKABLE;
            long unblocked = old & ~t.blocked;
            if ((unblocked & (t.pending.set | p.shared.set)) != 0) {
                signalWakeUp(t);
            }
        }
    }

    /** Tells the parent that a child stopped or continued (SIGCHLD unless SA_NOCLDSTOP) and wakes its waits. */
    private static void notifyParentOfStop(Proc p, int code, int sig) {
        Proc parent = p.parent;
        if (parent == null || parent.leader == null) {
            return;
        }
        SigAction a = parent.leader.sighand.get(Signals.SIGCHLD);
        if (!a.has(SigAction.SA_NOCLDSTOP)) {
            // A child's siglock may be held here: taking the parent's is the one nesting allowed (child, then parent).
            sendToProcess(parent, SigInfo.child(Signals.SIGCHLD, code, p.tgid, 0, sig));
        }
        parent.childWait.wakeAll();
    }

    /**
     * The parent learns of a child's death (Linux's do_notify_parent): its exit signal, unless the parent ignores
     * SIGCHLD or set SA_NOCLDWAIT, in which case the child is reaped at once. Returns true if it was auto-reaped.
     * Called with the tasklist lock held.
     */
    static boolean notifyParentOfExit(Proc p) {
        Proc parent = p.parent;
        if (parent == null || parent.leader == null || p.exitSignal == 0) {
            return false;
        }
        int st = p.waitStatus;
        boolean exited = (st & 0x7f) == 0;
        int code = exited ? SigInfo.CLD_EXITED : (st & 0x80) != 0 ? SigInfo.CLD_DUMPED : SigInfo.CLD_KILLED;
        SigInfo info = SigInfo.child(p.exitSignal, code, p.tgid, 0, exited ? (st >> 8) & 0xff : st & 0x7f);
        boolean autoreap = false;
        if (p.exitSignal == Signals.SIGCHLD) {
            SigAction a = parent.leader.sighand.get(Signals.SIGCHLD);
            autoreap = a.isIgnore() || a.has(SigAction.SA_NOCLDWAIT);
        }
        sendToProcess(parent, info);
        return autoreap;
    }
}
