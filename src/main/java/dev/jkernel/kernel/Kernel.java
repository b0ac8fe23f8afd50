package dev.jkernel.kernel;

import dev.jkernel.arch.Arch;
import dev.jkernel.arch.riscv64.Riscv64;
import dev.jkernel.fs.FdTable;
import dev.jkernel.fs.FsContext;
import dev.jkernel.fs.Cred;
import dev.jkernel.fs.StreamFile;
import dev.jkernel.fs.Vfs;
import dev.jkernel.host.HostOps;
import dev.jkernel.loader.Exec;
import dev.jkernel.mm.MemCgroup;
import dev.jkernel.syscall.FileSyscalls;
import dev.jkernel.syscall.FutexSyscalls;
import dev.jkernel.syscall.MemorySyscalls;
import dev.jkernel.syscall.ProcessSyscalls;
import dev.jkernel.syscall.Strace;
import dev.jkernel.syscall.SyscallTable;
import dev.jkernel.syscall.TaskSyscalls;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.LongAdder;

/**
 * One booted kernel: an architecture, a file-system view, a syscall table, virtual CPUs and the tasks it runs.
 * Several kernels in one JVM share nothing.
 *
 * <p>Boot follows Linux's rest_init: pid 1 is born as a kernel thread (kernel_init) that execs the first program and
 * so becomes a user process; pid 2 is kthreadd, the parent of every other kernel thread. When pid 1 exits, everything
 * left is killed and {@link #run} returns pid 1's status.
 */
public final class Kernel {
    /** Linux's default pid_max, and the pids below which allocation does not wrap (RESERVED_PIDS). */
    static final int PID_MAX = 32768, RESERVED_PIDS = 300;

    private final KernelConfig config;
    private final Arch arch;
    private final Vfs vfs;
    private final SyscallTable syscalls;
    private final Strace strace;
    private final Scheduler sched;
    private final Futex futex = new Futex();
    private final FileLocks fileLocks = new FileLocks();
    private final int hostUid, hostGid;
    private final HostOps host;
    private final long bootNanos, bootRealtime;
    private final LongAdder retired = new LongAdder();
    private final TimerService timerService;
    private final MemCgroup memory = new MemCgroup(defaultMemoryLimit());
    private final OomKiller oomKiller = new OomKiller(this);

    /** Linux's tasklist_lock: guards the pid tables and every relation between tasks and processes. */
    final Object tasklist = new Object();
    final Map<Integer, Task> tasks = new HashMap<>();
    final Map<Integer, Proc> procs = new HashMap<>();
    private int lastPid;
    private final List<Thread> threads = new ArrayList<>();

    private final Kthread.Kthreadd kthreadd = new Kthread.Kthreadd();
    private Task kthreaddTask;
    private final CountDownLatch initDone = new CountDownLatch(1);
    /** rest_init's kthreadd_done: pid 1 execs only once kthreadd has pid 2, so that its children cannot take it. */
    private final CountDownLatch kthreaddDone = new CountDownLatch(1);
    private volatile int initStatus;
    /** kernel_init's exec of the first program: done when it succeeded, failed with why it did not. */
    private final CompletableFuture<Void> initExec = new CompletableFuture<>();

    public Kernel(KernelConfig config) {
        this.config = config;
        this.host = config.host();
        if (host.virtualClock() != null && !host.virtualClock().claim()) {
            throw new IllegalArgumentException("a deterministic HostOps serves one kernel only; make one per kernel");
        }
        this.arch = new Riscv64();
        this.vfs = config.vfs() != null ? config.vfs() : new Vfs(config.root(), config.sysroot());
        List<SyscallTable.Family> families = new java.util.ArrayList<>(List.of(new FileSyscalls(),
                new MemorySyscalls(), new ProcessSyscalls(), new TaskSyscalls(), new SignalSyscalls(), new Rseq(),
                new Membarrier(), new FutexSyscalls(), new TimerSyscalls()));
        families.addAll(arch.syscallFamilies());
        this.syscalls = new SyscallTable(arch, families);
        this.strace = config.strace() == null ? null : new Strace(config.strace(), syscalls);
        // A deterministic kernel does not take its CPU count from the machine it happens to run on.
        this.sched = Scheduler.create(config.cpus() > 0 ? config.cpus()
                : host.deterministicSeed().isPresent() ? 1
                : Math.min(64, Runtime.getRuntime().availableProcessors()), host);
        this.bootNanos = host.monotonicNanos();
        this.bootRealtime = host.realtimeNanos();
        this.timerService = new TimerService("jkernel-timers", host,
                sched instanceof DeterministicScheduler d ? d : null);
        Cred hostIds = hostCred();
        this.hostUid = hostIds.uid();
        this.hostGid = hostIds.gid();
        memory.setOomHandler(oomKiller);
    }

