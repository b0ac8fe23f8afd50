package dev.jkernel.kernel;

import dev.jkernel.arch.Arch;
import dev.jkernel.arch.riscv64.Riscv64;
import dev.jkernel.fs.FdTable;
import dev.jkernel.fs.FsContext;
import dev.jkernel.fs.StreamFile;
import dev.jkernel.fs.Vfs;
import dev.jkernel.loader.Exec;
import dev.jkernel.mm.AddressSpace;
import dev.jkernel.syscall.FileSyscalls;
import dev.jkernel.syscall.MemorySyscalls;
import dev.jkernel.syscall.ProcessSyscalls;
import dev.jkernel.syscall.Strace;
import dev.jkernel.syscall.SyscallTable;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One booted kernel: an architecture, a file-system view, a syscall table and the tasks it runs. Several kernels in
 * one JVM share nothing.
 */
public final class Kernel {
    private final KernelConfig config;
    private final Arch arch;
    private final Vfs vfs;
    private final SyscallTable syscalls;
    private final Strace strace;
    private final AtomicInteger nextPid = new AtomicInteger(1);
    private final int hostUid, hostGid;
    private final long bootNanos = System.nanoTime();
    private final java.util.concurrent.atomic.LongAdder retired = new java.util.concurrent.atomic.LongAdder();

    public Kernel(KernelConfig config) {
        this.config = config;
        this.arch = new Riscv64();
        this.vfs = new Vfs(config.root(), config.sysroot());
        this.syscalls = new SyscallTable(arch, List.of(new FileSyscalls(), new MemorySyscalls(),
                new ProcessSyscalls()));
        this.strace = config.strace() == null ? null : new Strace(config.strace(), syscalls);
        this.hostUid = hostId("unix:uid");
        this.hostGid = hostId("unix:gid");
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

    int hostUid() {
        return hostUid;
    }

    int hostGid() {
        return hostGid;
    }

    /** Nanoseconds since boot (CLOCK_BOOTTIME; also the base of /proc/uptime). */
    public long uptimeNanos() {
        return System.nanoTime() - bootNanos;
    }

    /**
     * Runs {@code program} as pid 1 and waits for it. Returns its exit status, or 128+N when a signal N killed it.
     *
     * @throws ErrnoException when the program cannot be executed (the errno execve would return)
     * @throws Exec.ExecFormatException when it is not a valid riscv64 ELF (the message says why)
     */
    public int run(String program, List<String> argv, List<String> envp) throws ErrnoException,
            Exec.ExecFormatException, InterruptedException {
        Task init = spawnInit(program, argv, envp);
        int[] result = new int[1];
        Thread thread = Thread.ofPlatform().name("jkernel-pid" + init.tid()).unstarted(() -> {
            result[0] = Entry.runUser(init);
        });
        thread.start();
        thread.join();
        return result[0];
    }

    /** Creates pid 1 with the configured stdio and execs {@code program} in it, without running it. */
    Task spawnInit(String program, List<String> argv, List<String> envp) throws ErrnoException,
            Exec.ExecFormatException {
        FdTable files = new FdTable();
        boolean[] tty = config.ttyStdio();
        files.install(StreamFile.input(config.stdin(), tty[0]), false);
        files.install(StreamFile.output(config.stdout(), tty[1]), false);
        files.install(StreamFile.output(config.stderr(), tty[2]), false);
        int pid = nextPid.getAndIncrement();
        Task init = new Task(this, pid, pid, 0, new AddressSpace(), files, new FsContext(config.cwd()));
        Exec.execve(init, program, argv, envp);
        if (strace != null) {
            strace.execve(program, argv, envp.size());
        }
        return init;
    }
}
