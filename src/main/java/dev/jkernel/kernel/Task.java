package dev.jkernel.kernel;

import dev.jkernel.arch.CpuContext;
import dev.jkernel.arch.ExecutionEngine;
import dev.jkernel.fs.FdTable;
import dev.jkernel.fs.FsContext;
import dev.jkernel.mm.AddressSpace;

import java.util.function.Consumer;

/**
 * One thread of execution (Linux's task_struct): a guest thread, or a kernel thread whose "user code" is a Java
 * payload. It owns its registers and execution engine and shares, by reference, what clone(2) may share: the address
 * space, the fd table, the fs context. Each task runs on its own host thread.
 */
public final class Task {
    private final Kernel kernel;
    /** The thread id; changes only when a non-leader thread execs and takes over the leader's id (de_thread). */
    volatile int tid;
    volatile Proc proc;

    final CpuContext ctx;
    final ExecutionEngine engine;

    private volatile AddressSpace mm;
    private volatile FdTable files;
    private volatile FsContext fs;

    /** set_tid_address / CLONE_CHILD_CLEARTID: cleared and futex-woken at exit. */
    public volatile long clearChildTid;
    /** set_robust_list head and length. */
    public volatile long robustListHead;
    public volatile long robustListLen;

    /** The command name (prctl PR_SET_NAME, /proc/self/comm): the program's base name, at most 15 bytes. */
    public volatile String comm = "";
    /** prctl PR_SET_DUMPABLE / PR_SET_PDEATHSIG state. */
    public volatile int dumpable = 1;
    public volatile int pdeathSignal;

    /** Credentials: jkernel runs every guest as the host user it was started by, like qemu-user. */
    public final int uid, gid;

    // ---- scheduling (see Scheduler) ----
    /** The vCPU this task owns, or -1. */
    volatile int cpu = -1;
    /** The vCPU it owned last. */
    volatile int lastCpu = -1;
    /** sched_setscheduler's policy and priority (recorded and reported; every task is scheduled alike). */
    public volatile int schedPolicy, schedPriority;
    /** The nice value, -20..19 (setpriority; recorded and reported, every task is scheduled alike). */
    public volatile int nice;
    /** sched_setaffinity mask (bit n = vCPU n). */
    volatile long affinity = -1L;
    /** Instructions left in the current time slice (Entry.SLICE at each reschedule). */
    long sliceLeft = Entry.SLICE;
    /** The slice is over: reschedule in exitToUserMode (TIF_NEED_RESCHED). */
    volatile boolean needResched;
    /** Nesting of blockBegin/blockEnd, and whether the outermost one gave a vCPU up. */
    private int blockDepth;
    private boolean gaveUpCpu;

    /** DeterministicScheduler's state: runnable, asleep, a wake-up came before the sleep, the sleep's deadline. */
    boolean detRunnable, detSleeping, detPermit;
    DeterministicScheduler.Event detTimeout;
    java.util.concurrent.locks.Condition detGrant;

    Thread thread;
    /** A host thread of the embedding application adopted by this task (it never runs guest code). */
    volatile boolean host;

    // ---- exit ----
    /** This thread is leaving: the run loop stops at its next check. */
    volatile boolean exiting;
    /** A fatal signal (exit_group of another thread, SIGKILL, a fatal trap) is pending: leave as soon as possible. */
    volatile boolean killed;
    /** This thread's wait status (exit code << 8, or the killing signal). */
    volatile int exitCode;

    // ---- signals (see SignalDelivery) ----
    /** The disposition table, shared with CLONE_SIGHAND. */
    volatile SigHand sighand = new SigHand();
    /** Blocked signals (the signal mask). */
    volatile long blocked;
    /** rt_sigtimedwait: the real mask while the awaited signals are temporarily unblocked. */
    volatile long realBlocked;
    /** Signals sent to this thread. */
    final SigPending pending = new SigPending();
    /** sigaltstack: base, size and flags (SS_DISABLE when none). */
    long altSp, altSize;
    int altFlags = SignalDelivery.SS_DISABLE;
    /** sigsuspend/ppoll: the mask to restore once a handler has run or the syscall returns. */
    long savedMask;
    boolean restoreSigmask;
    /** What restart_syscall does (ERESTART_RESTARTBLOCK): set by the interrupted syscall. */
    volatile RestartBlock restartBlock;
    /** What the last synchronous fault was, for the one-line report when it kills the process. */
    String faultText;
    /** The last syscall returned an internal restart code: exitToUserMode decides restart or EINTR. */
    boolean inSyscall;

