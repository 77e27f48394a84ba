package dev.semaim.tensor.cpu;

import dev.semaim.tensor.Tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Fused float32 multi-head attention, forward and backward, one task per (batch item, head): the head's
 * slices of q, k, v are packed into per-thread scratch (no permute copies), the four small products run
 * on a 4×2-vector register tile, and the scaled, masked scores are soft-maxed while they are still in
 * L1. The reference is {@link dev.semaim.tensor.AttentionReference} (the unfused composition).
 *
 * <p>Every product accumulates its K terms in order from zero in one register, as {@link Gemm}'s
 * micro-kernel does for K up to 1024 (one slice), and the scale, mask and softmax steps round as the unfused ops
 * do, so for up to 1024 tokens and head widths up to 1024 the results equal the unfused path's.
 */
final class AttentionKernels {
    private static final VectorSpecies<Float> S = KernelConfig.SPECIES;
    private static final int V = S.length();
    /** Register tile: MR rows × NR = 2 vectors. */
    private static final int MR = 4;
    private static final int NR = 2 * V;

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private AttentionKernels() {}

    /** Whether the fused kernels take these operands: unit stride along features, contiguous outputs. */
    private static boolean takes(Tensor mask, Tensor... rowMajor) {
        for (Tensor t : rowMajor) if (t.stride(-1) != 1 && t.size(-1) != 1) return false;
        return mask == null || mask.stride(-1) == 1 || mask.size(-1) == 1;
    }

    /**
     * out (B, Tq, D) and probs (B, H, Tq, Tk) (both contiguous) from q (B, Tq, D), k, v (B, Tk, D) and an
     * additive mask (B or 1, 1, Tq, Tk) or null; false (nothing written) when a layout does not suit.
     */
    static boolean forward(Tensor q, Tensor k, Tensor v, int heads, double scale, Tensor mask, Tensor out, Tensor probs) {
        if (!takes(mask, q, k, v) || !out.isContiguous() || !probs.isContiguous()) return false;
        int b = q.size(0), tq = q.size(1), d = q.size(2), tk = k.size(1), hd = d / heads;
        float[] qa = FastKernels.f(q), ka = FastKernels.f(k), va = FastKernels.f(v), oa = FastKernels.f(out), pa = FastKernels.f(probs);
        float[] ma = mask == null ? null : FastKernels.f(mask);
        float fscale = (float) scale;
        int tqp = roundUp(tq, MR), tkp = roundUp(tk, NR), hdp = roundUp(hd, NR);
        CpuThreads.parallelFor(b * heads, task -> {
            int bi = task / heads, h = task % heads;
            Scratch s = SCRATCH.get();
            float[] qp = s.a(tqp * hdp), kt = s.b(hd * tkp), sc = s.c(tqp * tkp), vp = s.d(tk * hdp), op = s.e(tqp * hdp);
            float[] edge = s.f(MR * Math.max(hd, tk));
            int qo = q.offset() + bi * q.stride(0) + h * hd, ko = k.offset() + bi * k.stride(0) + h * hd;
            int vo = v.offset() + bi * v.stride(0) + h * hd;
            packRows(qa, qo, q.stride(1), tq, hd, qp, tqp, hdp);            // qp: (Tq↑, hd↑) = q_h
            packTransposed(ka, ko, k.stride(1), tk, hd, kt, tkp);           // kt: (hd, Tk↑) = k_hᵀ
            product(tqp, tkp, hd, qp, 0, hdp, 1, kt, tkp, fscale, sc, tkp, edge); // sc: (Tq↑, Tk↑) = q_h·k_hᵀ·scale
            int po = probs.offset() + task * tq * tk;
            for (int i = 0; i < tq; i++) {
                int row = i * tkp;
                int mo = ma == null ? 0 : mask.offset() + (mask.size(0) == 1 ? 0 : bi * mask.stride(0)) + i * mask.stride(2);
                softmaxScoresRow(sc, row, tk, ma, mo, ma == null ? 0 : mask.stride(3), s.lanes);
                System.arraycopy(sc, row, pa, po + i * tk, tk);
            }
            packRows(va, vo, v.stride(1), tk, hd, vp, tk, hdp);             // vp: (Tk, hd↑) = v_h
            product(tqp, hdp, tk, sc, 0, tkp, 1, vp, hdp, 1f, op, hdp, edge);  // op: (Tq↑, hd↑) = p·v_h
            int oo = out.offset() + bi * tq * d + h * hd;
            for (int i = 0; i < tq; i++) System.arraycopy(op, i * hdp, oa, oo + i * d, hd);
        });
        return true;
    }

