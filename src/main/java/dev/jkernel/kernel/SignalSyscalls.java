package dev.jkernel.kernel;

import dev.jkernel.arch.Arch;
import dev.jkernel.mm.AddressSpace;
import dev.jkernel.mm.GuestFault;
import dev.jkernel.syscall.SyscallTable;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import static dev.jkernel.syscall.SyscallTable.Status.FULL;
import static dev.jkernel.syscall.SyscallTable.Status.PARTIAL;

/** The signal syscalls (Linux's kernel/signal.c): dispositions, masks, sending, waiting, alternate stacks. */
public final class SignalSyscalls implements SyscallTable.Family {
    static final int SIG_BLOCK = 0, SIG_UNBLOCK = 1, SIG_SETMASK = 2;
    static final int SIGSET_SIZE = 8;

    @Override
    public void register(SyscallTable.Builder b) {
        b.add("rt_sigaction", SignalSyscalls::rtSigaction, FULL, "signal ptr ptr size");
        b.add("rt_sigprocmask", SignalSyscalls::rtSigprocmask, FULL, "int ptr ptr size");
        b.add("rt_sigpending", SignalSyscalls::rtSigpending, FULL, "ptr size");
        b.add("rt_sigsuspend", SignalSyscalls::rtSigsuspend, FULL, "ptr size");
        b.add("rt_sigtimedwait", SignalSyscalls::rtSigtimedwait, FULL, "ptr ptr ptr size");
        b.add("rt_sigqueueinfo", (t, a0, a1, a2, a3, a4, a5) -> sigqueue(t, (int) a0, -1, (int) a1, a2), FULL,
                "int signal ptr");
        b.add("rt_tgsigqueueinfo", (t, a0, a1, a2, a3, a4, a5) -> sigqueue(t, (int) a0, (int) a1, (int) a2, a3),
                FULL, "int int signal ptr");
        b.add("kill", (t, a0, a1, a2, a3, a4, a5) -> kill(t, (int) a0, (int) a1), FULL, "int signal");
        b.add("tkill", (t, a0, a1, a2, a3, a4, a5) -> tgkill(t, -1, (int) a0, (int) a1), FULL, "int signal");
        b.add("tgkill", (t, a0, a1, a2, a3, a4, a5) -> tgkill(t, (int) a0, (int) a1, (int) a2), FULL,
                "int int signal");
        b.add("pidfd_send_signal", SignalSyscalls::pidfdSendSignal, FULL, "fd signal ptr hex");
        b.add("sigaltstack", SignalSyscalls::sigaltstack, FULL, "ptr ptr");
        b.add("rt_sigreturn", SignalSyscalls::rtSigreturn, FULL, "");
        b.add("restart_syscall", (t, a0, a1, a2, a3, a4, a5) -> {
            Task.RestartBlock r = t.restartBlock;
            t.restartBlock = null;
            return r == null ? -Errno.EINTR : r.restart(t);
        }, FULL, "");
    }

    private static boolean badSigsetSize(long size) {
        return size != SIGSET_SIZE;
    }

    static long rtSigaction(Task t, long sigArg, long act, long oact, long size, long a4, long a5)
            throws GuestFault {
        int sig = (int) sigArg;
        if (badSigsetSize(size) || !Signals.valid(sig)) {
            return -Errno.EINVAL;
        }
        AddressSpace mm = t.mm();
        SigAction next = null;
        if (act != 0) {
            if (sig == Signals.SIGKILL || sig == Signals.SIGSTOP) {
                return -Errno.EINVAL;
            }
            ByteBuffer b = ByteBuffer.wrap(mm.read(act, 24)).order(ByteOrder.LITTLE_ENDIAN);
            // Unknown flag bits are cleared (Linux 5.11+), so a program can probe with SA_UNSUPPORTED.
            long known = SigAction.SA_NOCLDSTOP | SigAction.SA_NOCLDWAIT | SigAction.SA_SIGINFO
                    | SigAction.SA_ONSTACK | SigAction.SA_RESTART | SigAction.SA_NODEFER | SigAction.SA_RESETHAND
                    | SigAction.SA_EXPOSE_TAGBITS | SigAction.SA_RESTORER;
            next = new SigAction(b.getLong(0), b.getLong(8) & known, b.getLong(16) & ~Signals.UNBLOCKABLE, 0);
        }
        SigAction old;
        Proc p = t.proc;
        synchronized (p.kernel.tasklist) {
            synchronized (p.siglock) {
                old = t.sighand.get(sig);
                if (next != null) {
                    t.sighand.set(sig, next);
                    // POSIX: making a pending signal ignored discards it.
                    if (next.isIgnore() || (next.isDefault() && Signals.defaultIgnored(sig))) {
                        p.shared.discard(Signals.bit(sig));
                        for (Task th : p.threads) {
                            th.pending.discard(Signals.bit(sig));
                        }
                    }
                }
            }
        }
        if (oact != 0) {
            ByteBuffer o = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
            o.putLong(0, old.handler()).putLong(8, old.flags()).putLong(16, old.mask());
            mm.write(oact, o.array());
        }
        return 0;
    }

