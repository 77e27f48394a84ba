package dev.semaim.nn.layers;

import dev.semaim.autograd.FusedMlp;
import dev.semaim.autograd.Var;
import dev.semaim.nn.Module;
import dev.semaim.tensor.Rng;

/** timm Mlp without dropout: fc2(GELU(fc1(x))), exact erf GELU. Keys: fc1.*, fc2.*. */
public final class Mlp extends Module {
    public final Linear fc1, fc2;

    public Mlp(int in, int hidden, int out) {
        this.fc1 = child("fc1", new Linear(in, hidden));
        this.fc2 = child("fc2", new Linear(hidden, out));
    }

    public void initXavier(Rng rng) {
        fc1.initXavier(rng);
        fc2.initXavier(rng);
    }

    // x: (..., in) → (..., out)
    public Var forward(Var x) {
        return forward(x, null);
    }

    // x: (..., in), residual (..., out) or null → residual + mlp(x)
    public Var forward(Var x, Var residual) {
        // one fused op: the same values as residual + fc2.forward(gelu(fc1.forward(x))), without keeping GELU's output
        return FusedMlp.apply(x, fc1.weight.var(), fc1.bias == null ? null : fc1.bias.var(),
                fc2.weight.var(), fc2.bias == null ? null : fc2.bias.var(), residual);
    }
}
