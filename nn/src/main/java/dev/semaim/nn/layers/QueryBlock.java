package dev.semaim.nn.layers;

import dev.semaim.autograd.Arithmetic;
import dev.semaim.autograd.Var;
import dev.semaim.nn.Module;
import dev.semaim.tensor.Rng;
import dev.semaim.tensor.Tensor;
import dev.semaim.tensor.TensorScope;

/**
 * Query-stream block (spec §2.4): pure cross-attention, no query self-attention, and ONE LayerNorm
 * (norm1, same affine parameters) applied to both the queries g and the content h:
 * a = g + DropPath(CrossAttn(LN1(g), LN1(h), mask)); g' = a + DropPath(Mlp(LN2(a))).
 * Keys: norm1.*, attn.{q,k,v,proj}.*, norm2.*, mlp.fc1.*, mlp.fc2.*.
 */
public final class QueryBlock extends Module {
    public final LayerNorm norm1, norm2;
    public final CrossAttention attn;
    public final Mlp mlp;
    public final DropPath dropPath;

    public QueryBlock(int dim, int heads, double mlpRatio, double dropPath, Rng rng) {
        this.norm1 = child("norm1", new LayerNorm(dim));
        this.attn = child("attn", new CrossAttention(dim, heads));
        this.norm2 = child("norm2", new LayerNorm(dim));
        this.mlp = child("mlp", new Mlp(dim, (int) (dim * mlpRatio), dim));
        this.dropPath = child("drop_path", new DropPath(dropPath, rng));
    }

    /** Xavier linears, zero biases, unit norms (spec §2.7). */
    public void init(Rng rng) {
        norm1.reset();
        norm2.reset();
        attn.initXavier(rng);
        mlp.initXavier(rng);
    }

    /**
     * g: queries (B, Tq, D); h: content after the paired encoder block (B, Tk, D); mask (B, 1, Tq, Tk) → (B, Tq, D).
     * In a scope of its own, as {@link Block#forwardWithProbs}.
     */
    public Var forward(Var g, Var h, Tensor mask) {
        return forwardMasked(g, h, AttentionMask.additive(mask));
    }

    /** As {@link #forward(Var, Var, Tensor)} under any {@link AttentionMask} (an order mask: the fused attention). */
    public Var forwardMasked(Var g, Var h, AttentionMask mask) {
        try (TensorScope scope = TensorScope.open()) {
            Var out = compute(g, h, mask);
            scope.keep(out.data());
            return out;
        }
    }

    private Var compute(Var g, Var h, AttentionMask mask) {
        if (dropPath.isIdentity()) {
            // the residual adds fused into the proj and fc2 products: same values, two sums fewer kept
            Var a = attn.forwardMasked(norm1.forward(g), norm1.forward(h), mask, g);                         // a: (B, Tq, D)
            return mlp.forward(norm2.forward(a), a);
        }
        Var a = Arithmetic.add(g, dropPath.forward(attn.forwardMasked(norm1.forward(g), norm1.forward(h), mask, null))); // a: (B, Tq, D)
        return Arithmetic.add(a, dropPath.forward(mlp.forward(norm2.forward(a))));                          // (B, Tq, D)
    }
}
