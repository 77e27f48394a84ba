package dev.semaim.nn.layers;

import dev.semaim.autograd.Arithmetic;
import dev.semaim.autograd.Var;
import dev.semaim.nn.Module;
import dev.semaim.tensor.Rng;
import dev.semaim.tensor.Tensor;

/** Elementwise dropout: zero with probability p, scale kept values by 1/(1−p); identity in eval or when p = 0. */
public final class Dropout extends Module {
    public final double prob;
    private final Rng rng;

    public Dropout(double prob, Rng rng) {
        if (prob < 0 || prob >= 1) throw new IllegalArgumentException("Dropout: probability " + prob + " is not in [0, 1)");
        if (prob > 0 && rng == null) throw new IllegalArgumentException("Dropout: probability " + prob + " needs an Rng");
        this.prob = prob;
        this.rng = rng;
    }

    // x: any shape → same shape
    public Var forward(Var x) {
        if (!isTraining() || prob == 0) return x;
        double keep = 1 - prob;
        Tensor scale = Tensor.rand(rng, x.dtype(), x.shape()).lt(keep).to(x.dtype()).div(keep);
        return Arithmetic.mul(x, Var.constant(scale));
    }
}