    static long rtSigprocmask(Task t, long how, long set, long oset, long size, long a4, long a5)
            throws GuestFault {
        if (badSigsetSize(size)) {
            return -Errno.EINVAL;
        }
        long old = t.blocked;
        if (set != 0) {
            if (how != SIG_BLOCK && how != SIG_UNBLOCK && how != SIG_SETMASK) {
                return -Errno.EINVAL;
            }
            long m = t.mm().read64(set);
            SignalDelivery.setBlocked(t, how == SIG_BLOCK ? old | m : how == SIG_UNBLOCK ? old & ~m : m);
        }
        if (oset != 0) {
            t.mm().write64(oset, old);
        }
        return 0;
    }

    static long rtSigpending(Task t, long set, long size, long a2, long a3, long a4, long a5) throws GuestFault {
        if (badSigsetSize(size)) {
            return -Errno.EINVAL;
        }
        t.mm().write64(set, (t.pending.set | t.proc.shared.set) & t.blocked);
        return 0;
    }

    /** rt_sigsuspend: wait with a temporary mask; always "fails" with ERESTARTNOHAND once a signal is delivered. */
    static long rtSigsuspend(Task t, long mask, long size, long a2, long a3, long a4, long a5) throws GuestFault {
        if (badSigsetSize(size)) {
            return -Errno.EINVAL;
        }
        long m = t.mm().read64(mask);
        t.savedMask = t.blocked;
        t.restoreSigmask = true;
        SignalDelivery.setBlocked(t, m);
        new WaitQueue().await(t, () -> false, WaitQueue.FOREVER, true);
        return -Errno.ERESTARTNOHAND;
    }

    /** rt_sigtimedwait: take a signal from {@code set} (even a blocked one) or wait for one. */
    static long rtSigtimedwait(Task t, long setAddr, long info, long timeout, long size, long a4, long a5)
            throws GuestFault {
        if (badSigsetSize(size)) {
            return -Errno.EINVAL;
        }
        long set = t.mm().read64(setAddr) & ~Signals.UNBLOCKABLE;
        long deadline = WaitQueue.FOREVER;
        if (timeout != 0) {
            long sec = t.mm().read64(timeout), nsec = t.mm().read64(timeout + 8);
            if (sec < 0 || nsec < 0 || nsec >= 1_000_000_000L) {
                return -Errno.EINVAL;
            }
            deadline = t.kernel().monotonicNanos() + Math.min(sec, 1L << 32) * 1_000_000_000L + nsec;
        }
        Proc p = t.proc;
        SigInfo[] got = new SigInfo[1];
        // While waiting, the signals of the set are unblocked so that they wake us; realBlocked keeps the real mask
        // so that a default-fatal signal of the set is not taken for a fatal one (Linux's real_blocked).
        long saved = t.blocked;
        synchronized (p.siglock) {
            t.realBlocked = saved;
            t.blocked = saved & ~set;
        }
        int r;
        try {
            r = new WaitQueue().await(t, () -> {
            synchronized (p.siglock) {
                SigInfo i = SignalDelivery.dequeue(t, set);
                got[0] = i;
                return i != null;
            }
        }, deadline, true);
        } finally {
            synchronized (p.siglock) {
                t.blocked = saved;
                t.realBlocked = 0;
            }
        }
        if (got[0] == null) {
            return r == WaitQueue.TIMED_OUT ? -Errno.EAGAIN : -Errno.EINTR;
        }
        if (info != 0) {
            t.mm().write(info, got[0].toBytes());
        }
        return got[0].signo();
    }

