package dev.jkernel.syscall;

import dev.jkernel.kernel.Errno;
import dev.jkernel.kernel.ErrnoException;
import dev.jkernel.kernel.Fork;
import dev.jkernel.kernel.KernelCloneArgs;
import dev.jkernel.kernel.ProcessControl;
import dev.jkernel.kernel.Task;
import dev.jkernel.kernel.Wait;
import dev.jkernel.loader.Exec;
import dev.jkernel.mm.AddressSpace;
import dev.jkernel.mm.GuestFault;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import static dev.jkernel.kernel.KernelCloneArgs.*;
import static dev.jkernel.syscall.SyscallTable.Status.FULL;
import static dev.jkernel.syscall.SyscallTable.Status.PARTIAL;

/** Process and thread life cycle: clone, clone3, execve, exit, wait, process groups and sessions, pidfds. */
public final class TaskSyscalls implements SyscallTable.Family {
    /** clone3's struct clone_args sizes (include/uapi/linux/sched.h). */
    static final int CLONE_ARGS_SIZE_VER0 = 64, CLONE_ARGS_SIZE_VER1 = 80, CLONE_ARGS_SIZE_VER2 = 88;
    static final int MAX_ARG_STRINGS = 0x7fffffff;
    static final int AT_EMPTY_PATH = 0x1000, AT_SYMLINK_NOFOLLOW = 0x100;

    @Override
    public void register(SyscallTable.Builder b) {
        b.add("clone", TaskSyscalls::clone, FULL, "hex ptr ptr hex ptr",
                "namespace flags answer EINVAL until namespaces exist; riscv64 order: flags, stack, ptid, tls, ctid");
        b.add("clone3", TaskSyscalls::clone3, FULL, "ptr size",
                "struct clone_args VER0-VER2; set_tid of one level; CLONE_INTO_CGROUP answers EINVAL");
        b.add("execve", (t, a0, a1, a2, a3, a4, a5) -> execve(t, t.mm().readCString(a0, 4096), a0, a1, a2, null),
                FULL, "path ptr ptr", "ELF (static, static-PIE, PT_INTERP) and #! scripts");
        b.add("execveat", TaskSyscalls::execveat, FULL, "dirfd path ptr ptr atflags");
        b.add("exit", (t, a0, a1, a2, a3, a4, a5) -> {
            t.exitThread((int) a0);
            return 0;
        }, FULL, "int");
        b.add("exit_group", (t, a0, a1, a2, a3, a4, a5) -> {
            t.exitGroup((int) a0);
            return 0;
        }, FULL, "int");
        b.add("wait4", (t, a0, a1, a2, a3, a4, a5) -> Wait.wait4(t, a0, a1, a2, a3), PARTIAL, "int ptr hex ptr",
                "rusage is zero");
        b.add("waitid", (t, a0, a1, a2, a3, a4, a5) -> Wait.waitid(t, a0, a1, a2, a3, a4), PARTIAL,
                "int int ptr hex ptr", "rusage is zero");
        b.add("getpid", (t, a0, a1, a2, a3, a4, a5) -> t.tgid(), FULL, "");
        b.add("getppid", (t, a0, a1, a2, a3, a4, a5) -> t.ppid(), FULL, "");
        b.add("gettid", (t, a0, a1, a2, a3, a4, a5) -> t.tid(), FULL, "");
        b.add("set_tid_address", (t, a0, a1, a2, a3, a4, a5) -> {
            t.clearChildTid = a0;
            return t.tid();
        }, FULL, "ptr");
        b.add("setpgid", (t, a0, a1, a2, a3, a4, a5) -> ProcessControl.setpgid(t, (int) a0, (int) a1), FULL,
                "int int");
        b.add("getpgid", (t, a0, a1, a2, a3, a4, a5) -> ProcessControl.getpgid(t, (int) a0), FULL, "int");
        b.add("setsid", (t, a0, a1, a2, a3, a4, a5) -> ProcessControl.setsid(t), FULL, "");
        b.add("getsid", (t, a0, a1, a2, a3, a4, a5) -> ProcessControl.getsid(t, (int) a0), FULL, "int");
        b.add("pidfd_open", (t, a0, a1, a2, a3, a4, a5) -> ProcessControl.pidfdOpen(t, (int) a0, a1), PARTIAL,
                "int hex", "pidfds of processes; PIDFD_THREAD answers EINVAL");
    }

    /** clone(2): riscv64 passes (flags, newsp, parent_tid, tls, child_tid) (CONFIG_CLONE_BACKWARDS). */
    static long clone(Task t, long flags, long newsp, long parentTid, long tls, long childTid, long a5) {
        long low = flags & 0xffffffffL;
        long f = low & ~CSIGNAL;
        // The legacy call has one pointer for both CLONE_PIDFD and CLONE_PARENT_SETTID.
        if ((f & CLONE_PIDFD) != 0 && (f & CLONE_PARENT_SETTID) != 0) {
            return -Errno.EINVAL;
        }
        KernelCloneArgs args = new KernelCloneArgs(f, parentTid, childTid, parentTid, (int) (low & CSIGNAL), newsp,
                0, tls, 0, null);
        return Fork.kernelClone(t, args);
    }

