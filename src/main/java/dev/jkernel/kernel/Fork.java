package dev.jkernel.kernel;

import dev.jkernel.fs.FdTable;
import dev.jkernel.fs.FsContext;
import dev.jkernel.mm.AddressSpace;
import dev.jkernel.mm.GuestFault;

import static dev.jkernel.kernel.KernelCloneArgs.*;

/**
 * The one process-creation path (seed 000: Linux's kernel_clone and copy_process). fork, vfork, clone, clone3 and
 * kernel threads all arrive here with a {@link KernelCloneArgs}; the architecture's copyThread sets the child's
 * registers the same way for every caller.
 */
public final class Fork {
    private Fork() {}

    /**
     * Creates a task as {@code args} says and starts it. Returns the child's tid as the caller sees it, or -errno.
     * With CLONE_VFORK, returns only once the child has exec'd or exited.
     */
    public static long kernelClone(Task parent, KernelCloneArgs args) {
        return kernelClone(parent, args, null);
    }

    /**
     * As above; with {@code adopt} non-null the child runs on that existing host thread instead of a new one (a host
     * thread of an embedding application entering the kernel: see {@link HostThreads}). The adopted task is not
     * started: its thread makes its syscalls itself.
     */
    static long kernelClone(Task parent, KernelCloneArgs args, Thread adopt) {
        long err = checkFlags(parent, args);
        if (err != 0) {
            return err;
        }
        Kernel k = parent.kernel();
        long flags = args.flags();
        boolean kthread = args.fn() != null;

        // Resources: shared by reference or copied, flag by flag.
        AddressSpace mm;
        if (kthread) {
            mm = null;
        } else if ((flags & CLONE_VM) != 0) {
            mm = parent.mm();
            mm.retain();
        } else {
            mm = parent.mm().fork();
        }
        FdTable files = (flags & CLONE_FILES) != 0 || kthread ? parent.files() : parent.files().copy();
        if (files != null && (flags & CLONE_FILES) != 0) {
            files.retain();
        }
        FsContext fs = (flags & CLONE_FS) != 0 ? parent.fs() : parent.fs().copy();

        Task child;
        synchronized (k.tasklist) {
            // A process in the middle of exiting creates nothing (Linux: fatal_signal_pending → -EINTR...).
            if (parent.proc.groupExiting || parent.killed) {
                release(mm, files, flags);
                return -Errno.EINTR;
            }
            int tid = k.allocPid(args.setTid());
            if (tid < 0) {
                release(mm, files, flags);
                return tid;
            }
            Proc proc;
            if ((flags & CLONE_THREAD) != 0) {
                proc = parent.proc;
            } else {
                proc = new Proc(k, tid, kthread, Proc.copyLimits(parent.proc.rlimits));
                proc.parent = (flags & CLONE_PARENT) != 0 && parent.proc.parent != null ? parent.proc.parent
                        : parent.proc;
                proc.exitSignal = (flags & CLONE_PARENT) != 0 ? parent.proc.exitSignal : args.exitSignal();
                proc.pgid = parent.proc.pgid;
                proc.sid = parent.proc.sid;
                proc.childSubreaper = false;
                proc.parent.children.add(proc);
                k.procs.put(tid, proc);
            }
            child = new Task(k, tid, proc, mm, files, fs);
            // Signal state: the table shared (CLONE_SIGHAND) or copied, the mask and alternate stack inherited.
            if ((flags & CLONE_SIGHAND) != 0) {
                child.sighand = parent.sighand;
            } else {
                child.sighand = parent.sighand.copy();
                if ((flags & CLONE_CLEAR_SIGHAND) != 0) {
                    child.sighand.resetCaught();
                }
            }
            child.blocked = parent.blocked;
            if ((flags & CLONE_VM) == 0) {
                // fork keeps the rseq registration (same address, same memory layout); threads start without one.
                child.rseqAddr = parent.rseqAddr;
                child.rseqLen = parent.rseqLen;
                child.rseqSig = parent.rseqSig;
                child.rseqNotify = parent.rseqAddr != 0;
            }
            if ((flags & (CLONE_VM | CLONE_VFORK)) != CLONE_VM) {
                child.altSp = parent.altSp;
                child.altSize = parent.altSize;
                child.altFlags = parent.altFlags;
            }
            child.comm = parent.comm;
            child.dumpable = parent.dumpable;
            child.affinity = parent.affinity;
            child.schedPolicy = parent.schedPolicy;
            child.schedPriority = parent.schedPriority;
            child.nice = parent.nice;
            child.lastCpu = parent.cpu();
            child.kthreadFn = args.fn();
            if (proc.leader == null) {
                proc.leader = child;
            }
            proc.threads.add(child);
            k.tasks.put(tid, child);
        }
        k.arch().copyThread(child.ctx, parent.ctx, kthread, stackPointer(args), (flags & CLONE_SETTLS) != 0,
                args.tls());
        if ((flags & CLONE_CHILD_CLEARTID) != 0) {
            child.clearChildTid = args.childTid();
        }
        try {
            if ((flags & CLONE_PARENT_SETTID) != 0) {
                parent.mm().write32(args.parentTid(), child.tid);
            }
            if ((flags & CLONE_CHILD_SETTID) != 0) {
                mm.write32(args.childTid(), child.tid);
            }
            if ((flags & CLONE_PIDFD) != 0) {
                int fd = PidFd.install(parent, child.proc);
                if (fd < 0) {
                    throw new ErrnoException(-fd);
                }
                parent.mm().write32(args.pidfd(), fd);
            }
        } catch (GuestFault | ErrnoException e) {
            // Linux fails the clone before the child ever runs.
            Exit.abandon(child);
            return e instanceof ErrnoException x ? -x.errno : -Errno.EFAULT;
        }
        VforkDone vfork = null;
        if ((flags & CLONE_VFORK) != 0) {
            vfork = new VforkDone();
            child.vforkDone = vfork;
        }
        int tid = child.tid;
        if (adopt != null) {
            child.thread = adopt;
            child.host = true;
        } else {
            k.start(child);
        }
        if (vfork != null) {
            // The parent sleeps until the child has exec'd or exited (killable, as on Linux).
            VforkDone v = vfork;
            v.queue.await(parent, () -> v.done, WaitQueue.FOREVER, false);
        }
        return tid;
    }

