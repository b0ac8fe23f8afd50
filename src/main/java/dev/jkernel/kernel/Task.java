package dev.jkernel.kernel;

import dev.jkernel.arch.CpuContext;
import dev.jkernel.arch.ExecutionEngine;
import dev.jkernel.fs.FdTable;
import dev.jkernel.fs.FsContext;
import dev.jkernel.mm.AddressSpace;

/**
 * One guest thread (Linux's task_struct). It owns its registers and execution engine and shares, by reference, the
 * resources clone(2) may share: address space, fd table, fs context.
 */
public final class Task {
    private final Kernel kernel;
    private final int tid;
    private final int tgid;
    private final int ppid;

    final CpuContext ctx;
    final ExecutionEngine engine;

    private AddressSpace mm;
    private FdTable files;
    private FsContext fs;

    /** set_tid_address / CLONE_CHILD_CLEARTID: cleared and futex-woken at exit. */
    public long clearChildTid;
    /** set_robust_list head and length. */
    public long robustListHead;
    public long robustListLen;

    /** The command name (prctl PR_SET_NAME, /proc/self/comm): the program's base name, at most 15 bytes. */
    public volatile String comm = "";

    /** prctl PR_SET_DUMPABLE / PR_SET_PDEATHSIG state. */
    public volatile int dumpable = 1;
    public volatile int pdeathSignal;

    /** Resource limits, [resource][0 = soft, 1 = hard] (RLIM_INFINITY = -1). Per process on Linux. */
    public final long[][] rlimits = Rlimits.defaults();

    /** Credentials: jkernel runs every guest as the host user it was started by, like qemu-user. */
    public final int uid, gid;

    /** Set by exit/exit_group: the run loop stops and the task exits with this status. */
    volatile boolean exiting;
    volatile int exitStatus;
    /** The signal that killed the process, or 0. */
    volatile int killedBySignal;

    Task(Kernel kernel, int tid, int tgid, int ppid, AddressSpace mm, FdTable files, FsContext fs) {
        this.kernel = kernel;
        this.tid = tid;
        this.tgid = tgid;
        this.ppid = ppid;
        this.ctx = kernel.arch().newContext();
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
        return tgid;
    }

    public int ppid() {
        return ppid;
    }

    public CpuContext context() {
        return ctx;
    }

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

    public FsContext fs() {
        return fs;
    }

    /** exit_group: the whole process ends with {@code status} (the wait status's exit code byte). */
    public void exitGroup(int status) {
        exitStatus = status & 0xff;
        exiting = true;
    }

    /** riscv_flush_icache and cross-modifying code: drop this thread's decoded instructions. */
    public void flushICache() {
        engine.flush();
    }

    public boolean isExiting() {
        return exiting;
    }
}
