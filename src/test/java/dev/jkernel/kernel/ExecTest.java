package dev.jkernel.kernel;

import dev.jkernel.arch.riscv64.Rv64Context;
import dev.jkernel.loader.Exec;
import dev.jkernel.mm.AddressSpace;
import dev.jkernel.mm.GuestFault;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.*;

/** The ELF loader: the initial stack Linux builds, and one clear error for every kind of malformed file. */
class ExecTest {
    @TempDir
    Path dir;

    private static final long VADDR = 0x10000;
    private static final int CODE_OFF = 0x1000;

    /** A minimal static riscv64 executable: one R+X PT_LOAD with a few bytes of code and a .bss tail. */
    static ByteBuffer minimalElf() {
        ByteBuffer b = ByteBuffer.allocate(CODE_OFF + 16).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0});
        b.putShort(16, (short) 2);              // ET_EXEC
        b.putShort(18, (short) 243);            // EM_RISCV
        b.putInt(20, 1);
        b.putLong(24, VADDR + CODE_OFF);         // entry
        b.putLong(32, 64);                       // phoff
        b.putShort(52, (short) 64);
        b.putShort(54, (short) 56);
        b.putShort(56, (short) 1);
        int p = 64;
        b.putInt(p, 1);                          // PT_LOAD
        b.putInt(p + 4, 5);                      // R+X
        b.putLong(p + 8, 0);
        b.putLong(p + 16, VADDR);
        b.putLong(p + 24, VADDR);
        b.putLong(p + 32, CODE_OFF + 16);        // filesz
        b.putLong(p + 40, CODE_OFF + 16 + 5000); // memsz: a .bss tail
        b.putLong(p + 48, 0x1000);
        b.putInt(CODE_OFF, 0x00000073);          // ecall
        b.putInt(CODE_OFF + 12, 0x12345678);     // last file bytes
        return b;
    }

    private Path write(ByteBuffer b) throws Exception {
        Path f = Files.createTempFile(dir, "prog", "");
        Files.write(f, b.array());
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwxr-xr-x"));
        return f;
    }

    private Kernel kernel() {
        return new Kernel(KernelConfig.of(new ByteArrayInputStream(new byte[0]), new ByteArrayOutputStream(),
                new ByteArrayOutputStream()));
    }

    private String formatError(Consumer<ByteBuffer> mutate) throws Exception {
        ByteBuffer b = minimalElf();
        mutate.accept(b);
        Path f = write(b);
        Exec.ExecFormatException e = assertThrows(Exec.ExecFormatException.class,
                () -> kernel().spawnInit(f.toString(), List.of("prog"), List.of()));
        assertFalse(e.getMessage().contains("\n"), "one line");
        return e.getMessage();
    }

    @Test
    void initialStackIsLaidOutAsLinuxDoes() throws Exception {
        Path f = write(minimalElf());
        Task t = kernel().spawnInit(f.toString(), List.of("prog", "arg one"), List.of("A=1", "B=2"));
        Rv64Context c = (Rv64Context) t.context();
        assertEquals(VADDR + CODE_OFF, c.pc);
        long sp = c.x[Rv64Context.SP];
        assertEquals(0, sp & 15, "sp is 16-byte aligned");
        AddressSpace mm = t.mm();
        assertEquals(2, mm.read64(sp));
        assertEquals("prog", mm.readCString(mm.read64(sp + 8), 100));
        assertEquals("arg one", mm.readCString(mm.read64(sp + 16), 100));
        assertEquals(0, mm.read64(sp + 24));
        assertEquals("A=1", mm.readCString(mm.read64(sp + 32), 100));
        assertEquals("B=2", mm.readCString(mm.read64(sp + 40), 100));
        assertEquals(0, mm.read64(sp + 48));
        List<long[]> aux = new ArrayList<>();
        for (long p = sp + 56; ; p += 16) {
            aux.add(new long[] {mm.read64(p), mm.read64(p + 8)});
            if (mm.read64(p) == 0) {
                break;
            }
        }
        assertEquals(VADDR + CODE_OFF, auxval(aux, 9), "AT_ENTRY");
        assertEquals(VADDR + 64, auxval(aux, 3), "AT_PHDR");
        assertEquals(56, auxval(aux, 4), "AT_PHENT");
        assertEquals(1, auxval(aux, 5), "AT_PHNUM");
        assertEquals(4096, auxval(aux, 6), "AT_PAGESZ");
        assertEquals(0, auxval(aux, 7), "AT_BASE");
        assertEquals(0, auxval(aux, 23), "AT_SECURE");
        assertEquals(100, auxval(aux, 17), "AT_CLKTCK");
        assertEquals(0x112d, auxval(aux, 16), "AT_HWCAP: rv64imafdc");
        assertTrue(auxval(aux, 51) >= 1088, "AT_MINSIGSTKSZ");
        assertEquals(f.toString(), mm.readCString(auxval(aux, 31), 4096), "AT_EXECFN");
        long rnd = auxval(aux, 25);
        assertTrue(rnd > sp, "AT_RANDOM above the vectors");
        mm.read(rnd, new byte[16], 0, 16);
        // Strings sit at the top of the stack, the file name highest.
        assertEquals(AddressSpace.STACK_TOP - 8 - (f.toString().length() + 1), auxval(aux, 31));
    }

    @Test
    void theVdsoIsMappedAnnouncedFirstInAuxvAndKeptByFork() throws Exception {
        Path f = write(minimalElf());
        Task t = kernel().spawnInit(f.toString(), List.of("prog"), List.of());
        AddressSpace mm = t.mm();
        long sp = ((Rv64Context) t.context()).x[Rv64Context.SP];
        long aux = sp + 8 * (1 + 1 + 1 + 1); // argc, argv[0], NULL, envp NULL
        assertEquals(33, mm.read64(aux), "AT_SYSINFO_EHDR first (riscv ARCH_DLINFO)");
        long base = mm.read64(aux + 8);
        assertEquals(51, mm.read64(aux + 16), "then AT_MINSIGSTKSZ");
        assertEquals(base, mm.vdsoBase());
        assertEquals(0, base & AddressSpace.PAGE_MASK);
        byte[] image = t.kernel().arch().vdsoImage();
        assertArrayEquals(image, mm.read(base, image.length));
        assertEquals(AddressSpace.PROT_READ | AddressSpace.PROT_EXEC, mm.protAt(base));
        AddressSpace.Vma vdso = mm.vmas().stream().filter(v -> "[vdso]".equals(v.name)).findFirst().orElseThrow();
        assertEquals(base, vdso.start);
        assertEquals(AddressSpace.pageAlignUp(image.length), vdso.end - vdso.start);
        assertEquals(AddressSpace.MAP_PRIVATE, vdso.flags & AddressSpace.MAP_TYPE);
        assertTrue(base < AddressSpace.MMAP_BASE && base > VADDR, "placed top-down by mmap");
        long sigreturn = t.kernel().arch().vdsoSymbol("__vdso_rt_sigreturn");
        assertTrue(sigreturn > 0 && sigreturn < image.length);
        assertEquals(0x08b00893, mm.read32(base + sigreturn), "li a7, 139");

        AddressSpace child = mm.fork();
        assertEquals(base, child.vdsoBase());
        assertArrayEquals(image, child.read(base, image.length));
        child.release();
    }

    private static long auxval(List<long[]> aux, long key) {
        for (long[] kv : aux) {
            if (kv[0] == key) {
                return kv[1];
            }
        }
        throw new AssertionError("auxv lacks " + key);
    }

    @Test
    void segmentsGetTheirPermissionsAndBssIsZero() throws Exception {
        Path f = write(minimalElf());
        Task t = kernel().spawnInit(f.toString(), List.of("prog"), List.of());
        AddressSpace mm = t.mm();
        assertEquals(0x00000073, mm.read32(VADDR + CODE_OFF));
        assertEquals(0x12345678, mm.read32(VADDR + CODE_OFF + 12));
        assertEquals(0, mm.read64(VADDR + CODE_OFF + 16), "bss starts zeroed even within the last file page");
        assertNotNull(mm.page(VADDR, GuestFault.EXEC));
        assertThrows(GuestFault.class, () -> mm.write32(VADDR + CODE_OFF, 0), "text is read-only");
        assertEquals(AddressSpace.pageAlignUp(VADDR + CODE_OFF + 16 + 5000), mm.brk(0), "brk after bss");
    }

    @Test
    void malformedFilesGetOneLineErrors() throws Exception {
        assertTrue(formatError(b -> b.put(1, (byte) 'X')).contains("not an ELF file"));
        assertTrue(formatError(b -> b.put(4, (byte) 1)).contains("not a 64-bit"));
        assertTrue(formatError(b -> b.put(5, (byte) 2)).contains("little-endian"));
        assertTrue(formatError(b -> b.putShort(18, (short) 62)).contains("is not riscv64"));
        assertTrue(formatError(b -> b.putShort(16, (short) 1)).contains("not an executable"));
        assertTrue(formatError(b -> b.putShort(56, (short) 0)).contains("program header"));
        assertTrue(formatError(b -> b.putShort(54, (short) 32)).contains("program header"));
        assertTrue(formatError(b -> b.putLong(32, 1 << 20)).contains("truncated"));
        assertTrue(formatError(b -> b.putLong(64 + 32, 1 << 20)).contains("file size exceeds"));
        assertTrue(formatError(b -> {
            b.putLong(64 + 32, 1 << 20);
            b.putLong(64 + 40, 1 << 21);
        }).contains("truncated"));
        assertTrue(formatError(b -> b.putLong(64 + 16, VADDR + 8)).contains("modulo the page size"));
        assertTrue(formatError(b -> b.putLong(64 + 16, 1L << 40)).contains("outside user space"));
        assertTrue(formatError(b -> b.putInt(64, 4)).contains("no loadable segments"));
    }

    @Test
    void truncatedAndEmptyFiles() throws Exception {
        Path empty = write(ByteBuffer.allocate(0));
        assertThrows(Exec.ExecFormatException.class, () -> kernel().spawnInit(empty.toString(), List.of("x"),
                List.of()));
        Path shortHdr = write(ByteBuffer.wrap(new byte[] {0x7f, 'E', 'L', 'F', 2, 1}));
        Exec.ExecFormatException e = assertThrows(Exec.ExecFormatException.class,
                () -> kernel().spawnInit(shortHdr.toString(), List.of("x"), List.of()));
        assertTrue(e.getMessage().contains("truncated"));
    }

    @Test
    void execErrnos() throws Exception {
        Path f = write(minimalElf());
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
        assertErrno(Errno.EACCES, f.toString());
        assertErrno(Errno.EACCES, dir.toString());
        assertErrno(Errno.ENOENT, dir.resolve("missing").toString());
        assertErrno(Errno.ENOENT, "");
    }

    private void assertErrno(int errno, String path) {
        ErrnoException e = assertThrows(ErrnoException.class, () -> kernel().spawnInit(path, List.of("x"), List.of()));
        assertEquals(errno, e.errno, Errno.name(e.errno));
    }

    @Test
    void scriptsRunTheirInterpreterWithTheRightArguments() throws Exception {
        Path interp = write(minimalElf());
        Path script = dir.resolve("script.sh");
        Files.writeString(script, "#! " + interp + "  -x  -y \necho hi\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        Task t = kernel().spawnInit(script.toString(), List.of("script.sh", "a1"), List.of());
        AddressSpace mm = t.mm();
        long sp = ((Rv64Context) t.context()).x[Rv64Context.SP];
        assertEquals(4, mm.read64(sp));
        assertEquals(interp.toString(), mm.readCString(mm.read64(sp + 8), 4096));
        assertEquals("-x  -y", mm.readCString(mm.read64(sp + 16), 4096), "one optional argument, inner blanks kept");
        assertEquals(script.toString(), mm.readCString(mm.read64(sp + 24), 4096));
        assertEquals("a1", mm.readCString(mm.read64(sp + 32), 4096));
    }

    /** Random corruption of the headers never escapes as anything but an exec error (or a successful load). */
    @Test
    void corruptedHeadersNeverThrowAnythingElse() throws Exception {
        Random r = new Random(42);
        for (int i = 0; i < 400; i++) {
            ByteBuffer b = minimalElf();
            int flips = 1 + r.nextInt(4);
            for (int k = 0; k < flips; k++) {
                b.put(r.nextInt(64 + 56), (byte) r.nextInt(256));
            }
            Path f = write(b);
            try {
                kernel().spawnInit(f.toString(), List.of("x"), List.of());
            } catch (Exec.ExecFormatException | ErrnoException expected) {
                // fine
            }
            Files.delete(f);
        }
    }
}
