package dev.jkernel.kernel;

import dev.jkernel.arch.riscv64.Rv64Context;
import dev.jkernel.fs.Cred;
import dev.jkernel.fs.Vfs;
import dev.jkernel.mm.AddressSpace;
import dev.jkernel.syscall.SyscallTable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Garbage syscall arguments get an errno, never a Java exception: every implemented syscall is called many times with
 * arguments drawn from the values that break kernels (0, -1, huge lengths, wild, read-only and unmapped pointers,
 * valid and invalid paths). The guest is confined to a temporary root, so whatever it creates stays there.
 */
class SyscallRobustnessTest {
    @TempDir
    Path root;

    /**
     * Calls that would end the task, sleep for a random time, create tasks that run random code or replace the
     * program; their argument checks have their own tests (guest/tests/proc_*, futex_*, pipe_*, FutexTest,
     * PollPipeRobustnessTest). pipe2 is skipped because a random read or write on its ends would sleep forever, and
     * ppoll/pselect6 sleep for their timeout.
     */
    private static final Set<String> SKIP = Set.of("exit", "exit_group", "nanosleep", "clock_nanosleep", "clone",
            "clone3", "execve", "execveat", "wait4", "waitid", "futex", "pipe2", "ppoll", "pselect6");

    @Test
    @Timeout(120)
    void randomArgumentsNeverEscapeAsJavaExceptions() throws Exception {
        Path prog = root.resolve("prog");
        Files.write(prog, ExecTest.minimalElf().array());
        Files.setPosixFilePermissions(prog, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createDirectories(root.resolve("dir/sub"));
        Files.writeString(root.resolve("dir/file"), "contents\n");
        fuzz(KernelConfig.of(new ByteArrayInputStream(new byte[0]), new ByteArrayOutputStream(),
                new ByteArrayOutputStream()).withRoot(root));
    }

    /** The same on a tmpfs root (a small one, so that ENOSPC comes up), with a host directory mounted read-only. */
    @Test
    @Timeout(120)
    void randomArgumentsOnATmpfsRoot() throws Exception {
        Files.createDirectories(root.resolve("ro"));
        Files.writeString(root.resolve("ro/file"), "host\n");
        Vfs vfs = Vfs.withTmpfsRoot(64 << 10, 0755, Cred.ROOT, null);
        vfs.makeSkeleton(Cred.ROOT);
        vfs.writeFile("/prog", ExecTest.minimalElf().array(), 0755, Cred.ROOT);
        vfs.mkdirs("/dir/sub", 0755, Cred.ROOT);
        vfs.writeFile("/dir/file", "contents\n".getBytes(StandardCharsets.UTF_8), 0644, Cred.ROOT);
        vfs.mountHost("/dir/ro", root.resolve("ro"), true, Cred.ROOT);
        fuzz(KernelConfig.of(new ByteArrayInputStream(new byte[0]), new ByteArrayOutputStream(),
                new ByteArrayOutputStream()).withVfs(vfs));
        assertEquals("host\n", Files.readString(root.resolve("ro/file")));
    }

    private void fuzz(KernelConfig config) throws Exception {
        Kernel k = new Kernel(config);
        Task t = k.spawnInit("/prog", List.of("prog"), List.of());
        AddressSpace mm = t.mm();
        long rw = mm.mmap(0, 16 * AddressSpace.PAGE_SIZE, AddressSpace.PROT_READ | AddressSpace.PROT_WRITE,
                AddressSpace.MAP_PRIVATE | AddressSpace.MAP_ANONYMOUS, null, 0, null);
        long ro = mm.mmap(0, AddressSpace.PAGE_SIZE, AddressSpace.PROT_READ,
                AddressSpace.MAP_PRIVATE | AddressSpace.MAP_ANONYMOUS, null, 0, null);
        String[] paths = {"/", ".", "..", "/dir", "/dir/file", "dir/sub/../file", "/dir/new", "/nonexistent/x",
            "/dir/ro", "/dir/ro/file", "/dir/ro/..", "/dev/shm", "/tmp/x",
            "/proc/self/exe", "/proc/self/maps", "/dev/null", "/dev/zero", "/dev/urandom", "", "a".repeat(300),
            "/" + "d/".repeat(2100)};
        long[] pathAddrs = new long[paths.length];
        long at = rw + 8 * AddressSpace.PAGE_SIZE;
        for (int i = 0; i < paths.length; i++) {
            byte[] b = (paths[i] + "\0").getBytes(StandardCharsets.UTF_8);
            mm.write(at, b);
            pathAddrs[i] = at;
            at += b.length;
        }
        Random r = new Random(20261121);
        Rv64Context c = (Rv64Context) t.context();
        int calls = 0;
        for (SyscallTable.Entry e : k.syscalls().entries()) {
            if (SKIP.contains(e.name())) {
                continue;
            }
            for (int i = 0; i < 3000; i++) {
                c.x[Rv64Context.A7] = e.number();
                for (int a = 0; a < 6; a++) {
                    c.x[Rv64Context.A0 + a] = pick(r, rw, ro, pathAddrs);
                }
                String call = e.name() + String.format("(0x%x, 0x%x, 0x%x, 0x%x, 0x%x, 0x%x)", c.x[10], c.x[11],
                        c.x[12], c.x[13], c.x[14], c.x[15]);
                try {
                    Entry.syscall(t);
                } catch (Throwable x) {
                    fail(call + " threw " + x, x);
                }
                long ret = c.x[Rv64Context.A0];
                assertFalse(ret <= -512 && ret >= -4095, call + " leaked an internal errno " + ret);
                calls++;
                if (t.isExiting()) {
                    fail(call + " ended the task");
                }
            }
        }
        assertTrue(calls > 10_000);
    }

    private static long pick(Random r, long rw, long ro, long[] paths) {
        return switch (r.nextInt(14)) {
            case 0 -> 0;
            case 1 -> -1;
            case 2 -> r.nextInt(8);
            case 3 -> r.nextInt(4096);
            case 4 -> r.nextLong();
            case 5 -> rw + r.nextInt(8 * AddressSpace.PAGE_SIZE);
            case 6 -> rw;
            case 7 -> ro;
            case 8 -> 0x1000;                      // below any mapping
            case 9 -> paths[r.nextInt(paths.length)];
            case 10 -> -100;                       // AT_FDCWD
            case 11 -> Long.MAX_VALUE;
            case 12 -> 1L << (20 + r.nextInt(40)); // large lengths
            default -> Integer.MIN_VALUE;
        };
    }
}
