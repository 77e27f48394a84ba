package dev.semaim.eval;

import dev.semaim.autograd.Var;
import dev.semaim.nn.Module;
import dev.semaim.nn.layers.Init;
import dev.semaim.nn.layers.Linear;
import dev.semaim.tensor.Rng;

/**
 * The linear-probe head of spec section 8, {@code nn.Sequential(BatchNorm1d(D, affine=False, eps=1e-6),
 * Linear(D, classes))}: keys {@code 0.running_mean}, {@code 0.running_var}, {@code 0.num_batches_tracked},
 * {@code 1.weight}, {@code 1.bias}. Linear weight truncated normal std 0.01, bias 0.
 */
public final class LinearProbeHead extends Module {
    public static final double BN_EPS = 1e-6;
    public static final double WEIGHT_STD = 0.01;
    public final BatchNorm1d norm;
    public final Linear linear;

    public LinearProbeHead(int dim, int numClasses, Rng rng) {
        if (numClasses < 1) {
            throw new IllegalArgumentException("--nb_classes must be positive, got " + numClasses);
        }
        this.norm = child("0", new BatchNorm1d(dim, BN_EPS));
        this.linear = child("1", new Linear(dim, numClasses));
        Init.truncNormal(linear.weight, rng, WEIGHT_STD);
        Init.zeros(linear.bias);
    }

    // features: (B, D) -> logits (B, classes)
    public Var forward(Var features) {
        return linear.forward(norm.forward(features));
    }
}
