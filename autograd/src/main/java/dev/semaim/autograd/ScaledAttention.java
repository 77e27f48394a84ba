package dev.semaim.autograd;

import dev.semaim.tensor.Tensor;

/**
 * Multi-head scaled dot-product attention as one differentiable op ({@link Tensor#attention}, fused on the
 * CPU): out = softmax(q_h·k_hᵀ·scale + mask)·v_h per head, joined head-major. Its backward is the fused
 * {@link Tensor#attentionBackward}; it keeps q, k, v and the probabilities (saved), none of the intermediate scores.
 */
public final class ScaledAttention {
    private ScaledAttention() {}

    /** The output (B, Tq, D) and the probabilities (B, H, Tq, Tk), which carry no gradient. */
    public record Result(Var out, Tensor probs) {}

    /**
     * q (B, Tq, D), k and v (B, Tk, D); mask null or additive (B or 1, 1, Tq, Tk), broadcast over heads. Under
     * {@link Autocast} q, k and v are cast to its 16-bit type and the output and probabilities have that type.
     */
    public static Result attend(Var query, Var key, Var value, int heads, double scale, Tensor mask) {
        Var q = Autocast.forProduct(query), k = Autocast.forProduct(key), v = Autocast.forProduct(value);
        Tensor.AttentionResult r = q.data().attention(k.data(), v.data(), heads, scale, mask);
        Var out = Var.of("attention", r.out(), Var.saved(r.probs()), g -> {
            Tensor[] d = q.data().attentionBackward(g, k.data(), v.data(), r.probs(), heads, scale); // dq, dk, dv
            if (q.requiresGrad()) q.accumulate(d[0]);
            if (k.requiresGrad()) k.accumulate(d[1]);
            if (v.requiresGrad()) v.accumulate(d[2]);
        }, q, k, v);
        return new Result(out, r.probs());
    }

    /**
     * Self-attention on one fused projection qkv (B, T, 3D) = [q | k | v] along the features: the backward writes
     * dq, dk, dv straight into one (B, T, 3D) gradient (no zero-padded per-slice gradients to sum).
     */
    public static Result attendPacked(Var packed, int heads, double scale, Tensor mask) {
        Var qkv = Autocast.forProduct(packed);
        if (qkv.rank() != 3 || qkv.size(2) % 3 != 0)
            throw new IllegalArgumentException("attention: packed qkv " + dev.semaim.tensor.Shape.str(qkv.shape()) + " is not (B, T, 3D)");
        int d = qkv.size(2) / 3;
        Tensor all = qkv.data(), q = all.narrow(2, 0, d), k = all.narrow(2, d, d), v = all.narrow(2, 2 * d, d); // each (B, T, D)
        Tensor.AttentionResult r = q.attention(k, v, heads, scale, mask);
        Var out = Var.of("attention", r.out(), Var.saved(r.probs()), g -> {
            Tensor dqkv = Tensor.empty(all.dtype(), all.backend(), all.shape()); // (B, T, 3D), every element written
            q.attentionBackward(g, k, v, r.probs(), heads, scale, dqkv.narrow(2, 0, d), dqkv.narrow(2, d, d), dqkv.narrow(2, 2 * d, d));
            qkv.accumulate(dqkv);
        }, qkv);
        return new Result(out, r.probs());
    }
}
