package dev.semaim.nn.layers;

import dev.semaim.autograd.Normalization;
import dev.semaim.autograd.Var;
import dev.semaim.nn.Module;
import dev.semaim.nn.Parameter;
import dev.semaim.tensor.DType;
import dev.semaim.tensor.Tensor;

/** Layer normalisation over the last axis with affine weight (γ = 1) and bias (β = 0). Keys: weight, bias. */
public final class LayerNorm extends Module {
    /** Every norm of the AIM model and the ViT uses this eps (spec §2.1). */
    public static final double VIT_EPS = 1e-6;

    public final int dim;
    public final double eps;
    public final Parameter weight, bias;

    public LayerNorm(int dim, double eps) {
        this.dim = dim;
        this.eps = eps;
        this.weight = param("weight", Tensor.ones(DType.F32, dim));
        this.bias = param("bias", Tensor.zeros(dim));
    }

    public LayerNorm(int dim) {
        this(dim, VIT_EPS);
    }

    /** γ = 1, β = 0. */
    public void reset() {
        Init.ones(weight);
        Init.zeros(bias);
    }

    // x: (..., dim) → (..., dim)
    public Var forward(Var x) {
        return Normalization.layerNorm(x, weight.var(), bias.var(), eps);
    }
}