    /**
     * dq (B, Tq, D), dk and dv (B, Tk, D) (overwritten; unit feature stride, e.g. slices of one (B, T, 3D)
     * buffer) from the output gradient dOut (B, Tq, D) and the forward's operands and probs; false (nothing
     * written) when a layout does not suit.
     */
    static boolean backward(Tensor dOut, Tensor q, Tensor k, Tensor v, Tensor probs, int heads, double scale,
                            Tensor dq, Tensor dk, Tensor dv) {
        if (!takes(null, dOut, q, k, v, dq, dk, dv) || !probs.isContiguous()) return false;
        int b = q.size(0), tq = q.size(1), tk = k.size(1), hd = q.size(2) / heads;
        float[] ga = FastKernels.f(dOut), qa = FastKernels.f(q), ka = FastKernels.f(k), va = FastKernels.f(v), pa = FastKernels.f(probs);
        float[] dqa = FastKernels.f(dq), dka = FastKernels.f(dk), dva = FastKernels.f(dv);
        float fscale = (float) scale;
        int tqp = roundUp(tq, MR), tkp = roundUp(tk, NR), hdp = roundUp(hd, NR);
        int tkr = roundUp(tk, MR);
        CpuThreads.parallelFor(b * heads, task -> {
            int bi = task / heads, h = task % heads;
            Scratch s = SCRATCH.get();
            float[] gp = s.a(tqp * hdp), vt = s.b(hd * tkp), dp = s.c(tqp * tkp), rows = s.d(Math.max(tq, tk) * hdp);
            float[] res = s.e(Math.max(tqp, tkr) * hdp), edge = s.f(MR * Math.max(tq, tk));
            int go = dOut.offset() + bi * dOut.stride(0) + h * hd, qo = q.offset() + bi * q.stride(0) + h * hd;
            int ko = k.offset() + bi * k.stride(0) + h * hd, vo = v.offset() + bi * v.stride(0) + h * hd;
            int po = probs.offset() + task * tq * tk;
            packRows(ga, go, dOut.stride(1), tq, hd, gp, tqp, hdp);        // gp: (Tq↑, hd↑) = dO_h
            packTransposed(va, vo, v.stride(1), tk, hd, vt, tkp);           // vt: (hd, Tk↑) = v_hᵀ
            product(tqp, tkp, hd, gp, 0, hdp, 1, vt, tkp, 1f, dp, tkp, edge); // dp: (Tq↑, Tk↑) = dO_h·v_hᵀ
            product(tk, hdp, tq, pa, po, 1, tk, gp, hdp, 1f, res, hdp, edge);  // res: (Tk↑, hd↑) = pᵀ·dO_h, p read in place
            unpack(res, hdp, tk, hd, dva, dv.offset() + bi * dv.stride(0) + h * hd, dv.stride(1));
            // ds = softmax backward, then ·scale (as the unfused mul does; the row has room for whole vectors)
            FloatVector vScale = FloatVector.broadcast(S, fscale);
            for (int i = 0; i < tq; i++) {
                int row = i * tkp;
                FastKernels.softmaxBackwardRow(pa, po + i * tk, dp, row, dp, row, tk, false);
                for (int j = 0; j < tk; j += V) FloatVector.fromArray(S, dp, row + j).mul(vScale).intoArray(dp, row + j);
            }
            // dq_h = ds·k_h
            packRows(ka, ko, k.stride(1), tk, hd, rows, tk, hdp);
            product(tqp, hdp, tk, dp, 0, tkp, 1, rows, hdp, 1f, res, hdp, edge);
            unpack(res, hdp, tq, hd, dqa, dq.offset() + bi * dq.stride(0) + h * hd, dq.stride(1));
            // dk_h = dsᵀ·q_h, ds read in place (its rows past tk, up to tkp, are there)
            packRows(qa, qo, q.stride(1), tq, hd, rows, tq, hdp);
            product(tkr, hdp, tq, dp, 0, 1, tkp, rows, hdp, 1f, res, hdp, edge);
            unpack(res, hdp, tk, hd, dka, dk.offset() + bi * dk.stride(0) + h * hd, dk.stride(1));
        });
        return true;
    }

