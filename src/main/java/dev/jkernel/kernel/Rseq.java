package dev.jkernel.kernel;

import dev.jkernel.mm.AddressSpace;
import dev.jkernel.mm.GuestFault;
import dev.jkernel.syscall.SyscallTable;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static dev.jkernel.syscall.SyscallTable.Status.FULL;

/**
 * Restartable sequences (seed 003, Linux's kernel/rseq.c). A thread registers a struct rseq; before it returns to
 * user space after a preemption, a migration or a signal, the kernel publishes its cpu number there and, if the
 * thread was inside a registered critical section, moves its pc to the section's abort handler. The fixup runs from
 * the exit-to-user loop (and from signal delivery, before the frame is built) and nowhere else.
 */
public final class Rseq implements SyscallTable.Family {
    /** struct rseq as registered with the original 32-byte size, and the feature size reported by AT_RSEQ_FEATURE_SIZE. */
    public static final int ORIG_SIZE = 32, FEATURE_SIZE = 28, ALIGN = 32;
    static final int RSEQ_FLAG_UNREGISTER = 1;
    static final int CPU_ID_UNINITIALIZED = -1;
    static final int NO_RESTART_FLAGS = 0x7;
    // struct rseq field offsets.
    static final int CPU_ID_START = 0, CPU_ID = 4, RSEQ_CS = 8, FLAGS = 16, NODE_ID = 20, MM_CID = 24;

    @Override
    public void register(SyscallTable.Builder b) {
        b.add("rseq", (t, a0, a1, a2, a3, a4, a5) -> rseq(t, a0, a1, a2, a3), FULL, "ptr size int hex32",
                "struct rseq with node_id and mm_cid (feature size 28, align 32)");
    }

    /** rseq(2): register or unregister, with Linux's checks in Linux's order. */
    static long rseq(Task t, long addr, long lenArg, long flags, long sigArg) throws GuestFault {
        int len = (int) lenArg;
        int sig = (int) sigArg;
        if ((flags & RSEQ_FLAG_UNREGISTER) != 0) {
            if ((flags & ~RSEQ_FLAG_UNREGISTER) != 0) {
                return -Errno.EINVAL;
            }
            if (t.rseqAddr != addr) {
                return -Errno.EINVAL;
            }
            if (lenArg != t.rseqLen) {
                return -Errno.EINVAL;
            }
            if (t.rseqSig != sig) {
                return -Errno.EPERM;
            }
            resetCpuIds(t);
            t.rseqAddr = 0;
            t.rseqLen = 0;
            t.rseqSig = 0;
            return 0;
        }
        if (flags != 0) {
            return -Errno.EINVAL;
        }
        if (t.rseqAddr != 0) {
            if (t.rseqAddr != addr || t.rseqLen != lenArg) {
                return -Errno.EINVAL;
            }
            if (t.rseqSig != sig) {
                return -Errno.EPERM;
            }
            return -Errno.EBUSY; // already registered
        }
        if (lenArg < ORIG_SIZE || (lenArg == ORIG_SIZE && (addr & (ALIGN - 1)) != 0)
                || (lenArg != ORIG_SIZE && ((addr & (ALIGN - 1)) != 0 || lenArg < FEATURE_SIZE))) {
            return -Errno.EINVAL;
        }
        if (addr < 0 || addr + lenArg > AddressSpace.TASK_SIZE || addr + lenArg < addr) {
            return -Errno.EFAULT;
        }
        t.rseqAddr = addr;
        t.rseqLen = len;
        t.rseqSig = sig;
        // The cpu ids must be published before the thread sees user space again.
        t.rseqEvent = true;
        t.rseqNotify = true;
        return 0;
    }

    /** Unregistration and exec: cpu_id back to "uninitialized". */
    private static void resetCpuIds(Task t) throws GuestFault {
        AddressSpace mm = t.mm();
        mm.write32(t.rseqAddr + CPU_ID_START, 0);
        mm.write32(t.rseqAddr + CPU_ID, CPU_ID_UNINITIALIZED);
        if (t.rseqLen > NODE_ID) {
            mm.write32(t.rseqAddr + NODE_ID, 0);
            mm.write32(t.rseqAddr + MM_CID, 0);
        }
    }

