package dev.jkernel.syscall;

import dev.jkernel.fs.OpenFile;
import dev.jkernel.kernel.Errno;
import dev.jkernel.kernel.Task;
import dev.jkernel.mm.AddressSpace;
import dev.jkernel.mm.GuestFault;
import dev.jkernel.mm.PageSource;

import static dev.jkernel.syscall.SyscallTable.Status.FULL;
import static dev.jkernel.syscall.SyscallTable.Status.PARTIAL;

/** Memory-management syscalls (Linux's mm/mmap.c, mm/mprotect.c, mm/mremap.c, mm/madvise.c). */
public final class MemorySyscalls implements SyscallTable.Family {
    private static final int O_ACCMODE = 3, O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_PATH = 0x200000;

    @Override
    public void register(SyscallTable.Builder b) {
        b.add("brk", (t, a0, a1, a2, a3, a4, a5) -> t.mm().brk(a0), FULL, "ptr",
                "no randomisation of the heap start; RLIMIT_DATA not enforced");
        b.add("mmap", MemorySyscalls::mmap, PARTIAL, "ptr size prot mapflags fd hex",
                "anonymous and file-backed private mappings; shared anonymous; shared mappings of tmpfs files share "
                        + "the file's pages; writable shared mappings of host files answer ENODEV (no write-back yet); "
                        + "pages of a file mapping are read on first touch");
        b.add("munmap", (t, a0, a1, a2, a3, a4, a5) -> t.mm().munmap(a0, a1), FULL, "ptr size");
        b.add("mprotect", (t, a0, a1, a2, a3, a4, a5) -> t.mm().mprotect(a0, a1, (int) a2), FULL, "ptr size prot");
        b.add("mremap", (t, a0, a1, a2, a3, a4, a5) -> t.mm().mremap(a0, a1, a2, (int) a3, a4), FULL,
                "ptr size size hex ptr");
        b.add("madvise", MemorySyscalls::madvise, FULL, "ptr size int",
                "MADV_DONTNEED/MADV_FREE drop private pages; DONTFORK/DOFORK/WIPEONFORK/KEEPONFORK act on fork; other advice is accepted and has no effect");
        b.add("mincore", MemorySyscalls::mincore, PARTIAL, "ptr size ptr",
                "a page is resident when this address space's page table has it (touched since mapped); pages of "
                        + "a file that only the page cache holds count as not resident");
        b.add("msync", MemorySyscalls::msync, PARTIAL, "ptr size hex",
                "nothing to write back: shared mappings of tmpfs files are the file's pages, of host files read-only");
        b.add("mlock", (t, a0, a1, a2, a3, a4, a5) -> lockRange(t, a0, a1), FULL, "ptr size",
                "all guest memory is resident: succeeds when the range is mapped");
        b.add("mlock2", (t, a0, a1, a2, a3, a4, a5) -> (a2 & ~1L) != 0 ? -Errno.EINVAL : lockRange(t, a0, a1),
                FULL, "ptr size hex");
        b.add("munlock", (t, a0, a1, a2, a3, a4, a5) -> lockRange(t, a0, a1), FULL, "ptr size");
        b.add("mlockall", (t, a0, a1, a2, a3, a4, a5) -> a0 == 0 || (a0 & ~7L) != 0 ? -Errno.EINVAL : 0, FULL,
                "hex");
        b.add("munlockall", (t, a0, a1, a2, a3, a4, a5) -> 0, FULL, "");
        b.add("riscv_flush_icache", MemorySyscalls::flushIcache, FULL, "ptr ptr hex");
    }

    static long mmap(Task t, long addr, long len, long protArg, long flagsArg, long fdArg, long off) {
        int prot = (int) protArg;
        int flags = (int) flagsArg;
        PageSource source = null;
        if ((flags & AddressSpace.MAP_ANONYMOUS) == 0) {
            OpenFile f = t.files().get((int) fdArg);
            if (f == null || (f.flags & O_PATH) != 0) {
                return -Errno.EBADF;
            }
            int acc = f.flags & O_ACCMODE;
            if (acc == O_WRONLY) {
                return -Errno.EACCES;
            }
            int type = flags & AddressSpace.MAP_TYPE;
            boolean shared = type == AddressSpace.MAP_SHARED || type == AddressSpace.MAP_SHARED_VALIDATE;
            if (shared && (prot & AddressSpace.PROT_WRITE) != 0) {
                if (acc != O_RDWR) {
                    return -Errno.EACCES;
                }
                if (!f.sharesPages()) {
                    // Writes through a shared mapping of a host file would have to reach the file: not built yet.
                    return -Errno.ENODEV;
                }
                if (f instanceof dev.jkernel.fs.TmpFile tf && tf.writeSealed()) {
                    return -Errno.EPERM;
                }
            }
            source = f.pageSource();
            if (source == null) {
                return -Errno.ENODEV;
            }
            if (off < 0) {
                return -Errno.EINVAL;
            }
        }
        return t.mm().mmap(addr, len, prot, flags, source, (flags & AddressSpace.MAP_ANONYMOUS) != 0 ? 0 : off,
                null, true);
    }

