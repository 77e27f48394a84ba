package dev.semaim.nn.layers;

import dev.semaim.autograd.Arithmetic;
import dev.semaim.autograd.LinearAlgebra;
import dev.semaim.autograd.Softmax;
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

    /** The joined output (B, Tq, D) and the post-softmax probabilities (B, H, Tq, Tk). */
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
        int hd = d / heads;
        Var qh = splitHeads(q, heads, hd);                                 // qh: (B, H, Tq, hd)
        Var kh = splitHeads(k, heads, hd);                                 // kh: (B, H, Tk, hd)
        Var vh = splitHeads(v, heads, hd);                                 // vh: (B, H, Tk, hd)
        Var scores = LinearAlgebra.matmul(qh, kh.transpose(2, 3)).mul(Math.pow(hd, -0.5)); // scores: (B, H, Tq, Tk)
        if (mask != null) {
            checkMask(mask, b, tq, tk);
            scores = Arithmetic.add(scores, Var.constant(mask));           // mask broadcasts over heads
        }
        Var probs = Softmax.softmax(scores, 3);                           // probs: (B, H, Tq, Tk)
        Var o = LinearAlgebra.matmul(probs, vh);                          // o: (B, H, Tq, hd)
        Var joined = o.transpose(1, 2).reshape(b, tq, d);                 // joined: (B, Tq, D), head-major
        return new Result(joined, probs);
    }

    // x: (B, T, D) → (B, H, T, hd)
    private static Var splitHeads(Var x, int heads, int hd) {
        return x.reshape(x.size(0), x.size(1), heads, hd).transpose(1, 2);
    }

    private static void checkMask(Tensor mask, int b, int tq, int tk) {
        int[] s = mask.shape();
        boolean ok = s.length == 4 && (s[0] == b || s[0] == 1) && s[1] == 1 && s[2] == tq && s[3] == tk;
        if (!ok)
            throw new IllegalArgumentException("attention: mask " + Shape.str(s) + " is not (" + b + ", 1, " + tq + ", " + tk + ")");
    }
}