    /**
     * Row {@code row} of the scaled scores, sc[row, row+tk), becomes softmax(scores + mask) in place, each step rounded
     * as the unfused ops round it, so the values are those of the mask add and {@link FastKernels#softmaxRow}. The
     * row has room for whole vectors (its padded length is tk rounded up to V at least), so its last partial vector
     * is exp'd and scaled as a whole vector where softmaxRow runs a scalar loop; the lanes past tk are padding that
     * nothing reads.
     */
    private static void softmaxScoresRow(float[] sc, int row, int tk, float[] ma, int mo, int ms, float[] lanes) {
        // One exp call site, vector operands, no lane extraction (lane(i) expands to a switch over every lane) and no
        // vector assigned under a branch: C2 inlines Vector API calls into a compilation only up to a node budget,
        // and an operation it leaves out of line, or a vector it cannot follow through a merge, boxes (vit-s
        // allocated 0.3-1.4 GB per step in this method before). The max and the sum accumulate lane-wise in
        // memory (lanes, V floats), not in a vector carried around the loop: some compilations kept that vector
        // in a box (vit-s allocated 0.5 GB per step in the sum loop in about half the runs).
        int full = tk / V * V;
        if (ma != null) {
            int j = 0;
            if (ms == 1) for (; j < full; j += V) FloatVector.fromArray(S, sc, row + j).add(FloatVector.fromArray(S, ma, mo + j)).intoArray(sc, row + j);
            for (; j < tk; j++) sc[row + j] += ma[mo + j * ms];
        }
        java.util.Arrays.fill(lanes, Float.NEGATIVE_INFINITY);
        for (int j = 0; j < full; j += V) FloatVector.fromArray(S, lanes, 0).max(FloatVector.fromArray(S, sc, row + j)).intoArray(lanes, 0);
        float max = FloatVector.fromArray(S, lanes, 0).reduceLanes(VectorOperators.MAX);
        for (int j = full; j < tk; j++) max = Math.max(max, sc[row + j]);
        FloatVector vMax = FloatVector.broadcast(S, max);
        for (int j = 0; j < tk; j += V) VectorMath.exp(FloatVector.fromArray(S, sc, row + j).sub(vMax)).intoArray(sc, row + j);
        // the sum as softmaxRow forms it: lane-wise over the whole vectors, then the rest in order
        java.util.Arrays.fill(lanes, 0f);
        for (int j = 0; j < full; j += V) FloatVector.fromArray(S, lanes, 0).add(FloatVector.fromArray(S, sc, row + j)).intoArray(lanes, 0);
        float sum = FloatVector.fromArray(S, lanes, 0).reduceLanes(VectorOperators.ADD);
        for (int j = full; j < tk; j++) sum += sc[row + j];
        FloatVector vInv = FloatVector.broadcast(S, 1f / sum);
        for (int j = 0; j < tk; j += V) FloatVector.fromArray(S, sc, row + j).mul(vInv).intoArray(sc, row + j);
    }

    // ------------------------------------------------------------------ packing

    /** dst (rowsPad, colsPad), zero-padded = src rows [0, rows) × features [0, cols) (row stride rs, unit column stride). */
    private static void packRows(float[] src, int off, int rs, int rows, int cols, float[] dst, int rowsPad, int colsPad) {
        for (int r = 0; r < rowsPad; r++) {
            int dr = r * colsPad;
            if (r < rows) {
                System.arraycopy(src, off + r * rs, dst, dr, cols);
                for (int c = cols; c < colsPad; c++) dst[dr + c] = 0f;
            } else {
                for (int c = 0; c < colsPad; c++) dst[dr + c] = 0f;
            }
        }
    }

    /** dst (cols, rowsPad) = transpose of src rows [0, rows) × features [0, cols), zero-padded. */
    private static void packTransposed(float[] src, int off, int rs, int rows, int cols, float[] dst, int rowsPad) {
        for (int c = 0; c < cols; c++) {
            int dr = c * rowsPad;
            for (int r = 0; r < rows; r++) dst[dr + r] = src[off + r * rs + c];
            for (int r = rows; r < rowsPad; r++) dst[dr + r] = 0f;
        }
    }

