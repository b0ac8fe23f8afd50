package dev.jkernel.syscall;

import dev.jkernel.kernel.Kernel;
import dev.jkernel.kernel.KernelConfig;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** docs/SYSCALLS.md is generated from the syscall table; this keeps the checked-in copy true. */
class SyscallDocsTest {
    static final String HEADER = "# Syscall status (riscv64)\n\nGenerated from the syscall table by "
            + "`./jkernel syscalls > docs/SYSCALLS.md`; do not edit by hand. Every syscall not listed as implemented "
            + "answers -ENOSYS (visible with `--strace`).\n\n";

    @Test
    void docsMatchTheTable() throws Exception {
        Kernel k = new Kernel(KernelConfig.of(System.in, System.out, System.err));
        String expected = HEADER + k.syscalls().statusMarkdown();
        String actual = Files.readString(Path.of("docs/SYSCALLS.md"));
        assertEquals(expected, actual, "docs/SYSCALLS.md is stale: run ./jkernel syscalls > docs/SYSCALLS.md");
    }
}
