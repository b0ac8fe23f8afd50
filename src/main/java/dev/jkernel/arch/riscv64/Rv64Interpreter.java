package dev.jkernel.arch.riscv64;

import static dev.jkernel.arch.riscv64.Rv64Op.*;

import dev.jkernel.arch.CpuContext;
import dev.jkernel.arch.ExecutionEngine;
import dev.jkernel.mm.AddressSpace;
import dev.jkernel.mm.GuestFault;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.IdentityHashMap;

/**
 * The riscv64 (RV64IMAC + Zicsr + Zifencei + F/D loads and stores) interpreter.
 *
 * <p>Design: guest code is decoded once into {@link Rv64Block}s (the {@link Rv64Op} intermediate form), kept in a
 * hash table keyed by pc. A block is revalidated lazily after the address space's generation changed: it stays valid
 * while the page arrays at its pc are still the ones it was decoded from (same identity = same memory) and still
 * executable. Data accesses go through a direct-mapped software TLB (separate read and write tags, page base address
 * as tag so that an aligned access hits with one compare; a misaligned or page-crossing access takes the slow path).
 * Pages holding decoded code are never entered in the write TLB, so a store to them takes the slow path, which drops
 * the decoded code and ends the current block (self-modifying code works even without FENCE.I).
 */
public final class Rv64Interpreter implements ExecutionEngine {
    private static final VarHandle I16 = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle I32 = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle I64 = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private static final int TLB_BITS = 12;
    private static final int TLB_SIZE = 1 << TLB_BITS;
    private static final int TLB_MASK = TLB_SIZE - 1;
    private static final long PG = ~AddressSpace.PAGE_MASK;
    /** Tag masks: the page base plus the alignment bits of the access size, so misaligned accesses miss. */
    private static final long M2 = PG | 1, M4 = PG | 3, M8 = PG | 7;
    private static final int PO = (int) AddressSpace.PAGE_MASK;

    private static final int MAX_BLOCK = 64;
    private static final int HASH_BITS = 14;
    private static final int HASH_MASK = (1 << HASH_BITS) - 1;
    private static final int MAX_BLOCKS = 1 << 18;

    private final long[] rTag = new long[TLB_SIZE];
    private final byte[][] rPage = new byte[TLB_SIZE][];
    private final long[] wTag = new long[TLB_SIZE];
    private final byte[][] wPage = new byte[TLB_SIZE][];

    private final Rv64Block[] table = new Rv64Block[1 << HASH_BITS];
    private int blockCount;
    /** Page arrays that decoded blocks came from. */
    private final IdentityHashMap<byte[], Boolean> codePages = new IdentityHashMap<>();

    private AddressSpace mm;
    private long gen;
    /** Bumped by every flush of decoded blocks; a chained successor from an older epoch is dead. */
    private int epoch;

    private final Rv64Decoder dec = new Rv64Decoder();
    private final int[] tw = new int[MAX_BLOCK];
    private final long[] timm = new long[MAX_BLOCK];
    private final int[] toff = new int[MAX_BLOCK + 1];

    /** Set by the write slow path when it stored into a page holding decoded code. */
    private boolean smcHit;

    // Exit state of execBlock.
    private long outPc;
    private int outRetired;

    public Rv64Interpreter() {
        Arrays.fill(rTag, -1);
        Arrays.fill(wTag, -1);
    }

    @Override
    public void flush() {
        flushBlocks();
        flushTlb();
    }

    private void flushBlocks() {
        epoch++;
        Arrays.fill(table, null);
        blockCount = 0;
        codePages.clear();
    }

    private void flushTlb() {
        Arrays.fill(rTag, -1);
        Arrays.fill(wTag, -1);
        Arrays.fill(rPage, null);
        Arrays.fill(wPage, null);
    }

