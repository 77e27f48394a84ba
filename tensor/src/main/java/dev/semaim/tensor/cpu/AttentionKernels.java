package dev.semaim.tensor.cpu;

import dev.semaim.tensor.Tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Fused float32 multi-head attention, forward and backward, one task per (batch item, head): the head's
 * slices of q, k, v are read in place or packed into per-thread scratch (no permute copies), the small
 * products run on {@link AttentionProducts}' register tiles, and the scaled, masked scores are soft-maxed
 * while they are still in L1. The reference is {@link dev.semaim.tensor.AttentionReference} (the unfused
 * composition).
 *
 * <p>Every product accumulates its K terms in order from zero in one register, as {@link Gemm}'s
 * micro-kernel does for K up to 1024 (one slice), and the scale, mask and softmax steps round as the unfused ops
 * do, so for up to 1024 tokens and head widths up to 1024 the results equal the unfused path's.
 */
final class AttentionKernels {
    private static final VectorSpecies<Float> S = KernelConfig.SPECIES;
    private static final int V = S.length();

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
        int tqp = AttentionProducts.outRows(tq), tkp = AttentionProducts.roundUp(tk, AttentionProducts.NR);
        int hdp = AttentionProducts.roundUp(hd, AttentionProducts.NR);
        CpuThreads.parallelFor(b * heads, task -> {
            int bi = task / heads, h = task % heads;
            AttentionProducts.Scratch s = AttentionProducts.scratch();
            float[] kt = s.b(hd * tkp), sc = s.c(tqp * tkp), vp = s.d(tk * hdp), op = s.e(tqp * hdp);
            float[] edge = s.f(AttentionProducts.WR * Math.max(hd, tk));
            int qo = q.offset() + bi * q.stride(0) + h * hd, ko = k.offset() + bi * k.stride(0) + h * hd;
            int vo = v.offset() + bi * v.stride(0) + h * hd;
            // sc: (Tq↑, Tk↑) = q_h·k_hᵀ·scale (k_hᵀ into kt, q_h read in place)
            AttentionProducts.scoresHead(qa, qo, q.stride(1), tq, ka, ko, k.stride(1), tk, hd, fscale, kt, sc, edge);
            int po = probs.offset() + task * tq * tk;
            for (int i = 0; i < tq; i++) {
                int row = i * tkp;
                int mo = ma == null ? 0 : mask.offset() + (mask.size(0) == 1 ? 0 : bi * mask.stride(0)) + i * mask.stride(2);
                softmaxScoresRow(sc, row, tk, ma, mo, ma == null ? 0 : mask.stride(3), s.lanes);
                System.arraycopy(sc, row, pa, po + i * tk, tk);
            }
            // op: (Tq↑, hd↑) = p·v_h (v_h packed into vp)
            AttentionProducts.weightedHead(sc, 0, tkp, 1, tq, tk, va, vo, v.stride(1), hd, vp, op, edge);
            AttentionProducts.unpack(op, hdp, tq, hd, oa, out.offset() + bi * tq * d + h * hd, d);
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
        int tqp = AttentionProducts.outRows(tq), tkp = AttentionProducts.roundUp(tk, AttentionProducts.NR);
        int hdp = AttentionProducts.roundUp(hd, AttentionProducts.NR);
        CpuThreads.parallelFor(b * heads, task -> {
            int bi = task / heads, h = task % heads;
            AttentionProducts.Scratch s = AttentionProducts.scratch();
            float[] gp = s.a(tq * hdp), vt = s.b(hd * tkp), dp = s.c(tqp * tkp), bp = s.d(Math.max(tq, tk) * hdp);
            float[] res = s.e(AttentionProducts.outRows(Math.max(tq, tk)) * hdp);
            float[] edge = s.f(AttentionProducts.WR * Math.max(Math.max(tq, tk), hd));
            int go = dOut.offset() + bi * dOut.stride(0) + h * hd, qo = q.offset() + bi * q.stride(0) + h * hd;
            int ko = k.offset() + bi * k.stride(0) + h * hd, vo = v.offset() + bi * v.stride(0) + h * hd;
            int po = probs.offset() + task * tq * tk;
            // dO_h packed once into gp (Tq, hd↑): the left operand of dp and the right one of dv
            AttentionProducts.packRows(ga, go, dOut.stride(1), tq, hd, gp, tq, hdp);
            // dp: (Tq↑, Tk↑) = dO_h·v_hᵀ (v_hᵀ into vt)
            AttentionProducts.scoresHead(gp, 0, hdp, tq, va, vo, v.stride(1), tk, hd, 1f, vt, dp, edge);
            // dv_h = pᵀ·dO_h, p read in place
            AttentionProducts.product(tk, hdp, tq, pa, po, 1, tk, gp, 0, hdp, 1f, res, hdp, edge);
            AttentionProducts.unpack(res, hdp, tk, hd, dva, dv.offset() + bi * dv.stride(0) + h * hd, dv.stride(1));
            // ds = softmax backward, then ·scale (as the unfused mul does; the row has room for whole vectors)
            FloatVector vScale = FloatVector.broadcast(S, fscale);
            for (int i = 0; i < tq; i++) {
                int row = i * tkp;
                FastKernels.softmaxBackwardRow(pa, po + i * tk, dp, row, dp, row, tk, false);
                for (int j = 0; j < tk; j += V) FloatVector.fromArray(S, dp, row + j).mul(vScale).intoArray(dp, row + j);
            }
            // dq_h = ds·k_h
            AttentionProducts.weightedHead(dp, 0, tkp, 1, tq, tk, ka, ko, k.stride(1), hd, bp, res, edge);
            AttentionProducts.unpack(res, hdp, tq, hd, dqa, dq.offset() + bi * dq.stride(0) + h * hd, dq.stride(1));
            // dk_h = dsᵀ·q_h, ds read in place
            AttentionProducts.weightedHead(dp, 0, 1, tkp, tk, tq, qa, qo, q.stride(1), hd, bp, res, edge);
            AttentionProducts.unpack(res, hdp, tk, hd, dka, dk.offset() + bi * dk.stride(0) + h * hd, dk.stride(1));
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
        // lanes are set by a vector store, not Arrays.fill (a stub call: 1.6 of 5.8 µs per 50 × 50 head on Zen 4)
        FloatVector.broadcast(S, Float.NEGATIVE_INFINITY).intoArray(lanes, 0);
        for (int j = 0; j < full; j += V) FloatVector.fromArray(S, lanes, 0).max(FloatVector.fromArray(S, sc, row + j)).intoArray(lanes, 0);
        float max = FloatVector.fromArray(S, lanes, 0).reduceLanes(VectorOperators.MAX);
        for (int j = full; j < tk; j++) max = Math.max(max, sc[row + j]);
        FloatVector vMax = FloatVector.broadcast(S, max);
        for (int j = 0; j < tk; j += V) VectorMath.exp(FloatVector.fromArray(S, sc, row + j).sub(vMax)).intoArray(sc, row + j);
        // the sum as softmaxRow forms it: lane-wise over the whole vectors, then the rest in order
        FloatVector.zero(S).intoArray(lanes, 0);
        for (int j = 0; j < full; j += V) FloatVector.fromArray(S, lanes, 0).add(FloatVector.fromArray(S, sc, row + j)).intoArray(lanes, 0);
        float sum = FloatVector.fromArray(S, lanes, 0).reduceLanes(VectorOperators.ADD);
        for (int j = full; j < tk; j++) sum += sc[row + j];
        FloatVector vInv = FloatVector.broadcast(S, 1f / sum);
        for (int j = 0; j < tk; j += V) FloatVector.fromArray(S, sc, row + j).mul(vInv).intoArray(sc, row + j);
    }
}
