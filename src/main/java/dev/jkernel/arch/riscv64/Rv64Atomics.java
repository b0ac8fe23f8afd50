package dev.jkernel.arch.riscv64;

import dev.jkernel.mm.PageAtomics;

/**
 * The A extension's AMO operations on naturally aligned words of a guest page, atomic with respect to other host
 * threads operating on the same page array (through {@link PageAtomics}, which the kernel's futex code shares).
 */
final class Rv64Atomics {
    private Rv64Atomics() {}

    static boolean lockFree() {
        return PageAtomics.lockFree();
    }

    static long load64(byte[] p, int o) {
        return PageAtomics.load64(p, o);
    }

    static int load32(byte[] p, int o) {
        return PageAtomics.load32(p, o);
    }

    static boolean cas64(byte[] p, int o, long expect, long value) {
        return PageAtomics.cas64(p, o, expect, value);
    }

    static boolean cas32(byte[] p, int o, int expect, int value) {
        return PageAtomics.cas32(p, o, expect, value);
    }

    /** The AMO with funct5 f5 (not LR/SC) on a 64-bit word; returns the old value. */
    static long amo64(byte[] p, int o, int f5, long v) {
        if (f5 == 0x00) {
            return PageAtomics.getAndAdd64(p, o, v);
        }
        if (f5 == 0x01) {
            return PageAtomics.getAndSet64(p, o, v);
        }
        for (;;) {
            long old = PageAtomics.load64(p, o);
            if (PageAtomics.cas64(p, o, old, op64(f5, old, v))) {
                return old;
            }
        }
    }

    /** The AMO with funct5 f5 (not LR/SC) on a 32-bit word; returns the old value. */
    static int amo32(byte[] p, int o, int f5, int v) {
        if (f5 == 0x00) {
            return PageAtomics.getAndAdd32(p, o, v);
        }
        if (f5 == 0x01) {
            return PageAtomics.getAndSet32(p, o, v);
        }
        for (;;) {
            int old = PageAtomics.load32(p, o);
            if (PageAtomics.cas32(p, o, old, op32(f5, old, v))) {
                return old;
            }
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