    @Override
    public int run(CpuContext ctx, AddressSpace mm, long budget) {
        Rv64Context c = (Rv64Context) ctx;
        c.reservationValid = false; // Linux clears the reservation on every return to user mode
        if (mm != this.mm) {
            flush();
            this.mm = mm;
            gen = mm.generation();
        }
        long pc = c.pc;
        if (budget <= 0) {
            return STOP_BUDGET;
        }
        long remaining = budget;
        Rv64Block prev = null;
        for (;;) {
            if (c.interruptRequested) {
                c.interruptRequested = false;
                c.pc = pc;
                return STOP_INTERRUPT;
            }
            long g = mm.generation();
            if (g != gen) {
                flushTlb();
                gen = g;
            }
            Rv64Block b = prev == null ? null : pc == prev.pc0 ? prev.next0 : pc == prev.pc1 ? prev.next1 : null;
            if (b == null || b.epoch != epoch || b.gen != gen) {
                b = find(pc);
            }
            if (b == null) {
                try {
                    b = translate(pc);
                } catch (GuestFault f) {
                    c.pc = pc;
                    trap(c, f);
                    return STOP_FAULT;
                }
            }
            int cnt = b.n;
            if (remaining < cnt) {
                cnt = (int) remaining;
            }
            if (prev != null) {
                prev.link(pc, b);
            }
            int st = execBlock(c, b, cnt);
            prev = b;
            int r = outRetired;
            c.instret += r;
            remaining -= r;
            pc = outPc;
            if (st != 0) {
                c.pc = pc;
                return st;
            }
            if (remaining == 0) {
                c.pc = pc;
                return STOP_BUDGET;
            }
        }
    }