    /** clone3(2): struct clone_args of any published size (copy_clone_args_from_user + clone3_args_valid). */
    static long clone3(Task t, long uargs, long size, long a2, long a3, long a4, long a5) throws GuestFault {
        if (size > AddressSpace.PAGE_SIZE) {
            return -Errno.E2BIG;
        }
        if (size < CLONE_ARGS_SIZE_VER0) {
            return -Errno.EINVAL;
        }
        byte[] raw = t.mm().read(uargs, (int) size);
        for (int i = CLONE_ARGS_SIZE_VER2; i < raw.length; i++) {
            if (raw[i] != 0) {
                return -Errno.E2BIG; // a newer struct's fields we do not know are set
            }
        }
        ByteBuffer b = ByteBuffer.wrap(java.util.Arrays.copyOf(raw, CLONE_ARGS_SIZE_VER2))
                .order(ByteOrder.LITTLE_ENDIAN);
        long flags = b.getLong(0), pidfd = b.getLong(8), childTid = b.getLong(16), parentTid = b.getLong(24);
        long exitSignal = b.getLong(32), stack = b.getLong(40), stackSize = b.getLong(48), tls = b.getLong(56);
        long setTid = b.getLong(64), setTidSize = b.getLong(72), cgroup = b.getLong(80);
        if ((exitSignal & ~CSIGNAL) != 0 || exitSignal > 64) {
            return -Errno.EINVAL;
        }
        if ((flags & CLONE_INTO_CGROUP) != 0 && (cgroup > Integer.MAX_VALUE || size < CLONE_ARGS_SIZE_VER2)) {
            return -Errno.EINVAL;
        }
        if (setTidSize > 32 || (setTid == 0 && setTidSize != 0) || (setTid != 0 && setTidSize == 0)) {
            return -Errno.EINVAL;
        }
        if ((flags & ~(0xffffffffL | CLONE_CLEAR_SIGHAND | CLONE_INTO_CGROUP)) != 0) {
            return -Errno.EINVAL;
        }
        if ((flags & (CLONE_DETACHED | CSIGNAL & ~CLONE_NEWTIME)) != 0) {
            return -Errno.EINVAL;
        }
        if ((flags & (CLONE_SIGHAND | CLONE_CLEAR_SIGHAND)) == (CLONE_SIGHAND | CLONE_CLEAR_SIGHAND)) {
            return -Errno.EINVAL;
        }
        if ((flags & (CLONE_THREAD | CLONE_PARENT)) != 0 && exitSignal != 0) {
            return -Errno.EINVAL;
        }
        if ((stack == 0) != (stackSize == 0)) {
            return -Errno.EINVAL;
        }
        int tid = 0;
        if (setTidSize > 0) {
            if (setTidSize > 1) {
                return -Errno.EINVAL; // no pid namespaces: one level only
            }
            tid = t.mm().read32(setTid);
            if (tid <= 0) {
                return -Errno.EINVAL;
            }
        }
        KernelCloneArgs args = new KernelCloneArgs(flags, pidfd, childTid, parentTid, (int) exitSignal, stack,
                stackSize, tls, tid, null);
        return Fork.kernelClone(t, args);
    }

    static long execveat(Task t, long dirfd, long pathAddr, long argv, long envp, long flags, long a5)
            throws GuestFault, ErrnoException {
        if ((flags & ~(AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW)) != 0) {
            return -Errno.EINVAL;
        }
        String path = t.mm().readCString(pathAddr, 4096);
        if (path == null) {
            return -Errno.ENAMETOOLONG;
        }
        String execfn = null;
        int fd = (int) dirfd;
        if (path.isEmpty() && (flags & AT_EMPTY_PATH) == 0) {
            return -Errno.ENOENT;
        }
        if (path.isEmpty()) {
            if (t.files().get(fd) == null) {
                return -Errno.EBADF;
            }
            execfn = "/dev/fd/" + fd;
            path = "/proc/self/fd/" + fd;
        } else if (!path.startsWith("/") && fd != -100) {
            if (t.files().get(fd) == null) {
                return -Errno.EBADF;
            }
            execfn = "/dev/fd/" + fd + "/" + path;
            path = "/proc/self/fd/" + fd + "/" + path;
        }
        if ((flags & AT_SYMLINK_NOFOLLOW) != 0 && !path.isEmpty()) {
            // The last component may not be a symbolic link (Linux: ELOOP from the O_NOFOLLOW open).
            dev.jkernel.fs.Vfs vfs = t.kernel().vfs();
            dev.jkernel.fs.Node start = path.startsWith("/") ? null : vfs.cwdNode(t, t.fs());
            dev.jkernel.fs.Node n = vfs.lookup(t, start, path, false);
            if (n.exists() && n.isSymlink()) {
                return -Errno.ELOOP;
            }
        }
        return execve(t, path, pathAddr, argv, envp, execfn);
    }

    static long execve(Task t, String path, long pathAddr, long argvAddr, long envpAddr, String execfn)
            throws GuestFault, ErrnoException {
        if (path == null) {
            return -Errno.ENAMETOOLONG;
        }
        List<String> argv = readStrings(t, argvAddr);
        List<String> envp = readStrings(t, envpAddr);
        try {
            Exec.execve(t, path, argv, envp, execfn == null ? path : execfn);
        } catch (Exec.ExecFormatException e) {
            return -Errno.ENOEXEC;
        }
        return 0;
    }

    /** A NULL-terminated array of string pointers (copy_strings); a NULL array is empty. */
    private static List<String> readStrings(Task t, long addr) throws GuestFault, ErrnoException {
        List<String> out = new ArrayList<>();
        if (addr == 0) {
            return out;
        }
        long total = 0;
        for (int i = 0; i < MAX_ARG_STRINGS; i++) {
            long p = t.mm().read64(addr + 8L * i);
            if (p == 0) {
                return out;
            }
            String s = t.mm().readCString(p, 32 * AddressSpace.PAGE_SIZE);
            if (s == null) {
                throw new ErrnoException(Errno.E2BIG);
            }
            total += s.length() + 1 + 8;
            if (total > AddressSpace.STACK_SIZE / 4) {
                throw new ErrnoException(Errno.E2BIG);
            }
            out.add(s);
        }
        throw new ErrnoException(Errno.E2BIG);
    }
}
