package dev.jkernel.arch.riscv64;

import dev.jkernel.kernel.Errno;
import dev.jkernel.kernel.Task;
import dev.jkernel.mm.AddressSpace;
import dev.jkernel.mm.GuestFault;
import dev.jkernel.syscall.SyscallTable;

/**
 * riscv_hwprobe (Documentation/arch/riscv/hwprobe.rst): what the virtual harts implement, as key/value pairs. Every
 * vCPU is the same hart (RV64IMAFDC with Zicsr and Zifencei, no vector), so a value never depends on the CPU set
 * beyond the set having to name an online vCPU.
 */
final class Rv64Hwprobe implements SyscallTable.Family {
    static final int KEY_MVENDORID = 0, KEY_MARCHID = 1, KEY_MIMPID = 2, KEY_BASE_BEHAVIOR = 3, KEY_IMA_EXT_0 = 4,
            KEY_CPUPERF_0 = 5, KEY_ZICBOZ_BLOCK_SIZE = 6, KEY_HIGHEST_VIRT_ADDRESS = 7, KEY_TIME_CSR_FREQ = 8,
            KEY_MISALIGNED_SCALAR_PERF = 9;
    /** The largest key this implementation answers (Linux 6.11's set); larger keys are unknown. */
    static final int MAX_KEY = KEY_MISALIGNED_SCALAR_PERF;
    static final long BASE_BEHAVIOR_IMA = 1;
    static final long IMA_FD = 1L << 0, IMA_C = 1L << 1;
    /**
     * MISALIGNED_SCALAR_SLOW (2): the interpreter performs a misaligned load or store itself, without a trap, but
     * through its slow path (the software TLB only hits aligned accesses), so it costs more than an aligned one.
     */
    static final long MISALIGNED_SLOW = 2;
    static final int WHICH_CPUS = 1;

    @Override
    public void register(SyscallTable.Builder b) {
        b.add("riscv_hwprobe", Rv64Hwprobe::hwprobe, SyscallTable.Status.FULL, "ptr size size ptr hex",
                "RV64IMAFDC harts: vendor/arch/impl ids 0, IMA_EXT_0 = IMA_FD|IMA_C, misaligned scalar accesses "
                        + "SLOW, no Zicboz; keys up to MISALIGNED_SCALAR_PERF (9); RISCV_HWPROBE_WHICH_CPUS supported");
    }

    /** The value of {@code key} on every vCPU, or null for a key this kernel does not know. */
    static Long value(long key) {
        return switch ((int) Math.max(-1, Math.min(key, Integer.MAX_VALUE))) {
            // No mvendorid/marchid/mimpid for a virtual hart: 0 is the specification's "not implemented".
            case KEY_MVENDORID, KEY_MARCHID, KEY_MIMPID -> 0L;
            case KEY_BASE_BEHAVIOR -> BASE_BEHAVIOR_IMA;
            case KEY_IMA_EXT_0 -> IMA_FD | IMA_C;
            case KEY_CPUPERF_0, KEY_MISALIGNED_SCALAR_PERF -> MISALIGNED_SLOW;
            case KEY_ZICBOZ_BLOCK_SIZE -> 0L; // no Zicboz
            case KEY_HIGHEST_VIRT_ADDRESS -> AddressSpace.TASK_SIZE - 1;
            case KEY_TIME_CSR_FREQ -> Rv64Context.TIMEBASE_HZ;
            default -> null;
        };
    }

    /** riscv_hwprobe_pair_cmp: bitmask keys match when the hart has every bit asked for, others when equal. */
    private static boolean matches(long key, long hart, long asked) {
        boolean bitmask = key == KEY_BASE_BEHAVIOR || key == KEY_IMA_EXT_0 || key == KEY_CPUPERF_0;
        return bitmask ? (hart & asked) == asked : hart == asked;
    }

    static long hwprobe(Task t, long pairs, long count, long setSize, long cpus, long flagsArg, long a5)
            throws GuestFault {
        int flags = (int) flagsArg;
        long online = t.kernel().sched().allCpus();
        // cpumask_size(): the kernel's mask is 64 bits here (at most 64 vCPUs).
        int size = Long.compareUnsigned(setSize, 8) > 0 ? 8 : (int) setSize;
        if ((flags & WHICH_CPUS) != 0) {
            if (flags != WHICH_CPUS || setSize == 0 || cpus == 0) {
                return -Errno.EINVAL;
            }
            long set = readMask(t, cpus, size);
            if (set == 0) {
                set = online;
            }
            set &= online;
            boolean clearAll = false;
            for (long i = 0; i < count; i++) {
                long at = pairs + 16 * i;
                long key = t.mm().read64(at), asked = t.mm().read64(at + 8);
                Long v = value(key);
                if (v == null) {
                    clearAll = true;
                    t.mm().write64(at, -1);
                    t.mm().write64(at + 8, 0);
                }
                if (!clearAll && !matches(key, v, asked)) {
                    set = 0; // every vCPU is the same hart: one mismatch rules them all out
                }
            }
            writeMask(t, cpus, size, clearAll ? 0 : set);
            return 0;
        }
        if (flags != 0) {
            return -Errno.EINVAL;
        }
        if (setSize != 0 || cpus != 0) {
            if ((readMask(t, cpus, size) & online) == 0) {
                return -Errno.EINVAL;
            }
        }
        for (long i = 0; i < count; i++) {
            long at = pairs + 16 * i;
            Long v = value(t.mm().read64(at));
            t.mm().write64(at, v == null ? -1 : t.mm().read64(at));
            t.mm().write64(at + 8, v == null ? 0 : v);
        }
        return 0;
    }

    private static long readMask(Task t, long addr, int size) throws GuestFault {
        byte[] b = t.mm().read(addr, size);
        long m = 0;
        for (int i = 0; i < b.length; i++) {
            m |= (b[i] & 0xffL) << (8 * i);
        }
        return m;
    }

    private static void writeMask(Task t, long addr, int size, long mask) throws GuestFault {
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) {
            b[i] = (byte) (mask >>> (8 * i));
        }
        t.mm().write(addr, b);
    }
}
