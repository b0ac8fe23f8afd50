package dev.jkernel.mm;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.reflect.Field;
import java.nio.ByteOrder;

/**
 * Atomic access to aligned 32- and 64-bit words of guest page arrays, shared by everything that must be atomic with
 * respect to other guest threads: the interpreter's LR/SC and AMOs, and the kernel's futex word updates.
 *
 * <p>Byte-array view VarHandles do not support compare-and-set on JDK 22 and later, so sun.misc.Unsafe's array
 * operations are used when available (HotSpot aligns byte[] bases to 8 bytes; JDK 24+ prints a one-time deprecation
 * warning unless the JVM runs with {@code --sun-misc-unsafe-memory-access=allow}). Without Unsafe a striped lock is
 * used: atomic among these operations, but not against racing plain stores.
 */
@SuppressWarnings("removal")
public final class PageAtomics {
    private PageAtomics() {}

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
                    // Probe once, so that a JDK denying these methods sends us to the fallback now.
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

    /** Whether the operations are lock-free (Unsafe available). */
    public static boolean lockFree() {
        return U != null;
    }

    public static long load64(byte[] p, int o) {
        if (U != null) {
            return U.getLongVolatile(p, BASE + o);
        }
        synchronized (lock(p, o)) {
            return (long) I64.get(p, o);
        }
    }

    public static int load32(byte[] p, int o) {
        if (U != null) {
            return U.getIntVolatile(p, BASE + o);
        }
        synchronized (lock(p, o)) {
            return (int) I32.get(p, o);
        }
    }

    public static boolean cas64(byte[] p, int o, long expect, long value) {
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

    public static boolean cas32(byte[] p, int o, int expect, int value) {
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

    public static long getAndAdd64(byte[] p, int o, long v) {
        if (U != null) {
            return U.getAndAddLong(p, BASE + o, v);
        }
        synchronized (lock(p, o)) {
            long old = (long) I64.get(p, o);
            I64.set(p, o, old + v);
            return old;
        }
    }

    public static int getAndAdd32(byte[] p, int o, int v) {
        if (U != null) {
            return U.getAndAddInt(p, BASE + o, v);
        }
        synchronized (lock(p, o)) {
            int old = (int) I32.get(p, o);
            I32.set(p, o, old + v);
            return old;
        }
    }

    public static long getAndSet64(byte[] p, int o, long v) {
        if (U != null) {
            return U.getAndSetLong(p, BASE + o, v);
        }
        synchronized (lock(p, o)) {
            long old = (long) I64.get(p, o);
            I64.set(p, o, v);
            return old;
        }
    }

    public static int getAndSet32(byte[] p, int o, int v) {
        if (U != null) {
            return U.getAndSetInt(p, BASE + o, v);
        }
        synchronized (lock(p, o)) {
            int old = (int) I32.get(p, o);
            I32.set(p, o, v);
            return old;
        }
    }
}
