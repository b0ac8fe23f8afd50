package dev.jkernel.arch.riscv64;

import dev.jkernel.arch.CpuContext;

/**
 * riscv64 user register state: x0..x31, f0..f31 (raw 64-bit patterns; single-precision values are NaN-boxed),
 * fcsr, and the pc. x[0] is always 0 (the engine never writes it).
 */
public final class Rv64Context extends CpuContext {
    public final long[] x = new long[32];
    public final long[] f = new long[32];
    /** fcsr: frm in bits 7:5, fflags (NV DZ OF UF NX) in bits 4:0. */
    public int fcsr;

    /** LR/SC reservation: address and the value LR read (valid when reservationValid). */
    public long reservationAddr;
    public long reservationValue;
    public boolean reservationValid;

    /** The a0 value at syscall entry (Linux's orig_a0), kept for syscall restart. */
    public long origA0;

    // ABI register numbers.
    public static final int RA = 1, SP = 2, GP = 3, TP = 4, T0 = 5, A0 = 10, A1 = 11, A2 = 12, A3 = 13, A4 = 14,
            A5 = 15, A6 = 16, A7 = 17;

    /** Frequency of the time CSR, as a device tree's timebase-frequency would say (10 MHz, like qemu's virt). */
    public static final long TIMEBASE_HZ = 10_000_000L;

    /** The time CSR: the kernel's monotonic time in timebase ticks. */
    public long timeCsr() {
        return monotonicClock.getAsLong() / (1_000_000_000L / TIMEBASE_HZ);
    }

    @Override
    public Rv64Context copy() {
        Rv64Context c = new Rv64Context();
        System.arraycopy(x, 0, c.x, 0, 32);
        System.arraycopy(f, 0, c.f, 0, 32);
        c.fcsr = fcsr;
        c.pc = pc;
        c.instret = instret;
        c.origA0 = origA0;
        return c;
    }
}
