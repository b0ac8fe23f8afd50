package dev.jkernel.arch.riscv64;

import dev.jkernel.arch.Arch;
import dev.jkernel.kernel.Errno;
import dev.jkernel.kernel.ErrnoException;
import dev.jkernel.mm.AddressSpace;
import dev.jkernel.mm.GuestFault;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * riscv64's struct rt_sigframe (arch/riscv/kernel/signal.c; uapi ucontext.h, sigcontext.h, ptrace.h):
 * <pre>
 *   0    siginfo                 128
 *   128  ucontext                960
 *        +0   uc_flags           8
 *        +8   uc_link            8
 *        +16  uc_stack           24  (ss_sp 8, ss_flags 4 + 4 pad, ss_size 8)
 *        +40  uc_sigmask         8   (+ 120 bytes reserved for a 1024-bit mask)
 *        +176 uc_mcontext        784 (16-byte aligned)
 *             +0   sc_regs       256 (pc, ra, sp, gp, tp, t0-t2, s0-s1, a0-a7, s2-s11, t3-t6: x1..x31 after pc)
 *             +256 sc_fpregs     528 (f[32] as u64, fcsr u32, then the extension area: reserved u32 at +516,
 *                                     a context header {magic, size} at +520; all zero = no extensions)
 * </pre>
 * Total 1088 bytes, placed 16-byte aligned below the chosen stack pointer.
 */
final class Rv64SignalFrame {
    private Rv64SignalFrame() {}

    static final int FRAME_SIZE = 1088;
    static final int UC = 128, UC_STACK = UC + 16, UC_SIGMASK = UC + 40, MCONTEXT = UC + 176, FPREGS = MCONTEXT + 256,
            FCSR = FPREGS + 256, EXT_RESERVED = FPREGS + 516, EXT_HDR = FPREGS + 520;

    static void setup(Rv64Context c, AddressSpace mm, long sp, int sig, byte[] siginfo, long savedMask, long altSp,
            int altFlags, long altSize, long handler, long restorer) throws GuestFault {
        long frame = (sp - FRAME_SIZE) & ~0xfL;
        ByteBuffer b = ByteBuffer.allocate(FRAME_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.put(0, siginfo, 0, Math.min(siginfo.length, 128));
        b.putLong(UC_STACK, altSp).putInt(UC_STACK + 8, altFlags).putLong(UC_STACK + 16, altSize);
        b.putLong(UC_SIGMASK, savedMask);
        b.putLong(MCONTEXT, c.pc);
        for (int r = 1; r < 32; r++) {
            b.putLong(MCONTEXT + 8 * r, c.x[r]);
        }
        for (int r = 0; r < 32; r++) {
            b.putLong(FPREGS + 8 * r, c.f[r]);
        }
        b.putInt(FCSR, c.fcsr);
        mm.write(frame, b.array());
        c.x[Rv64Context.RA] = restorer;
        c.x[Rv64Context.SP] = frame;
        c.x[Rv64Context.A0] = sig;
        c.x[Rv64Context.A1] = frame;
        c.x[Rv64Context.A2] = frame + UC;
        c.pc = handler;
    }

    static Arch.SigreturnState restore(Rv64Context c, AddressSpace mm) throws GuestFault, ErrnoException {
        long frame = c.x[Rv64Context.SP];
        ByteBuffer b = ByteBuffer.wrap(mm.read(frame, FRAME_SIZE)).order(ByteOrder.LITTLE_ENDIAN);
        // Linux refuses a frame whose extension area is not what it wrote: reserved must be 0 and the only header
        // (without vector state) the END one.
        if (b.getInt(EXT_RESERVED) != 0 || b.getInt(EXT_HDR) != 0 || b.getInt(EXT_HDR + 4) != 0) {
            throw new ErrnoException(Errno.EINVAL);
        }
        c.pc = b.getLong(MCONTEXT);
        for (int r = 1; r < 32; r++) {
            c.x[r] = b.getLong(MCONTEXT + 8 * r);
        }
        for (int r = 0; r < 32; r++) {
            c.f[r] = b.getLong(FPREGS + 8 * r);
        }
        c.fcsr = b.getInt(FCSR) & 0xff;
        return new Arch.SigreturnState(b.getLong(UC_SIGMASK), b.getLong(UC_STACK), b.getInt(UC_STACK + 8),
                b.getLong(UC_STACK + 16));
    }
}
