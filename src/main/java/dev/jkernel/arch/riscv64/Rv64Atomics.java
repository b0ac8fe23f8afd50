package dev.jkernel.arch.riscv64;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.reflect.Field;
import java.nio.ByteOrder;

/**
 * Atomic 32/64-bit operations on naturally aligned words of a guest page ({@code byte[4096]}), atomic with respect to
 * other host threads operating on the same page array.
 *
 * <p>Since JDK 22 byte-array view VarHandles (and heap MemorySegments of byte[]) no longer support atomic access
 * modes, because a byte[] is not guaranteed to be 8-byte aligned by the JVM specification. HotSpot does align array
 * bases to 8 bytes on 64-bit hosts, so the JDK's {@code sun.misc.Unsafe} CAS primitives on the array are correct; they
 * are used when available. (JDK 24+ prints a one-time deprecation warning on their first use unless the JVM runs with
 * {@code --sun-misc-unsafe-memory-access=allow}.) If Unsafe is unavailable (a future JDK), a striped lock is used
 * instead, which keeps atomics atomic among themselves but not against racing plain stores.
 */
@SuppressWarnings("removal")
final class Rv64Atomics {
    private Rv64Atomics() {}

    private static final VarHandle I32 = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle I64 = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private static final sun.misc.Unsafe U;
    private static final long BASE;

    static {
        sun.misc.Unsafe u = null;
        long base = 0;
        try {
            if (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN) {
                Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
                f.setAccessible(true);
                u = (sun.misc.Unsafe) f.get(null);
                base = u.arrayBaseOffset(byte[].class);
                if ((base & 7) != 0 || u.arrayIndexScale(byte[].class) != 1) {
                    u = null;
                } else {
                    // probe once so that a JDK denying these methods sends us to the fallback now
                    byte[] probe = new byte[16];
                    u.compareAndSwapLong(probe, base + 8, 0, 1);
                    if (probe[8] != 1) {
                        u = null;
                    }
                }
            }
        } catch (Throwable t) {
            u = null;
        }
        U = u;
        BASE = base;
    }

    private static final Object[] LOCKS = new Object[64];

    static {
        for (int i = 0; i < LOCKS.length; i++) {
            LOCKS[i] = new Object();
        }
    }

    private static Object lock(byte[] p, int o) {
        return LOCKS[(System.identityHashCode(p) * 31 + (o >>> 3)) & (LOCKS.length - 1)];
    }

    static boolean lockFree() {
        return U != null;
    }

    static long load64(byte[] p, int o) {
        if (U != null) {
            return U.getLongVolatile(p, BASE + o);
        }
        synchronized (lock(p, o)) {
            return (long) I64.get(p, o);
        }
    }

    static int load32(byte[] p, int o) {
        if (U != null) {
            return U.getIntVolatile(p, BASE + o);
        }
        synchronized (lock(p, o)) {
            return (int) I32.get(p, o);
        }
    }

    static boolean cas64(byte[] p, int o, long expect, long value) {
        if (U != null) {
            return U.compareAndSwapLong(p, BASE + o, expect, value);
        }
        synchronized (lock(p, o)) {
            if ((long) I64.get(p, o) != expect) {
                return false;
            }
            I64.set(p, o, value);
            return true;
        }
    }

    static boolean cas32(byte[] p, int o, int expect, int value) {
        if (U != null) {
            return U.compareAndSwapInt(p, BASE + o, expect, value);
        }
        synchronized (lock(p, o)) {
            if ((int) I32.get(p, o) != expect) {
                return false;
            }
            I32.set(p, o, value);
            return true;
        }
    }

    /** The AMO with funct5 f5 (not LR/SC) on a 64-bit word; returns the old value. */
    static long amo64(byte[] p, int o, int f5, long v) {
        if (U != null) {
            if (f5 == 0x00) {
                return U.getAndAddLong(p, BASE + o, v);
            }
            if (f5 == 0x01) {
                return U.getAndSetLong(p, BASE + o, v);
            }
            for (;;) {
                long old = U.getLongVolatile(p, BASE + o);
                if (U.compareAndSwapLong(p, BASE + o, old, op64(f5, old, v))) {
                    return old;
                }
            }
        }
        synchronized (lock(p, o)) {
            long old = (long) I64.get(p, o);
            I64.set(p, o, op64(f5, old, v));
            return old;
        }
    }

    /** The AMO with funct5 f5 (not LR/SC) on a 32-bit word; returns the old value. */
    static int amo32(byte[] p, int o, int f5, int v) {
        if (U != null) {
            if (f5 == 0x00) {
                return U.getAndAddInt(p, BASE + o, v);
            }
            if (f5 == 0x01) {
                return U.getAndSetInt(p, BASE + o, v);
            }
            for (;;) {
                int old = U.getIntVolatile(p, BASE + o);
                if (U.compareAndSwapInt(p, BASE + o, old, op32(f5, old, v))) {
                    return old;
                }
            }
        }
        synchronized (lock(p, o)) {
            int old = (int) I32.get(p, o);
            I32.set(p, o, op32(f5, old, v));
            return old;
        }
    }

    static long op64(int f5, long old, long v) {
        return switch (f5) {
            case 0x01 -> v;
            case 0x00 -> old + v;
            case 0x04 -> old ^ v;
            case 0x0c -> old & v;
            case 0x08 -> old | v;
            case 0x10 -> Math.min(old, v);
            case 0x14 -> Math.max(old, v);
            case 0x18 -> Long.compareUnsigned(old, v) <= 0 ? old : v;
            default -> Long.compareUnsigned(old, v) >= 0 ? old : v; // 0x1c
        };
    }

    static int op32(int f5, int old, int v) {
        return switch (f5) {
            case 0x01 -> v;
            case 0x00 -> old + v;
            case 0x04 -> old ^ v;
            case 0x0c -> old & v;
            case 0x08 -> old | v;
            case 0x10 -> Math.min(old, v);
            case 0x14 -> Math.max(old, v);
            case 0x18 -> Integer.compareUnsigned(old, v) <= 0 ? old : v;
            default -> Integer.compareUnsigned(old, v) >= 0 ? old : v; // 0x1c
        };
    }
}
