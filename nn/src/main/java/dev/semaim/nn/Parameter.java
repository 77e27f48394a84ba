package dev.semaim.nn;

import dev.semaim.autograd.Var;
import dev.semaim.tensor.Tensor;

/**
 * A named tensor a module owns: a trainable parameter, a frozen one (in the state dict, never
 * optimised: the fixed position embedding), or a buffer (state that is not a parameter: the Gaussian
 * kernel, BatchNorm running statistics).
 */
public final class Parameter {
    public enum Kind { TRAINABLE, FROZEN, BUFFER }

    private final Var var;
    private final Kind kind;

    public Parameter(Tensor value, Kind kind) {
        this.kind = kind;
        this.var = Var.leaf(value, kind == Kind.TRAINABLE);
    }

    /** The graph leaf to compute with. */
    public Var var() { return var; }

    public Tensor data() { return var.data(); }

    public Tensor grad() { return var.grad(); }

    public Kind kind() { return kind; }

    public boolean trainable() { return kind == Kind.TRAINABLE; }

    /** Replaces the value (same shape); used by optimisers, initialisers and state-dict loading. */
    public void set(Tensor value) { var.setData(value); }

    public int[] shape() { return var.shape(); }

    public int numel() { return var.data().numel(); }
}
