package dev.semaim.nn.layers;

import dev.semaim.autograd.Arithmetic;
import dev.semaim.autograd.Var;
import dev.semaim.nn.Module;
import dev.semaim.tensor.Rng;
import dev.semaim.tensor.Tensor;

/**
 * Stochastic depth on a residual branch: in training each sample's branch is dropped with probability
 * p and kept ones are scaled by 1/(1−p) (timm drop_path); identity in eval mode or when p = 0.
 */
public final class DropPath extends Module {
    public final double prob;
    private final Rng rng;

    public DropPath(double prob, Rng rng) {
        if (prob < 0 || prob >= 1) throw new IllegalArgumentException("DropPath: probability " + prob + " is not in [0, 1)");
        if (prob > 0 && rng == null) throw new IllegalArgumentException("DropPath: probability " + prob + " needs an Rng");
        this.prob = prob;
        this.rng = rng;
    }

    /** Whether {@link #forward} is the identity now (eval mode or p = 0), so a block may fuse its residual adds. */
    public boolean isIdentity() {
        return !isTraining() || prob == 0;
    }

    // x: (B, ...) → (B, ...), one keep/drop draw per sample
    public Var forward(Var x) {
        if (isIdentity()) return x;
        int[] s = x.shape();
        int[] perSample = new int[s.length];
        java.util.Arrays.fill(perSample, 1);
        perSample[0] = s[0];
        double keep = 1 - prob;
        Tensor u = Tensor.rand(rng, x.dtype(), perSample);            // u: (B, 1, ..., 1)
        Tensor scale = u.lt(keep).to(x.dtype()).div(keep);             // 1/keep where kept, 0 where dropped
        return Arithmetic.mul(x, Var.constant(scale));
    }
}
