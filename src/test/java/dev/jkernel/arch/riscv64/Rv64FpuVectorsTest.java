package dev.jkernel.arch.riscv64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/**
 * Bit-for-bit differential test against qemu-riscv64's softfloat: replays every case that guest/cpu/fpu_vectors.c
 * printed under qemu (src/test/resources/fpu/fpu_vectors.expected.gz; regenerate with
 * {@code riscv64-linux-gnu-gcc -O2 -static guest/cpu/fpu_vectors.c && qemu-riscv64 ./a.out | gzip -9n}).
 */
class Rv64FpuVectorsTest {

    /** How to encode an instruction named in the vector file. funct3 < 0: the rounding mode goes there. */
    record Op(int opcode, int funct5, int fmt, int rs2, int funct3, boolean xSrc, boolean xDst) {}

    static final Map<String, Op> OPS = new HashMap<>();

    static {
        String[] fmts = {"s", "d"};
        for (int fmt = 0; fmt < 2; fmt++) {
            String t = "." + fmts[fmt];
            OPS.put("fadd" + t, new Op(0x53, 0x00, fmt, -1, -1, false, false));
            OPS.put("fsub" + t, new Op(0x53, 0x01, fmt, -1, -1, false, false));
            OPS.put("fmul" + t, new Op(0x53, 0x02, fmt, -1, -1, false, false));
            OPS.put("fdiv" + t, new Op(0x53, 0x03, fmt, -1, -1, false, false));
            OPS.put("fsqrt" + t, new Op(0x53, 0x0b, fmt, 0, -1, false, false));
            OPS.put("fsgnj" + t, new Op(0x53, 0x04, fmt, -1, 0, false, false));
            OPS.put("fsgnjn" + t, new Op(0x53, 0x04, fmt, -1, 1, false, false));
            OPS.put("fsgnjx" + t, new Op(0x53, 0x04, fmt, -1, 2, false, false));
            OPS.put("fmin" + t, new Op(0x53, 0x05, fmt, -1, 0, false, false));
            OPS.put("fmax" + t, new Op(0x53, 0x05, fmt, -1, 1, false, false));
            OPS.put("fle" + t, new Op(0x53, 0x14, fmt, -1, 0, false, true));
            OPS.put("flt" + t, new Op(0x53, 0x14, fmt, -1, 1, false, true));
            OPS.put("feq" + t, new Op(0x53, 0x14, fmt, -1, 2, false, true));
            OPS.put("fclass" + t, new Op(0x53, 0x1c, fmt, 0, 1, false, true));
            OPS.put("fmadd" + t, new Op(0x43, -1, fmt, -1, -1, false, false));
            OPS.put("fmsub" + t, new Op(0x47, -1, fmt, -1, -1, false, false));
            OPS.put("fnmsub" + t, new Op(0x4b, -1, fmt, -1, -1, false, false));
            OPS.put("fnmadd" + t, new Op(0x4f, -1, fmt, -1, -1, false, false));
            String[] ints = {"w", "wu", "l", "lu"};
            for (int k = 0; k < 4; k++) {
                OPS.put("fcvt." + ints[k] + t, new Op(0x53, 0x18, fmt, k, -1, false, true));
                OPS.put("fcvt" + t + "." + ints[k], new Op(0x53, 0x1a, fmt, k, -1, true, false));
            }
        }
        OPS.put("fcvt.s.d", new Op(0x53, 0x08, 0, 1, -1, false, false));
        OPS.put("fcvt.d.s", new Op(0x53, 0x08, 1, 0, -1, false, false));
        OPS.put("fmv.x.w", new Op(0x53, 0x1c, 0, 0, 0, false, true));
        OPS.put("fmv.x.d", new Op(0x53, 0x1c, 1, 0, 0, false, true));
        OPS.put("fmv.w.x", new Op(0x53, 0x1e, 0, 0, 0, true, false));
        OPS.put("fmv.d.x", new Op(0x53, 0x1e, 1, 0, 0, true, false));
    }

    static final int RD = 5, RS1 = 1, RS2 = 2, RS3 = 3, XS = 6;
    static final long SENTINEL = 0x5a5a5a5a5a5a5a5aL;

