package dev.jkernel.arch.riscv64;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a vDSO: a small ELF64 little-endian shared object (ET_DYN) linked at address 0, whose code the kernel maps
 * into every process. It holds what a dynamic loader needs to look symbols up by name and version (glibc's
 * setup_vdso and dl_vdso_vsym, musl's vdso lookup): one R+X PT_LOAD covering headers, tables and code from offset 0;
 * PT_DYNAMIC with DT_SONAME, DT_HASH, DT_STRTAB, DT_SYMTAB, DT_STRSZ, DT_SYMENT, DT_VERSYM, DT_VERDEF and
 * DT_VERDEFNUM; global STT_FUNC symbols all of one version; optionally PT_NOTE; and section headers for tools.
 *
 * <p>File layout (every allocated offset equals its virtual address):
 * <pre>
 *   ELF header | program headers | .hash | .dynsym | .dynstr | .gnu.version | .gnu.version_d | .dynamic
 *   | .note (optional) | .text | .shstrtab | section headers
 * </pre>
 * The code of each function is given as instruction words and must be position-independent. A data page (vvar)
 * would later sit outside this image, at a fixed distance the code reaches PC-relatively; nothing here depends on
 * where the image is mapped.
 */
final class VdsoImageBuilder {
    /** The result: the file's bytes and, per symbol, its offset (= value) and size. */
    record Image(byte[] bytes, Map<String, Long> offsets, Map<String, Integer> sizes) {}

    private record Function(String name, int[] code) {}

    // ELF constants (the System V gABI and the GNU extensions).
    static final int ET_DYN = 3, EV_CURRENT = 1, ELFCLASS64 = 2, ELFDATA2LSB = 1;
    static final int PT_LOAD = 1, PT_DYNAMIC = 2, PT_NOTE = 4, PF_X = 1, PF_W = 2, PF_R = 4;
    static final int SHT_PROGBITS = 1, SHT_STRTAB = 3, SHT_HASH = 5, SHT_DYNAMIC = 6, SHT_NOTE = 7, SHT_DYNSYM = 11,
            SHT_GNU_VERDEF = 0x6ffffffd, SHT_GNU_VERSYM = 0x6fffffff;
    static final long SHF_ALLOC = 2, SHF_EXECINSTR = 4;
    static final long DT_NULL = 0, DT_HASH = 4, DT_STRTAB = 5, DT_SYMTAB = 6, DT_STRSZ = 10, DT_SYMENT = 11,
            DT_SONAME = 14, DT_VERSYM = 0x6ffffff0L, DT_VERDEF = 0x6ffffffcL, DT_VERDEFNUM = 0x6ffffffdL;
    static final int STB_GLOBAL = 1, STT_FUNC = 2, VER_FLG_BASE = 1;
    static final int EHDR_SIZE = 64, PHDR_SIZE = 56, SHDR_SIZE = 64, SYM_SIZE = 24, DYN_SIZE = 16;
    static final int VERDEF_SIZE = 20, VERDAUX_SIZE = 8;

    private final int machine;
    private final int flags;
    private final String soname;
    private final String version;
    private final List<Function> functions = new ArrayList<>();
    private String noteOwner;
    private int noteType;
    private byte[] noteDesc;

    VdsoImageBuilder(int machine, int flags, String soname, String version) {
        this.machine = machine;
        this.flags = flags;
        this.soname = soname;
        this.version = version;
    }

    /** Adds a global function of the image's version. */
    VdsoImageBuilder function(String name, int... code) {
        functions.add(new Function(name, code.clone()));
        return this;
    }

    /** Adds one note (Linux's vDSO has "Linux", type 0, the kernel's LINUX_VERSION_CODE as a 4-byte word). */
    VdsoImageBuilder note(String owner, int type, byte[] desc) {
        this.noteOwner = owner;
        this.noteType = type;
        this.noteDesc = desc.clone();
        return this;
    }

    /** The System V ABI's ELF hash (DT_HASH buckets, vd_hash of version definitions). */
    static long elfHash(String name) {
        long h = 0;
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            h = (h << 4) + (b & 0xff);
            long g = h & 0xf0000000L;
            if (g != 0) {
                h ^= g >>> 24;
            }
            h &= ~g;
        }
        return h & 0xffffffffL;
    }

    private static int align(int v, int a) {
        return (v + a - 1) & -a;
    }

    /** A string table under construction: offset 0 is the empty string. */
    private static final class Strtab {
        final java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        final Map<String, Integer> index = new LinkedHashMap<>();

        Strtab() {
            out.write(0);
        }

        int add(String s) {
            Integer at = index.get(s);
            if (at != null) {
                return at;
            }
            int off = out.size();
            out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
            out.write(0);
            index.put(s, off);
            return off;
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }

    Image build() {
        int nsym = functions.size() + 1; // index 0 is the undefined symbol
        boolean hasNote = noteOwner != null;
        int phnum = hasNote ? 3 : 2;

        Strtab dynstr = new Strtab();
        int sonameName = dynstr.add(soname);
        int versionName = dynstr.add(version);
        int[] symName = new int[nsym];
        for (int i = 1; i < nsym; i++) {
            symName[i] = dynstr.add(functions.get(i - 1).name());
        }
        byte[] dynstrBytes = dynstr.bytes();

        Strtab shstr = new Strtab();
        String[] names = hasNote
                ? new String[] {"", ".hash", ".dynsym", ".dynstr", ".gnu.version", ".gnu.version_d", ".dynamic",
                        ".note", ".text", ".shstrtab"}
                : new String[] {"", ".hash", ".dynsym", ".dynstr", ".gnu.version", ".gnu.version_d", ".dynamic",
                        ".text", ".shstrtab"};
        int[] shName = new int[names.length];
        for (int i = 1; i < names.length; i++) {
            shName[i] = shstr.add(names[i]);
        }
        byte[] shstrBytes = shstr.bytes();
        final int secHash = 1, secDynsym = 2, secDynstr = 3, secVersym = 4, secVerdef = 5, secDynamic = 6;
        final int secNote = hasNote ? 7 : -1, secText = hasNote ? 8 : 7, secShstr = secText + 1;

        // SysV hash table: nbucket, nchain, buckets, chains (one chain slot per symbol).
        int nbucket = Math.max(1, nsym / 2 | 1);
        int[] bucket = new int[nbucket];
        int[] chain = new int[nsym];
        for (int i = 1; i < nsym; i++) {
            int b = (int) (elfHash(functions.get(i - 1).name()) % nbucket);
            chain[i] = bucket[b];
            bucket[b] = i;
        }

        byte[] noteBytes = new byte[0];
        if (hasNote) {
            byte[] owner = (noteOwner + "\0").getBytes(StandardCharsets.UTF_8);
            ByteBuffer nb = ByteBuffer.allocate(12 + align(owner.length, 4) + align(noteDesc.length, 4))
                    .order(ByteOrder.LITTLE_ENDIAN);
            nb.putInt(owner.length).putInt(noteDesc.length).putInt(noteType);
            nb.put(owner).position(12 + align(owner.length, 4));
            nb.put(noteDesc);
            noteBytes = nb.array();
        }

        int ndyn = 10;
        int offHash = align(EHDR_SIZE + phnum * PHDR_SIZE, 8);
        int sizeHash = 4 * (2 + nbucket + nsym);
        int offDynsym = align(offHash + sizeHash, 8);
        int sizeDynsym = SYM_SIZE * nsym;
        int offDynstr = offDynsym + sizeDynsym;
        int offVersym = align(offDynstr + dynstrBytes.length, 2);
        int sizeVersym = 2 * nsym;
        int offVerdef = align(offVersym + sizeVersym, 8);
        int sizeVerdef = 2 * (VERDEF_SIZE + VERDAUX_SIZE);
        int offDynamic = align(offVerdef + sizeVerdef, 8);
        int sizeDynamic = DYN_SIZE * ndyn;
        int offNote = align(offDynamic + sizeDynamic, 4);
        int offText = align(offNote + noteBytes.length, 16);
        Map<String, Long> offsets = new LinkedHashMap<>();
        Map<String, Integer> sizes = new LinkedHashMap<>();
        int p = offText;
        for (Function f : functions) {
            p = align(p, 4);
            offsets.put(f.name(), (long) p);
            sizes.put(f.name(), 4 * f.code().length);
            p += 4 * f.code().length;
        }
        int endText = p;
        int offShstr = endText;
        int offShdrs = align(offShstr + shstrBytes.length, 8);
        int shnum = names.length;
        int total = offShdrs + shnum * SHDR_SIZE;

        ByteBuffer b = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
        // ELF header
        b.put(new byte[] {0x7f, 'E', 'L', 'F', ELFCLASS64, ELFDATA2LSB, EV_CURRENT, 0 /* ELFOSABI_NONE */});
        b.putShort(16, (short) ET_DYN);
        b.putShort(18, (short) machine);
        b.putInt(20, EV_CURRENT);
        b.putLong(24, offText); // e_entry: the start of .text, as ld leaves it without an entry symbol
        b.putLong(32, EHDR_SIZE);
        b.putLong(40, offShdrs);
        b.putInt(48, flags);
        b.putShort(52, (short) EHDR_SIZE);
        b.putShort(54, (short) PHDR_SIZE);
        b.putShort(56, (short) phnum);
        b.putShort(58, (short) SHDR_SIZE);
        b.putShort(60, (short) shnum);
        b.putShort(62, (short) secShstr);

        // Program headers. PT_DYNAMIC is read-only: the image is never relocated (glibc sets l_ld_readonly from it).
        int ph = EHDR_SIZE;
        phdr(b, ph, PT_LOAD, PF_R | PF_X, 0, endText, 0x1000);
        phdr(b, ph + PHDR_SIZE, PT_DYNAMIC, PF_R, offDynamic, sizeDynamic, 8);
        if (hasNote) {
            phdr(b, ph + 2 * PHDR_SIZE, PT_NOTE, PF_R, offNote, noteBytes.length, 4);
        }

        // .hash
        b.position(offHash);
        b.putInt(nbucket).putInt(nsym);
        for (int v : bucket) {
            b.putInt(v);
        }
        for (int v : chain) {
            b.putInt(v);
        }

        // .dynsym: entry 0 stays all zero.
        for (int i = 1; i < nsym; i++) {
            Function f = functions.get(i - 1);
            int s = offDynsym + i * SYM_SIZE;
            b.putInt(s, symName[i]);
            b.put(s + 4, (byte) (STB_GLOBAL << 4 | STT_FUNC));
            b.put(s + 5, (byte) 0); // STV_DEFAULT
            b.putShort(s + 6, (short) secText);
            b.putLong(s + 8, offsets.get(f.name()));
            b.putLong(s + 16, 4L * f.code().length);
        }

        b.put(offDynstr, dynstrBytes);

        // .gnu.version: 0 (local) for the undefined symbol, 2 (the version below) for every function.
        for (int i = 1; i < nsym; i++) {
            b.putShort(offVersym + 2 * i, (short) 2);
        }

        // .gnu.version_d: index 1 is the file itself (VER_FLG_BASE, named by its soname), index 2 the version.
        verdef(b, offVerdef, VER_FLG_BASE, 1, elfHash(soname), sonameName, VERDEF_SIZE + VERDAUX_SIZE);
        verdef(b, offVerdef + VERDEF_SIZE + VERDAUX_SIZE, 0, 2, elfHash(version), versionName, 0);

        // .dynamic
        b.position(offDynamic);
        long[][] dyn = {
            {DT_SONAME, sonameName}, {DT_HASH, offHash}, {DT_STRTAB, offDynstr}, {DT_SYMTAB, offDynsym},
            {DT_STRSZ, dynstrBytes.length}, {DT_SYMENT, SYM_SIZE}, {DT_VERSYM, offVersym}, {DT_VERDEF, offVerdef},
            {DT_VERDEFNUM, 2}, {DT_NULL, 0},
        };
        if (dyn.length != ndyn) {
            throw new IllegalStateException("dynamic section size");
        }
        for (long[] d : dyn) {
            b.putLong(d[0]).putLong(d[1]);
        }

        b.put(offNote, noteBytes);

        for (Function f : functions) {
            int at = offsets.get(f.name()).intValue();
            for (int insn : f.code()) {
                b.putInt(at, insn);
                at += 4;
            }
        }

        b.put(offShstr, shstrBytes);

        // Section headers.
        int sh = offShdrs;
        shdr(b, sh + secHash * SHDR_SIZE, shName[secHash], SHT_HASH, SHF_ALLOC, offHash, sizeHash, secDynsym, 0, 8,
                4);
        shdr(b, sh + secDynsym * SHDR_SIZE, shName[secDynsym], SHT_DYNSYM, SHF_ALLOC, offDynsym, sizeDynsym,
                secDynstr, 1 /* first global */, 8, SYM_SIZE);
        shdr(b, sh + secDynstr * SHDR_SIZE, shName[secDynstr], SHT_STRTAB, SHF_ALLOC, offDynstr,
                dynstrBytes.length, 0, 0, 1, 0);
        shdr(b, sh + secVersym * SHDR_SIZE, shName[secVersym], SHT_GNU_VERSYM, SHF_ALLOC, offVersym, sizeVersym,
                secDynsym, 0, 2, 2);
        shdr(b, sh + secVerdef * SHDR_SIZE, shName[secVerdef], SHT_GNU_VERDEF, SHF_ALLOC, offVerdef, sizeVerdef,
                secDynstr, 2 /* definitions */, 8, 0);
        shdr(b, sh + secDynamic * SHDR_SIZE, shName[secDynamic], SHT_DYNAMIC, SHF_ALLOC, offDynamic, sizeDynamic,
                secDynstr, 0, 8, DYN_SIZE);
        if (hasNote) {
            shdr(b, sh + secNote * SHDR_SIZE, shName[secNote], SHT_NOTE, SHF_ALLOC, offNote, noteBytes.length, 0, 0,
                    4, 0);
        }
        shdr(b, sh + secText * SHDR_SIZE, shName[secText], SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, offText,
                endText - offText, 0, 0, 16, 0);
        // .shstrtab is not loaded: address 0.
        b.putInt(sh + secShstr * SHDR_SIZE, shName[secShstr]);
        b.putInt(sh + secShstr * SHDR_SIZE + 4, SHT_STRTAB);
        b.putLong(sh + secShstr * SHDR_SIZE + 24, offShstr);
        b.putLong(sh + secShstr * SHDR_SIZE + 32, shstrBytes.length);
        b.putLong(sh + secShstr * SHDR_SIZE + 48, 1);

        return new Image(b.array(), Collections.unmodifiableMap(offsets), Collections.unmodifiableMap(sizes));
    }

    private static void phdr(ByteBuffer b, int at, int type, int flags, long off, long size, long align) {
        b.putInt(at, type);
        b.putInt(at + 4, flags);
        b.putLong(at + 8, off);      // p_offset
        b.putLong(at + 16, off);     // p_vaddr
        b.putLong(at + 24, off);     // p_paddr
        b.putLong(at + 32, size);    // p_filesz
        b.putLong(at + 40, size);    // p_memsz
        b.putLong(at + 48, align);
    }

    private static void verdef(ByteBuffer b, int at, int flags, int ndx, long hash, int name, int next) {
        b.putShort(at, (short) 1);  // vd_version
        b.putShort(at + 2, (short) flags);
        b.putShort(at + 4, (short) ndx);
        b.putShort(at + 6, (short) 1); // vd_cnt: one name
        b.putInt(at + 8, (int) hash);
        b.putInt(at + 12, VERDEF_SIZE); // vd_aux: the Verdaux follows
        b.putInt(at + 16, next);
        b.putInt(at + VERDEF_SIZE, name); // vda_name
        b.putInt(at + VERDEF_SIZE + 4, 0); // vda_next
    }

    private static void shdr(ByteBuffer b, int at, int name, int type, long flags, long off, long size, int link,
            int info, long align, long entsize) {
        b.putInt(at, name);
        b.putInt(at + 4, type);
        b.putLong(at + 8, flags);
        b.putLong(at + 16, off);     // sh_addr (= offset: linked at 0)
        b.putLong(at + 24, off);     // sh_offset
        b.putLong(at + 32, size);
        b.putInt(at + 40, link);
        b.putInt(at + 44, info);
        b.putLong(at + 48, align);
        b.putLong(at + 56, entsize);
    }
}
