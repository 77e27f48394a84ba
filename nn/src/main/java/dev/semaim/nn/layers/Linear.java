package dev.semaim.nn.layers;

import dev.semaim.autograd.LinearAlgebra;
import dev.semaim.autograd.Var;
import dev.semaim.nn.Module;
import dev.semaim.nn.Parameter;
import dev.semaim.tensor.Rng;
import dev.semaim.tensor.Tensor;

/** y = x·Wᵀ + b with weight (out, in) and bias (out), as torch.nn.Linear. Keys: weight, bias. */
public final class Linear extends Module {
    public final int in, out;
    public final Parameter weight, bias;

    public Linear(int in, int out, boolean bias) {
        this.in = in;
        this.out = out;
        this.weight = param("weight", Tensor.zeros(out, in));
        this.bias = bias ? param("bias", Tensor.zeros(out)) : null;
    }

    public Linear(int in, int out) {
        this(in, out, true);
    }

    /** Xavier-uniform weight, zero bias (spec §2.7, every nn.Linear). */
    public void initXavier(Rng rng) {
        Init.xavierUniform(weight, rng);
        if (bias != null) Init.zeros(bias);
    }

    // x: (..., in) → (..., out)
    public Var forward(Var x) {
        return forward(x, null);
    }

    // x: (..., in), residual (..., out) or null → residual + linear(x), the add fused into the product
    public Var forward(Var x, Var residual) {
        return LinearAlgebra.linear(x, weight.var(), bias == null ? null : bias.var(), residual);
    }
}
