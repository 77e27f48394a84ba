package dev.semaim.nn.layers;

import dev.semaim.autograd.Arithmetic;
import dev.semaim.autograd.Var;
import dev.semaim.nn.Module;
import dev.semaim.tensor.Rng;
import dev.semaim.tensor.Tensor;
import dev.semaim.tensor.TensorScope;

/**
 * Pre-norm ViT block with an optional additive attention mask (spec §2.3, the content stream and the
 * classifier): y = h + DropPath(Attn(LN1(h), mask)); h' = y + DropPath(Mlp(LN2(y))).
 * Keys: norm1.*, attn.qkv.*, attn.proj.*, norm2.*, mlp.fc1.*, mlp.fc2.* (timm-compatible).
 */
public final class Block extends Module {
    public final LayerNorm norm1, norm2;
    public final Attention attn;
    public final Mlp mlp;
    public final DropPath dropPath;

    /** The block output (B, T, D) and its attention probabilities (B, H, T, T). */
    public record WithProbs(Var out, Var probs) {}

    public Block(int dim, int heads, double mlpRatio, double dropPath, Rng rng) {
        this.norm1 = child("norm1", new LayerNorm(dim));
        this.attn = child("attn", new Attention(dim, heads));
        this.norm2 = child("norm2", new LayerNorm(dim));
        this.mlp = child("mlp", new Mlp(dim, (int) (dim * mlpRatio), dim));
        this.dropPath = child("drop_path", new DropPath(dropPath, rng)); // no parameters, so no state-dict keys
    }

    /** Xavier linears, zero biases, unit norms (spec §2.7). */
    public void init(Rng rng) {
        norm1.reset();
        norm2.reset();
        attn.initXavier(rng);
        mlp.initXavier(rng);
    }

    /**
     * h (B, T, D), mask null or (B, 1, T, T). The block runs in a scope of its own: what it makes and neither
     * returns nor leaves to the graph (without gradients: every activation but the output and the probabilities)
     * goes when it ends.
     */
    public WithProbs forwardWithProbs(Var h, Tensor mask) {
        try (TensorScope scope = TensorScope.open()) {
            WithProbs r = compute(h, AttentionMask.additive(mask));
            scope.keep(r.out().data(), r.probs().data());
            return r;
        }
    }

    /** h: (B, T, D) → (B, T, D); as {@link #forwardWithProbs}, the probabilities gone with the block unless a graph holds them. */
    public Var forward(Var h, Tensor mask) {
        return forwardMasked(h, AttentionMask.additive(mask));
    }

    /** As {@link #forward(Var, Tensor)} under any {@link AttentionMask} (an order mask: the fused attention). */
    public Var forwardMasked(Var h, AttentionMask mask) {
        try (TensorScope scope = TensorScope.open()) {
            Var out = compute(h, mask).out();
            scope.keep(out.data());
            return out;
        }
    }

    private WithProbs compute(Var h, AttentionMask mask) {
        return dropPath.isIdentity() ? fused(h, mask) : composed(h, mask);
    }

    /** The residual adds fused into the proj and fc2 products: same values, two sums fewer kept. */
    private WithProbs fused(Var h, AttentionMask mask) {
        MultiHeadAttention.Result a = attn.forwardMaskedWithProbs(norm1.forward(h), mask, h); // a.out: y (B, T, D)
        return new WithProbs(mlp.forward(norm2.forward(a.out()), a.out()), a.probs());
    }

    private WithProbs composed(Var h, AttentionMask mask) {
        MultiHeadAttention.Result a = attn.forwardMaskedWithProbs(norm1.forward(h), mask, null); // a.out: (B, T, D)
        Var y = Arithmetic.add(h, dropPath.forward(a.out()));                      // y: (B, T, D)
        Var out = Arithmetic.add(y, dropPath.forward(mlp.forward(norm2.forward(y)))); // out: (B, T, D)
        return new WithProbs(out, a.probs());
    }
}
