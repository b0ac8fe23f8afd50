package dev.jkernel.cli;

import dev.jkernel.api.ExecException;
import dev.jkernel.api.ExitStatus;
import dev.jkernel.api.GuestProcess;
import dev.jkernel.api.JKernel;
import dev.jkernel.api.Linux;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * The command line: {@code jkernel run [--root DIR] [--sysroot DIR] [--strace] PROGRAM [ARGS...]}. A thin user of the
 * embedding API ({@link dev.jkernel.api}): {@code run} boots a kernel whose pid 1 is the program
 * ({@link JKernel.Builder#startInit}).
 */
@Command(name = "jkernel", mixinStandardHelpOptions = true, version = "jkernel 0.1.0",
        description = "A Linux-compatible kernel in Java that runs riscv64 Linux programs.",
        subcommands = {Main.Run.class, Main.Syscalls.class})
public final class Main implements Callable<Integer> {

    @Override
    public Integer call() {
        CommandLine.usage(this, System.err);
        return 2;
    }

    @Command(name = "run", mixinStandardHelpOptions = true, description = "Run a riscv64 Linux program. Exit status: the program's, or 128+N if "
            + "signal N killed it.")
    static final class Run implements Callable<Integer> {
        @Option(names = "--root", paramLabel = "DIR",
                description = "Confine the guest to DIR as its / (chroot semantics).")
        Path root;

        @Option(names = "--sysroot", paramLabel = "DIR",
                description = "Look absolute paths up under DIR first (like qemu's -L).")
        Path sysroot;

        @Option(names = "--strace", description = "Print each syscall to stderr in strace's format.")
        boolean strace;

        @Option(names = "--cpus", paramLabel = "N",
                description = "Virtual CPUs (default: the host's core count, at most 64; with "
                        + "--deterministic, 1).")
        int cpus;

        @Option(names = "--preempt", paramLabel = "SPEC", description = "Force preemptions: every:N, "
                + "random:SEED[:MAX] or at:N1,N2,... (instruction counts of each thread).")
        String preempt;

        @Option(names = "--deterministic", paramLabel = "SEED", description = "One guest thread at a time in an "
                + "order drawn from SEED, virtual time, seeded randomness: the same seed and input give the same "
                + "output and syscall trace.")
        Long deterministic;

        @Option(names = "--stats", description = "At exit, print guest instructions retired and the rate to stderr.")
        boolean stats;

        @Option(names = "--memory", paramLabel = "SIZE", description = "Limit the guests' memory to SIZE bytes "
                + "(suffixes K, M, G, T: powers of 1024; default: half the JVM's maximum heap). Past it, the process "
                + "using the most is killed, as by a memory cgroup's OOM killer.")
        String memory;

        @Parameters(index = "0", paramLabel = "PROGRAM", description = "The program (a guest path).")
        String program;

        @Parameters(index = "1..*", paramLabel = "ARGS", description = "Its arguments.")
        List<String> args = new ArrayList<>();

        @Override
        public Integer call() throws Exception {
            PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true);
            if (root != null && !Files.isDirectory(root)) {
                err.println("jkernel: --root " + root + ": not a directory");
                return 125;
            }
            if (cpus < 0 || cpus > 64) {
                err.println("jkernel: --cpus " + cpus + ": must be between 1 and 64");
                return 125;
            }
            if (sysroot != null && !Files.isDirectory(sysroot)) {
                err.println("jkernel: --sysroot " + sysroot + ": not a directory");
                return 125;
            }
            JKernel.Builder b = JKernel.builder();
            try {
                b.preemption(preempt);
            } catch (IllegalArgumentException e) {
                err.println("jkernel: --preempt: " + e.getMessage());
                return 125;
            }
            if (cpus != 0) {
                b.cpus(cpus);
            }
            long memoryLimit = 0;
            if (memory != null) {
                memoryLimit = parseSize(memory);
                if (memoryLimit < 4096) {
                    err.println("jkernel: --memory " + memory + ": not a size of at least 4096 bytes (like 512M, 2G)");
                    return 125;
                }
                long heap = Runtime.getRuntime().maxMemory();
                if (memoryLimit > heap) {
                    // Guest pages live on the Java heap: the limit cannot protect the JVM then.
                    err.println("jkernel: warning: --memory " + memory + " is more than the JVM's maximum heap ("
                            + (heap >> 20) + " MiB); guests may exhaust it first");
                }
            }
            if (memoryLimit > 0) {
                b.memoryLimit(memoryLimit);
            }
            if (root != null) {
                b.root(root).cwd("/");
            } else {
                b.hostRoot().cwd(System.getProperty("user.dir"));
            }
            b.sysroot(sysroot).strace(strace ? err : null).environment(System.getenv())
                    .stdin(new FileInputStream(FileDescriptor.in)).stdout(new FileOutputStream(FileDescriptor.out))
                    .stderr(err).terminal(isTty(0), isTty(1), isTty(2));
            if (deterministic != null) {
                b.deterministic(deterministic);
            }
            List<String> argv = new ArrayList<>();
            argv.add(program);
            argv.addAll(args);
            long t0 = System.nanoTime();
            GuestProcess init;
            try {
                init = b.startInit(program, argv);
            } catch (ExecException e) {
                // ENOENT for a file that exists means its ELF interpreter is missing: say where to look.
                boolean interp = e.errno() == Linux.ENOENT && root == null && Files.isRegularFile(Path.of(program));
                err.println("jkernel: " + e.getMessage() + (interp
                        ? " (its dynamic loader was not found: try --sysroot /usr/riscv64-linux-gnu)" : ""));
                return e.errno() == Linux.ENOENT ? 127 : 126;
            }
            JKernel k = init.kernel();
            ExitStatus status;
            try {
                status = init.waitFor();
            } finally {
                k.close(); // what pid 1's end does anyway; waits until every task has ended
            }
            if (stats) {
                double secs = (System.nanoTime() - t0) / 1e9;
                long n = k.retiredInstructions();
                err.printf("jkernel: %d instructions in %.3f s: %.1f MIPS; %d rseq aborts%n", n, secs,
                        n / secs / 1e6, k.rseqAborts());
            }
            return status.shellStatus();
        }

        /**
         * A size in bytes: digits with an optional suffix K, M, G or T (powers of 1024, either case, optionally
         * followed by "B" or "iB"); -1 if malformed or too large.
         */
        static long parseSize(String s) {
            String t = s.strip().toUpperCase(java.util.Locale.ROOT);
            if (t.endsWith("IB")) {
                t = t.substring(0, t.length() - 2);
            } else if (t.endsWith("B")) {
                t = t.substring(0, t.length() - 1);
            }
            int shift = 0;
            if (!t.isEmpty()) {
                int i = "KMGT".indexOf(t.charAt(t.length() - 1));
                if (i >= 0) {
                    shift = 10 * (i + 1);
                    t = t.substring(0, t.length() - 1);
                }
            }
            if (t.isEmpty() || !t.chars().allMatch(Character::isDigit) || t.length() > 18) {
                return -1;
            }
            long n = Long.parseLong(t);
            return n > (Long.MAX_VALUE >> shift) ? -1 : n << shift;
        }

        /** Whether host fd n is a terminal: its /proc link names a tty or pts device. */
        private static boolean isTty(int fd) {
            try {
                String target = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
                return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
            } catch (Exception e) {
                return false;
            }
        }
    }

    @Command(name = "syscalls", description = "Print the syscall status table (Markdown).")
    static final class Syscalls implements Callable<Integer> {
        @Override
        public Integer call() {
            System.out.print("# Syscall status (riscv64)\n\nGenerated from the syscall table by "
                    + "`./jkernel syscalls > docs/SYSCALLS.md`; do not edit by hand. Every syscall not listed as "
                    + "implemented answers -ENOSYS (visible with `--strace`).\n\n");
            System.out.print(JKernel.syscallStatusMarkdown());
            return 0;
        }
    }

    public static void main(String[] args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setStopAtPositional(true);
        cl.getSubcommands().get("run").setStopAtPositional(true);
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            System.err.println("jkernel: " + ex);
            return 1;
        });
        int status = cl.execute(args);
        System.out.flush();
        Runtime.getRuntime().halt(status);
    }
}