    /** Runs one vector line; returns null if it matches, else a description of the mismatch. */
    static String check(String line, int variant) {
        int arrow = line.indexOf(" -> ");
        String[] lhs = line.substring(0, arrow).split(" ");
        String[] rhs = line.substring(arrow + 4).split(" ");
        Op op = OPS.get(lhs[0]);
        if (op == null) return "unknown op";
        int rm = Integer.parseInt(lhs[1]);
        long[] opnd = new long[3];
        for (int i = 2; i < lhs.length; i++) opnd[i - 2] = Long.parseUnsignedLong(lhs[i], 16);
        long want = Long.parseUnsignedLong(rhs[0], 16);
        int wantFlags = Integer.parseInt(rhs[1], 16);

        Rv64Context ctx = new Rv64Context();
        for (int i = 0; i < 32; i++) ctx.f[i] = SENTINEL + i;
        for (int i = 1; i < 32; i++) ctx.x[i] = SENTINEL - i;
        // Alternate between a static rounding mode in the instruction and the dynamic one from frm.
        boolean dynamic = (variant & 1) != 0;
        int rmField = op.funct3 >= 0 ? op.funct3 : dynamic ? 7 : rm;
        int frm = op.funct3 >= 0 || dynamic ? rm : (rm + 3) % 5;
        ctx.fcsr = frm << 5;
        int rs2 = op.rs2 >= 0 ? op.rs2 : RS2;
        int rs1 = op.xSrc ? XS : RS1;
        if (op.xSrc) ctx.x[XS] = opnd[0];
        else ctx.f[RS1] = opnd[0];
        ctx.f[RS2] = opnd[1];
        ctx.f[RS3] = opnd[2];
        int insn = op.opcode | RD << 7 | rmField << 12 | rs1 << 15 | rs2 << 20 | op.fmt << 25;
        insn |= op.opcode == 0x53 ? op.funct5 << 27 : RS3 << 27;
        boolean ok;
        try {
            ok = Rv64Fpu.execute(ctx, insn);
        } catch (RuntimeException e) {
            return "exception " + e;
        }
        if (!ok) return "returned false";
        long got = op.xDst ? ctx.x[RD] : ctx.f[RD];
        int gotFlags = ctx.fcsr & 0x1f;
        StringBuilder err = new StringBuilder();
        if (got != want || gotFlags != wantFlags)
            err.append(String.format("got %x %x", got, gotFlags));
        if ((ctx.fcsr >>> 5) != frm) err.append(" frm changed");
        if (op.xDst ? ctx.f[RD] != SENTINEL + RD : ctx.x[RD] != SENTINEL - RD) err.append(" wrong register file");
        return err.isEmpty() ? null : err.toString();
    }

    /**
     * The checked-in vectors, or (for a larger offline run, e.g. fpu_vectors.c built with -DRAND_ITERS=20000
     * -DFMA_ITERS=100000 -DSEED=...) the plain-text file named by the system property fpu.vectors or the environment variable FPU_VECTORS.
     */
    static List<String> lines() throws IOException {
        String file = System.getProperty("fpu.vectors", System.getenv("FPU_VECTORS"));
        InputStream in = file != null ? new java.io.FileInputStream(file)
                : new GZIPInputStream(Rv64FpuVectorsTest.class.getResourceAsStream("/fpu/fpu_vectors.expected.gz"));
        assertNotNull(in, "fpu_vectors.expected.gz missing");
        List<String> out = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in,
                StandardCharsets.US_ASCII))) {
            for (String l; (l = r.readLine()) != null; ) out.add(l);
        }
        return out;
    }

    @Test
    void matchesQemuBitForBit() throws IOException {
        List<String> lines = lines();
        assertTrue(lines.size() > 1000, "too few vectors: " + lines.size());
        int bad = 0;
        StringBuilder report = new StringBuilder();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            String err = check(line, i);
            if (err != null) {
                if (bad < 40) report.append(line).append("  ==> ").append(err).append('\n');
                bad++;
            }
        }
        assertEquals(0, bad, bad + " of " + lines.size() + " vectors differ from qemu:\n" + report);
    }
}
