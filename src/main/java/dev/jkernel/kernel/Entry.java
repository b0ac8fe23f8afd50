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

    /** Runs a user task until it exits, then does its exit. */
    static void runUser(Task t) {
        Kernel k = t.kernel();
        ExecutionEngine engine = t.engine;
        CpuContext ctx = t.ctx;
        k.sched().acquire(t);
        try {
            while (!t.exiting) {
                int stop = engine.run(ctx, t.mm(), SLICE);
                switch (stop) {
                    case ExecutionEngine.STOP_SYSCALL -> syscall(t);
                    case ExecutionEngine.STOP_FAULT -> fatalTrap(t,
                            ctx.trapCode == GuestFault.ADRALN ? Signals.SIGBUS : Signals.SIGSEGV, faultText(ctx));
                    case ExecutionEngine.STOP_ILLEGAL -> fatalTrap(t, Signals.SIGILL, String.format(
                            "illegal instruction 0x%0" + (isCompressed(ctx.trapInsn) ? "4" : "8") + "x",
                            ctx.trapInsn));
                    case ExecutionEngine.STOP_BREAKPOINT -> fatalTrap(t, Signals.SIGTRAP, "breakpoint");
                    case ExecutionEngine.STOP_BUDGET -> t.needResched = true;
                    case ExecutionEngine.STOP_INTERRUPT -> { }
                    default -> throw new IllegalStateException("engine stop code " + stop);
                }
                exitToUserMode(t);
            }
        } finally {
            k.addRetired(ctx.instret);
            ctx.instret = 0;
            k.sched().release(t);
        }
        Exit.doExit(t);
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
            default -> "misaligned";
        };
        return kind + " " + what + " address 0x" + Long.toHexString(ctx.trapAddr);
    }

    /**
     * A synchronous trap the guest cannot handle yet (signal delivery comes later): the process dies of the signal
     * with a core dump flag, as Linux's default action for it does, with a one-line explanation on stderr.
     */
    private static void fatalTrap(Task t, int sig, String why) {
        t.kernel().config().stderrPrinter().printf("jkernel: pid %d killed by %s at pc 0x%x: %s%n", t.tgid(),
                Signals.name(sig), t.ctx.pc, why);
        Exit.exitGroup(t, Exit.killedStatus(sig, true));
    }

    /** Dispatches one syscall through the table (the only place syscalls are invoked from). */
    static void syscall(Task t) {
        Kernel k = t.kernel();
        Arch arch = k.arch();
        CpuContext ctx = t.ctx;
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
        // Until signal delivery exists nothing can be restarted: the internal restart codes become EINTR here.
        if (ret <= -Errno.ERESTARTSYS && ret >= -Errno.ERESTART_RESTARTBLOCK) {
            ret = -Errno.EINTR;
        }
        if (st != null) {
            st.leave(t, pre, ret);
        }
        if (!t.exiting && !isSuccessfulExec(e, ret)) {
            arch.setSyscallReturn(ctx, ret);
        }
    }

    /** A successful execve has set up fresh registers: its "return value" must not overwrite a0. */
    private static boolean isSuccessfulExec(SyscallTable.Entry e, long ret) {
        return ret == 0 && e != null && (e.name().equals("execve") || e.name().equals("execveat"));
    }

    /**
     * The exit-to-user work loop: loops while work is pending. Today: a kill pending (leave), and rescheduling at the
     * end of a slice. Signal delivery, syscall restart and the rseq fixup join it with their issues.
     */
    static void exitToUserMode(Task t) {
        while (true) {
            if (t.killed) {
                Exit.exitGroup(t, t.proc.groupExiting ? t.proc.groupExitCode
                        : Exit.killedStatus(Signals.SIGKILL, false));
                return;
            }
            if (t.exiting) {
                return;
            }
            if (t.needResched) {
                t.needResched = false;
                t.kernel().sched().yield(t);
                continue;
            }
            return;
        }
    }
}
