package dev.jkernel.kernel;

import dev.jkernel.fs.Vfs;
import dev.jkernel.host.HostOps;

import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * How to boot a kernel.
 *
 * @param root     host directory confined as the guest's "/" (chroot semantics), or null for the host's own file
 *                 system, unconfined, as qemu-user shows it
 * @param sysroot  host directory searched first for absolute paths (qemu's -L), or null
 * @param strace   where to print a strace-format line per syscall, or null for none
 * @param stdin    the guest's fd 0
 * @param stdout   the guest's fd 1
 * @param stderr   the guest's fd 2
 * @param ttyStdio whether fds 0, 1, 2 answer terminal ioctls (the CLI passes what the host's fds are)
 * @param cwd      the guest's initial working directory (a guest path)
 * @param cpus     virtual CPUs (0: as many as the host has cores, at most 64)
 * @param preempt  forced preemption (see {@link Preemption}), or null
 * @param host     the host operations (threads, clocks, entropy, and which scheduler), see {@link HostOps}
 * @param vfs      the file-system view prepared by the caller (a tmpfs root, mounts, placed files), or null for the
 *                 one {@code root} and {@code sysroot} describe
 */
public record KernelConfig(Path root, Path sysroot, PrintStream strace, InputStream stdin, OutputStream stdout,
        OutputStream stderr, boolean[] ttyStdio, String cwd, int cpus, Preemption preempt, HostOps host, Vfs vfs) {

    public KernelConfig {
        if (host == null) {
            host = HostOps.jvm();
        }
    }

    public KernelConfig(Path root, Path sysroot, PrintStream strace, InputStream stdin, OutputStream stdout,
            OutputStream stderr, boolean[] ttyStdio, String cwd, int cpus, Preemption preempt, HostOps host) {
        this(root, sysroot, strace, stdin, stdout, stderr, ttyStdio, cwd, cpus, preempt, host, null);
    }

    /** Stdio from the given streams, no terminal, host file system, cwd "/". */
    public static KernelConfig of(InputStream in, OutputStream out, OutputStream err) {
        return new KernelConfig(null, null, null, in, out, err, new boolean[3], "/", 0, null, null, null);
    }

    /** Where jkernel's own one-line diagnostics go: the guest's stderr stream. */
    public PrintStream stderrPrinter() {
        return stderr instanceof PrintStream ps ? ps : new PrintStream(stderr, true);
    }

    public KernelConfig withRoot(Path r) {
        return new KernelConfig(r, sysroot, strace, stdin, stdout, stderr, ttyStdio, cwd, cpus, preempt, host, vfs);
    }

    public KernelConfig withSysroot(Path s) {
        return new KernelConfig(root, s, strace, stdin, stdout, stderr, ttyStdio, cwd, cpus, preempt, host, vfs);
    }

    public KernelConfig withStrace(PrintStream s) {
        return new KernelConfig(root, sysroot, s, stdin, stdout, stderr, ttyStdio, cwd, cpus, preempt, host, vfs);
    }

    public KernelConfig withCwd(String c) {
        return new KernelConfig(root, sysroot, strace, stdin, stdout, stderr, ttyStdio, c, cpus, preempt, host, vfs);
    }

    public KernelConfig withCpus(int n) {
        return new KernelConfig(root, sysroot, strace, stdin, stdout, stderr, ttyStdio, cwd, n, preempt, host, vfs);
    }

    public KernelConfig withPreempt(Preemption p) {
        return new KernelConfig(root, sysroot, strace, stdin, stdout, stderr, ttyStdio, cwd, cpus, p, host, vfs);
    }

    public KernelConfig withVfs(Vfs v) {
        return new KernelConfig(root, sysroot, strace, stdin, stdout, stderr, ttyStdio, cwd, cpus, preempt, host, v);
    }

    public KernelConfig withTty(boolean[] tty) {
        return new KernelConfig(root, sysroot, strace, stdin, stdout, stderr, tty, cwd, cpus, preempt, host, vfs);
    }

    public KernelConfig withHost(HostOps h) {
        return new KernelConfig(root, sysroot, strace, stdin, stdout, stderr, ttyStdio, cwd, cpus, preempt, h, vfs);
    }
}
