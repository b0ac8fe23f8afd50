package dev.jkernel.loader;

import dev.jkernel.arch.Arch;
import dev.jkernel.mm.AddressSpace;

import dev.jkernel.fs.OpenFile;
import dev.jkernel.kernel.ErrnoException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The parts of an ELF64 file that exec needs, validated the way Linux's load_elf_binary validates them. Every check
 * that fails names what is wrong, so the CLI can print one useful line.
 */
final class ElfFile {
    static final int PHENT_SIZE = 56;
    private static final int ET_EXEC = 2, ET_DYN = 3;
    private static final int PT_LOAD = 1, PT_INTERP = 3, PT_PHDR = 6, PT_GNU_STACK = 0x6474e551;
    private static final int PF_X = 1, PF_W = 2, PF_R = 4;
    /** Linux refuses program header tables larger than 64 KiB. */
    private static final int MAX_PHDRS_SIZE = 65536;

    record Segment(long vaddr, long offset, long filesz, long memsz, int prot) {}

    final boolean isDyn;
    final long entry;
    final int phnum;
    /** Link-time address of the program headers in memory (AT_PHDR before the load bias), 0 if not loaded. */
    final long phdrVaddr;
    final List<Segment> loads;
    final long minVaddr, maxVaddr;
    final String interpreter;
    final boolean execStack;

    private ElfFile(boolean isDyn, long entry, int phnum, long phdrVaddr, List<Segment> loads, long minVaddr,
            long maxVaddr, String interpreter, boolean execStack) {
        this.isDyn = isDyn;
        this.entry = entry;
        this.phnum = phnum;
        this.phdrVaddr = phdrVaddr;
        this.loads = loads;
        this.minVaddr = minVaddr;
        this.maxVaddr = maxVaddr;
        this.interpreter = interpreter;
        this.execStack = execStack;
    }