    /** kill(2): pid > 0 a process, 0 the caller's group, -1 everyone but init and the caller, < -1 group -pid. */
    static long kill(Task t, int pid, int sig) {
        if (sig < 0 || sig > Signals.NSIG) {
            return -Errno.EINVAL;
        }
        if (pid == Integer.MIN_VALUE) {
            return -Errno.ESRCH;
        }
        Kernel k = t.kernel();
        SigInfo info = SigInfo.user(sig, SigInfo.SI_USER, t.tgid(), t.uid);
        List<Proc> targets = new ArrayList<>();
        synchronized (k.tasklist) {
            if (pid > 0) {
                Proc p = k.procs.get(pid);
                if (p != null && p.state == Proc.State.ALIVE && !p.kernelThread) {
                    targets.add(p);
                } else if (p != null && p.state == Proc.State.ZOMBIE) {
                    return 0; // a zombie can still be signalled (to no effect)
                }
            } else {
                int pgid = pid == 0 ? t.proc.pgid : -pid;
                for (Proc p : k.procs.values()) {
                    if (p.state != Proc.State.ALIVE || p.kernelThread) {
                        continue;
                    }
                    if (pid == -1 ? p.tgid != 1 && p != t.proc : p.pgid == pgid) {
                        targets.add(p);
                    }
                }
            }
        }
        if (targets.isEmpty()) {
            return -Errno.ESRCH;
        }
        if (sig != 0) {
            for (Proc p : targets) {
                SignalDelivery.sendToProcess(p, info);
            }
        }
        return 0;
    }

    /** tgkill (tgid > 0) and tkill (tgid == -1). */
    static long tgkill(Task t, int tgid, int tid, int sig) {
        if (tid <= 0 || (tgid != -1 && tgid <= 0) || sig < 0 || sig > Signals.NSIG) {
            return -Errno.EINVAL;
        }
        Task target = t.kernel().task(tid);
        if (target == null || target.exiting || (tgid != -1 && target.tgid() != tgid) || target.isKernelThread()) {
            return -Errno.ESRCH;
        }
        if (sig != 0) {
            SignalDelivery.sendToThread(target, SigInfo.user(sig, SigInfo.SI_TKILL, t.tgid(), t.uid));
        }
        return 0;
    }

    /** rt_sigqueueinfo / rt_tgsigqueueinfo: a siginfo from user space, which may not pretend to come from the kernel. */
    static long sigqueue(Task t, int tgid, int tid, int sig, long uinfo) throws GuestFault {
        if (!Signals.valid(sig)) {
            return -Errno.EINVAL;
        }
        SigInfo info = SigInfo.fromBytes(t.mm().read(uinfo, SigInfo.SIZE)).withSigno(sig);
        boolean self = tgid == t.tgid();
        if (!self && (info.code() >= 0 || info.code() == SigInfo.SI_TKILL)) {
            return -Errno.EPERM;
        }
        if (tid == -1) {
            Proc p = t.kernel().proc(tgid);
            if (p == null || p.state != Proc.State.ALIVE || tgid <= 0) {
                return -Errno.ESRCH;
            }
            return SignalDelivery.sendToProcess(p, info);
        }
        if (tgid <= 0 || tid <= 0) {
            return -Errno.EINVAL;
        }
        Task target = t.kernel().task(tid);
        if (target == null || target.tgid() != tgid) {
            return -Errno.ESRCH;
        }
        return SignalDelivery.sendToThread(target, info);
    }

