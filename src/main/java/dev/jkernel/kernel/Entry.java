package dev.jkernel.kernel;

import dev.jkernel.arch.Arch;
import dev.jkernel.arch.CpuContext;
import dev.jkernel.arch.ExecutionEngine;
import dev.jkernel.mm.GuestFault;
import dev.jkernel.syscall.Strace;
import dev.jkernel.syscall.SyscallTable;

/**
 * The task run loop (Linux's kernel/entry/common.c): own a vCPU, run user code until it traps, handle the trap
 * (syscall, fault, illegal instruction, end of slice), then go through {@link #exitToUserMode} before returning to
 * user code. Nothing else in the kernel resumes guest code.
 */
final class Entry {
    private Entry() {}

    /** Instructions a task runs before the loop looks at its work (the time slice, in instructions). */
    static final long SLICE = 1_000_000;

    /** Runs a user task until it exits, then does its exit. The task owns a vCPU throughout (see taskMain). */
    static void runUser(Task t) {
        Kernel k = t.kernel();
        Scheduler sched = k.sched();
        ExecutionEngine engine = t.engine;
        CpuContext ctx = t.ctx;
        Preemption forced = k.config().preempt();
        if (forced != null && t.preemptCursor == null) {
            t.preemptCursor = forced.cursor(t.tid);
        }
        Preemption.Cursor cursor = t.preemptCursor;
        try {
            while (!t.exiting) {
                // The slice is the task's, not the kernel entry's: a thread making a syscall every few hundred
                // instructions must still be preempted once it has run a slice (the tick, in Linux).
                long budget = sched.budget(t, Math.max(1, t.sliceLeft));
                if (cursor != null) {
                    budget = Math.max(1, Math.min(budget, cursor.next - ctx.instret));
                }
                long before = ctx.instret;
                int stop = engine.run(ctx, t.mm(), budget);
                t.sliceLeft -= ctx.instret - before;
                if (t.sliceLeft <= 0) {
                    t.needResched = true;
                }
                t.kernelEntries++;
                if (cursor != null && ctx.instret >= cursor.next) {
                    t.forcePreempt = true;
                    cursor.advance(ctx.instret);
                }
                switch (stop) {
                    case ExecutionEngine.STOP_SYSCALL -> syscall(t);
                    case ExecutionEngine.STOP_FAULT -> {
                        if (ctx.trapCode == GuestFault.OOM) {
                            // The faulting instruction runs again (or the task was the victim and leaves).
                            outOfMemory(t);
                        } else {
                            t.faultText = faultText(ctx);
                            if (ctx.trapCode == GuestFault.ADRALN) {
                                SignalDelivery.forceFault(t, Signals.SIGBUS, SigInfo.BUS_ADRALN, ctx.trapAddr);
                            } else if (ctx.trapCode == GuestFault.BUSERR) {
                                SignalDelivery.forceFault(t, Signals.SIGBUS, SigInfo.BUS_ADRERR, ctx.trapAddr);
                            } else {
                                SignalDelivery.forceFault(t, Signals.SIGSEGV, ctx.trapCode == GuestFault.MAPERR
                                        ? SigInfo.SEGV_MAPERR : SigInfo.SEGV_ACCERR, ctx.trapAddr);
                            }
                        }
                    }
                    case ExecutionEngine.STOP_ILLEGAL -> {
                        t.faultText = String.format("illegal instruction 0x%0"
                                + (isCompressed(ctx.trapInsn) ? "4" : "8") + "x", ctx.trapInsn);
                        SignalDelivery.forceFault(t, Signals.SIGILL, SigInfo.ILL_ILLOPC, ctx.pc);
                    }
                    case ExecutionEngine.STOP_BREAKPOINT -> {
                        t.faultText = "breakpoint";
                        SignalDelivery.forceFault(t, Signals.SIGTRAP, SigInfo.TRAP_BRKPT, ctx.pc);
                    }
                    case ExecutionEngine.STOP_BUDGET -> t.needResched = true;
                    case ExecutionEngine.STOP_INTERRUPT -> { }
                    default -> throw new IllegalStateException("engine stop code " + stop);
                }
                exitToUserMode(t);
            }
        } finally {
            k.addRetired(ctx.instret);
            k.addRseqAborts(t.rseqAborts);
        }
        Exit.doExit(t);
    }

    /**
     * A page fault that could not be charged (Linux's VM_FAULT_OOM after the memory cgroup's charge failed): the OOM
     * killer frees memory, and the instruction is retried. Should it find nothing to kill, the faulting process is
     * killed rather than left faulting forever.
     */
    private static void outOfMemory(Task t) {
        if (!t.kernel().memory().outOfMemory(1) && !t.fatalPending()) {
            t.kernel().config().stderrPrinter().printf("jkernel: Memory cgroup out of memory: nothing to kill, "
                    + "killing the faulting process %d (%s)%n", t.tgid(), t.comm);
            SignalDelivery.sendToProcess(t.proc, SigInfo.kernel(Signals.SIGKILL));
        }
    }