    /** dst rows [0, rows) × [0, cols) (row stride dstLd) = src (row stride ld). */
    private static void unpack(float[] src, int ld, int rows, int cols, float[] dst, int off, int dstLd) {
        for (int r = 0; r < rows; r++) System.arraycopy(src, r * ld, dst, off + r * dstLd, cols);
    }

    // ------------------------------------------------------------------ products

    /**
     * c (m↑, n) = a (m, kk) · b (kk, n) · scale, with m↑ = m rounded up to MR and n a multiple of NR; element (i, k)
     * of a at a[ao + i·rs + k·ks] ((rs, ks) = (row stride, 1) for a row-major operand, (1, row stride) for the
     * transpose of one, read in place), b row-major with row stride ldb, c with row stride ldc. A last partial panel
     * of m % MR rows is packed into {@code edge} (MR·kk floats) with zero rows below it.
     */
    private static void product(int m, int n, int kk, float[] a, int ao, int rs, int ks, float[] b, int ldb,
                                float scale, float[] c, int ldc, float[] edge) {
        int full = m / MR * MR;
        if (full < m) {
            for (int k = 0; k < kk; k++) {
                for (int r = 0; r < MR; r++) edge[k * MR + r] = full + r < m ? a[ao + (full + r) * rs + k * ks] : 0f;
            }
        }
        for (int j = 0; j < n; j += NR) {
            for (int i = 0; i < full; i += MR) tile(kk, a, ao + i * rs, rs, ks, b, j, ldb, scale, c, i * ldc + j, ldc);
            if (full < m) tile(kk, edge, 0, 1, MR, b, j, ldb, scale, c, full * ldc + j, ldc);
        }
    }

    /**
     * c[0:MR, 0:NR] = a[0:MR, 0:kk] · b[0:kk, 0:NR] · scale, element (r, k) of a at a[ao + r·rs + k·ks]; the sums run
     * over k in order from zero and are then scaled, one rounding each, as a product followed by a multiply rounds.
     */
    private static void tile(int kk, float[] a, int ao, int rs, int ks, float[] b, int bo, int ldb,
                             float scale, float[] c, int co, int ldc) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
        int a0 = ao, a1 = ao + rs, a2 = ao + 2 * rs, a3 = ao + 3 * rs;
        for (int k = 0; k < kk; k++) {
            int bi = bo + k * ldb, ak = k * ks;
            FloatVector b0 = FloatVector.fromArray(S, b, bi);
            FloatVector b1 = FloatVector.fromArray(S, b, bi + V);
            FloatVector x = FloatVector.broadcast(S, a[a0 + ak]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a[a1 + ak]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, a[a2 + ak]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, a[a3 + ak]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
        }
        FloatVector vs = FloatVector.broadcast(S, scale);
        c00.mul(vs).intoArray(c, co);
        c01.mul(vs).intoArray(c, co + V);
        c10.mul(vs).intoArray(c, co + ldc);
        c11.mul(vs).intoArray(c, co + ldc + V);
        c20.mul(vs).intoArray(c, co + 2 * ldc);
        c21.mul(vs).intoArray(c, co + 2 * ldc + V);
        c30.mul(vs).intoArray(c, co + 3 * ldc);
        c31.mul(vs).intoArray(c, co + 3 * ldc + V);
    }

    private static int roundUp(int x, int m) {
        return (x + m - 1) / m * m;
    }

    /** Per-thread scratch arrays, grown on demand. */
    private static final class Scratch {
        private final float[][] bufs = new float[6][0];
        /** One vector's worth of lane accumulators (softmaxScoresRow). */
        final float[] lanes = new float[V];

        private float[] get(int i, int size) {
            if (bufs[i].length < size) bufs[i] = new float[size];
            return bufs[i];
        }

        float[] a(int size) { return get(0, size); }
        float[] b(int size) { return get(1, size); }
        float[] c(int size) { return get(2, size); }
        float[] d(int size) { return get(3, size); }
        float[] e(int size) { return get(4, size); }
        float[] f(int size) { return get(5, size); }
    }
}