    static long pidfdSendSignal(Task t, long fd, long sigArg, long uinfo, long flags, long a4, long a5)
            throws GuestFault {
        int sig = (int) sigArg;
        if (flags != 0 || sig < 0 || sig > Signals.NSIG) {
            return -Errno.EINVAL;
        }
        if (t.files().get((int) fd) == null) {
            return -Errno.EBADF;
        }
        Proc p = PidFd.target(t, (int) fd);
        if (p == null) {
            return -Errno.EBADF;
        }
        if (p.state != Proc.State.ALIVE) {
            return -Errno.ESRCH;
        }
        SigInfo info = uinfo == 0 ? SigInfo.user(sig, SigInfo.SI_USER, t.tgid(), t.uid)
                : SigInfo.fromBytes(t.mm().read(uinfo, SigInfo.SIZE)).withSigno(sig);
        if (uinfo != 0 && p != t.proc && (info.code() >= 0 || info.code() == SigInfo.SI_TKILL)) {
            return -Errno.EPERM;
        }
        return sig == 0 ? 0 : SignalDelivery.sendToProcess(p, info);
    }

    /** sigaltstack(2); stack_t is {ss_sp, ss_flags (+pad), ss_size}. */
    static long sigaltstack(Task t, long ss, long oss, long a2, long a3, long a4, long a5) throws GuestFault {
        Arch arch = t.kernel().arch();
        boolean on = SignalDelivery.onAltStack(t, arch.stackPointer(t.ctx));
        if (oss != 0) {
            ByteBuffer o = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
            int flags = on ? SignalDelivery.SS_ONSTACK : t.altFlags == SignalDelivery.SS_DISABLE
                    ? SignalDelivery.SS_DISABLE : t.altFlags;
            o.putLong(0, t.altSp).putInt(8, flags).putLong(16, t.altSize);
            t.mm().write(oss, o.array());
        }
        if (ss != 0) {
            ByteBuffer b = ByteBuffer.wrap(t.mm().read(ss, 24)).order(ByteOrder.LITTLE_ENDIAN);
            long sp = b.getLong(0), size = b.getLong(16);
            int flags = b.getInt(8);
            if (on) {
                return -Errno.EPERM;
            }
            int mode = flags & ~SignalDelivery.SS_AUTODISARM;
            if (mode != 0 && mode != SignalDelivery.SS_DISABLE && mode != SignalDelivery.SS_ONSTACK) {
                return -Errno.EINVAL;
            }
            if (mode == SignalDelivery.SS_DISABLE) {
                t.altSp = 0;
                t.altSize = 0;
                t.altFlags = SignalDelivery.SS_DISABLE;
            } else {
                if (size < SignalDelivery.MINSIGSTKSZ) {
                    return -Errno.ENOMEM;
                }
                t.altSp = sp;
                t.altSize = size;
                t.altFlags = flags & SignalDelivery.SS_AUTODISARM;
            }
        }
        return 0;
    }

    /** rt_sigreturn: restore what the frame saved; a frame Linux would refuse gets SIGSEGV. */
    static long rtSigreturn(Task t, long a0, long a1, long a2, long a3, long a4, long a5) {
        Arch arch = t.kernel().arch();
        t.restartBlock = null;
        try {
            Arch.SigreturnState s = arch.sigreturn(t.ctx, t.mm());
            SignalDelivery.setBlocked(t, s.mask());
            if (!SignalDelivery.onAltStack(t, arch.stackPointer(t.ctx))) {
                int mode = s.altFlags() & ~SignalDelivery.SS_AUTODISARM;
                if (mode == SignalDelivery.SS_DISABLE) {
                    t.altSp = 0;
                    t.altSize = 0;
                    t.altFlags = SignalDelivery.SS_DISABLE;
                } else if (s.altSize() >= SignalDelivery.MINSIGSTKSZ) {
                    t.altSp = s.altSp();
                    t.altSize = s.altSize();
                    t.altFlags = s.altFlags() & SignalDelivery.SS_AUTODISARM;
                }
            }
        } catch (GuestFault | ErrnoException e) {
            SignalDelivery.forceFault(t, Signals.SIGSEGV, SigInfo.SI_KERNEL, 0);
            return 0;
        }
        return arch.syscallReturnValue(t.ctx);
    }
}