    static ElfFile read(OpenFile ch, String what, Arch arch) throws ErrnoException, Exec.ExecFormatException {
        long size = ch.stat().size();
        byte[] hdr = new byte[64];
        int n = Exec.readFully(ch, 0, hdr);
        if (n < 4 || hdr[0] != 0x7f || hdr[1] != 'E' || hdr[2] != 'L' || hdr[3] != 'F') {
            throw new Exec.ExecFormatException(what + ": not an ELF file");
        }
        if (n < 64) {
            throw new Exec.ExecFormatException(what + ": truncated ELF header");
        }
        if (hdr[4] != 2) {
            throw new Exec.ExecFormatException(what + ": not a 64-bit ELF file");
        }
        if (hdr[5] != 1) {
            throw new Exec.ExecFormatException(what + ": not a little-endian ELF file");
        }
        if (hdr[6] != 1) {
            throw new Exec.ExecFormatException(what + ": unknown ELF version " + hdr[6]);
        }
        ByteBuffer h = ByteBuffer.wrap(hdr).order(ByteOrder.LITTLE_ENDIAN);
        int type = h.getShort(16) & 0xffff;
        int machine = h.getShort(18) & 0xffff;
        long entry = h.getLong(24);
        long phoff = h.getLong(32);
        int phentsize = h.getShort(54) & 0xffff;
        int phnum = h.getShort(56) & 0xffff;
        if (machine != arch.elfMachine()) {
            throw new Exec.ExecFormatException(what + ": ELF machine " + machine + " is not " + arch.name()
                    + " (" + arch.elfMachine() + ")");
        }
        if (type != ET_EXEC && type != ET_DYN) {
            throw new Exec.ExecFormatException(what + ": ELF type " + type + " is not an executable");
        }
        if (phentsize != PHENT_SIZE || phnum == 0 || (long) phnum * PHENT_SIZE > MAX_PHDRS_SIZE) {
            throw new Exec.ExecFormatException(what + ": bad program header table (" + phnum + " entries of "
                    + phentsize + " bytes)");
        }
        if (phoff < 0 || phoff + (long) phnum * PHENT_SIZE > size) {
            throw new Exec.ExecFormatException(what + ": truncated: program headers beyond end of file");
        }
        byte[] ph = new byte[phnum * PHENT_SIZE];
        Exec.readFully(ch, phoff, ph);
        ByteBuffer p = ByteBuffer.wrap(ph).order(ByteOrder.LITTLE_ENDIAN);

        List<Segment> loads = new ArrayList<>();
        String interp = null;
        boolean execStack = false;
        long phdrVaddr = 0;
        long min = Long.MAX_VALUE, max = 0, lastVaddr = -1;
        for (int i = 0; i < phnum; i++) {
            int o = i * PHENT_SIZE;
            int ptype = p.getInt(o);
            int pflags = p.getInt(o + 4);
            long offset = p.getLong(o + 8);
            long vaddr = p.getLong(o + 16);
            long filesz = p.getLong(o + 32);
            long memsz = p.getLong(o + 40);
            long align = p.getLong(o + 48);
            switch (ptype) {
                case PT_LOAD -> {
                    if (filesz < 0 || memsz < 0 || offset < 0 || filesz > memsz) {
                        throw new Exec.ExecFormatException(what + ": segment " + i + ": file size exceeds memory size");
                    }
                    if (offset + filesz > size || offset + filesz < offset) {
                        throw new Exec.ExecFormatException(what + ": truncated: segment " + i
                                + " extends beyond end of file");
                    }
                    if (((vaddr - offset) & AddressSpace.PAGE_MASK) != 0) {
                        throw new Exec.ExecFormatException(what + ": segment " + i
                                + ": address and file offset disagree modulo the page size");
                    }
                    if (vaddr < 0 || vaddr + memsz > AddressSpace.TASK_SIZE || vaddr + memsz < vaddr) {
                        throw new Exec.ExecFormatException(what + ": segment " + i + " lies outside user space");
                    }
                    if (vaddr < lastVaddr) {
                        throw new Exec.ExecFormatException(what + ": PT_LOAD segments are not sorted by address");
                    }
                    lastVaddr = vaddr;
                    if (memsz == 0) {
                        continue;
                    }
                    int prot = ((pflags & PF_R) != 0 ? AddressSpace.PROT_READ : 0)
                            | ((pflags & PF_W) != 0 ? AddressSpace.PROT_WRITE : 0)
                            | ((pflags & PF_X) != 0 ? AddressSpace.PROT_EXEC : 0);
                    loads.add(new Segment(vaddr, offset, filesz, memsz, prot));
                    min = Math.min(min, vaddr);
                    max = Math.max(max, vaddr + memsz);
                    if (offset <= phoff && phoff < offset + filesz) {
                        phdrVaddr = vaddr + (phoff - offset);
                    }
                }
                case PT_INTERP -> {
                    if (filesz < 2 || filesz > 4096 || offset + filesz > size) {
                        throw new Exec.ExecFormatException(what + ": bad PT_INTERP");
                    }
                    byte[] s = new byte[(int) filesz];
                    Exec.readFully(ch, offset, s);
                    if (s[s.length - 1] != 0) {
                        throw new Exec.ExecFormatException(what + ": PT_INTERP is not NUL-terminated");
                    }
                    interp = new String(s, 0, s.length - 1, StandardCharsets.UTF_8);
                }
                case PT_GNU_STACK -> execStack = (pflags & PF_X) != 0;
                case PT_PHDR -> {
                    // glibc reads it from memory itself; nothing for the kernel to do.
                }
                default -> {
                    // PT_TLS, PT_DYNAMIC, PT_NOTE, PT_GNU_*: user space's business.
                }
            }
            if (align < 0) {
                throw new Exec.ExecFormatException(what + ": segment " + i + ": bad alignment");
            }
        }
        if (loads.isEmpty()) {
            throw new Exec.ExecFormatException(what + ": no loadable segments");
        }
        if (type == ET_EXEC && (min & ~AddressSpace.PAGE_MASK) < AddressSpace.MMAP_MIN_ADDR) {
            throw new Exec.ExecFormatException(what + ": loads below the lowest mappable address");
        }
        return new ElfFile(type == ET_DYN, entry, phnum, phdrVaddr, loads, min, max, interp, execStack);
    }
}