    /** A syscall to resume after ERESTART_RESTARTBLOCK (Linux's restart_block.fn). */
    @FunctionalInterface
    public interface RestartBlock {
        long restart(Task t) throws dev.jkernel.mm.GuestFault, ErrnoException;
    }

    public void setRestartBlock(RestartBlock r) {
        restartBlock = r;
    }

    // ---- rseq (see Rseq) ----
    volatile long rseqAddr;
    volatile int rseqLen, rseqSig;
    /** A context switch or signal happened since the last fixup (rseq_event_mask). */
    volatile boolean rseqEvent;
    /** TIF_NOTIFY_RESUME for rseq: fix up and publish before returning to user space. */
    volatile boolean rseqNotify;
    /** Critical sections aborted (for tests and --stats). */
    volatile long rseqAborts;
    /** The memory-map concurrency id while running (-1 when not on a vCPU). */
    volatile int mmCid = -1;
    /** Times this task entered the kernel from guest code (membarrier waits for it to move). */
    volatile long kernelEntries;
    /** membarrier SYNC_CORE: drop decoded code before running guest code again. */
    volatile boolean flushIcachePending;
    /** Forced preemption (--preempt): where the next one falls; null when off. */
    Preemption.Cursor preemptCursor;
    /** A forced preemption is due at the next exitToUserMode. */
    boolean forcePreempt;

    // ---- clone / exec ----
    /** Kernel threads: the Java payload run by ret_from_kernel_thread. */
    Consumer<Task> kthreadFn;
    /** CLONE_VFORK: counted down when this child execs or exits (Linux's vfork_done). */
    volatile Fork.VforkDone vforkDone;

    Task(Kernel kernel, int tid, Proc proc, AddressSpace mm, FdTable files, FsContext fs) {
        this.kernel = kernel;
        this.tid = tid;
        this.proc = proc;
        this.ctx = kernel.arch().newContext();
        this.ctx.monotonicClock = kernel::monotonicNanos;
        this.engine = kernel.arch().newEngine();
        this.mm = mm;
        this.files = files;
        this.fs = fs;
        this.uid = kernel.hostUid();
        this.gid = kernel.hostGid();
    }

    public Kernel kernel() {
        return kernel;
    }

    public int tid() {
        return tid;
    }

    /** The thread group id: what getpid(2) returns. */
    public int tgid() {
        return proc.tgid;
    }

    public Proc proc() {
        return proc;
    }

    /** The parent process's id, as getppid(2) returns it. */
    public int ppid() {
        return proc.ppid();
    }

    public CpuContext context() {
        return ctx;
    }

    /** The address space, or null for a kernel thread. */
    public AddressSpace mm() {
        return mm;
    }

    /** exec replaces the address space. */
    public void setMm(AddressSpace mm) {
        this.mm = mm;
        engine.flush();
    }

    public FdTable files() {
        return files;
    }

    void setFiles(FdTable f) {
        this.files = f;
    }

    public FsContext fs() {
        return fs;
    }

    void setFs(FsContext f) {
        this.fs = f;
    }

    /** The vCPU this task runs on (getcpu), or the last one it ran on. */
    public int cpu() {
        int c = cpu;
        return c >= 0 ? c : Math.max(0, lastCpu);
    }

    public long affinity() {
        return affinity & kernel.sched().allCpus();
    }

    public void setAffinity(long mask) {
        affinity = mask;
    }

    public boolean isKernelThread() {
        return proc.kernelThread;
    }

    /** exit_group: the whole process ends with {@code status} (the exit code byte of the wait status). */
    public void exitGroup(int status) {
        Exit.exitGroup(this, (status & 0xff) << 8);
    }

    /** exit: this thread ends; the process ends with it when it is the last thread. */
    public void exitThread(int status) {
        exitCode = (status & 0xff) << 8;
        exiting = true;
    }

    public boolean isExiting() {
        return exiting;
    }

    /** riscv_flush_icache and cross-modifying code: drop this thread's decoded instructions. */
    public void flushICache() {
        engine.flush();
    }

    // ---- exec ----

