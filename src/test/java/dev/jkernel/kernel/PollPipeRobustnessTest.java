package dev.jkernel.kernel;

import dev.jkernel.arch.riscv64.Rv64Context;
import dev.jkernel.mm.AddressSpace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Garbage arguments to pipe2, ppoll and pselect6 (skipped by {@link SyscallRobustnessTest} because they may sleep):
 * the timeout pointer always points at a zero timespec, so that nothing sleeps, and pipes made are closed again.
 */
class PollPipeRobustnessTest {
    @TempDir
    Path root;

    @Test
    @Timeout(60)
    void randomArgumentsNeverEscapeAsJavaExceptions() throws Exception {
        Path prog = root.resolve("prog");
        Files.write(prog, ExecTest.minimalElf().array());
        Files.setPosixFilePermissions(prog, PosixFilePermissions.fromString("rwxr-xr-x"));
        Kernel k = new Kernel(KernelConfig.of(new ByteArrayInputStream(new byte[0]), new ByteArrayOutputStream(),
                new ByteArrayOutputStream()).withRoot(root));
        Task t = k.spawnInit("/prog", List.of("prog"), List.of());
        AddressSpace mm = t.mm();
        long rw = mm.mmap(0, 16 * AddressSpace.PAGE_SIZE, AddressSpace.PROT_READ | AddressSpace.PROT_WRITE,
                AddressSpace.MAP_PRIVATE | AddressSpace.MAP_ANONYMOUS, null, 0, null);
        long zero = rw + 15 * AddressSpace.PAGE_SIZE; // 16 zero bytes: a zero timeout
        Random r = new Random(42);
        Rv64Context c = (Rv64Context) t.context();
        for (String name : new String[] {"pipe2", "ppoll", "pselect6"}) {
            int nr = k.syscalls().entries().stream().filter(e -> e.name().equals(name)).findFirst().orElseThrow()
                    .number();
            for (int i = 0; i < 3000; i++) {
                for (int a = 0; a < 6; a++) {
                    c.x[Rv64Context.A0 + a] = pick(r, rw);
                }
                if (name.equals("ppoll")) {
                    c.x[Rv64Context.A0 + 2] = zero;
                } else if (name.equals("pselect6")) {
                    c.x[Rv64Context.A0 + 4] = zero;
                }
                c.x[Rv64Context.A7] = nr;
                String call = name + String.format("(0x%x, 0x%x, 0x%x, 0x%x, 0x%x, 0x%x)", c.x[10], c.x[11],
                        c.x[12], c.x[13], c.x[14], c.x[15]);
                try {
                    Entry.syscall(t);
                } catch (Throwable x) {
                    fail(call + " threw " + x, x);
                }
                long ret = c.x[Rv64Context.A0];
                assertFalse(ret <= -512 && ret >= -4095, call + " leaked an internal errno " + ret);
                if (name.equals("pipe2") && t.files().openFds().size() > 40) {
                    t.files().closeRange(3, 1023, false);
                }
            }
        }
    }

    private static long pick(Random r, long rw) {
        return switch (r.nextInt(9)) {
            case 0 -> 0;
            case 1 -> -1;
            case 2 -> r.nextInt(8);
            case 3 -> r.nextInt(2048);
            case 4 -> r.nextLong();
            case 5 -> rw + r.nextInt(8 * AddressSpace.PAGE_SIZE);
            case 6 -> 0x1000;
            case 7 -> Long.MAX_VALUE;
            default -> Integer.MIN_VALUE;
        };
    }
}
