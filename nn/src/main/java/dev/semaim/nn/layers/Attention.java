package dev.semaim.nn.layers;

import dev.semaim.autograd.Var;
import dev.semaim.nn.Module;
import dev.semaim.tensor.Rng;
import dev.semaim.tensor.Tensor;

/**
 * timm self-attention with a fused qkv Linear D→3D (output rows [q | k | v], head-major inside each),
 * an additive mask and an output projection (spec §2.3). Keys: qkv.*, proj.*.
 */
public final class Attention extends Module {
    public final int dim, heads;
    public final Linear qkv, proj;

    public Attention(int dim, int heads) {
        if (dim % heads != 0) throw new IllegalArgumentException("Attention: width " + dim + " is not divisible by " + heads + " heads");
        this.dim = dim;
        this.heads = heads;
        this.qkv = child("qkv", new Linear(dim, 3 * dim));
        this.proj = child("proj", new Linear(dim, dim));
    }

    public void initXavier(Rng rng) {
        qkv.initXavier(rng);
        proj.initXavier(rng);
    }

    /** x (B, T, D), mask null or (B, 1, T, T) → output (B, T, D) and probabilities (B, H, T, T). */
    public MultiHeadAttention.Result forwardWithProbs(Var x, Tensor mask) {
        return forwardWithProbs(x, mask, null);
    }

    /** As {@link #forwardWithProbs(Var, Tensor)} with residual (B, T, D) or null added to the output (fused into proj). */
    public MultiHeadAttention.Result forwardWithProbs(Var x, Tensor mask, Var residual) {
        return forwardMaskedWithProbs(x, AttentionMask.additive(mask), residual);
    }

    /** As {@link #forwardWithProbs(Var, Tensor, Var)} under any {@link AttentionMask} (an order mask: fused, no probabilities). */
    public MultiHeadAttention.Result forwardMaskedWithProbs(Var x, AttentionMask mask, Var residual) {
        Var projected = qkv.forward(x);                                                   // qkv: (B, T, 3D)
        MultiHeadAttention.Result r = MultiHeadAttention.attendPackedMasked(projected, heads, mask);
        Var out = proj.forward(r.out(), residual);                                        // out: (B, T, D)
        return new MultiHeadAttention.Result(out, r.probs());
    }

    // x: (B, T, D) → (B, T, D)
    public Var forward(Var x, Tensor mask) {
        return forwardWithProbs(x, mask).out();
    }
}