    /** The new stack pointer: clone passes it directly, clone3 passes the lowest address and a size. */
    private static long stackPointer(KernelCloneArgs a) {
        return a.stackSize() != 0 ? a.stack() + a.stackSize() : a.stack();
    }

    private static void release(AddressSpace mm, FdTable files, long flags) {
        if (mm != null) {
            mm.release();
        }
        if (files != null && (flags & CLONE_FILES) != 0) {
            files.release();
        }
    }

    /** Linux's vfork_done completion: the child releases its vfork parent when it execs or exits. */
    static final class VforkDone {
        volatile boolean done;
        final WaitQueue queue = new WaitQueue();

        void complete() {
            done = true;
            queue.wakeAll();
        }
    }

    /** Linux's copy_process flag checks, in its order. */
    static long checkFlags(Task parent, KernelCloneArgs a) {
        long f = a.flags();
        if ((f & (CLONE_NEWNS | CLONE_FS)) == (CLONE_NEWNS | CLONE_FS)
                || (f & (CLONE_NEWUSER | CLONE_FS)) == (CLONE_NEWUSER | CLONE_FS)) {
            return -Errno.EINVAL;
        }
        if ((f & CLONE_THREAD) != 0 && (f & CLONE_SIGHAND) == 0) {
            return -Errno.EINVAL;
        }
        if ((f & CLONE_SIGHAND) != 0 && (f & CLONE_VM) == 0) {
            return -Errno.EINVAL;
        }
        if ((f & CLONE_PARENT) != 0 && parent.tgid() == 1) {
            return -Errno.EINVAL; // global init cannot make siblings (SIGNAL_UNKILLABLE)
        }
        if ((f & CLONE_PIDFD) != 0 && (f & CLONE_DETACHED) != 0) {
            return -Errno.EINVAL;
        }
        if ((f & NAMESPACES) != 0) {
            return -Errno.EINVAL; // no namespaces yet: say so rather than pretend
        }
        if ((f & CLONE_INTO_CGROUP) != 0) {
            return -Errno.EINVAL;
        }
        if (a.fn() == null && parent.mm() == null) {
            return -Errno.EINVAL; // a kernel thread never forks user tasks (seed 001)
        }
        return 0;
    }
}
