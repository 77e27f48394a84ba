package dev.semaim.autograd;

import dev.semaim.tensor.DType;
import dev.semaim.tensor.OrderMask;
import dev.semaim.tensor.Shape;
import dev.semaim.tensor.Tensor;

/**
 * Multi-head attention under an order mask as one differentiable op, fused flash-attention style
 * ({@link dev.semaim.tensor.Backend#flashAttention}): the same values as {@link ScaledAttention} with the
 * materialised mask, but the graph keeps only the output and the per-row log-sum-exp (B, H, Tq), not the
 * (B, H, Tq, Tk) probabilities, and no (B, 1, T, T) mask exists. There are no probabilities to return.
 */
public final class FlashAttention {
    private FlashAttention() {}

    private static Tensor lse(Tensor q, int heads) {
        return Tensor.empty(q.dtype() == DType.F64 ? DType.F64 : DType.F32, q.backend(), q.size(0), heads, q.size(1));
    }

    /** The forward's output (B, Tq, D) and the row log-sum-exp (B, H, Tq) its backward reads. */
    private record Forward(Tensor out, Tensor lse) {}

    private static Forward forward(Tensor q, Tensor k, Tensor v, int heads, double scale, OrderMask mask) {
        Tensor out = Tensor.empty(q.dtype(), q.backend(), q.shape()), lse = lse(q, heads);
        q.backend().flashAttention(q, k, v, heads, scale, mask, out, lse);
        return new Forward(out, lse);
    }

    private static Var.Saved saved(Tensor lse, OrderMask mask) {
        return mask == null ? Var.saved(lse) : Var.saved(lse, mask.priority());
    }

    /** q (B, Tq, D), k and v (B, Tk, D); mask null or an order mask over T = Tq = Tk tokens. Returns out (B, Tq, D). */
    public static Var attend(Var q, Var k, Var v, int heads, double scale, OrderMask mask) {
        Forward r = forward(q.data(), k.data(), v.data(), heads, scale, mask);
        Tensor out = r.out(), lse = r.lse();
        return Var.of("flash_attention", out, saved(lse, mask), g -> {
            Tensor dq = Tensor.empty(q.data().dtype(), q.data().backend(), q.shape());
            Tensor dk = Tensor.empty(k.data().dtype(), k.data().backend(), k.shape());
            Tensor dv = Tensor.empty(v.data().dtype(), v.data().backend(), v.shape());
            g.backend().flashAttentionBackward(g, q.data(), k.data(), v.data(), out, lse, heads, scale, mask, dq, dk, dv);
            if (q.requiresGrad()) q.accumulate(dq);
            if (k.requiresGrad()) k.accumulate(dk);
            if (v.requiresGrad()) v.accumulate(dv);
        }, q, k, v);
    }

    /** Self-attention on one packed qkv (B, T, 3D): the backward writes dq, dk, dv into one (B, T, 3D) gradient. */
    public static Var attendPacked(Var qkv, int heads, double scale, OrderMask mask) {
        if (qkv.rank() != 3 || qkv.size(2) % 3 != 0)
            throw new IllegalArgumentException("attention: packed qkv " + Shape.str(qkv.shape()) + " is not (B, T, 3D)");
        int d = qkv.size(2) / 3;
        Tensor all = qkv.data(), q = all.narrow(2, 0, d), k = all.narrow(2, d, d), v = all.narrow(2, 2 * d, d); // each (B, T, D)
        Forward r = forward(q, k, v, heads, scale, mask);
        Tensor out = r.out(), lse = r.lse();
        return Var.of("flash_attention", out, saved(lse, mask), g -> {
            Tensor dqkv = Tensor.empty(all.dtype(), all.backend(), all.shape()); // (B, T, 3D), every element written
            g.backend().flashAttentionBackward(g, q, k, v, out, lse, heads, scale, mask, dqkv.narrow(2, 0, d), dqkv.narrow(2, d, d),
                    dqkv.narrow(2, 2 * d, d));
            qkv.accumulate(dqkv);
        }, qkv);
    }
}