    private static final int MADV_DONTNEED = 4, MADV_FREE = 8, MADV_REMOVE = 9, MADV_DONTFORK = 10, MADV_DOFORK = 11,
            MADV_WIPEONFORK = 18, MADV_KEEPONFORK = 19;

    static long madvise(Task t, long addr, long len, long adviceArg, long a3, long a4, long a5) {
        int advice = (int) adviceArg;
        if ((addr & AddressSpace.PAGE_MASK) != 0 || len < 0) {
            return -Errno.EINVAL;
        }
        boolean known = (advice >= 0 && advice <= 4) || (advice >= 8 && advice <= 25) || advice == 100
                || advice == 101;
        if (!known) {
            return -Errno.EINVAL;
        }
        if (len == 0) {
            return 0;
        }
        if (!t.mm().isMapped(addr, len)) {
            return -Errno.ENOMEM;
        }
        return switch (advice) {
            case MADV_DONTNEED, MADV_FREE -> t.mm().dropPages(addr, len);
            case MADV_REMOVE -> -Errno.EINVAL; // only shared, hole-punchable mappings support it
            case MADV_DONTFORK, MADV_DOFORK, MADV_WIPEONFORK, MADV_KEEPONFORK -> t.mm().forkAdvice(addr, len, advice);
            default -> 0;
        };
    }

    static long mincore(Task t, long addr, long len, long vec, long a3, long a4, long a5) throws GuestFault {
        if ((addr & AddressSpace.PAGE_MASK) != 0) {
            return -Errno.EINVAL;
        }
        if (!FileSyscalls.accessOk(addr, len)) {
            return -Errno.ENOMEM;
        }
        long pages = (len >>> AddressSpace.PAGE_SHIFT) + ((len & AddressSpace.PAGE_MASK) != 0 ? 1 : 0);
        if (!FileSyscalls.accessOk(vec, pages)) {
            return -Errno.EFAULT;
        }
        byte[] chunk = new byte[(int) Math.min(pages, 4096)];
        for (long done = 0; done < pages; ) {
            int n = (int) Math.min(pages - done, chunk.length);
            for (int i = 0; i < n; i++) {
                int r = t.mm().resident(addr + ((done + i) << AddressSpace.PAGE_SHIFT));
                if (r < 0) {
                    if (i > 0) {
                        t.mm().write(vec + done, chunk, 0, i);
                    }
                    return -Errno.ENOMEM;
                }
                chunk[i] = (byte) r;
            }
            t.mm().write(vec + done, chunk, 0, n);
            done += n;
        }
        return 0;
    }

    private static final int MS_ASYNC = 1, MS_INVALIDATE = 2, MS_SYNC = 4;

    static long msync(Task t, long addr, long len, long flags, long a3, long a4, long a5) {
        if ((addr & AddressSpace.PAGE_MASK) != 0 || (flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC)) != 0
                || (flags & (MS_ASYNC | MS_SYNC)) == (MS_ASYNC | MS_SYNC)) {
            return -Errno.EINVAL;
        }
        return t.mm().isMapped(addr, len) ? 0 : -Errno.ENOMEM;
    }

    static long lockRange(Task t, long addr, long len) {
        long start = addr & ~AddressSpace.PAGE_MASK;
        return t.mm().isMapped(start, len + (addr - start)) ? 0 : -Errno.ENOMEM;
    }

    static long flushIcache(Task t, long start, long end, long flags, long a3, long a4, long a5) {
        // SYS_RISCV_FLUSH_ICACHE_LOCAL (1) is the only flag.
        if ((flags & ~1L) != 0) {
            return -Errno.EINVAL;
        }
        t.flushICache();
        return 0;
    }
}
