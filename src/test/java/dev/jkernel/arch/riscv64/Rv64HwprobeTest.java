package dev.jkernel.arch.riscv64;

import dev.jkernel.guest.GuestPrograms;
import dev.jkernel.kernel.Kernel;
import dev.jkernel.kernel.KernelConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * riscv_hwprobe (guest/riscv/hwprobe.c). Neither the x86-64 Linux oracle nor qemu 7.2 has the syscall, so the
 * expected output is written from Documentation/arch/riscv/hwprobe.rst and the harts jkernel emulates.
 */
class Rv64HwprobeTest {
    @Test
    @Timeout(120)
    void keysCpuSetsAndWhichCpusAsLinux() throws Exception {
        GuestPrograms.ensureBuilt();
        String path = GuestPrograms.guestDir().resolve("out/static/riscv/hwprobe").toString();
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        KernelConfig cfg = KernelConfig.of(new ByteArrayInputStream(new byte[0]), out, err).withCpus(2)
                .withCwd(GuestPrograms.guestDir().toString());
        int status = new Kernel(cfg).run(path, List.of(path), List.of());
        assertEquals(0, status, err.toString(StandardCharsets.UTF_8));
        assertEquals(Files.readString(GuestPrograms.guestDir().resolve("riscv/hwprobe.expected")),
                out.toString(StandardCharsets.UTF_8));
    }
}
