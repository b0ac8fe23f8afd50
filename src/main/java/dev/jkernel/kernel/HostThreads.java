package dev.jkernel.kernel;

import dev.jkernel.arch.Arch;
import dev.jkernel.fs.FdTable;
import dev.jkernel.fs.FsContext;
import dev.jkernel.mm.AddressSpace;
import dev.jkernel.mm.GuestFault;
import dev.jkernel.syscall.Strace;
import dev.jkernel.syscall.SyscallTable;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Library mode's host threads (LKL's host threads): Java threads of the embedding application that call syscalls.
 *
 * <p>All of them are threads of one <em>host process</em>, a child of init: its main thread is a kernel-side task that
 * only sleeps until the process is killed, and each Java thread gets a task of its own in that process (CLONE_THREAD,
 * CLONE_VM, CLONE_FILES, CLONE_FS, CLONE_SIGHAND) on its first call, created through {@link Fork#kernelClone} with
 * the caller's thread adopted instead of a new one. So, as in any multi-threaded program, a descriptor opened by one
 * Java thread is usable from every other; the working directory and umask are shared too. The host process ignores
 * every signal it can (a guest's kill cannot take the application's threads down); if it dies anyway (SIGKILL), the
 * next call creates a new one.
 *
 * <p>Memory: syscalls take guest addresses, so each host task has a small scratch area in the host process's address
 * space; {@link Session} copies Java arrays and strings in and out of it. The rules of CPU ownership are the guests':
 * a call owns a vCPU while it runs kernel code and gives it up when it sleeps ({@link WaitQueue}); a blocking call
 * parks only its own Java thread. Interrupting the Java thread interrupts an interruptible sleep (the call fails with
 * EINTR, the interrupt flag stays set).
 *
 * <p>A task whose Java thread has died is released at the next attach and at shutdown.
 */
public final class HostThreads {
    private static final int SCRATCH = 64 * 1024;

    private final Kernel kernel;
    /** The host process's main thread, or null before the first call. Guarded by this. */
    private Task leader;
    private final Map<Thread, Session> sessions = new HashMap<>();

    HostThreads(Kernel kernel) {
        this.kernel = kernel;
    }

    /** A host thread's task and its scratch memory; used only by its own Java thread. */
    public final class Session {
        private final Thread thread;
        private final Task task;
        private final long scratch;
        private long used;
        private final List<long[]> extra = new ArrayList<>();
        private boolean inCall, released;

        private Session(Thread thread, Task task, long scratch) {
            this.thread = thread;
            this.task = task;
            this.scratch = scratch;
        }

        public Task task() {
            return task;
        }

        /** Reserves {@code n} bytes of scratch memory for the current call; returns the guest address. */
        public long alloc(int n) throws ErrnoException {
            int len = (n + 15) & ~15;
            if (used + len <= SCRATCH) {
                long a = scratch + used;
                used += len;
                return a;
            }
            long a = task.mm().mmap(0, Math.max(len, 1), AddressSpace.PROT_READ | AddressSpace.PROT_WRITE,
                    AddressSpace.MAP_PRIVATE | AddressSpace.MAP_ANONYMOUS, null, 0, "[host]");
            if (Errno.isError(a)) {
                throw new ErrnoException((int) -a);
            }
            extra.add(new long[] {a, Math.max(len, 1)});
            return a;
        }

        /** Copies {@code s} as a NUL-terminated string into scratch memory. */
        public long putString(String s) throws ErrnoException {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            for (byte x : b) {
                if (x == 0) {
                    throw new ErrnoException(Errno.EINVAL);
                }
            }
            long a = alloc(b.length + 1);
            put(a, b, 0, b.length);
            put(a + b.length, new byte[1], 0, 1);
            return a;
        }

        /** Copies bytes into scratch memory obtained from {@link #alloc}. */
        public void put(long addr, byte[] b, int off, int len) throws ErrnoException {
            try {
                task.mm().write(addr, b, off, len);
            } catch (GuestFault e) {
                throw new ErrnoException(Errno.EFAULT);
            }
        }

        /** Copies bytes out of scratch memory. */
        public void get(long addr, byte[] b, int off, int len) throws ErrnoException {
            try {
                task.mm().read(addr, b, off, len);
            } catch (GuestFault e) {
                throw new ErrnoException(Errno.EFAULT);
            }
        }

        /**
         * Runs syscall {@code name} as this thread's task (through the syscall table, shown by --strace like a
         * guest's) and returns its raw result: a value, or -errno. Restart codes come back as -EINTR: a host thread
         * has no signal handlers to decide on a restart.
         */
        public long syscall(String name, long... args) {
            Arch arch = kernel.arch();
            Integer nr = arch.syscallNumbers().get(name);
            SyscallTable.Entry e = nr == null ? null : kernel.syscalls().get(nr);
            if (e == null) {
                return -Errno.ENOSYS;
            }
            long[] a = new long[6];
            System.arraycopy(args, 0, a, 0, Math.min(6, args.length));
            Strace st = kernel.strace();
            Object pre = st != null ? st.enter(task, nr, e, a[0], a[1], a[2], a[3], a[4], a[5]) : null;
            long ret;
            kernel.sched().acquire(task);
            try {
                ret = e.handler().call(task, a[0], a[1], a[2], a[3], a[4], a[5]);
            } catch (GuestFault f) {
                ret = -Errno.EFAULT;
            } catch (ErrnoException x) {
                ret = -x.errno;
            } finally {
                kernel.sched().release(task);
            }
            if (st != null) {
                st.leave(task, pre, ret);
            }
            if (Entry.isRestartCode(ret)) {
                ret = -Errno.EINTR;
            }
            return ret;
        }

        /** Ends the call: frees the extra scratch, and the task itself if it was killed meanwhile. */
        public void leave() {
            for (long[] x : extra) {
                task.mm().munmap(x[0], x[1]);
            }
            extra.clear();
            used = 0;
            boolean dead;
            synchronized (HostThreads.this) {
                inCall = false;
                dead = task.killed || task.exiting || kernel.isShutDown();
                if (dead) {
                    sessions.remove(thread, this);
                }
                HostThreads.this.notifyAll();
            }
            if (dead) {
                release(this);
            }
        }
    }

    /**
     * Enters the kernel from the calling Java thread: its session (created on first use), marked as in a call until
     * {@link Session#leave}. Throws IllegalStateException when the kernel is shut down, or when called from one of
     * the kernel's own threads or from inside a call; ErrnoException when no task can be made.
     */
    public Session enter() throws ErrnoException {
        Thread me = Thread.currentThread();
        if (kernel.ownsThread(me)) {
            throw new IllegalStateException("a thread of the kernel itself cannot make host syscalls");
        }
        List<Session> dead = new ArrayList<>();
        Session s;
        try {
            synchronized (this) {
                checkOpen();
                s = sessions.get(me);
                if (s != null && (s.task.killed || s.task.exiting)) {
                    sessions.remove(me);
                    dead.add(s);
                    s = null;
                }
                if (s == null) {
                    // Tasks of Java threads that have ended are released here (no hook runs when a thread ends).
                    sessions.values().removeIf(x -> {
                        if (!x.thread.isAlive() && !x.inCall) {
                            dead.add(x);
                            return true;
                        }
                        return false;
                    });
                    s = attach(me);
                    sessions.put(me, s);
                }
                if (s.inCall) {
                    throw new IllegalStateException("nested host syscall on " + me);
                }
                s.inCall = true;
            }
        } finally {
            for (Session d : dead) {
                release(d);
            }
        }
        return s;
    }

    private void checkOpen() {
        if (kernel.isShutDown()) {
            throw new IllegalStateException("the kernel is closed");
        }
    }

    /** Gives {@code me} a task in the host process (creating the process first if needed). Lock held. */
    private Session attach(Thread me) throws ErrnoException {
        if (leader == null || leader.killed || leader.proc.groupExiting) {
            leader = startHostProcess();
        }
        long flags = KernelCloneArgs.CLONE_VM | KernelCloneArgs.CLONE_FS | KernelCloneArgs.CLONE_FILES
                | KernelCloneArgs.CLONE_SIGHAND | KernelCloneArgs.CLONE_THREAD | KernelCloneArgs.CLONE_SYSVSEM;
        long tid = Fork.kernelClone(leader, new KernelCloneArgs(flags, 0, 0, 0, 0, 0, 0, 0, 0, null), me);
        if (tid < 0) {
            throw new ErrnoException((int) -tid);
        }
        Task t = kernel.task((int) tid);
        if (t == null) {
            throw new ErrnoException(Errno.ESRCH);
        }
        t.comm = "host";
        long scratch = t.mm().mmap(0, SCRATCH, AddressSpace.PROT_READ | AddressSpace.PROT_WRITE,
                AddressSpace.MAP_PRIVATE | AddressSpace.MAP_ANONYMOUS, null, 0, "[host]");
        if (Errno.isError(scratch)) {
            Exit.exitGroup(t, 0);
            Exit.doExit(t);
            throw new ErrnoException((int) -scratch);
        }
        return new Session(me, t, scratch);
    }

    /** Asks init to create the host process and waits until its main thread is ready. */
    private Task startHostProcess() throws ErrnoException {
        CompletableFuture<Task> ready = new CompletableFuture<>();
        boolean queued = kernel.initWork(init -> {
            long pid = Fork.kernelClone(init, new KernelCloneArgs(KernelCloneArgs.CLONE_VM
                    | KernelCloneArgs.CLONE_UNTRACED, 0, 0, 0, Wait.SIGCHLD, 0, 0, 0, 0, t -> hostMain(t, ready)));
            if (pid < 0) {
                ready.completeExceptionally(new ErrnoException((int) -pid));
            }
        });
        if (!queued) {
            checkOpen();
            throw new ErrnoException(Errno.ESRCH);
        }
        return awaitInit(kernel, ready);
    }

    /** Waits for work done by init, giving up when the kernel shuts down. */
    static <T> T awaitInit(Kernel kernel, CompletableFuture<T> f) throws ErrnoException {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return f.get(50, TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    if (kernel.isShutDown()) {
                        Task init = kernel.task(1);
                        if (init == null || init.exiting) {
                            throw new IllegalStateException("the kernel is closed");
                        }
                    }
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof ErrnoException x) {
                        throw x;
                    }
                    if (e.getCause() instanceof RuntimeException x) {
                        throw x;
                    }
                    throw new IllegalStateException(e.getCause());
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The host process's main thread: becomes a user process without a program, then sleeps until killed. */
    private void hostMain(Task t, CompletableFuture<Task> ready) {
        t.comm = "host";
        t.setFiles(new FdTable());
        t.setFs(new FsContext(kernel.config().cwd()));
        synchronized (kernel.tasklist) {
            t.proc.pgid = t.tgid();
            t.proc.sid = t.tgid();
            t.proc.hostProcess = true;
        }
        for (int sig = 1; sig <= Signals.NSIG; sig++) {
            if (sig != Signals.SIGKILL && sig != Signals.SIGSTOP) {
                t.sighand.set(sig, new SigAction(SigAction.SIG_IGN, 0, 0, 0));
            }
        }
        if (!t.beginNewExec(new AddressSpace(kernel.memory()))) {
            ready.completeExceptionally(new ErrnoException(Errno.EINTR));
            t.exiting = true;
            return;
        }
        t.comm = "host";
        ready.complete(t);
        new WaitQueue().await(t, () -> false, WaitQueue.FOREVER, false);
        t.exiting = true; // killed: taskMain does the exit
    }

    /** The end of a host task: its exit, run on whichever thread notices (the task runs no code of its own). */
    private void release(Session s) {
        synchronized (this) {
            if (s.released) {
                return;
            }
            s.released = true;
        }
        Task t = s.task;
        synchronized (kernel.tasklist) {
            t.exiting = true;
        }
        t.thread = null; // the Java thread goes back to the application: nobody unparks it for this task any more
        Exit.doExit(t);
    }

    /** Shutdown: every idle host task exits now; calls in progress (killed already) are waited for, briefly. */
    void shutdown() {
        List<Session> idle = new ArrayList<>();
        synchronized (this) {
            long deadline = System.nanoTime() + 2_000_000_000L;
            while (true) {
                boolean busy = false;
                for (Session s : sessions.values()) {
                    busy |= s.inCall;
                }
                long left = deadline - System.nanoTime();
                if (!busy || left <= 0) {
                    break;
                }
                try {
                    wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            for (Session s : sessions.values()) {
                if (!s.inCall) {
                    idle.add(s);
                }
            }
            sessions.clear();
            leader = null;
        }
        for (Session s : idle) {
            release(s);
        }
    }
}
