package dev.semaim.tensor;

/**
 * Multi-head attention flash-attention style, in plain Java and float64: the CPU reference of the fused CUDA kernel
 * (attention.cu) and the {@link Backend#flashAttention} default. The same tiled algorithm: for each head and tile of
 * tileQ queries, the keys are visited tileK at a time with an online softmax (running row max m and sum l, the
 * output rescaled by exp(m_old − m_new) as the max grows); the forward keeps only the output and the log-sum-exp
 * lse = m + log l per row; the backward recomputes each score tile from q, k and lse (p = exp(s − lse)) and
 * accumulates dq, dk, dv tile by tile, with Δ_i = Σ_d dOut_i·out_i. Neither a (B, 1, T, T) mask nor a T x T score
 * tensor exists: the {@link OrderMask} is applied element by element, and a score tile lives in a tileQ x tileK
 * scratch. Layouts as {@link AttentionReference}: q (B, Tq, D), k, v (B, Tk, D), head h owning features
 * [h·hd, (h+1)·hd); lse (B, H, Tq).
 */
public final class FlashAttentionReference {
    /** The tile sizes of the CUDA kernel (64 queries x 64 keys a block). */
    public static final int TILE = 64;

    private FlashAttentionReference() {}

    /** The operands as float64 arrays and their sizes. */
    private record Dims(int b, int tq, int tk, int d, int heads, int hd) {
        static Dims of(Tensor q, Tensor k, int heads, OrderMask mask) {
            if (q.rank() != 3 || k.rank() != 3)
                throw new IllegalArgumentException("flash attention: q " + Shape.str(q.shape()) + ", k " + Shape.str(k.shape()) + " are not (B, T, D)");
            int d = q.size(2);
            if ( k.size(2) != d || k.size(0) != q.size(0) || d % heads != 0)
                throw new IllegalArgumentException("flash attention: q " + Shape.str(q.shape()) + ", k " + Shape.str(k.shape()) + " with " + heads + " heads");
            if (mask != null && (mask.priority().size(0) != q.size(0) || mask.tokens() != q.size(1) || mask.tokens() != k.size(1)))
                throw new IllegalArgumentException("flash attention: order mask of priority " + Shape.str(mask.priority().shape()) + " does not fit q "
                        + Shape.str(q.shape()) + ", k " + Shape.str(k.shape()) + " (T must be L + 1)");
            return new Dims(q.size(0), q.size(1), k.size(1), d, heads, d / heads);
        }
    }

    /**
     * Checks q (B, Tq, D), k (B, Tk, D) with D divisible by heads, and that an order mask has T = L + 1 tokens for
     * both; throws naming the shapes. Fused kernels call it before launching.
     */
    public static void check(Tensor q, Tensor k, int heads, OrderMask mask) {
        Dims.of(q, k, heads, mask);
    }

    private static double[] host(Tensor t) {
        return t.contiguous().toDoubleArray();
    }

    /** Whether query i of image bi sees key j: always without a mask. */
    private static boolean visible(double[] pi, OrderMask mask, int l, int bi, int i, int j) {
        return mask == null || OrderMask.visible(pi, bi * l, i, j, mask.strict());
    }

    /** out (B, Tq, D) and lse (B, H, Tq) (any views; float64 or float32) of softmax(q·kᵀ·scale + mask)·v, tiled. */
    public static void forward(Tensor q, Tensor k, Tensor v, int heads, double scale, OrderMask mask, int tileQ, int tileK, Tensor out, Tensor lse) {
        Dims s = Dims.of(q, k, heads, mask);
        double[] qa = host(q), ka = host(k), va = host(v), pi = mask == null ? null : host(mask.priority());
        int l = mask == null ? 0 : mask.priority().size(1), d = s.d, hd = s.hd;
        double[] o = new double[s.b * s.tq * d], lseA = new double[s.b * heads * s.tq];
        double[] m = new double[tileQ], sum = new double[tileQ], acc = new double[tileQ * hd], tile = new double[tileQ * tileK];
        for (int bi = 0; bi < s.b; bi++)
            for (int h = 0; h < heads; h++)
                for (int i0 = 0; i0 < s.tq; i0 += tileQ) {
                    int ni = Math.min(tileQ, s.tq - i0);
                    java.util.Arrays.fill(m, Double.NEGATIVE_INFINITY);
                    java.util.Arrays.fill(sum, 0);
                    java.util.Arrays.fill(acc, 0);
                    for (int j0 = 0; j0 < s.tk; j0 += tileK) {
                        int nj = Math.min(tileK, s.tk - j0);
                        for (int i = 0; i < ni; i++) {
                            int qi = ((bi * s.tq) + i0 + i) * d + h * hd;
                            double rowMax = Double.NEGATIVE_INFINITY;
                            for (int j = 0; j < nj; j++) {                                // the score tile, masked on the fly
                                double sc = Double.NEGATIVE_INFINITY;
                                if (visible(pi, mask, l, bi, i0 + i, j0 + j)) {
                                    int kj = ((bi * s.tk) + j0 + j) * d + h * hd;
                                    double dot = 0;
                                    for (int e = 0; e < hd; e++) dot += qa[qi + e] * ka[kj + e];
                                    sc = dot * scale;
                                }
                                tile[i * tileK + j] = sc;
                                rowMax = Math.max(rowMax, sc);
                            }
                            double mNew = Math.max(m[i], rowMax);
                            if (mNew == Double.NEGATIVE_INFINITY) continue;                   // nothing visible yet in this row
                            double correction = Math.exp(m[i] - mNew);                        // 0 when m was −inf
                            sum[i] *= correction;
                            for (int e = 0; e < hd; e++) acc[i * hd + e] *= correction;
                            for (int j = 0; j < nj; j++) {
                                double p = Math.exp(tile[i * tileK + j] - mNew);
                                if (p == 0) continue;
                                sum[i] += p;
                                int vj = ((bi * s.tk) + j0 + j) * d + h * hd;
                                for (int e = 0; e < hd; e++) acc[i * hd + e] += p * va[vj + e];
                            }
                            m[i] = mNew;
                        }
                    }
                    for (int i = 0; i < ni; i++) {
                        int oi = ((bi * s.tq) + i0 + i) * d + h * hd;
                        for (int e = 0; e < hd; e++) o[oi + e] = acc[i * hd + e] / sum[i];
                        lseA[(bi * heads + h) * s.tq + i0 + i] = m[i] + Math.log(sum[i]);   // −inf for a row that sees nothing
                    }
                }
        out.copyFrom(Tensor.of(out.backend(), o, s.b, s.tq, d));
        lse.copyFrom(Tensor.of(lse.backend(), lseA, s.b, heads, s.tq));
    }

