package dev.semaim.tensor;

/**
 * Multi-head attention composed from the primitive ops (split heads, q·kᵀ, ·scale, + mask, softmax, ·v, join
 * heads): the reference for fused attention kernels and the {@link Backend} default. Head j owns features
 * [j·hd, (j+1)·hd) of D = H·hd; the mask is additive, (B or 1, 1, Tq, Tk), broadcast over heads.
 */
public final class AttentionReference {
    private AttentionReference() {}

    // x: (B, T, D) → (B, H, T, hd)
    private static Tensor heads(Tensor x, int heads) {
        return x.reshape(x.size(0), x.size(1), heads, x.size(2) / heads).transpose(1, 2);
    }

    // x: (B, H, T, hd) → written into dst (B, T, D), head-major; dst may be any view
    private static void join(Tensor x, Tensor dst) {
        dst.copyFrom(x.transpose(1, 2).reshape(dst.shape()));
    }

    /** out (B, Tq, D) and probs (B, H, Tq, Tk) from q (B, Tq, D), k, v (B, Tk, D), mask or null. */
    public static void forward(Tensor q, Tensor k, Tensor v, int heads, double scale, Tensor mask, Tensor out, Tensor probs) {
        Tensor scores = heads(q, heads).matmul(heads(k, heads).transpose(2, 3)).mul(scale); // scores: (B, H, Tq, Tk)
        if (mask != null) scores = scores.add(mask);
        probs.copyFrom(scores.softmax(3));
        // the product reads probs as stored: with BF16/F16 operands the probabilities are rounded to that type first,
        // as autocast does between an fp32 softmax and the low-precision product (equal to the softmax in F32)
        join(probs.matmul(heads(v, heads)), out);                                            // (B, H, Tq, hd) → out
    }

    /** dq (B, Tq, D), dk, dv (B, Tk, D) (any views, overwritten) from the output gradient dOut (B, Tq, D) and the forward's probs. */
    public static void backward(Tensor dOut, Tensor q, Tensor k, Tensor v, Tensor probs, int heads, double scale,
                                Tensor dq, Tensor dk, Tensor dv) {
        Tensor g = heads(dOut, heads);                                                       // g: (B, H, Tq, hd)
        Tensor dp = g.matmul(heads(v, heads).transpose(2, 3));                               // dp: (B, H, Tq, Tk)
        join(probs.transpose(2, 3).matmul(g), dv);
        Tensor ds = probs.softmaxBackward(dp, 3, false).mul(scale);                          // ds: (B, H, Tq, Tk)
        join(ds.matmul(heads(k, heads)), dq);
        join(heads(q, heads).transpose(2, 3).matmul(ds).transpose(2, 3), dk);
    }
}
