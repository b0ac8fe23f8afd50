package dev.jkernel.arch.riscv64;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static dev.jkernel.arch.riscv64.Rv64Op.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The generated vDSO, read back the way a dynamic loader reads it (glibc's setup_vdso and dl_vdso_vsym: program
 * headers, dynamic section, SysV hash lookup, symbol versions), its code decoded by the interpreter's decoder, and,
 * when binutils for riscv64 are installed, readelf's and objdump's view of it.
 */
class Rv64VdsoTest {
    @TempDir
    Path dir;

    private final byte[] image = Rv64Vdso.image();
    private final ByteBuffer b = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);

    /** glibc's VDSO_HASH for riscv: the ELF hash of "LINUX_4.15". */
    private static final long VDSO_HASH = 182943605;

    private String cstring(long at) {
        int end = (int) at;
        while (image[end] != 0) {
            end++;
        }
        return new String(image, (int) at, end - (int) at, StandardCharsets.UTF_8);
    }

    private Map<Long, Long> dynamic() {
        long dyn = -1;
        int phnum = b.getShort(56);
        for (int i = 0; i < phnum; i++) {
            int ph = (int) b.getLong(32) + i * 56;
            if (b.getInt(ph) == 2) {
                dyn = b.getLong(ph + 16);
            }
        }
        assertNotEquals(-1, dyn, "PT_DYNAMIC");
        Map<Long, Long> m = new HashMap<>();
        for (int at = (int) dyn; ; at += 16) {
            long tag = b.getLong(at);
            if (tag == 0) {
                return m;
            }
            assertNull(m.put(tag, b.getLong(at + 8)), "tag " + tag + " once");
        }
    }

    @Test
    void elfHeaderDescribesAnRv64SharedObject() {
        assertArrayEquals(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0}, java.util.Arrays.copyOf(image, 8));
        assertEquals(3, b.getShort(16), "ET_DYN");
        assertEquals(243, b.getShort(18), "EM_RISCV");
        assertEquals(1, b.getInt(20));
        assertEquals(0x5, b.getInt(48), "EF_RISCV_RVC | EF_RISCV_FLOAT_ABI_DOUBLE");
        assertEquals(64, b.getShort(52));
        assertEquals(56, b.getShort(54));
        assertEquals(64, b.getShort(58));
        assertTrue(image.length <= 4096, "fits one page");
    }

    @Test
    void oneReadExecLoadAtZeroCoversAllTablesAndCode() {
        int phnum = b.getShort(56);
        int loads = 0;
        for (int i = 0; i < phnum; i++) {
            int ph = (int) b.getLong(32) + i * 56;
            int type = b.getInt(ph);
            assertNotEquals(7, type, "no PT_TLS (glibc asserts)");
            if (type == 1) {
                loads++;
                assertEquals(4 | 1, b.getInt(ph + 4), "R+X");
                assertEquals(0, b.getLong(ph + 8), "p_offset");
                assertEquals(0, b.getLong(ph + 16), "p_vaddr: glibc's l_addr = base - p_vaddr");
                assertEquals(b.getLong(ph + 32), b.getLong(ph + 40), "no bss");
                for (String s : Rv64Vdso.SYMBOLS) {
                    assertTrue(Rv64Vdso.symbol(s) + 8 <= b.getLong(ph + 32), s + " inside the load");
                }
            }
            if (type == 2) {
                assertEquals(0, b.getInt(ph + 4) & 2, "PT_DYNAMIC read-only: glibc then never writes it");
            }
        }
        assertEquals(1, loads);
    }

    @Test
    void everySymbolResolvesByHashAndVersionAsGlibcLooksItUp() {
        assertEquals(VDSO_HASH, VdsoImageBuilder.elfHash(Rv64Vdso.VERSION));
        Map<Long, Long> d = dynamic();
        for (long tag : new long[] {4, 5, 6, 10, 11, 14, 0x6ffffff0L, 0x6ffffffcL, 0x6ffffffdL}) {
            assertTrue(d.containsKey(tag), "dynamic tag 0x" + Long.toHexString(tag));
        }
        long strtab = d.get(5L), symtab = d.get(6L), hash = d.get(4L), versym = d.get(0x6ffffff0L);
        assertEquals(24, d.get(11L));
        assertEquals("linux-vdso.so.1", cstring(strtab + d.get(14L)));

        // Version definitions: index -> (name, hash), as glibc's _dl_check_map_versions records them.
        Map<Integer, String> verName = new HashMap<>();
        Map<Integer, Long> verHash = new HashMap<>();
        long vd = d.get(0x6ffffffcL);
        for (int i = 0; i < d.get(0x6ffffffdL); i++) {
            assertEquals(1, b.getShort((int) vd), "vd_version");
            int ndx = b.getShort((int) vd + 4) & 0x7fff;
            long aux = vd + b.getInt((int) vd + 12);
            verName.put(ndx, cstring(strtab + b.getInt((int) aux)));
            verHash.put(ndx, b.getInt((int) vd + 8) & 0xffffffffL);
            assertEquals(VdsoImageBuilder.elfHash(verName.get(ndx)), verHash.get(ndx));
            int next = b.getInt((int) vd + 16);
            if (next == 0) {
                assertEquals(d.get(0x6ffffffdL), i + 1, "DT_VERDEFNUM");
                break;
            }
            vd += next;
        }
        assertEquals("linux-vdso.so.1", verName.get(1));

        int nbucket = b.getInt((int) hash), nchain = b.getInt((int) hash + 4);
        assertEquals(Rv64Vdso.SYMBOLS.size() + 1, nchain);
        for (String name : Rv64Vdso.SYMBOLS) {
            int idx = b.getInt((int) hash + 8 + 4 * (int) (VdsoImageBuilder.elfHash(name) % nbucket));
            int found = -1;
            for (; idx != 0; idx = b.getInt((int) hash + 8 + 4 * nbucket + 4 * idx)) {
                if (cstring(strtab + b.getInt((int) symtab + 24 * idx)).equals(name)) {
                    found = idx;
                    break;
                }
            }
            assertNotEquals(-1, found, name + " found through DT_HASH");
            int sym = (int) symtab + 24 * found;
            assertEquals(0x12, b.get(sym + 4), name + ": STB_GLOBAL, STT_FUNC");
            assertEquals(0, b.get(sym + 5), name + ": STV_DEFAULT");
            assertNotEquals(0, b.getShort(sym + 6), name + ": defined");
            assertEquals(Rv64Vdso.symbol(name), b.getLong(sym + 8), name + ": value");
            int ver = b.getShort((int) versym + 2 * found);
            assertEquals(0, ver & 0x8000, name + " not hidden");
            assertEquals(Rv64Vdso.VERSION, verName.get(ver), name + " version");
            assertEquals(VDSO_HASH, verHash.get(ver));
        }
        assertEquals(-1, Rv64Vdso.symbol("__vdso_time"), "riscv has no __vdso_time");
        assertEquals(Rv64Vdso.symbol(Rv64Vdso.RT_SIGRETURN), Rv64Vdso.rtSigreturnOffset());
    }

    private void assertDecodes(long off, int op, int rd, int rs1, long imm) {
        Rv64Decoder dec = new Rv64Decoder();
        dec.decode32(b.getInt((int) off), off);
        assertEquals(op, op(dec.w), "op at 0x" + Long.toHexString(off));
        if (op != ECALL) {
            assertEquals(rd, rd(dec.w));
            assertEquals(rs1, rs1(dec.w));
            assertEquals(imm, dec.imm);
        }
    }

    @Test
    void codeIsTheSyscallItStandsFor() {
        long sigret = Rv64Vdso.rtSigreturnOffset();
        // The exact words libgcc's and gdb's riscv64 Linux unwinders match to recognise a signal frame.
        assertEquals(0x08b00893, b.getInt((int) sigret), "li a7, 139");
        assertEquals(0x00000073, b.getInt((int) sigret + 4), "ecall");
        assertDecodes(sigret, LI, 17, 0, 139); // the decoder's form of addi a7, x0, 139
        assertDecodes(sigret + 4, ECALL, 0, 0, 0);
        Map<String, Integer> nr = Map.of(Rv64Vdso.GETTIMEOFDAY, 169, Rv64Vdso.CLOCK_GETTIME, 113,
                Rv64Vdso.CLOCK_GETRES, 114, Rv64Vdso.GETCPU, 168, Rv64Vdso.FLUSH_ICACHE, 259,
                Rv64Vdso.RISCV_HWPROBE, 258);
        assertEquals(Rv64Vdso.SYMBOLS.size() - 1, nr.size());
        for (Map.Entry<String, Integer> e : nr.entrySet()) {
            long at = Rv64Vdso.symbol(e.getKey());
            assertEquals(0, at & 3, e.getKey() + " aligned");
            assertDecodes(at, LI, 17, 0, e.getValue());
            assertDecodes(at + 4, ECALL, 0, 0, 0);
            Rv64Decoder dec = new Rv64Decoder();
            dec.decode32(b.getInt((int) at + 8), at + 8);
            assertEquals(0x00008067, b.getInt((int) at + 8), e.getKey() + ": ret");
            assertTrue(op(dec.w) == JR || op(dec.w) == JALR, "ret decodes as a jump through ra");
        }
    }

    @Test
    void imageIsACopyAndStable() {
        byte[] a = Rv64Vdso.image();
        a[0] = 0;
        assertEquals(0x7f, Rv64Vdso.image()[0]);
        assertEquals(Rv64Vdso.imageSize(), a.length);
    }

    @Test
    void linuxVersionNoteMatchesUname() {
        assertEquals(6 << 16 | 12 << 8, Rv64Vdso.versionCode("6.12.0-jkernel"));
        assertEquals(4 << 16 | 15 << 8 | 255, Rv64Vdso.versionCode("4.15.300"));
        int phnum = b.getShort(56);
        boolean seen = false;
        for (int i = 0; i < phnum; i++) {
            int ph = (int) b.getLong(32) + i * 56;
            if (b.getInt(ph) == 4) {
                int n = (int) b.getLong(ph + 8);
                assertEquals(6, b.getInt(n));
                assertEquals(4, b.getInt(n + 4));
                assertEquals(0, b.getInt(n + 8));
                assertEquals("Linux", cstring(n + 12));
                assertEquals(Rv64Vdso.versionCode(dev.jkernel.syscall.ProcessSyscalls.UTS_RELEASE),
                        b.getInt(n + 20));
                seen = true;
            }
        }
        assertTrue(seen, "PT_NOTE");
    }

    private record Tool(int status, String out, String err) {}

    private Tool tool(String... cmd) throws Exception {
        Process p;
        try {
            p = new ProcessBuilder(cmd).start();
        } catch (java.io.IOException e) {
            Assumptions.abort(cmd[0] + " is not installed");
            throw e;
        }
        p.getOutputStream().close();
        var out = p.getInputStream().readAllBytes();
        var err = p.getErrorStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return new Tool(p.exitValue(), new String(out, StandardCharsets.UTF_8),
                new String(err, StandardCharsets.UTF_8));
    }

    @Test
    void readelfSeesVersionedSymbolsWithoutComplaint() throws Exception {
        Path f = dir.resolve("vdso.so");
        Files.write(f, image);
        Tool r = tool("riscv64-linux-gnu-readelf", "-a", "-W", "--dyn-syms", "-V", f.toString());
        assertEquals(0, r.status());
        assertEquals("", r.err(), "readelf warnings");
        assertFalse(r.out().toLowerCase().contains("warning"), r.out());
        assertTrue(r.out().contains("DYN (Shared object file)"), r.out());
        assertTrue(r.out().contains("Library soname: [linux-vdso.so.1]"), r.out());
        for (String s : Rv64Vdso.SYMBOLS) {
            assertTrue(r.out().contains(String.format("%016x", Rv64Vdso.symbol(s)) + " ")
                    && r.out().contains(s + "@@LINUX_4.15"), s + " in\n" + r.out());
        }
        assertTrue(r.out().contains("Flags: BASE  Index: 1  Cnt: 1  Name: linux-vdso.so.1"), r.out());
        assertTrue(r.out().contains("Flags: none  Index: 2  Cnt: 1  Name: LINUX_4.15"), r.out());

        Tool d = tool("riscv64-linux-gnu-objdump", "-d", f.toString());
        assertEquals(0, d.status());
        assertEquals("", d.err());
        List<String> lines = new ArrayList<>(d.out().lines().map(String::strip).toList());
        int at = lines.indexOf(String.format("%016x <__vdso_rt_sigreturn@@LINUX_4.15>:",
                Rv64Vdso.rtSigreturnOffset()));
        assertTrue(at >= 0, d.out());
        assertTrue(lines.get(at + 1).matches(".*08b00893\\s+li\\s+a7,139"), lines.get(at + 1));
        assertTrue(lines.get(at + 2).matches(".*00000073\\s+ecall"), lines.get(at + 2));
        int cg = lines.indexOf(String.format("%016x <__vdso_clock_gettime@@LINUX_4.15>:",
                Rv64Vdso.symbol(Rv64Vdso.CLOCK_GETTIME)));
        assertTrue(lines.get(cg + 1).matches(".*li\\s+a7,113"), lines.get(cg + 1));
        assertTrue(lines.get(cg + 2).matches(".*ecall"), lines.get(cg + 2));
        assertTrue(lines.get(cg + 3).matches(".*ret"), lines.get(cg + 3));
    }
}