    /**
     * dq (B, Tq, D), dk, dv (B, Tk, D) (any views, overwritten) from dOut, the forward's out and lse: each score tile
     * recomputed, keys outer and queries inner as in the kernel's backward.
     */
    public static void backward(Tensor dOut, Tensor q, Tensor k, Tensor v, Tensor out, Tensor lse, int heads, double scale, OrderMask mask,
                                int tileQ, int tileK, Tensor dq, Tensor dk, Tensor dv) {
        Dims s = Dims.of(q, k, heads, mask);
        double[] qa = host(q), ka = host(k), va = host(v), g = host(dOut), o = host(out), lseA = host(lse);
        double[] pi = mask == null ? null : host(mask.priority());
        int l = mask == null ? 0 : mask.priority().size(1), d = s.d, hd = s.hd;
        double[] dqa = new double[qa.length], dka = new double[ka.length], dva = new double[va.length];
        double[] delta = new double[s.b * heads * s.tq];                                  // Δ_i = Σ_e dOut_i·out_i per head
        for (int bi = 0; bi < s.b; bi++)
            for (int h = 0; h < heads; h++)
                for (int i = 0; i < s.tq; i++) {
                    int at = ((bi * s.tq) + i) * d + h * hd;
                    double dot = 0;
                    for (int e = 0; e < hd; e++) dot += g[at + e] * o[at + e];
                    delta[(bi * heads + h) * s.tq + i] = dot;
                }
        for (int bi = 0; bi < s.b; bi++)
            for (int h = 0; h < heads; h++)
                for (int j0 = 0; j0 < s.tk; j0 += tileK) {
                    int nj = Math.min(tileK, s.tk - j0);
                    for (int i0 = 0; i0 < s.tq; i0 += tileQ) {
                        int ni = Math.min(tileQ, s.tq - i0);
                        for (int i = 0; i < ni; i++) {
                            int row = (bi * heads + h) * s.tq + i0 + i, qi = ((bi * s.tq) + i0 + i) * d + h * hd;
                            double rowLse = lseA[row];
                            for (int j = 0; j < nj; j++) {
                                if (!visible(pi, mask, l, bi, i0 + i, j0 + j)) continue;
                                int kj = ((bi * s.tk) + j0 + j) * d + h * hd;
                                double dot = 0, dp = 0;
                                for (int e = 0; e < hd; e++) {
                                    dot += qa[qi + e] * ka[kj + e];
                                    dp += g[qi + e] * va[kj + e];
                                }
                                double p = Math.exp(dot * scale - rowLse);               // the probability, recomputed
                                double ds = p * (dp - delta[row]) * scale;
                                for (int e = 0; e < hd; e++) {
                                    dva[kj + e] += p * g[qi + e];
                                    dqa[qi + e] += ds * ka[kj + e];
                                    dka[kj + e] += ds * qa[qi + e];
                                }
                            }
                        }
                    }
                }
        dq.copyFrom(Tensor.of(dq.backend(), dqa, s.b, s.tq, d));
        dk.copyFrom(Tensor.of(dk.backend(), dka, s.b, s.tk, d));
        dv.copyFrom(Tensor.of(dv.backend(), dva, s.b, s.tk, d));
    }
}