    /**
     * exec's point of no return (Linux's begin_new_exec): the other threads of the process are killed and waited for
     * (de_thread; a non-leader takes over the leader's pid), the old address space is released as at exit (robust
     * futexes, the CLONE_CHILD_CLEARTID word, the vfork parent), the new one installed, a shared fd table unshared
     * and its close-on-exec descriptors closed. Returns false if the process is being killed meanwhile.
     */
    public boolean beginNewExec(AddressSpace newMm) {
        if (!deThread()) {
            return false;
        }
        AddressSpace old = mm;
        if (old != null) {
            kernel.futex().exitRobustList(this);
            robustListHead = 0;
            long ctid = clearChildTid;
            if (ctid != 0) {
                clearChildTid = 0;
                try {
                    old.write32(ctid, 0);
                    kernel.futex().wakeForExit(this, ctid);
                } catch (dev.jkernel.mm.GuestFault ignored) {
                    // as at exit
                }
            }
        }
        setMm(newMm);
        Exit.completeVfork(this);
        if (old != null) {
            old.release();
        }
        synchronized (kernel.tasklist) {
            proc.execed = true; // before close-on-exec: a parent may learn of the exec from a closed pipe
        }
        FdTable f = files;
        if (f.shared()) {
            files = f.copy();
            f.release();
        }
        files.closeOnExec();
        // flush_signal_handlers: caught signals back to SIG_DFL (ignored stay ignored), no alternate stack.
        SigHand h = sighand.copy();
        h.resetCaught();
        sighand = h;
        altSp = 0;
        altSize = 0;
        altFlags = SignalDelivery.SS_DISABLE;
        restartBlock = null;
        synchronized (proc.siglock) {
            proc.timers.deletePosix(); // exit_itimers: POSIX timers go, setitimer's stay
        }
        Rseq.clear(this);
        synchronized (kernel.tasklist) {
            proc.membarrierRegistrations = 0;
            proc.execed = true;
            proc.kernelThread = false;
        }
        return true;
    }

    /** Kills the other threads of the process, waits until they are gone, and takes the leader's pid. */
    private boolean deThread() {
        Proc p = proc;
        synchronized (kernel.tasklist) {
            if (p.groupExiting) {
                return false;
            }
            if (p.threads.size() == 1 && p.leader == this) {
                return true;
            }
            // The other threads just leave (no group exit: the process lives on in the new program).
            p.execTask = this;
            for (Task other : p.threads) {
                if (other != this) {
                    other.kill();
                }
            }
        }
        p.threadsChanged.await(this, () -> {
            synchronized (kernel.tasklist) {
                return p.threads.size() == 1;
            }
        }, WaitQueue.FOREVER, false);
        synchronized (kernel.tasklist) {
            p.execTask = null;
            if (p.threads.size() != 1 || killed) {
                return false;
            }
            if (p.leader != this) {
                kernel.tasks.remove(tid);
                kernel.tasks.remove(p.tgid);
                tid = p.tgid;
                kernel.tasks.put(tid, this);
                p.leader = this;
            }
        }
        return true;
    }

    // ---- sleeping and waking ----

    /** A fatal signal or kill is pending: blocking calls give up at once, whatever their interruptibility. */
    public boolean fatalPending() {
        return killed;
    }

    /** Something that interrupts an interruptible sleep is pending: a kill, or a signal this thread does not block. */
    public boolean interruptPending() {
        return killed || ((pending.set | proc.shared.set) & ~blocked) != 0 || proc.groupStop;
    }

    /** The signal mask. */
    public long blocked() {
        return blocked;
    }

    /** Marks the task killed and gets it out of guest code and out of any sleep. */
    void kill() {
        killed = true;
        ctx.interruptRequested = true;
        unpark();
    }

    /** Wakes the task if it sleeps (or makes its next sleep return at once). */
    public void unpark() {
        kernel.sched().unpark(this);
    }

    /** Entering a sleep: give the vCPU up, unless the scheduler keeps it across sleeps (nested calls are fine). */
    void blockBegin() {
        if (blockDepth++ == 0 && !kernel.sched().sleepsOnCpu()) {
            gaveUpCpu = cpu >= 0;
            if (gaveUpCpu) {
                kernel.sched().release(this);
            }
        }
    }

    /** Leaving a sleep: take the vCPU back if one was given up. */
    void blockEnd() {
        if (--blockDepth == 0 && gaveUpCpu) {
            gaveUpCpu = false;
            kernel.sched().acquire(this);
        }
    }

    @Override
    public String toString() {
        return "task " + tid + " (" + comm + ")";
    }
}
