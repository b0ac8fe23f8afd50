package dev.jkernel.kernel;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A siginfo_t (asm-generic/siginfo.h, 128 bytes on riscv64): what a signal carries. Only the fields a given si_code
 * uses are meaningful; the union's members overlap in memory exactly as in Linux's layout.
 */
public record SigInfo(int signo, int errno, int code, int pid, int uid, long value, int status, long addr,
        int timerId, int overrun, long utime, long stime) {

    public static final int SIZE = 128;

    // si_code values (asm-generic/siginfo.h).
    public static final int SI_USER = 0, SI_KERNEL = 0x80, SI_QUEUE = -1, SI_TIMER = -2, SI_MESGQ = -3,
            SI_ASYNCIO = -4, SI_SIGIO = -5, SI_TKILL = -6;
    public static final int SEGV_MAPERR = 1, SEGV_ACCERR = 2, BUS_ADRALN = 1, BUS_ADRERR = 2, ILL_ILLOPC = 1, TRAP_BRKPT = 1;
    public static final int CLD_EXITED = 1, CLD_KILLED = 2, CLD_DUMPED = 3, CLD_TRAPPED = 4, CLD_STOPPED = 5,
            CLD_CONTINUED = 6;

    /** kill(2)/tkill: sent by a process. */
    public static SigInfo user(int sig, int code, int pid, int uid) {
        return new SigInfo(sig, 0, code, pid, uid, 0, 0, 0, 0, 0, 0, 0);
    }

    /** Sent by the kernel itself. */
    public static SigInfo kernel(int sig) {
        return new SigInfo(sig, 0, SI_KERNEL, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    }

    /** A synchronous fault at {@code addr}. */
    public static SigInfo fault(int sig, int code, long addr) {
        return new SigInfo(sig, 0, code, 0, 0, 0, 0, addr, 0, 0, 0, 0);
    }

    /** SIGCHLD about a child. */
    public static SigInfo child(int sig, int code, int pid, int uid, int status) {
        return new SigInfo(sig, 0, code, pid, uid, 0, status, 0, 0, 0, 0, 0);
    }

    /** The layout class of si_code, which decides which union member the fields live in. */
    private int layout() {
        if (code == SI_TIMER) {
            return 2;
        }
        if (code > 0 && code < SI_KERNEL) {
            return switch (signo) {
                case Signals.SIGCHLD -> 3;
                case Signals.SIGSEGV, Signals.SIGBUS, Signals.SIGILL, Signals.SIGFPE, Signals.SIGTRAP -> 4;
                default -> 1;
            };
        }
        return 1; // kill/rt: pid, uid, value
    }

    /** Serialises it as the guest sees it. */
    public byte[] toBytes() {
        ByteBuffer b = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, signo).putInt(4, errno).putInt(8, code);
        switch (layout()) {
            case 2 -> b.putInt(16, timerId).putInt(20, overrun).putLong(24, value);
            case 3 -> b.putInt(16, pid).putInt(20, uid).putInt(24, status).putLong(32, utime).putLong(40, stime);
            case 4 -> b.putLong(16, addr);
            default -> b.putInt(16, pid).putInt(20, uid).putLong(24, value);
        }
        return b.array();
    }

    /** Reads a siginfo the guest passed (rt_sigqueueinfo). */
    public static SigInfo fromBytes(byte[] raw) {
        ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        return new SigInfo(b.getInt(0), b.getInt(4), b.getInt(8), b.getInt(16), b.getInt(20), b.getLong(24), 0, 0,
                0, 0, 0, 0);
    }

    public SigInfo withSigno(int sig) {
        return new SigInfo(sig, errno, code, pid, uid, value, status, addr, timerId, overrun, utime, stime);
    }
}