    /** The ids jkernel runs as on the host, which its tasks have (as under qemu-user). */
    public static Cred hostCred() {
        return new Cred(hostId("unix:uid"), hostId("unix:gid"));
    }

    /**
     * The memory limit a kernel gets unless told otherwise: half of the JVM's maximum heap (guest pages live on the
     * Java heap, and the other half is left to the kernel's own data and to the application embedding it), or no
     * limit when the heap has none.
     */
    public static long defaultMemoryLimit() {
        long heap = Runtime.getRuntime().maxMemory();
        return heap == Long.MAX_VALUE ? MemCgroup.UNLIMITED : Math.max(heap / 2, 16L << 20);
    }

    private static int hostId(String attr) {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), attr);
        } catch (Exception | Error e) {
            return 0;
        }
    }

    public KernelConfig config() {
        return config;
    }

    public Arch arch() {
        return arch;
    }

    public Vfs vfs() {
        return vfs;
    }

    public SyscallTable syscalls() {
        return syscalls;
    }

    public Scheduler sched() {
        return sched;
    }

    /** flock(2) locks. */
    public FileLocks fileLocks() {
        return fileLocks;
    }

    public Futex futex() {
        return futex;
    }

    /** The timer base that runs timer expiries (one host thread, started with the first timer). */
    public TimerService timers() {
        return timerService;
    }

    /**
     * The memory cgroup every guest page of this kernel is charged to (limit, usage); {@link MemCgroup#setLimit}
     * changes the limit at any time (memory.max).
     */
    public MemCgroup memory() {
        return memory;
    }

    /** Processes the OOM killer has killed. */
    public long oomKills() {
        return oomKiller.kills();
    }

    /** The task running on the calling thread (a guest's, a kernel thread's or an adopted host thread's), or null. */
    Task currentTask() {
        Thread me = Thread.currentThread();
        synchronized (tasklist) {
            for (Task t : tasks.values()) {
                if (t.thread == me) {
                    return t;
                }
            }
        }
        return null;
    }

    /** The --strace printer, or null. */
    public Strace strace() {
        return strace;
    }

    /** Guest instructions retired by tasks that have exited. */
    public long retiredInstructions() {
        return retired.sum();
    }

    void addRetired(long n) {
        retired.add(n);
    }

    private final LongAdder rseqAborts = new LongAdder();

    /** rseq critical sections aborted by tasks that have exited. */
    public long rseqAborts() {
        return rseqAborts.sum();
    }

    void addRseqAborts(long n) {
        rseqAborts.add(n);
    }

    int hostUid() {
        return hostUid;
    }

    int hostGid() {
        return hostGid;
    }

    /** Nanoseconds since boot (CLOCK_BOOTTIME; also the base of /proc/uptime). */
    public long uptimeNanos() {
        return sched.monotonicNanos() - bootNanos;
    }

    /** CLOCK_REALTIME when the kernel was made (the times of /proc and /dev). */
    public long bootRealtimeNanos() {
        return bootRealtime;
    }

    /** The host operations this kernel runs on. */
    public HostOps host() {
        return host;
    }

    /** CLOCK_MONOTONIC in nanoseconds: the host's, or the virtual clock of a deterministic kernel. */
    public long monotonicNanos() {
        return sched.monotonicNanos();
    }

    /** CLOCK_REALTIME in nanoseconds since the epoch. */
    public long realtimeNanos() {
        return host.realtimeNanos();
    }

    /** Random bytes from the host (AT_RANDOM, getrandom, /dev/urandom). */
    public void entropy(byte[] buf) {
        host.entropy(buf);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Tasks and pids
    // ------------------------------------------------------------------------------------------------------------

    /** A new pid (or {@code wanted}, clone3's set_tid, if free); -errno on failure. Tasklist lock held. */
    int allocPid(int wanted) {
        if (wanted != 0) {
            if (wanted < 0 || wanted >= PID_MAX) {
                return -Errno.EINVAL;
            }
            if (hostUid != 0) {
                return -Errno.EPERM;
            }
            return tasks.containsKey(wanted) || procs.containsKey(wanted) ? -Errno.EEXIST : wanted;
        }
        for (int tries = 0; tries < PID_MAX; tries++) {
            int pid = lastPid + 1;
            if (pid >= PID_MAX) {
                pid = RESERVED_PIDS;
            }
            lastPid = pid;
            if (!tasks.containsKey(pid) && !procs.containsKey(pid)) {
                return pid;
            }
        }
        return -Errno.EAGAIN;
    }

    /** The task with thread id {@code tid}, or null. */
    public Task task(int tid) {
        synchronized (tasklist) {
            return tasks.get(tid);
        }
    }

    /** The process with id {@code tgid} (alive or zombie), or null. */
    public Proc proc(int tgid) {
        synchronized (tasklist) {
            return procs.get(tgid);
        }
    }

    /** Every process, by pid. */
    public List<Proc> procs() {
        synchronized (tasklist) {
            return List.copyOf(procs.values());
        }
    }

    /** Starts a new task's host thread: ret_from_fork for a user task, ret_from_kernel_thread for a kernel one. */
    void start(Task t) {
        Thread th = host.newThread("jkernel-" + t.tid, () -> taskMain(t));
        t.thread = th;
        synchronized (threads) {
            threads.removeIf(x -> !x.isAlive());
            threads.add(th);
        }
        sched.wakeUpNew(t);
        th.start();
    }

    /** Whether {@code th} is one of the host threads this kernel started for its tasks. */
    public boolean ownsThread(Thread th) {
        synchronized (threads) {
            return threads.contains(th);
        }
    }

    /** The host threads this kernel has started that are still alive (tests of shutdown). */
    public List<Thread> liveThreads() {
        synchronized (threads) {
            return threads.stream().filter(Thread::isAlive).toList();
        }
    }

    private void taskMain(Task t) {
        sched.acquire(t);
        try {
            if (t.kthreadFn != null) {
                t.kthreadFn.accept(t);
                if (t.mm() == null || t.exiting) {
                    Exit.doExit(t);
                    return;
                }
                // The payload exec'd (kernel_init): return to user mode as a user process.
            }
            Entry.runUser(t);
        } catch (RuntimeException | Error e) {
            config.stderrPrinter().println("jkernel: internal error in task " + t.tid + ": " + e);
            if (Boolean.getBoolean("jkernel.debug")) {
                e.printStackTrace();
            }
            Exit.exitGroup(t, Exit.killedStatus(Signals.SIGKILL, false));
            if (!t.exiting || t.proc.threads.contains(t)) {
                Exit.doExit(t);
            }
        } finally {
            sched.release(t);
        }
    }

    /** A process has died (it is a zombie now, or released if nobody waits for it). */
    void procDied(Proc p) {
        p.death.complete(p.waitStatus);
        if (strace != null && !p.kernelThread) {
            strace.processExit(p.tgid, p.waitStatus);
        }
        if (p.tgid == 1) {
            initExec.completeExceptionally(new IllegalStateException("pid 1 died before its exec completed"));
            initStatus = p.waitStatus;
            initDone.countDown();
        }
        oomKiller.processDied();
    }

    /** Creates and starts a kernel thread (kthread_run), child of kthreadd; returns its handle or null. */
    public Kthread kthreadRun(Task caller, String name, java.util.function.Consumer<Kthread> fn) {
        return kthreadd.create(caller, name, fn);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Boot and shutdown
    // ------------------------------------------------------------------------------------------------------------

    /**
     * Boots: pid 1 execs {@code program}; runs until pid 1 exits and returns its status (the exit code, or 128+N when
     * signal N killed it). Everything else still running is then killed.
     *
     * @throws ErrnoException when the program cannot be executed (the errno execve would return)
     * @throws Exec.ExecFormatException when it is not a valid riscv64 ELF (the message says why)
     */
    public int run(String program, List<String> argv, List<String> envp) throws ErrnoException,
            Exec.ExecFormatException, InterruptedException {
        startInit(program, argv, envp);
        try {
            initDone.await();
        } finally {
            shutdown();
        }
        int st = initStatus;
        return (st & 0x7f) == 0 ? (st >> 8) & 0xff : 128 + (st & 0x7f);
    }

    /**
     * Boots as {@link #run} does (pid 1 is born a kernel thread that execs {@code program}, pid 2 is kthreadd) and
     * returns pid 1 once its exec has succeeded, without waiting for it: its {@link Proc#death()} completes when it
     * exits, after which the caller is to {@link #shutdown}. On failure the kernel is shut down first.
     *
     * @throws ErrnoException when the program cannot be executed (the errno execve would return)
     * @throws Exec.ExecFormatException when it is not a valid riscv64 ELF (the message says why)
     */
    public Proc startInit(String program, List<String> argv, List<String> envp) throws ErrnoException,
            Exec.ExecFormatException {
        Task idle = idleTask();
        long init = Fork.kernelClone(idle, KernelCloneArgs.kernelThread(t -> kernelInit(t, program, argv, envp)));
        Proc p = proc(1); // taken before kthreadd exists: until then pid 1 waits, it cannot have exited
        long kd = startKthreadd(idle);
        kthreaddDone.countDown();
        if (init != 1 || kd != 2 || p == null) {
            shutdown();
            throw new IllegalStateException("boot: pid 1 and 2 expected, got " + init + " and " + kd);
        }
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    initExec.get();
                    return p;
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    shutdown();
                    switch (e.getCause()) {
                        case ErrnoException x -> throw x;
                        case Exec.ExecFormatException x -> throw x;
                        default -> throw new IllegalStateException("boot: pid 1 failed: " + e.getCause(), e);
                    }
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Library mode: a resident init
    // ------------------------------------------------------------------------------------------------------------

    private final java.util.concurrent.ConcurrentLinkedQueue<java.util.function.Consumer<Task>> initWork =
            new java.util.concurrent.ConcurrentLinkedQueue<>();
    private volatile Task initTask;
    private volatile boolean shutDown;
    private final HostThreads hostThreads = new HostThreads(this);

    /**
     * Boots for library mode: pid 1 is a kernel thread that stays (it reaps the orphans and the processes spawned for
     * the embedding application, and runs {@link #initWork} requests), pid 2 kthreadd. Returns once both exist; the
     * kernel then lives until {@link #shutdown}.
     */
    public void boot() {
        Task idle = idleTask();
        long init = Fork.kernelClone(idle, KernelCloneArgs.kernelThread(this::residentInit));
        long kd = startKthreadd(idle);
        initTask = task(1);
        kthreaddDone.countDown();
        if (init != 1 || kd != 2 || initTask == null || kthreaddTask == null) {
            shutdown();
            throw new IllegalStateException("boot: pid 1 and 2 expected, got " + init + " and " + kd);
        }
        // Their own threads name them too; named here as well so that a listing right after boot shows the names.
        initTask.comm = "init";
        kthreaddTask.comm = "kthreadd";
        // Boot is over when both have gone to sleep (the deterministic scheduler: when nothing runs at all), so that
        // the application's first request meets the same kernel state every time.
        sched.awaitQuiescent(10_000_000_000L);
        long deadline = System.nanoTime() + 10_000_000_000L;
        while ((initTask.cpu >= 0 || kthreaddTask.cpu >= 0) && System.nanoTime() < deadline) {
            Thread.onSpinWait();
            Thread.yield();
        }
    }

    /** pid 1 of library mode: reap every zombie child, run the work queued for init, until killed. */
    private void residentInit(Task t) {
        t.comm = "init";
        awaitKthreadd();
        t.setFiles(new FdTable());
        t.setFs(new FsContext(config.cwd()));
        Proc self = t.proc;
        synchronized (tasklist) {
            self.pgid = 1;
            self.sid = 1;
        }
        while (!t.fatalPending()) {
            self.childWait.await(t, () -> !initWork.isEmpty() || hasZombie(self), WaitQueue.FOREVER, false);
            synchronized (tasklist) {
                for (Proc c : List.copyOf(self.children)) {
                    if (c.state == Proc.State.ZOMBIE) {
                        Exit.release(this, c);
                    }
                }
            }
            java.util.function.Consumer<Task> w;
            while ((w = initWork.poll()) != null) {
                w.accept(t);
            }
        }
        // Work that came too late is still run (a killed init creates nothing: its requests fail cleanly).
        java.util.function.Consumer<Task> w;
        while ((w = initWork.poll()) != null) {
            w.accept(t);
        }
    }

    private boolean hasZombie(Proc p) {
        synchronized (tasklist) {
            for (Proc c : p.children) {
                if (c.state == Proc.State.ZOMBIE) {
                    return true;
                }
            }
            return false;
        }
    }

    private void awaitKthreadd() {
        boolean interrupted = false;
        while (true) {
            try {
                kthreaddDone.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Runs {@code work} on pid 1's thread, as pid 1 (library mode: processes are created there, so that they are
     * init's children and come from the one clone path). Returns false when the kernel is shut down.
     */
    public boolean initWork(java.util.function.Consumer<Task> work) {
        Task init = initTask;
        if (init == null || shutDown) {
            return false;
        }
        initWork.add(work);
        init.unpark(); // one wake-up: a second one could land after init has gone back to sleep, an extra switch
        // that would make a deterministic kernel's schedule depend on the application's timing
        return true;
    }

    /** The host threads of library mode. */
    public HostThreads hostThreads() {
        return hostThreads;
    }

    /** Whether {@link #shutdown} has begun. */
    public boolean isShutDown() {
        return shutDown;
    }

    /** Starts kthreadd as a child of {@code idle}; returns its pid. */
    long startKthreadd(Task idle) {
        long kd = Fork.kernelClone(idle, KernelCloneArgs.kernelThread(kthreadd::body));
        kthreaddTask = task((int) kd);
        return kd;
    }

    /** pid 0, the parent of pid 1 and 2: never runs, never exits, not in the pid tables. */
    Task idleTask() {
        Proc p = new Proc(this, 0, true, Rlimits.defaults());
        Task t = new Task(this, 0, p, null, new FdTable(), new FsContext(config.cwd()));
        p.leader = t;
        p.threads.add(t);
        t.comm = "swapper";
        return t;
    }

    /** kernel_init: give pid 1 the console as fds 0-2, then kernel_execve the first program (run_init_process). */
    private void kernelInit(Task t, String program, List<String> argv, List<String> envp) {
        t.comm = "init";
        boolean interrupted = false;
        while (true) {
            try {
                kthreaddDone.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        t.setFiles(consoleFiles());
        t.setFs(new FsContext(config.cwd()));
        synchronized (tasklist) {
            t.proc.pgid = 1;
            t.proc.sid = 1;
        }
        try {
            Exec.execve(t, program, argv, envp);
            if (strace != null) {
                strace.execve(program, argv, envp.size());
            }
            initExec.complete(null);
        } catch (ErrnoException | Exec.ExecFormatException e) {
            initExec.completeExceptionally(e);
            synchronized (tasklist) {
                t.proc.leaderExitCode = Exit.killedStatus(Signals.SIGKILL, false);
            }
            t.exitCode = (127 & 0xff) << 8;
        }
    }

    /**
     * Creates pid 1 with the console fds and execs {@code program} in it without running it (tests of the loader and
     * of syscalls call it directly).
     */
    Task spawnInit(String program, List<String> argv, List<String> envp) throws ErrnoException,
            Exec.ExecFormatException {
        Task idle = idleTask();
        Task t;
        synchronized (tasklist) {
            int pid = allocPid(0);
            Proc p = new Proc(this, pid, true, Rlimits.defaults());
            p.parent = idle.proc;
            t = new Task(this, pid, p, null, consoleFiles(), new FsContext(config.cwd()));
            p.leader = t;
            p.threads.add(t);
            procs.put(pid, p);
            tasks.put(pid, t);
        }
        Exec.execve(t, program, argv, envp);
        return t;
    }

    /** Kills every task left and waits (briefly) for their host threads to end. */
    public void shutdown() {
        shutDown = true;
        timerService.shutdown();
        if (sched instanceof DeterministicScheduler d) {
            d.cancelTimers();
        }
        List<Task> all;
        synchronized (tasklist) {
            all = new ArrayList<>(tasks.values());
            for (Proc p : procs.values()) {
                if (!p.groupExiting) {
                    p.groupExiting = true;
                    p.groupExitCode = Exit.killedStatus(Signals.SIGKILL, false); // killed, as they are
                }
            }
        }
        for (Task t : all) {
            t.kill();
        }
        Task kd = kthreaddTask;
        if (kd != null && kd.thread != null) {
            kd.thread.interrupt();
        }
        List<Thread> ts;
        synchronized (threads) {
            ts = new ArrayList<>(threads);
        }
        hostThreads.shutdown();
        long deadline = System.nanoTime() + 2_000_000_000L;
        for (Thread th : ts) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            try {
                th.join(Math.max(1, left / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** A fd table holding the configured console as fds 0, 1 and 2 (what kernel_init gives pid 1). */
    private FdTable consoleFiles() {
        FdTable files = new FdTable();
        boolean[] tty = config.ttyStdio();
        files.install(StreamFile.input(config.stdin(), tty[0]), false);
        files.install(StreamFile.output(config.stdout(), tty[1]), false);
        files.install(StreamFile.output(config.stderr(), tty[2]), false);
        return files;
    }
}
