package dev.semaim.nn.layers;

import dev.semaim.autograd.Elementwise;
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
        Var h = Elementwise.gelu(fc1.forward(x)); // h: (..., hidden)
        return fc2.forward(h);
    }
}