    /**
     * Linux's rseq_handle_notify_resume: fix up the pc if a critical section was interrupted, then publish the cpu
     * ids. Anything malformed (a bad rseq_cs version, an abort_ip inside the section, a signature mismatch, deprecated
     * no-restart flags, unreadable memory) kills the thread's process with SIGSEGV, as Linux's force_sigsegv.
     */
    static void handleNotifyResume(Task t) {
        if (t.rseqAddr == 0 || t.mm() == null) {
            return;
        }
        try {
            ipFixup(t);
            publish(t);
        } catch (GuestFault | ErrnoException e) {
            SignalDelivery.forceFault(t, Signals.SIGSEGV, SigInfo.SI_KERNEL, 0);
        }
    }

    private static void ipFixup(Task t) throws GuestFault, ErrnoException {
        AddressSpace mm = t.mm();
        long csPtr = mm.read64(t.rseqAddr + RSEQ_CS);
        boolean event = t.rseqEvent;
        t.rseqEvent = false;
        if (csPtr == 0) {
            return;
        }
        if (csPtr < 0 || csPtr >= AddressSpace.TASK_SIZE) {
            throw new ErrnoException(Errno.EINVAL);
        }
        ByteBuffer cs = ByteBuffer.wrap(mm.read(csPtr, 32)).order(ByteOrder.LITTLE_ENDIAN);
        int version = cs.getInt(0);
        int csFlags = cs.getInt(4);
        long start = cs.getLong(8), postCommitOffset = cs.getLong(16), abort = cs.getLong(24);
        if (version != 0) {
            throw new ErrnoException(Errno.EINVAL);
        }
        if (Long.compareUnsigned(abort - start, postCommitOffset) < 0) {
            throw new ErrnoException(Errno.EINVAL); // the abort handler may not lie inside the section
        }
        int sig = mm.read32(abort - 4);
        if (sig != t.rseqSig) {
            throw new ErrnoException(Errno.EINVAL);
        }
        long pc = t.ctx.pc;
        if (Long.compareUnsigned(pc - start, postCommitOffset) >= 0) {
            mm.write64(t.rseqAddr + RSEQ_CS, 0); // not inside: just forget the section
            return;
        }
        int flags = mm.read32(t.rseqAddr + FLAGS) | csFlags;
        if ((flags & NO_RESTART_FLAGS) != 0) {
            throw new ErrnoException(Errno.EINVAL); // deprecated: refused by current kernels
        }
        if (!event) {
            return;
        }
        mm.write64(t.rseqAddr + RSEQ_CS, 0);
        t.ctx.pc = abort;
        t.rseqAborts++;
    }

    /** rseq_update_cpu_node_id: cpu_id_start, cpu_id, node_id and mm_cid, as the thread is about to run. */
    static void publish(Task t) throws GuestFault {
        AddressSpace mm = t.mm();
        int cpu = t.cpu();
        mm.write32(t.rseqAddr + CPU_ID_START, cpu);
        mm.write32(t.rseqAddr + CPU_ID, cpu);
        if (t.rseqLen > NODE_ID) {
            mm.write32(t.rseqAddr + NODE_ID, 0);
            mm.write32(t.rseqAddr + MM_CID, Math.max(0, t.mmCid));
        }
    }

    /** Signal delivery (rseq_signal_deliver): the section is aborted before the frame saves the pc. */
    static void signalDeliver(Task t) {
        if (t.rseqAddr != 0) {
            t.rseqEvent = true;
            handleNotifyResume(t);
        }
    }

    /** A context switch (preemption, blocking, migration): the next return to user space runs the fixup. */
    static void preempted(Task t) {
        if (t.rseqAddr != 0) {
            t.rseqEvent = true;
            t.rseqNotify = true;
        }
    }

    /** exec forgets the registration (rseq_execve); a new thread starts unregistered. */
    static void clear(Task t) {
        t.rseqAddr = 0;
        t.rseqLen = 0;
        t.rseqSig = 0;
        t.rseqEvent = false;
        t.rseqNotify = false;
    }
}
