package dev.jkernel.kernel;

import dev.jkernel.syscall.SyscallTable;

import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

import static dev.jkernel.syscall.SyscallTable.Status.FULL;

/**
 * membarrier(2) (Linux's kernel/sched/membarrier.c). A barrier here means: every targeted thread that is running guest
 * code has left it at least once (it trapped into the kernel: the interrupt request acts as the IPI) since the call
 * began; threads not running guest code are already past any user-space access. Guest memory accesses are JVM memory
 * accesses, so the interrupt hand-shake (volatile write, observed by the target, volatile write back) orders them.
 * The RSEQ flavour also aborts the targets' rseq critical sections; SYNC_CORE also drops their decoded code.
 */
public final class Membarrier implements SyscallTable.Family {
    static final int QUERY = 0, GLOBAL = 1, GLOBAL_EXPEDITED = 2, REGISTER_GLOBAL_EXPEDITED = 4,
            PRIVATE_EXPEDITED = 8, REGISTER_PRIVATE_EXPEDITED = 16, PRIVATE_EXPEDITED_SYNC_CORE = 32,
            REGISTER_PRIVATE_EXPEDITED_SYNC_CORE = 64, PRIVATE_EXPEDITED_RSEQ = 128,
            REGISTER_PRIVATE_EXPEDITED_RSEQ = 256, GET_REGISTRATIONS = 512;
    static final int FLAG_CPU = 1;
    static final int SUPPORTED = GLOBAL | GLOBAL_EXPEDITED | REGISTER_GLOBAL_EXPEDITED | PRIVATE_EXPEDITED
            | REGISTER_PRIVATE_EXPEDITED | PRIVATE_EXPEDITED_SYNC_CORE | REGISTER_PRIVATE_EXPEDITED_SYNC_CORE
            | PRIVATE_EXPEDITED_RSEQ | REGISTER_PRIVATE_EXPEDITED_RSEQ | GET_REGISTRATIONS;

    @Override
    public void register(SyscallTable.Builder b) {
        b.add("membarrier", (t, a0, a1, a2, a3, a4, a5) -> membarrier(t, (int) a0, (int) a1, (int) a2), FULL,
                "int hex int");
    }

    static long membarrier(Task t, int cmd, int flags, int cpuId) {
        if (cmd == PRIVATE_EXPEDITED_RSEQ ? (flags & ~FLAG_CPU) != 0 : flags != 0) {
            return -Errno.EINVAL;
        }
        Proc p = t.proc;
        switch (cmd) {
            case QUERY -> {
                return SUPPORTED;
            }
            case GLOBAL -> {
                barrier(t, allTasks(t, false), false, false, -1);
                return 0;
            }
            case GLOBAL_EXPEDITED -> {
                barrier(t, allTasks(t, true), false, false, -1);
                return 0;
            }
            case REGISTER_GLOBAL_EXPEDITED, REGISTER_PRIVATE_EXPEDITED, REGISTER_PRIVATE_EXPEDITED_SYNC_CORE,
                    REGISTER_PRIVATE_EXPEDITED_RSEQ -> {
                synchronized (t.kernel().tasklist) {
                    p.membarrierRegistrations |= cmd;
                }
                return 0;
            }
            case PRIVATE_EXPEDITED, PRIVATE_EXPEDITED_SYNC_CORE, PRIVATE_EXPEDITED_RSEQ -> {
                int needed = cmd << 1; // each command's REGISTER_ bit is the next one up
                if ((p.membarrierRegistrations & needed) == 0) {
                    return -Errno.EPERM;
                }
                // With FLAG_CPU, a cpu past the last one targets nothing; a negative one means every cpu, as
                // without the flag (Linux's membarrier_private_expedited only looks for cpu_id >= 0).
                int cpu = (flags & FLAG_CPU) != 0 && cpuId >= 0 ? cpuId : -1;
                if (cpu >= t.kernel().sched().cpus()) {
                    return 0;
                }
                barrier(t, p.threads(), cmd == PRIVATE_EXPEDITED_RSEQ, cmd == PRIVATE_EXPEDITED_SYNC_CORE, cpu);
                return 0;
            }
            case GET_REGISTRATIONS -> {
                return p.membarrierRegistrations;
            }
            default -> {
                return -Errno.EINVAL;
            }
        }
    }

    private static List<Task> allTasks(Task t, boolean registeredOnly) {
        List<Task> out = new ArrayList<>();
        for (Proc q : t.kernel().procs()) {
            if (!registeredOnly || (q.membarrierRegistrations & REGISTER_GLOBAL_EXPEDITED) != 0) {
                out.addAll(q.threads());
            }
        }
        return out;
    }

    /** Interrupts every target running guest code (optionally only the one on {@code cpu}) and waits for each. */
    private static void barrier(Task self, List<Task> targets, boolean rseq, boolean syncCore, int cpu) {
        VarHandle.fullFence();
        List<Task> waiting = new ArrayList<>();
        List<Long> seqs = new ArrayList<>();
        for (Task o : targets) {
            if (o == self || o.isKernelThread() || (cpu >= 0 && o.cpu != cpu)) {
                continue;
            }
            if (rseq && o.rseqAddr != 0) {
                o.rseqEvent = true;
                o.rseqNotify = true;
            }
            if (syncCore) {
                o.flushIcachePending = true;
            }
            if (o.cpu >= 0) {
                seqs.add(o.kernelEntries);
                waiting.add(o);
                o.ctx.interruptRequested = true;
            }
        }
        for (int i = 0; i < waiting.size(); i++) {
            Task o = waiting.get(i);
            long seq = seqs.get(i);
            long deadline = System.nanoTime() + 1_000_000_000L;
            while (o.kernelEntries == seq && o.cpu >= 0 && !o.exiting && System.nanoTime() < deadline) {
                LockSupport.parkNanos(20_000);
            }
        }
        VarHandle.fullFence();
    }
}
