package dev.semaim.nn.layers;

import dev.semaim.autograd.FlashAttention;
import dev.semaim.autograd.ScaledAttention;
import dev.semaim.autograd.Var;
import dev.semaim.tensor.Shape;
import dev.semaim.tensor.Tensor;

/**
 * The attention core shared by {@link Attention} and {@link CrossAttention}: split projected q, k, v
 * into heads (head j owns features [j·hd, (j+1)·hd)), softmax((q·kᵀ)·hd^-0.5 + mask)·v, and join the
 * heads back head-major along the feature axis.
 */
public final class MultiHeadAttention {
    private MultiHeadAttention() {}

    /**
     * The joined output (B, Tq, D) and the post-softmax probabilities (B, H, Tq, Tk), a constant (no gradient flows
     * through it); null probabilities from the fused attention, which never forms them.
     */
    public record Result(Var out, Var probs) {}

    /**
     * q (B, Tq, D), k and v (B, Tk, D); mask null or additive (0 / −inf) broadcastable to (B, H, Tq, Tk),
     * normally (B, 1, Tq, Tk).
     */
    public static Result attend(Var q, Var k, Var v, int heads, Tensor mask) {
        int b = q.size(0), tq = q.size(1), d = q.size(2), tk = k.size(1);
        if (d % heads != 0) throw new IllegalArgumentException("attention: width " + d + " is not divisible by " + heads + " heads");
        if (k.size(2) != d || v.size(2) != d || v.size(1) != tk || k.size(0) != b || v.size(0) != b)
            throw new IllegalArgumentException("attention: q " + Shape.str(q.shape()) + ", k " + Shape.str(k.shape()) + ", v " + Shape.str(v.shape()) + " do not match");
        if (mask != null) checkMask(mask, b, tq, tk);
        // one fused op: split heads, scores·hd^-0.5 + mask, softmax, ·v, join heads (results as the unfused composition)
        ScaledAttention.Result r = ScaledAttention.attend(q, k, v, heads, Math.pow(d / heads, -0.5), mask);
        return new Result(r.out(), Var.constant(r.probs()));
    }

    /** Self-attention on a fused projection qkv (B, T, 3D) = [q | k | v]: the same result as splitting it and {@link #attend}. */
    public static Result attendPacked(Var qkv, int heads, Tensor mask) {
        int b = qkv.size(0), t = qkv.size(1), d = qkv.size(2) / 3;
        if (d % heads != 0) throw new IllegalArgumentException("attention: width " + d + " is not divisible by " + heads + " heads");
        if (mask != null) checkMask(mask, b, t, t);
        ScaledAttention.Result r = ScaledAttention.attendPacked(qkv, heads, Math.pow(d / heads, -0.5), mask);
        return new Result(r.out(), Var.constant(r.probs()));
    }

    /** As {@link #attend(Var, Var, Var, int, Tensor)} under any {@link AttentionMask}: an order mask runs the fused attention. */
    public static Result attendMasked(Var q, Var k, Var v, int heads, AttentionMask mask) {
        if (!mask.fused()) return attend(q, k, v, heads, mask.additive());
        int d = q.size(2);
        if (d % heads != 0) throw new IllegalArgumentException("attention: width " + d + " is not divisible by " + heads + " heads");
        return new Result(FlashAttention.attend(q, k, v, heads, Math.pow(d / heads, -0.5), mask.order()), null);
    }

    /** As {@link #attendPacked(Var, int, Tensor)} under any {@link AttentionMask}: an order mask runs the fused attention. */
    public static Result attendPackedMasked(Var qkv, int heads, AttentionMask mask) {
        if (!mask.fused()) return attendPacked(qkv, heads, mask.additive());
        int d = qkv.size(2) / 3;
        if (d % heads != 0) throw new IllegalArgumentException("attention: width " + d + " is not divisible by " + heads + " heads");
        return new Result(FlashAttention.attendPacked(qkv, heads, Math.pow(d / heads, -0.5), mask.order()), null);
    }

    private static void checkMask(Tensor mask, int b, int tq, int tk) {
        int[] s = mask.shape();
        boolean ok = s.length == 4 && (s[0] == b || s[0] == 1) && s[1] == 1 && s[2] == tq && s[3] == tk;
        if (!ok)
            throw new IllegalArgumentException("attention: mask " + Shape.str(s) + " is not (" + b + ", 1, " + tq + ", " + tk + ")");
    }
}
