package dev.jkernel.loader;

import dev.jkernel.arch.Arch;
import dev.jkernel.kernel.Errno;
import dev.jkernel.kernel.ErrnoException;
import dev.jkernel.kernel.Task;
import dev.jkernel.mm.AddressSpace;
import dev.jkernel.mm.GuestFault;
import dev.jkernel.mm.PageSource;

import dev.jkernel.fs.Node;
import dev.jkernel.fs.OpenFile;
import dev.jkernel.fs.Stat;
import dev.jkernel.fs.Vfs;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * execve(2): replaces a task's program with an ELF file (Linux's fs/exec.c and fs/binfmt_elf.c) or a {@code #!}
 * script (fs/binfmt_script.c). Everything that can fail is checked before the point of no return, so a failed exec
 * leaves the caller untouched, as on Linux.
 */
public final class Exec {
    private Exec() {}

    /** A file that is not a loadable program: the message says what is wrong; execve answers ENOEXEC. */
    public static final class ExecFormatException extends Exception {
        public ExecFormatException(String message) {
            super(message, null, false, false);
        }
    }

    /** MAX_ARG_STRLEN: the longest single argument or environment string. */
    static final int MAX_ARG_STRLEN = 32 * AddressSpace.PAGE_SIZE;
    /** Linux limits argv+envp to a quarter of the stack rlimit. */
    static final long MAX_ARG_TOTAL = AddressSpace.STACK_SIZE / 4;
    /** binfmt_script recursion limit (Linux allows 5 levels of interpreters). */
    private static final int MAX_SCRIPT_DEPTH = 5;

    // auxv keys (include/uapi/linux/auxvec.h, arch/riscv/include/uapi/asm/auxvec.h).
    static final int AT_NULL = 0, AT_PHDR = 3, AT_PHENT = 4, AT_PHNUM = 5, AT_PAGESZ = 6, AT_BASE = 7, AT_FLAGS = 8,
            AT_ENTRY = 9, AT_UID = 11, AT_EUID = 12, AT_GID = 13, AT_EGID = 14, AT_PLATFORM = 15, AT_HWCAP = 16,
            AT_CLKTCK = 17, AT_SECURE = 23, AT_RANDOM = 25, AT_RSEQ_FEATURE_SIZE = 27, AT_RSEQ_ALIGN = 28,
            AT_EXECFN = 31, AT_SYSINFO_EHDR = 33, AT_MINSIGSTKSZ = 51;

    private static final int X_OK = 1;

    /**
     * Loads {@code path} into a fresh address space and points the task at its entry. On failure the task is
     * unchanged.
     */
    public static void execve(Task t, String path, List<String> argv, List<String> envp)
            throws ErrnoException, ExecFormatException {
        execve(t, path, new ArrayList<>(argv), envp, path, 0);
    }

    /** As above, with the name AT_EXECFN shows (execveat passes "/dev/fd/N"). */
    public static void execve(Task t, String path, List<String> argv, List<String> envp, String execfn)
            throws ErrnoException, ExecFormatException {
        execve(t, path, new ArrayList<>(argv), envp, execfn, 0);
    }

    private static void execve(Task t, String path, List<String> argv, List<String> envp, String execfn, int depth)
            throws ErrnoException, ExecFormatException {
        checkArgs(argv, envp);
        OpenFile file = openExec(t, path);
        try {
            byte[] head = new byte[256];
            int n = readFully(file, 0, head);
            if (n >= 2 && head[0] == '#' && head[1] == '!') {
                if (depth >= MAX_SCRIPT_DEPTH) {
                    throw new ErrnoException(Errno.ELOOP);
                }
                Script s = Script.parse(head, n);
                if (s == null) {
                    throw new ExecFormatException(path + ": bad #! line");
                }
                // argv becomes: interpreter [optional-arg] script-path original-argv[1..]
                List<String> next = new ArrayList<>();
                next.add(s.interpreter());
                if (s.arg() != null) {
                    next.add(s.arg());
                }
                next.add(path);
                next.addAll(argv.subList(Math.min(1, argv.size()), argv.size()));
                execve(t, s.interpreter(), next, envp, execfn, depth + 1);
                return;
            }
            ElfFile elf = ElfFile.read(file, path, t.kernel().arch());
            ElfFile interp = null;
            OpenFile interpFile = null;
            try {
                if (elf.interpreter != null) {
                    interpFile = openExec(t, elf.interpreter);
                    interp = ElfFile.read(interpFile, elf.interpreter, t.kernel().arch());
                    if (interp.interpreter != null) {
                        throw new ExecFormatException(elf.interpreter + ": the interpreter has an interpreter");
                    }
                }
                load(t, path, file, elf, interpFile, interp, argv, envp, execfn);
            } finally {
                if (interpFile != null) {
                    interpFile.decRef();
                }
            }
        } finally {
            file.decRef();
        }
    }

    /**
     * Opens a program for execution, as Linux's open_exec: through the VFS (so --root, --sysroot and /proc/self/exe
     * apply), a regular file with execute permission, else EACCES.
     */
    private static OpenFile openExec(Task t, String path) throws ErrnoException {
        Vfs vfs = t.kernel().vfs();
        Vfs.checkPath(path);
        Node start = path.startsWith("/") ? null : vfs.cwdNode(t, t.fs());
        Node node = vfs.lookup(t, start, path, true);
        if (!node.exists()) {
            throw new ErrnoException(Errno.ENOENT);
        }
        Stat st = node.stat(t);
        if (st.type() != Stat.S_IFREG || (st.mode() & 0111) == 0) {
            throw new ErrnoException(Errno.EACCES);
        }
        node.checkAccess(t, X_OK);
        return node.open(t, OpenFile.O_RDONLY | OpenFile.FMODE_EXEC);
    }

    private static void checkArgs(List<String> argv, List<String> envp) throws ErrnoException {
        long total = 0;
        for (List<String> l : List.of(argv, envp)) {
            for (String s : l) {
                int len = s.getBytes(StandardCharsets.UTF_8).length + 1;
                if (len > MAX_ARG_STRLEN) {
                    throw new ErrnoException(Errno.E2BIG);
                }
                total += len + 8;
            }
        }
        if (total > MAX_ARG_TOTAL) {
            throw new ErrnoException(Errno.E2BIG);
        }
    }

    /** Reads up to buf.length bytes at pos; returns how many there were. */
    static int readFully(OpenFile f, long pos, byte[] buf) throws ErrnoException {
        int done = 0;
        while (done < buf.length) {
            int r = f.read(buf, done, buf.length - done, pos + done);
            if (r <= 0) {
                break;
            }
            done += r;
        }
        return done;
    }

    /** A {@code #!} line: interpreter and at most one argument (Linux keeps the rest of the line as that one). */
    record Script(String interpreter, String arg) {
        static Script parse(byte[] head, int n) {
            int end = 2;
            while (end < n && head[end] != '\n') {
                end++;
            }
            String line = new String(head, 2, end - 2, StandardCharsets.UTF_8).strip();
            if (line.isEmpty()) {
                return null;
            }
            int sp = 0;
            while (sp < line.length() && line.charAt(sp) != ' ' && line.charAt(sp) != '\t') {
                sp++;
            }
            String rest = line.substring(sp).strip();
            return new Script(line.substring(0, sp), rest.isEmpty() ? null : rest);
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Past this point exec cannot fail for reasons of the file: build the new address space and stack.
    // ------------------------------------------------------------------------------------------------------------

    private static void load(Task t, String path, OpenFile file, ElfFile elf, OpenFile interpFile, ElfFile interp,
            List<String> argv, List<String> envp, String execfn) throws ErrnoException, ExecFormatException {
        AddressSpace mm = new AddressSpace(t.kernel().memory());
        boolean installed = false;
        try {
            load(t, mm, path, file, elf, interpFile, interp, argv, envp, execfn);
            installed = true;
        } finally {
            if (!installed) {
                mm.release(); // whatever the new image had been charged goes back
            }
        }
    }

    private static void load(Task t, AddressSpace mm, String path, OpenFile file, ElfFile elf, OpenFile interpFile,
            ElfFile interp, List<String> argv, List<String> envp, String execfn) throws ErrnoException,
            ExecFormatException {
        Arch arch = t.kernel().arch();
        long bias = mapImage(mm, file, elf, elf.isDyn ? AddressSpace.ET_DYN_BASE : 0);
        long entry = elf.entry + bias;
        long interpBase = 0;
        long startPc = entry;
        if (interp != null) {
            interpBase = mapImage(mm, interpFile, interp, 0);
            startPc = interp.entry + interpBase;
        }
        long vdsoBase = mapVdso(mm, arch);
        mm.initBrk(elf.maxVaddr + bias);
        int stackProt = AddressSpace.PROT_READ | AddressSpace.PROT_WRITE | (elf.execStack ? AddressSpace.PROT_EXEC : 0);
        long stackLow = AddressSpace.STACK_TOP - AddressSpace.STACK_SIZE;
        mm.mmap(stackLow, AddressSpace.STACK_SIZE, stackProt,
                AddressSpace.MAP_PRIVATE | AddressSpace.MAP_ANONYMOUS | AddressSpace.MAP_FIXED, null, 0, "[stack]");
        long phdrAddr = elf.phdrVaddr + bias;

        long sp;
        try {
            sp = buildStack(mm, t, arch, argv, envp, execfn, phdrAddr, elf.phnum, interpBase, entry, vdsoBase);
        } catch (GuestFault f) {
            throw new ErrnoException(Errno.E2BIG);
        }

        // The point of no return (Linux's begin_new_exec).
        mm.setExe(file.node() != null ? file.node().guest : file.guestPath(), file.node());
        mm.setVdsoBase(vdsoBase);
        if (vdsoBase != 0) {
            // riscv ignores SA_RESTORER: every handler returns through the vDSO's rt_sigreturn.
            mm.setSigreturnTrampoline(vdsoBase + arch.vdsoSymbol("__vdso_rt_sigreturn"));
        }
        if (!t.beginNewExec(mm)) {
            throw new ErrnoException(Errno.EINTR); // the caller releases mm
        }
        String base = path.substring(path.lastIndexOf('/') + 1);
        t.comm = base.length() > 15 ? base.substring(0, 15) : base;
        arch.startThread(t.context(), startPc, sp);
    }

    /**
     * Maps every PT_LOAD of {@code elf}. For ET_DYN the whole span is reserved first, at {@code base} if given (the
     * main program) or wherever mmap finds room (an interpreter). Returns the load bias.
     */
    private static long mapImage(AddressSpace mm, OpenFile file, ElfFile elf, long base) throws ErrnoException {
        long bias = 0;
        long lo = elf.minVaddr & ~AddressSpace.PAGE_MASK;
        long span = AddressSpace.pageAlignUp(elf.maxVaddr) - lo;
        if (elf.isDyn) {
            int flags = AddressSpace.MAP_PRIVATE | AddressSpace.MAP_ANONYMOUS | (base != 0 ? AddressSpace.MAP_FIXED : 0);
            long at = mm.mmap(base, span, AddressSpace.PROT_NONE, flags, null, 0, null);
            if (Errno.isError(at)) {
                throw new ErrnoException(Errno.ENOMEM);
            }
            bias = at - lo;
        }
        PageSource source = file.pageSource();
        if (source == null) {
            throw new ErrnoException(Errno.ENODEV);
        }
        for (ElfFile.Segment s : elf.loads) {
            long vaddr = s.vaddr() + bias;
            long pageStart = vaddr & ~AddressSpace.PAGE_MASK;
            long fileEnd = vaddr + s.filesz();
            long memEnd = vaddr + s.memsz();
            long fixed = AddressSpace.MAP_PRIVATE | AddressSpace.MAP_FIXED;
            if (s.filesz() > 0) {
                long off = s.offset() - (vaddr - pageStart);
                long r = mm.mmap(pageStart, fileEnd - pageStart, s.prot(), (int) fixed, source, off, null);
                if (Errno.isError(r)) {
                    throw new ErrnoException((int) -r);
                }
                // Linux's padzero: the rest of the last file page belongs to .bss and must read as zero.
                long pageEnd = AddressSpace.pageAlignUp(fileEnd);
                long zeroEnd = Math.min(pageEnd, Math.max(memEnd, fileEnd));
                if (zeroEnd > fileEnd && (fileEnd & AddressSpace.PAGE_MASK) != 0) {
                    zero(mm, fileEnd, pageEnd - fileEnd);
                }
            }
            long anonStart = AddressSpace.pageAlignUp(s.filesz() > 0 ? fileEnd : pageStart);
            long anonEnd = AddressSpace.pageAlignUp(memEnd);
            if (anonEnd > anonStart) {
                long r = mm.mmap(anonStart, anonEnd - anonStart, s.prot(),
                        (int) (fixed | AddressSpace.MAP_ANONYMOUS), null, 0, null);
                if (Errno.isError(r)) {
                    throw new ErrnoException((int) -r);
                }
            }
        }
        return bias;
    }

    /**
     * Maps the architecture's vDSO read+exec where mmap finds room (Linux's arch_setup_additional_pages, after the
     * interpreter), named "[vdso]". Returns its address, or 0 when the architecture has none.
     */
    private static long mapVdso(AddressSpace mm, Arch arch) throws ErrnoException {
        byte[] image = arch.vdsoImage();
        if (image == null) {
            return 0;
        }
        PageSource source = new PageSource() {
            @Override
            public int fill(long fileOffset, byte[] dst, int dstOff, int len) {
                if (fileOffset >= image.length) {
                    return 0;
                }
                int n = (int) Math.min(len, image.length - fileOffset);
                System.arraycopy(image, (int) fileOffset, dst, dstOff, n);
                return n;
            }

            @Override
            public String name() {
                return "[vdso]";
            }
        };
        long at = mm.mmap(0, image.length, AddressSpace.PROT_READ | AddressSpace.PROT_EXEC, AddressSpace.MAP_PRIVATE,
                source, 0, "[vdso]");
        if (Errno.isError(at)) {
            throw new ErrnoException(Errno.ENOMEM);
        }
        return at;
    }

    private static void zero(AddressSpace mm, long addr, long len) throws ErrnoException {
        try {
            mm.poke(addr, new byte[(int) len], 0, (int) len);
        } catch (GuestFault f) {
            throw new ErrnoException(Errno.EFAULT);
        }
    }

    /**
     * Builds the initial stack as Linux's create_elf_tables does. From the top: an 8-byte end marker, the file name
     * (AT_EXECFN), the environment strings, the argument strings, then (16-byte aligned) the AT_RANDOM bytes, and
     * below them argc, argv[], NULL, envp[], NULL, auxv pairs, AT_NULL with sp 16-byte aligned.
     */
    private static long buildStack(AddressSpace mm, Task t, Arch arch, List<String> argv, List<String> envp,
            String execfn, long phdr, int phnum, long interpBase, long entry, long vdsoBase) throws GuestFault {
        long p = AddressSpace.STACK_TOP - 8;
        p = pushString(mm, p, execfn);
        long execfnAddr = p;
        long[] envAddrs = new long[envp.size()];
        for (int i = envp.size() - 1; i >= 0; i--) {
            p = pushString(mm, p, envp.get(i));
            envAddrs[i] = p;
        }
        long[] argAddrs = new long[argv.size()];
        for (int i = argv.size() - 1; i >= 0; i--) {
            p = pushString(mm, p, argv.get(i));
            argAddrs[i] = p;
        }
        p &= ~0xfL;
        long platformAddr = 0;
        if (arch.platform() != null) {
            p = pushString(mm, p, arch.platform());
            platformAddr = p;
            p &= ~0xfL;
        }
        byte[] rnd = new byte[16];
        t.kernel().entropy(rnd);
        p -= 16;
        mm.write(p, rnd);
        long randomAddr = p;

        List<long[]> aux = new ArrayList<>();
        // riscv's ARCH_DLINFO comes first: AT_SYSINFO_EHDR, (no cache geometry entries), AT_MINSIGSTKSZ.
        if (vdsoBase != 0) {
            aux.add(new long[] {AT_SYSINFO_EHDR, vdsoBase});
        }
        aux.add(new long[] {AT_MINSIGSTKSZ, arch.minSigStackSize()});
        aux.add(new long[] {AT_HWCAP, arch.hwcap()});
        aux.add(new long[] {AT_PAGESZ, AddressSpace.PAGE_SIZE});
        aux.add(new long[] {AT_CLKTCK, 100});
        aux.add(new long[] {AT_PHDR, phdr});
        aux.add(new long[] {AT_PHENT, ElfFile.PHENT_SIZE});
        aux.add(new long[] {AT_PHNUM, phnum});
        aux.add(new long[] {AT_BASE, interpBase});
        aux.add(new long[] {AT_FLAGS, 0});
        aux.add(new long[] {AT_ENTRY, entry});
        aux.add(new long[] {AT_UID, t.uid});
        aux.add(new long[] {AT_EUID, t.uid});
        aux.add(new long[] {AT_GID, t.gid});
        aux.add(new long[] {AT_EGID, t.gid});
        aux.add(new long[] {AT_SECURE, 0});
        aux.add(new long[] {AT_RANDOM, randomAddr});
        aux.add(new long[] {AT_EXECFN, execfnAddr});
        aux.add(new long[] {AT_RSEQ_FEATURE_SIZE, dev.jkernel.kernel.Rseq.FEATURE_SIZE});
        aux.add(new long[] {AT_RSEQ_ALIGN, dev.jkernel.kernel.Rseq.ALIGN});
        if (platformAddr != 0) {
            aux.add(new long[] {AT_PLATFORM, platformAddr});
        }
        aux.add(new long[] {AT_NULL, 0});

        long words = 1 + argv.size() + 1 + envp.size() + 1 + 2L * aux.size();
        long sp = (p - words * 8) & ~0xfL;
        long q = sp;
        q = put(mm, q, argv.size());
        for (long a : argAddrs) {
            q = put(mm, q, a);
        }
        q = put(mm, q, 0);
        for (long e : envAddrs) {
            q = put(mm, q, e);
        }
        q = put(mm, q, 0);
        for (long[] kv : aux) {
            q = put(mm, q, kv[0]);
            q = put(mm, q, kv[1]);
        }
        return sp;
    }

    private static long pushString(AddressSpace mm, long p, String s) throws GuestFault {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        p -= b.length + 1;
        mm.write(p, b);
        mm.write(p + b.length, new byte[1]);
        return p;
    }

    private static long put(AddressSpace mm, long q, long v) throws GuestFault {
        mm.write64(q, v);
        return q + 8;
    }
}