    private static void trap(CpuContext c, GuestFault f) {
        c.trapAddr = f.addr;
        c.trapAccess = f.access;
        c.trapCode = f.code;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Decoded-block cache
    // ------------------------------------------------------------------------------------------------------------

    private static int hash(long pc) {
        return (int) ((pc >>> 1) ^ (pc >>> (HASH_BITS + 1))) & HASH_MASK;
    }

    private Rv64Block find(long pc) {
        for (Rv64Block b = table[hash(pc)]; b != null; b = b.chain) {
            if (b.pc == pc) {
                if (b.gen == gen || revalidate(b)) {
                    return b;
                }
                return null;
            }
        }
        return null;
    }

    private boolean revalidate(Rv64Block b) {
        try {
            if (mm.page(b.pc, GuestFault.EXEC) != b.page0) {
                return false;
            }
            if (b.page1 != null && mm.page((b.pc | PO) + 1, GuestFault.EXEC) != b.page1) {
                return false;
            }
        } catch (GuestFault f) {
            return false;
        }
        b.gen = gen;
        return true;
    }

    /** Decodes the block at pc and enters it in the cache (replacing a stale one). */
    private Rv64Block translate(long pc) throws GuestFault {
        if ((pc & 1) != 0) {
            throw new GuestFault(pc, GuestFault.EXEC, GuestFault.ADRALN);
        }
        byte[] p0 = mm.page(pc, GuestFault.EXEC);
        byte[] p1 = null;
        long a = pc;
        int n = 0;
        for (;;) {
            int po = (int) a & PO;
            int lo = (p0[po] & 0xff) | (p0[po + 1] & 0xff) << 8;
            int len;
            if ((lo & 3) != 3) {
                dec.decode16(lo, a);
                len = 2;
            } else {
                int hi;
                if (po == PO - 1) {
                    try {
                        p1 = mm.page(a + 2, GuestFault.EXEC);
                    } catch (GuestFault f) {
                        if (n == 0) {
                            throw f;
                        }
                        break; // the straddling instruction faults when it is reached
                    }
                    hi = (p1[0] & 0xff) | (p1[1] & 0xff) << 8;
                } else {
                    hi = (p0[po + 2] & 0xff) | (p0[po + 3] & 0xff) << 8;
                }
                dec.decode32(lo | hi << 16, a);
                len = 4;
            }
            tw[n] = dec.w;
            timm[n] = dec.imm;
            toff[n] = (int) (a - pc);
            n++;
            a += len;
            if (isTerminator(dec.w & 0xff) || n == MAX_BLOCK || (a & PO) == 0 || p1 != null) {
                break;
            }
        }
        toff[n] = (int) (a - pc);
        Rv64Block b = new Rv64Block(pc, n, Arrays.copyOf(tw, n), Arrays.copyOf(timm, n), Arrays.copyOf(toff, n + 1),
                p0, p1, gen, epoch);
        if (blockCount >= MAX_BLOCKS) {
            flushBlocks();
        }
        addCodePage(p0);
        if (p1 != null) {
            addCodePage(p1);
        }
        int h = hash(pc);
        Rv64Block prev = null;
        for (Rv64Block o = table[h]; o != null; prev = o, o = o.chain) {
            if (o.pc == pc) {
                if (prev == null) {
                    table[h] = o.chain;
                } else {
                    prev.chain = o.chain;
                }
                blockCount--;
                break;
            }
        }
        b.chain = table[h];
        table[h] = b;
        blockCount++;
        return b;
    }

    private void addCodePage(byte[] p) {
        if (codePages.put(p, Boolean.TRUE) == null) {
            for (int i = 0; i < TLB_SIZE; i++) {
                if (wPage[i] == p) {
                    wTag[i] = -1;
                    wPage[i] = null;
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Execution
    // ------------------------------------------------------------------------------------------------------------

    /**
     * Executes the first {@code cnt} instructions of b (fewer if one stops or transfers control). Sets outPc (the
     * next pc) and outRetired; returns 0 to continue or a STOP_* code.
     */
    private int execBlock(Rv64Context c, Rv64Block b, int cnt) {
        final long[] x = c.x;
        final int[] ws = b.w;
        final long[] im = b.imm;
        int i = 0;
        try {
            for (; i < cnt; i++) {
                final int w = ws[i];
                final int rd = (w >>> 8) & 0xff;
                final int rs1 = (w >>> 16) & 0xff;
                final int rs2 = w >>> 24;
                final long imm = im[i];
                switch (w & 0xff) {
                    case NOP -> {
                    }
                    case LI -> x[rd] = imm;
                    case MV -> x[rd] = x[rs1];
                    case ADDI -> x[rd] = x[rs1] + imm;
                    case SLTI -> x[rd] = x[rs1] < imm ? 1 : 0;
                    case SLTIU -> x[rd] = Long.compareUnsigned(x[rs1], imm) < 0 ? 1 : 0;
                    case XORI -> x[rd] = x[rs1] ^ imm;
                    case ORI -> x[rd] = x[rs1] | imm;
                    case ANDI -> x[rd] = x[rs1] & imm;
                    case SLLI -> x[rd] = x[rs1] << imm;
                    case SRLI -> x[rd] = x[rs1] >>> imm;
                    case SRAI -> x[rd] = x[rs1] >> imm;
                    case ADDIW -> x[rd] = (int) (x[rs1] + imm);
                    case SLLIW -> x[rd] = (int) x[rs1] << imm;
                    case SRLIW -> x[rd] = (int) x[rs1] >>> imm;
                    case SRAIW -> x[rd] = (int) x[rs1] >> imm;
                    case ADD -> x[rd] = x[rs1] + x[rs2];
                    case SUB -> x[rd] = x[rs1] - x[rs2];
                    case SLL -> x[rd] = x[rs1] << x[rs2];
                    case SLT -> x[rd] = x[rs1] < x[rs2] ? 1 : 0;
                    case SLTU -> x[rd] = Long.compareUnsigned(x[rs1], x[rs2]) < 0 ? 1 : 0;
                    case XOR -> x[rd] = x[rs1] ^ x[rs2];
                    case SRL -> x[rd] = x[rs1] >>> x[rs2];
                    case SRA -> x[rd] = x[rs1] >> x[rs2];
                    case OR -> x[rd] = x[rs1] | x[rs2];
                    case AND -> x[rd] = x[rs1] & x[rs2];
                    case ADDW -> x[rd] = (int) (x[rs1] + x[rs2]);
                    case SUBW -> x[rd] = (int) (x[rs1] - x[rs2]);
                    case SLLW -> x[rd] = (int) x[rs1] << (int) x[rs2];
                    case SRLW -> x[rd] = (int) x[rs1] >>> (int) x[rs2];
                    case SRAW -> x[rd] = (int) x[rs1] >> (int) x[rs2];
                    case MUL -> x[rd] = x[rs1] * x[rs2];
                    case MULH -> x[rd] = Math.multiplyHigh(x[rs1], x[rs2]);
                    case MULHSU -> x[rd] = mulhsu(x[rs1], x[rs2]);
                    case MULHU -> x[rd] = Math.unsignedMultiplyHigh(x[rs1], x[rs2]);
                    case DIV -> x[rd] = div(x[rs1], x[rs2]);
                    case DIVU -> x[rd] = divu(x[rs1], x[rs2]);
                    case REM -> x[rd] = rem(x[rs1], x[rs2]);
                    case REMU -> x[rd] = remu(x[rs1], x[rs2]);
                    case MULW -> x[rd] = (int) x[rs1] * (int) x[rs2];
                    case DIVW -> x[rd] = divw((int) x[rs1], (int) x[rs2]);
                    case DIVUW -> x[rd] = divuw((int) x[rs1], (int) x[rs2]);
                    case REMW -> x[rd] = remw((int) x[rs1], (int) x[rs2]);
                    case REMUW -> x[rd] = remuw((int) x[rs1], (int) x[rs2]);
                    case LB -> {
                        long v = ld8(x[rs1] + imm);
                        if (rd != 0) {
                            x[rd] = v;
                        }
                    }
                    case LBU -> {
                        long v = ld8(x[rs1] + imm) & 0xff;
                        if (rd != 0) {
                            x[rd] = v;
                        }
                    }
                    case LH -> {
                        long v = ld16(x[rs1] + imm);
                        if (rd != 0) {
                            x[rd] = v;
                        }
                    }
                    case LHU -> {
                        long v = ld16(x[rs1] + imm) & 0xffff;
                        if (rd != 0) {
                            x[rd] = v;
                        }
                    }
                    case LW -> {
                        long v = ld32(x[rs1] + imm);
                        if (rd != 0) {
                            x[rd] = v;
                        }
                    }
                    case LWU -> {
                        long v = ld32(x[rs1] + imm) & 0xffffffffL;
                        if (rd != 0) {
                            x[rd] = v;
                        }
                    }
                    case LD -> {
                        long v = ld64(x[rs1] + imm);
                        if (rd != 0) {
                            x[rd] = v;
                        }
                    }
                    case FLW -> c.f[rd] = 0xffffffff00000000L | (ld32(x[rs1] + imm) & 0xffffffffL);
                    case FLD -> c.f[rd] = ld64(x[rs1] + imm);
                    case SB -> {
                        if (st8(x[rs1] + imm, (byte) x[rs2])) {
                            return smcExit(b, i);
                        }
                    }
                    case SH -> {
                        if (st16(x[rs1] + imm, (short) x[rs2])) {
                            return smcExit(b, i);
                        }
                    }
                    case SW -> {
                        if (st32(x[rs1] + imm, (int) x[rs2])) {
                            return smcExit(b, i);
                        }
                    }
                    case SD -> {
                        if (st64(x[rs1] + imm, x[rs2])) {
                            return smcExit(b, i);
                        }
                    }
                    case FSW -> {
                        if (st32(x[rs1] + imm, (int) c.f[rs2])) {
                            return smcExit(b, i);
                        }
                    }
                    case FSD -> {
                        if (st64(x[rs1] + imm, c.f[rs2])) {
                            return smcExit(b, i);
                        }
                    }
                    case BEQ -> {
                        if (x[rs1] == x[rs2]) {
                            return jump(imm, i);
                        }
                    }
                    case BNE -> {
                        if (x[rs1] != x[rs2]) {
                            return jump(imm, i);
                        }
                    }
                    case BLT -> {
                        if (x[rs1] < x[rs2]) {
                            return jump(imm, i);
                        }
                    }
                    case BGE -> {
                        if (x[rs1] >= x[rs2]) {
                            return jump(imm, i);
                        }
                    }
                    case BLTU -> {
                        if (Long.compareUnsigned(x[rs1], x[rs2]) < 0) {
                            return jump(imm, i);
                        }
                    }
                    case BGEU -> {
                        if (Long.compareUnsigned(x[rs1], x[rs2]) >= 0) {
                            return jump(imm, i);
                        }
                    }
                    case J -> {
                        return jump(imm, i);
                    }
                    case JAL -> {
                        x[rd] = b.pc + b.off[i + 1];
                        return jump(imm, i);
                    }
                    case JR -> {
                        return jump((x[rs1] + imm) & ~1L, i);
                    }
                    case JALR -> {
                        long t = (x[rs1] + imm) & ~1L;
                        x[rd] = b.pc + b.off[i + 1];
                        return jump(t, i);
                    }
                    case ECALL -> {
                        outPc = b.pc + b.off[i + 1];
                        outRetired = i + 1;
                        return STOP_SYSCALL;
                    }
                    case EBREAK -> {
                        outPc = b.pc + b.off[i];
                        outRetired = i;
                        return STOP_BREAKPOINT;
                    }
                    case FENCE_I -> {
                        flushBlocks();
                        return jump(b.pc + b.off[i + 1], i);
                    }
                    case FENCE -> VarHandle.fullFence();
                    case CSR -> {
                        if (!csr(c, (int) imm, c.instret + i)) {
                            return illegal(c, b, i, imm);
                        }
                    }
                    case AMO -> {
                        if (amo(c, (int) imm)) {
                            return smcExit(b, i);
                        }
                    }
                    case FP -> {
                        if (!fp(c, (int) imm)) {
                            return illegal(c, b, i, imm);
                        }
                    }
                    default -> { // ILLEGAL
                        return illegal(c, b, i, imm);
                    }
                }
            }
        } catch (GuestFault f) {
            trap(c, f);
            outPc = b.pc + b.off[i];
            outRetired = i;
            return STOP_FAULT;
        } catch (RuntimeException e) {
            // Cannot happen for any guest input; never let a Java exception escape to the kernel.
            return illegal(c, b, i, b.imm[i]);
        }
        outPc = b.pc + b.off[cnt];
        outRetired = cnt;
        return 0;
    }

    private int jump(long target, int i) {
        outPc = target;
        outRetired = i + 1;
        return 0;
    }

    private int smcExit(Rv64Block b, int i) {
        outPc = b.pc + b.off[i + 1];
        outRetired = i + 1;
        return 0;
    }

    private int illegal(Rv64Context c, Rv64Block b, int i, long raw) {
        c.trapInsn = (int) raw;
        outPc = b.pc + b.off[i];
        outRetired = i;
        return STOP_ILLEGAL;
    }

    // ------------------------------------------------------------------------------------------------------------
    // M extension helpers (RISC-V defines every case: no traps)
    // ------------------------------------------------------------------------------------------------------------

    static long mulhsu(long a, long b) {
        return Math.multiplyHigh(a, b) + ((b >> 63) & a);
    }

    static long div(long a, long b) {
        return b == 0 ? -1 : a / b; // Long.MIN_VALUE / -1 == Long.MIN_VALUE in Java too
    }

    static long divu(long a, long b) {
        return b == 0 ? -1 : Long.divideUnsigned(a, b);
    }

    static long rem(long a, long b) {
        return b == 0 ? a : a % b;
    }

    static long remu(long a, long b) {
        return b == 0 ? a : Long.remainderUnsigned(a, b);
    }

    static long divw(int a, int b) {
        return b == 0 ? -1 : a / b;
    }

    static long divuw(int a, int b) {
        return b == 0 ? -1 : Integer.divideUnsigned(a, b);
    }

    static long remw(int a, int b) {
        return b == 0 ? a : a % b;
    }

    static long remuw(int a, int b) {
        return b == 0 ? a : Integer.remainderUnsigned(a, b);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Memory access: TLB fast paths (inlined by the JIT) and slow paths
    // ------------------------------------------------------------------------------------------------------------

    private byte ld8(long a) throws GuestFault {
        int t = (int) (a >>> 12) & TLB_MASK;
        if (rTag[t] == (a & PG)) {
            return rPage[t][(int) a & PO];
        }
        return (byte) loadSlow(a, 1);
    }

    private short ld16(long a) throws GuestFault {
        int t = (int) (a >>> 12) & TLB_MASK;
        if (rTag[t] == (a & M2)) {
            return (short) I16.get(rPage[t], (int) a & PO);
        }
        return (short) loadSlow(a, 2);
    }

    private int ld32(long a) throws GuestFault {
        int t = (int) (a >>> 12) & TLB_MASK;
        if (rTag[t] == (a & M4)) {
            return (int) I32.get(rPage[t], (int) a & PO);
        }
        return (int) loadSlow(a, 4);
    }

    private long ld64(long a) throws GuestFault {
        int t = (int) (a >>> 12) & TLB_MASK;
        if (rTag[t] == (a & M8)) {
            return (long) I64.get(rPage[t], (int) a & PO);
        }
        return loadSlow(a, 8);
    }

    private boolean st8(long a, byte v) throws GuestFault {
        int t = (int) (a >>> 12) & TLB_MASK;
        if (wTag[t] == (a & PG)) {
            wPage[t][(int) a & PO] = v;
            return false;
        }
        return storeSlow(a, 1, v);
    }

    private boolean st16(long a, short v) throws GuestFault {
        int t = (int) (a >>> 12) & TLB_MASK;
        if (wTag[t] == (a & M2)) {
            I16.set(wPage[t], (int) a & PO, v);
            return false;
        }
        return storeSlow(a, 2, v);
    }

    private boolean st32(long a, int v) throws GuestFault {
        int t = (int) (a >>> 12) & TLB_MASK;
        if (wTag[t] == (a & M4)) {
            I32.set(wPage[t], (int) a & PO, v);
            return false;
        }
        return storeSlow(a, 4, v);
    }

    private boolean st64(long a, long v) throws GuestFault {
        int t = (int) (a >>> 12) & TLB_MASK;
        if (wTag[t] == (a & M8)) {
            I64.set(wPage[t], (int) a & PO, v);
            return false;
        }
        return storeSlow(a, 8, v);
    }

    /** The page for reading at a, through the TLB. */
    private byte[] readPage(long a) throws GuestFault {
        int t = (int) (a >>> 12) & TLB_MASK;
        long tag = a & PG;
        if (rTag[t] == tag) {
            return rPage[t];
        }
        byte[] p = mm.page(a, GuestFault.READ);
        rTag[t] = tag;
        rPage[t] = p;
        return p;
    }

    /** The page for writing at a, through the TLB; pages holding decoded code are not cached and set smcHit. */
    private byte[] writePage(long a) throws GuestFault {
        int t = (int) (a >>> 12) & TLB_MASK;
        long tag = a & PG;
        if (wTag[t] == tag) {
            return wPage[t];
        }
        byte[] p = mm.page(a, GuestFault.WRITE);
        // A write can replace the page's array (copy-on-write after fork): reads of this page must use the new one.
        rTag[t] = tag;
        rPage[t] = p;
        if (!codePages.isEmpty() && codePages.containsKey(p)) {
            smcHit = true;
        } else {
            wTag[t] = tag;
            wPage[t] = p;
        }
        return p;
    }

    /** A load of size bytes (any alignment, may cross a page); returns the value zero-extended. */
    private long loadSlow(long a, int size) throws GuestFault {
        int o = (int) a & PO;
        byte[] p0 = readPage(a);
        if (o + size <= AddressSpace.PAGE_SIZE) {
            long v = 0;
            for (int k = size - 1; k >= 0; k--) {
                v = (v << 8) | (p0[o + k] & 0xff);
            }
            return v;
        }
        byte[] p1 = readPage((a | PO) + 1);
        long v = 0;
        for (int k = size - 1; k >= 0; k--) {
            int bo = o + k;
            v = (v << 8) | ((bo < AddressSpace.PAGE_SIZE ? p0[bo] : p1[bo - AddressSpace.PAGE_SIZE]) & 0xff);
        }
        return v;
    }

    /**
     * A store of size bytes (any alignment, may cross a page; both pages are checked before anything is written).
     * Returns true if it wrote into decoded code (which is then dropped).
     */
    private boolean storeSlow(long a, int size, long v) throws GuestFault {
        smcHit = false;
        int o = (int) a & PO;
        byte[] p0 = writePage(a);
        byte[] p1 = o + size <= AddressSpace.PAGE_SIZE ? p0 : writePage((a | PO) + 1);
        for (int k = 0; k < size; k++) {
            int bo = o + k;
            if (bo < AddressSpace.PAGE_SIZE) {
                p0[bo] = (byte) (v >>> (8 * k));
            } else {
                p1[bo - AddressSpace.PAGE_SIZE] = (byte) (v >>> (8 * k));
            }
        }
        if (smcHit) {
            smcHit = false;
            flushBlocks();
            return true;
        }
        return false;
    }

    // ------------------------------------------------------------------------------------------------------------
    // A extension
    // ------------------------------------------------------------------------------------------------------------

    /** LR/SC/AMO*; returns true if it wrote into decoded code. */
    private boolean amo(Rv64Context c, int insn) throws GuestFault {
        long[] x = c.x;
        int rd = (insn >>> 7) & 31;
        int rs1 = (insn >>> 15) & 31;
        int rs2 = (insn >>> 20) & 31;
        int f5 = insn >>> 27;
        boolean dbl = ((insn >>> 12) & 7) == 3;
        long a = x[rs1];
        if ((a & (dbl ? 7 : 3)) != 0) {
            throw new GuestFault(a, f5 == 2 ? GuestFault.READ : GuestFault.WRITE, GuestFault.ADRALN);
        }
        int o = (int) a & PO;
        long src = x[rs2];
        long result;
        smcHit = false;
        if (f5 == 2) { // LR
            byte[] p = readPage(a);
            result = dbl ? Rv64Atomics.load64(p, o) : (long) Rv64Atomics.load32(p, o);
            c.reservationAddr = a;
            c.reservationValue = result;
            c.reservationValid = true;
        } else if (f5 == 3) { // SC
            boolean ok = false;
            if (c.reservationValid && c.reservationAddr == a) {
                byte[] p = writePage(a);
                ok = dbl ? Rv64Atomics.cas64(p, o, c.reservationValue, src)
                        : Rv64Atomics.cas32(p, o, (int) c.reservationValue, (int) src);
            }
            c.reservationValid = false;
            result = ok ? 0 : 1;
        } else {
            byte[] p = writePage(a);
            result = dbl ? Rv64Atomics.amo64(p, o, f5, src) : (long) Rv64Atomics.amo32(p, o, f5, (int) src);
        }
        if (rd != 0) {
            x[rd] = result;
        }
        if (smcHit) {
            smcHit = false;
            flushBlocks();
            return true;
        }
        return false;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Zicsr, FP
    // ------------------------------------------------------------------------------------------------------------

    /** CSRRW/S/C[I]; returns false for an illegal access. */
    private static boolean csr(Rv64Context c, int insn, long instret) {
        long[] x = c.x;
        int rd = (insn >>> 7) & 31;
        int f3 = (insn >>> 12) & 7;
        int rs1 = (insn >>> 15) & 31;
        int csr = insn >>> 20;
        int kind = f3 & 3; // 1 RW, 2 RS, 3 RC
        boolean write = kind == 1 || rs1 != 0;
        long src = f3 >= 5 ? rs1 : x[rs1];
        long old;
        switch (csr) {
            case 0x001 -> old = c.fcsr & 0x1f;
            case 0x002 -> old = (c.fcsr >>> 5) & 7;
            case 0x003 -> old = c.fcsr & 0xff;
            case 0xc00, 0xc02 -> old = instret;
            case 0xc01 -> old = Rv64Context.timeCsr();
            default -> {
                return false;
            }
        }
        if (write) {
            if ((csr >>> 10) == 3) {
                return false; // read-only
            }
            long nv = kind == 1 ? src : kind == 2 ? old | src : old & ~src;
            switch (csr) {
                case 0x001 -> c.fcsr = (c.fcsr & ~0x1f) | (int) (nv & 0x1f);
                case 0x002 -> c.fcsr = (c.fcsr & ~0xe0) | (int) ((nv & 7) << 5);
                default -> c.fcsr = (int) (nv & 0xff);
            }
        }
        if (rd != 0) {
            x[rd] = old;
        }
        return true;
    }

    private static boolean fp(Rv64Context c, int insn) {
        try {
            boolean ok = Rv64Fpu.execute(c, insn);
            c.x[0] = 0;
            return ok;
        } catch (RuntimeException e) {
            c.x[0] = 0;
            return false;
        }
    }
}
