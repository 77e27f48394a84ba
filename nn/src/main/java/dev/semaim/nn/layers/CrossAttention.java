package dev.semaim.nn.layers;

import dev.semaim.autograd.Var;
import dev.semaim.nn.Module;
import dev.semaim.tensor.Rng;
import dev.semaim.tensor.Tensor;

/** Cross-attention of the query stream: separate q, k, v Linears (D→D) and proj (spec §2.4). Keys: q.*, k.*, v.*, proj.*. */
public final class CrossAttention extends Module {
    public final int dim, heads;
    public final Linear q, k, v, proj;

    public CrossAttention(int dim, int heads) {
        if (dim % heads != 0) throw new IllegalArgumentException("CrossAttention: width " + dim + " is not divisible by " + heads + " heads");
        this.dim = dim;
        this.heads = heads;
        this.q = child("q", new Linear(dim, dim));
        this.k = child("k", new Linear(dim, dim));
        this.v = child("v", new Linear(dim, dim));
        this.proj = child("proj", new Linear(dim, dim));
    }

    public void initXavier(Rng rng) {
        q.initXavier(rng);
        k.initXavier(rng);
        v.initXavier(rng);
        proj.initXavier(rng);
    }

    /** queries (B, Tq, D) attend to content (B, Tk, D) under mask (B, 1, Tq, Tk) → (B, Tq, D). */
    public Var forward(Var queries, Var content, Tensor mask) {
        return forward(queries, content, mask, null);
    }

    /** As {@link #forward(Var, Var, Tensor)} with residual (B, Tq, D) or null added to the output (fused into proj). */
    public Var forward(Var queries, Var content, Tensor mask, Var residual) {
        return forwardMasked(queries, content, AttentionMask.additive(mask), residual);
    }

    /** As {@link #forward(Var, Var, Tensor, Var)} under any {@link AttentionMask} (an order mask: the fused attention). */
    public Var forwardMasked(Var queries, Var content, AttentionMask mask, Var residual) {
        MultiHeadAttention.Result r = MultiHeadAttention.attendMasked(q.forward(queries), k.forward(content), v.forward(content), heads, mask);
        return proj.forward(r.out(), residual); // (B, Tq, D)
    }
}
