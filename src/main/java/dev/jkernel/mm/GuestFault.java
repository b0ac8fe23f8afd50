package dev.jkernel.mm;

/**
 * A guest memory access that the address space refused. The CPU turns it into a trap (SIGSEGV/SIGBUS with the signals
 * issue); a syscall that copies from or to guest memory turns it into {@code -EFAULT}.
 *
 * <p>Created without a stack trace: faults are guest events, not Java bugs, and some programs take many of them.
 */
public final class GuestFault extends Exception {
    /** The kind of access that faulted. */
    public static final int READ = 1, WRITE = 2, EXEC = 4;

    /** No mapping at the address: SEGV_MAPERR. */
    public static final int MAPERR = 1;
    /** A mapping exists but forbids the access: SEGV_ACCERR. */
    public static final int ACCERR = 2;
    /** A misaligned atomic access: SIGBUS/BUS_ADRALN. */
    public static final int ADRALN = 3;
    /** A file mapping's page lies wholly past the end of the file: SIGBUS/BUS_ADRERR. */
    public static final int BUSERR = 4;
    /**
     * The page could not be allocated: its charge to the kernel's {@link MemCgroup} would exceed the limit. Nothing
     * was changed; the access is to be retried once the OOM killer has freed memory (never a signal by itself).
     */
    public static final int OOM = 5;

    public final long addr;
    public final int access;
    public final int code;

    public GuestFault(long addr, int access, int code) {
        super(null, null, false, false);
        this.addr = addr;
        this.access = access;
        this.code = code;
    }

    @Override
    public String getMessage() {
        String what = switch (code) {
            case MAPERR -> "unmapped";
            case ACCERR -> "protected";
            case BUSERR -> "past-the-end-of-file";
            case OOM -> "out-of-memory";
            default -> "misaligned";
        };
        String kind = switch (access) { case WRITE -> "write"; case EXEC -> "fetch"; default -> "read"; };
        return kind + " of " + what + " address 0x" + Long.toHexString(addr);
    }
}
