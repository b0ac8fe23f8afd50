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
    private long outRetired;
    private int outStatus;
    /** execFast's return value for "look at outStatus" (a pc is never odd). */
    private static final long EXIT = 1;
    /** outStatus of execFast: continue with execBlock from instruction outRetired. */
    private static final int AT_SLOW = -1;

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
        long left = budget; // instructions still allowed; c.instret lags by budget - left until synced
        Rv64Block prev = null;
        for (;;) {
            if (c.interruptRequested) {
                c.interruptRequested = false;
                return leave(c, pc, budget - left, STOP_INTERRUPT);
            }
            long g = mm.generation();
            if (g != gen) {
                flushTlb();
                gen = g;
            }
            Rv64Block b = prev == null ? null : pc == prev.pc0 ? prev.next0 : pc == prev.pc1 ? prev.next1 : null;
            if (b == null || b.epoch != epoch || b.gen != gen) {
                b = find(pc);
                if (b == null) {
                    try {
                        b = translate(pc);
                    } catch (GuestFault f) {
                        trap(c, f);
                        return leave(c, pc, budget - left, STOP_FAULT);
                    }
                }
                if (prev != null) {
                    prev.link(pc, b);
                }
            }
            prev = b;
            int st;
            if (b.n <= left) {
                long npc = execFast(c, b);
                if (npc != EXIT) { // the common case
                    left -= b.n;
                    pc = npc;
                    if (left == 0) {
                        return leave(c, pc, budget, STOP_BUDGET);
                    }
                    continue;
                }
                st = outStatus;
                if (st == AT_SLOW) {
                    c.instret += budget - left; // execBlock reads instret (CSR) as c.instret + index in the block
                    budget = left;
                    st = execBlock(c, b, (int) outRetired, b.n);
                }
            } else {
                c.instret += budget - left;
                budget = left;
                st = execBlock(c, b, 0, (int) left);
            }
            left -= outRetired;
            pc = outPc;
            if (st != 0) {
                return leave(c, pc, budget - left, st);
            }
            if (left == 0) {
                return leave(c, pc, budget, STOP_BUDGET);
            }
        }
    }

    /** Leaves run(): retires n more instructions into c.instret and stores the pc. */
    private static int leave(Rv64Context c, long pc, long n, int st) {
        c.instret += n;
        c.pc = pc;
        return st;
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
        lower(b);
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
     * Executes instructions {@code start} to {@code cnt - 1} of b one by one from the decoded form (fewer if one stops or
     * transfers control). Sets outPc (the next pc) and outRetired (counted from the block start); returns 0 to continue
     * or a STOP_* code. This is the general path: for blocks cut short by the budget, and for the tail of a block from
     * its first rare op on (see {@link #execFast}).
     */
    private int execBlock(Rv64Context c, Rv64Block b, int start, int cnt) {
        final long[] x = c.x;
        final int[] ws = b.w;
        final long[] im = b.imm;
        int i = start;
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

    // ------------------------------------------------------------------------------------------------------------
    // Fast form: common ops only, fused pairs, no per-op rd = x0 checks
    // ------------------------------------------------------------------------------------------------------------

    /*
     * Why a second form: C2 compiles execBlock's switch from its profile, and a real program's start-up (ld.so, libc
     * init) reaches nearly every case before the hot loop runs, so the switch is compiled in full (a small test that
     * only runs an ALU loop gets it pruned to a handful of cases and looks twice as fast). The fast form keeps the hot
     * switch small by sending everything rare (FP, CSR, AMO, fences, ecall, ebreak, illegal, loads into x0) to
     * execBlock, and cuts dispatches by fusing common adjacent pairs.
     *
     * Fast op word: op | r1 << 8 | r2 << 13 | r3 << 18 | r4 << 23 (5-bit register numbers). Plain ops keep their
     * Rv64Op code with r1 = rd, r2 = rs1, r3 = rs2, xa = imm (branch/jump target for J, JAL and branches).
     */
    private static final int F_LI_LD = 80; // x[r1] = xa; x[r4] = ld64(xb)
    private static final int F_ADDI_B = 81; // x[r1] = x[r2] + xa; then branch (r3, r4) to xb; +0..5 = BEQ..BGEU
    private static final int F_SLLI_ADD = 87; // x[r1] = x[r2] << xa; x[r3] = x[r1] + x[r4]
    private static final int F_SLLI_SRLI = 88; // x[r1] = x[r2] << xa; x[r3] = x[r1] >>> xb
    private static final int F_ADD_LD = 89; // x[r1] = x[r2] + x[r3]; x[r4] = ld64(x[r1] + xa)
    private static final int F_ADD_LW = 90; // ... ld32
    private static final int F_ADD_LBU = 91; // ... ld8 zero-extended
    private static final int F_ADD_LWU = 92; // ... ld32 zero-extended
    private static final int F_MDIV = 93; // x[r1] = mdiv(xa, x[r2], x[r3]): MULH* and the divisions, off the hot switch
    /** Everything else: finish the block in execBlock from this instruction on. */
    private static final int SLOW = 127;

    private static int pk(int op, int r1, int r2, int r3, int r4) {
        return op | r1 << 8 | r2 << 13 | r3 << 18 | r4 << 23;
    }

    /** The fast op for a single decoded instruction, or SLOW. */
    private static int fastOp(int op, int rd) {
        if (op >= LI && op <= REMUW || op == MV || op >= SB && op <= SD || op >= BEQ && op <= JALR) {
            return op;
        }
        if (op >= LB && op <= LWU && rd != 0) {
            return op;
        }
        return SLOW;
    }

    /** Builds b's fast form from its decoded instructions. */
    static void lower(Rv64Block b) {
        final int n = b.n;
        final int[] w = b.w;
        final long[] im = b.imm;
        int[] xw = new int[n];
        long[] xa = new long[n];
        long[] xb = new long[n];
        int[] xi = new int[n + 1];
        int k = 0;
        for (int i = 0; i < n;) {
            int op = op(w[i]), rd = rd(w[i]), rs1 = rs1(w[i]), rs2 = rs2(w[i]);
            long imm = im[i];
            if (op == NOP && k > 0) {
                i++; // counted with the op before it
                continue;
            }
            int op2 = -1, rd2 = 0, a2 = 0, b2 = 0;
            long imm2 = 0;
            if (i + 1 < n) {
                op2 = op(w[i + 1]);
                rd2 = rd(w[i + 1]);
                a2 = rs1(w[i + 1]);
                b2 = rs2(w[i + 1]);
                imm2 = im[i + 1];
            }
            int fw;
            long fa = imm, fb = 0;
            int used = 2;
            if (op == LI && (op2 == ADDI || op2 == ADDIW) && a2 == rd && rd2 == rd) { // lui/auipc + addi(w)
                fw = pk(LI, rd, 0, 0, 0);
                fa = op2 == ADDI ? imm + imm2 : (long) (int) (imm + imm2);
            } else if (op == LI && op2 == LD && a2 == rd && rd2 != 0) { // auipc + ld
                fw = pk(F_LI_LD, rd, 0, 0, rd2);
                fb = imm + imm2;
            } else if (op == ADDI && op2 >= BEQ && op2 <= BGEU) {
                fw = pk(F_ADDI_B + (op2 - BEQ), rd, rs1, a2, b2);
                fb = imm2;
            } else if (op == SLLI && op2 == ADD && (a2 == rd || b2 == rd)) {
                fw = pk(F_SLLI_ADD, rd, rs1, rd2, a2 == rd ? b2 : a2);
            } else if (op == SLLI && op2 == SRLI && a2 == rd) {
                fw = pk(F_SLLI_SRLI, rd, rs1, rd2, 0);
                fb = imm2;
            } else if (op == ADD && a2 == rd && rd2 != 0
                    && (op2 == LD || op2 == LW || op2 == LBU || op2 == LWU)) {
                int f = op2 == LD ? F_ADD_LD : op2 == LW ? F_ADD_LW : op2 == LBU ? F_ADD_LBU : F_ADD_LWU;
                fw = pk(f, rd, rs1, rs2, rd2);
                fa = imm2;
            } else if (op >= MULH && op <= REMUW && op != MULW) {
                fw = pk(F_MDIV, rd, rs1, rs2, 0);
                fa = op;
                used = 1;
            } else {
                fw = pk(fastOp(op, rd), rd, rs1, rs2, 0);
                used = 1;
            }
            xw[k] = fw;
            xa[k] = fa;
            xb[k] = fb;
            xi[k] = i;
            k++;
            i += used;
        }
        xi[k] = n;
        b.xn = k;
        b.xw = Arrays.copyOf(xw, k);
        b.xa = Arrays.copyOf(xa, k);
        b.xb = Arrays.copyOf(xb, k);
        b.xi = Arrays.copyOf(xi, k + 1);
    }

    /**
     * Executes all of b from its fast form. Returns the next pc when all b.n instructions retired without a stop (the
     * common case: nothing else to look at), else {@link #EXIT} with outStatus, outPc and outRetired set as
     * execBlock sets them; outStatus {@link #AT_SLOW} means nothing stopped but instruction outRetired is a rare one
     * for execBlock.
     */
    private long execFast(Rv64Context c, Rv64Block b) {
        final long[] x = c.x;
        final int[] ws = b.xw;
        final long[] xa = b.xa;
        final long[] xb = b.xb;
        final int xn = b.xn;
        long npc = b.end;
        int k = 0;
        int part = 0; // instructions of the current fused op already retired (for a fault in its second half)
        try {
            ops:
            for (; k < xn; k++) {
                final int w = ws[k];
                final int r1 = (w >>> 8) & 31;
                final int r2 = (w >>> 13) & 31;
                final int r3 = (w >>> 18) & 31;
                final long imm = xa[k];
                switch (w & 0xff) {
                    case NOP -> {
                    }
                    case LI -> x[r1] = imm;
                    case MV -> x[r1] = x[r2];
                    case ADDI -> x[r1] = x[r2] + imm;
                    case SLTI -> x[r1] = x[r2] < imm ? 1 : 0;
                    case SLTIU -> x[r1] = Long.compareUnsigned(x[r2], imm) < 0 ? 1 : 0;
                    case XORI -> x[r1] = x[r2] ^ imm;
                    case ORI -> x[r1] = x[r2] | imm;
                    case ANDI -> x[r1] = x[r2] & imm;
                    case SLLI -> x[r1] = x[r2] << imm;
                    case SRLI -> x[r1] = x[r2] >>> imm;
                    case SRAI -> x[r1] = x[r2] >> imm;
                    case ADDIW -> x[r1] = (int) (x[r2] + imm);
                    case SLLIW -> x[r1] = (int) x[r2] << imm;
                    case SRLIW -> x[r1] = (int) x[r2] >>> imm;
                    case SRAIW -> x[r1] = (int) x[r2] >> imm;
                    case ADD -> x[r1] = x[r2] + x[r3];
                    case SUB -> x[r1] = x[r2] - x[r3];
                    case SLL -> x[r1] = x[r2] << x[r3];
                    case SLT -> x[r1] = x[r2] < x[r3] ? 1 : 0;
                    case SLTU -> x[r1] = Long.compareUnsigned(x[r2], x[r3]) < 0 ? 1 : 0;
                    case XOR -> x[r1] = x[r2] ^ x[r3];
                    case SRL -> x[r1] = x[r2] >>> x[r3];
                    case SRA -> x[r1] = x[r2] >> x[r3];
                    case OR -> x[r1] = x[r2] | x[r3];
                    case AND -> x[r1] = x[r2] & x[r3];
                    case ADDW -> x[r1] = (int) (x[r2] + x[r3]);
                    case SUBW -> x[r1] = (int) (x[r2] - x[r3]);
                    case SLLW -> x[r1] = (int) x[r2] << (int) x[r3];
                    case SRLW -> x[r1] = (int) x[r2] >>> (int) x[r3];
                    case SRAW -> x[r1] = (int) x[r2] >> (int) x[r3];
                    case MUL -> x[r1] = x[r2] * x[r3];
                    case MULW -> x[r1] = (int) x[r2] * (int) x[r3];
                    case F_MDIV -> x[r1] = mdiv((int) imm, x[r2], x[r3]);
                    case LB -> x[r1] = ld8(x[r2] + imm);
                    case LBU -> x[r1] = ld8(x[r2] + imm) & 0xff;
                    case LH -> x[r1] = ld16(x[r2] + imm);
                    case LHU -> x[r1] = ld16(x[r2] + imm) & 0xffff;
                    case LW -> x[r1] = ld32(x[r2] + imm);
                    case LWU -> x[r1] = ld32(x[r2] + imm) & 0xffffffffL;
                    case LD -> x[r1] = ld64(x[r2] + imm);
                    case SB -> {
                        if (st8(x[r2] + imm, (byte) x[r3])) {
                            return smcOut(b, k);
                        }
                    }
                    case SH -> {
                        if (st16(x[r2] + imm, (short) x[r3])) {
                            return smcOut(b, k);
                        }
                    }
                    case SW -> {
                        if (st32(x[r2] + imm, (int) x[r3])) {
                            return smcOut(b, k);
                        }
                    }
                    case SD -> {
                        if (st64(x[r2] + imm, x[r3])) {
                            return smcOut(b, k);
                        }
                    }
                    case BEQ -> {
                        if (x[r2] == x[r3]) {
                            npc = imm;
                            break ops;
                        }
                    }
                    case BNE -> {
                        if (x[r2] != x[r3]) {
                            npc = imm;
                            break ops;
                        }
                    }
                    case BLT -> {
                        if (x[r2] < x[r3]) {
                            npc = imm;
                            break ops;
                        }
                    }
                    case BGE -> {
                        if (x[r2] >= x[r3]) {
                            npc = imm;
                            break ops;
                        }
                    }
                    case BLTU -> {
                        if (Long.compareUnsigned(x[r2], x[r3]) < 0) {
                            npc = imm;
                            break ops;
                        }
                    }
                    case BGEU -> {
                        if (Long.compareUnsigned(x[r2], x[r3]) >= 0) {
                            npc = imm;
                            break ops;
                        }
                    }
                    case J -> {
                        npc = imm;
                            break ops;
                    }
                    case JAL -> {
                        x[r1] = b.end;
                        npc = imm;
                            break ops;
                    }
                    case JR -> {
                        npc = (x[r2] + imm) & ~1L;
                            break ops;
                    }
                    case JALR -> {
                        long t = (x[r2] + imm) & ~1L;
                        x[r1] = b.end;
                        npc = t;
                            break ops;
                    }
                    case F_LI_LD -> {
                        x[r1] = imm;
                        part = 1;
                        x[(w >>> 23) & 31] = ld64(xb[k]);
                        part = 0;
                    }
                    case F_ADDI_B -> {
                        x[r1] = x[r2] + imm;
                        if (x[r3] == x[(w >>> 23) & 31]) {
                            npc = xb[k];
                            break ops;
                        }
                    }
                    case F_ADDI_B + 1 -> {
                        x[r1] = x[r2] + imm;
                        if (x[r3] != x[(w >>> 23) & 31]) {
                            npc = xb[k];
                            break ops;
                        }
                    }
                    case F_ADDI_B + 2 -> {
                        x[r1] = x[r2] + imm;
                        if (x[r3] < x[(w >>> 23) & 31]) {
                            npc = xb[k];
                            break ops;
                        }
                    }
                    case F_ADDI_B + 3 -> {
                        x[r1] = x[r2] + imm;
                        if (x[r3] >= x[(w >>> 23) & 31]) {
                            npc = xb[k];
                            break ops;
                        }
                    }
                    case F_ADDI_B + 4 -> {
                        x[r1] = x[r2] + imm;
                        if (Long.compareUnsigned(x[r3], x[(w >>> 23) & 31]) < 0) {
                            npc = xb[k];
                            break ops;
                        }
                    }
                    case F_ADDI_B + 5 -> {
                        x[r1] = x[r2] + imm;
                        if (Long.compareUnsigned(x[r3], x[(w >>> 23) & 31]) >= 0) {
                            npc = xb[k];
                            break ops;
                        }
                    }
                    case F_SLLI_ADD -> {
                        x[r1] = x[r2] << imm;
                        x[r3] = x[r1] + x[(w >>> 23) & 31];
                    }
                    case F_SLLI_SRLI -> {
                        x[r1] = x[r2] << imm;
                        x[r3] = x[r1] >>> xb[k];
                    }
                    case F_ADD_LD -> {
                        x[r1] = x[r2] + x[r3];
                        part = 1;
                        x[(w >>> 23) & 31] = ld64(x[r1] + imm);
                        part = 0;
                    }
                    case F_ADD_LW -> {
                        x[r1] = x[r2] + x[r3];
                        part = 1;
                        x[(w >>> 23) & 31] = ld32(x[r1] + imm);
                        part = 0;
                    }
                    case F_ADD_LBU -> {
                        x[r1] = x[r2] + x[r3];
                        part = 1;
                        x[(w >>> 23) & 31] = ld8(x[r1] + imm) & 0xff;
                        part = 0;
                    }
                    case F_ADD_LWU -> {
                        x[r1] = x[r2] + x[r3];
                        part = 1;
                        x[(w >>> 23) & 31] = ld32(x[r1] + imm) & 0xffffffffL;
                        part = 0;
                    }
                    default -> { // SLOW
                        outStatus = AT_SLOW;
                        outRetired = b.xi[k];
                        return EXIT;
                    }
                }
            }
        } catch (GuestFault f) {
            trap(c, f);
            int at = b.xi[k] + part;
            outPc = b.pc + b.off[at];
            outRetired = at;
            outStatus = STOP_FAULT;
            return EXIT;
        } catch (RuntimeException e) {
            // Cannot happen for any guest input; never let a Java exception escape to the kernel.
            int at = b.xi[k] + part;
            outStatus = illegal(c, b, at, b.imm[at]);
            return EXIT;
        }
        return npc;
    }

    /** MULH, MULHSU, MULHU and the divisions for the fast form (a second switch keeps the hot one small). */
    private static long mdiv(int op, long a, long b) {
        return switch (op) {
            case MULH -> Math.multiplyHigh(a, b);
            case MULHSU -> mulhsu(a, b);
            case MULHU -> Math.unsignedMultiplyHigh(a, b);
            case DIV -> div(a, b);
            case DIVU -> divu(a, b);
            case REM -> rem(a, b);
            case REMU -> remu(a, b);
            case DIVW -> divw((int) a, (int) b);
            case DIVUW -> divuw((int) a, (int) b);
            case REMW -> remw((int) a, (int) b);
            default -> remuw((int) a, (int) b);
        };
    }

    /** Leaves after fast op k because a store hit decoded code. */
    private long smcOut(Rv64Block b, int k) {
        int next = b.xi[k + 1];
        outPc = b.pc + b.off[next];
        outRetired = next;
        outStatus = 0;
        return EXIT;
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
            case 0xc01 -> old = c.timeCsr();
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