    private static boolean isCompressed(int insn) {
        return (insn & 3) != 3;
    }

    private static String faultText(CpuContext ctx) {
        String kind = switch (ctx.trapAccess) {
            case GuestFault.WRITE -> "write to";
            case GuestFault.EXEC -> "instruction fetch from";
            default -> "read from";
        };
        String what = switch (ctx.trapCode) {
            case GuestFault.MAPERR -> "unmapped";
            case GuestFault.ACCERR -> "protected";
            case GuestFault.BUSERR -> "past-the-end-of-file";
            default -> "misaligned";
        };
        return kind + " " + what + " address 0x" + Long.toHexString(ctx.trapAddr);
    }

    /** Dispatches one syscall through the table (the only place syscalls are invoked from). */
    static void syscall(Task t) {
        Kernel k = t.kernel();
        Arch arch = k.arch();
        CpuContext ctx = t.ctx;
        arch.syscallEntry(ctx);
        int nr = arch.syscallNumber(ctx);
        long a0 = arch.syscallArg(ctx, 0), a1 = arch.syscallArg(ctx, 1), a2 = arch.syscallArg(ctx, 2),
                a3 = arch.syscallArg(ctx, 3), a4 = arch.syscallArg(ctx, 4), a5 = arch.syscallArg(ctx, 5);
        SyscallTable.Entry e = k.syscalls().get(nr);
        Strace st = k.strace();
        Object pre = st != null ? st.enter(t, nr, e, a0, a1, a2, a3, a4, a5) : null;
        long ret;
        if (e == null) {
            ret = -Errno.ENOSYS;
        } else {
            try {
                ret = e.handler().call(t, a0, a1, a2, a3, a4, a5);
            } catch (GuestFault f) {
                ret = -Errno.EFAULT;
            } catch (ErrnoException x) {
                ret = -x.errno;
            }
        }
        // An internal restart code is resolved by exitToUserMode (restart or EINTR); rt_sigreturn's "return value"
        // is the restored a0 and must never be taken for one (Linux sets regs->cause = -1 there).
        t.inSyscall = isRestartCode(ret) && (e == null || !e.name().equals("rt_sigreturn"));
        if (st != null) {
            st.leave(t, pre, ret);
        }
        if (!t.exiting && !isSuccessfulExec(e, ret)) {
            arch.setSyscallReturn(ctx, ret);
        }
    }

    static boolean isRestartCode(long ret) {
        return ret <= -Errno.ERESTARTSYS && ret >= -Errno.ERESTART_RESTARTBLOCK && ret != -Errno.ENOIOCTLCMD;
    }

    /** A successful execve has set up fresh registers: its "return value" must not overwrite a0. */
    private static boolean isSuccessfulExec(SyscallTable.Entry e, long ret) {
        return ret == 0 && e != null && (e.name().equals("execve") || e.name().equals("execveat"));
    }

    /**
     * The exit-to-user work loop (seed 002): loops while work is pending, in this order: a kill (leave), a forced
     * preemption or the end of a slice (reschedule), signals and the interrupted-syscall decision (deliver a handler,
     * or restart, or restore the saved mask), then rseq (fix up an interrupted critical section, publish the cpu).
     * Nothing else delivers signals or rewinds the pc.
     */
    static void exitToUserMode(Task t) {
        while (true) {
            if (t.killed) {
                Task execing = t.proc.execTask;
                if (execing != null && execing != t && !t.proc.groupExiting) {
                    t.exitThread(0); // de_thread: another thread execs; this one just goes
                } else {
                    Exit.exitGroup(t, t.proc.groupExiting ? t.proc.groupExitCode
                            : Exit.killedStatus(Signals.SIGKILL, false));
                }
                return;
            }
            if (t.exiting) {
                return;
            }
            if (t.forcePreempt) {
                // --preempt: a real context switch at a chosen instruction.
                t.forcePreempt = false;
                t.needResched = false;
                t.kernel().sched().preempt(t);
                t.sliceLeft = SLICE;
                continue;
            }
            if (t.needResched) {
                t.needResched = false;
                t.kernel().sched().yield(t);
                t.sliceLeft = SLICE;
                continue;
            }
            if (SignalDelivery.pending(t) || t.inSyscall || t.restoreSigmask) {
                if (SignalDelivery.doSignal(t)) {
                    continue;
                }
                if (t.killed || t.exiting) {
                    continue;
                }
            }
            if (t.flushIcachePending) {
                t.flushIcachePending = false;
                t.engine.flush();
            }
            if (t.rseqNotify) {
                t.rseqNotify = false;
                Rseq.handleNotifyResume(t);
                continue;
            }
            return;
        }
    }
}
