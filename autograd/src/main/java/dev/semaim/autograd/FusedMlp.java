package dev.semaim.autograd;

import dev.semaim.tensor.Shape;
import dev.semaim.tensor.Tensor;

/**
 * The transformer MLP fc2(GELU(fc1(x))) as one differentiable op that keeps only x and the pre-activation
 * h = fc1(x) for its backward, not GELU(h): the backward recomputes GELU(h) (one elementwise pass) instead of
 * holding a second hidden-sized activation through the step. Values and gradients are those of the composition
 * {@code linear(gelu(linear(x, w1, b1)), w2, b2)}, computed by the same kernels in the same order.
 */
public final class FusedMlp {
    private FusedMlp() {}

    /** x (..., in), w1 (hidden, in), b1 (hidden) or null, w2 (out, hidden), b2 (out) or null → (..., out). */
    public static Var apply(Var x, Var w1, Var b1, Var w2, Var b2) {
        return apply(x, w1, b1, w2, b2, null);
    }

    /** residual + MLP(x), the residual add done in place on the output (as {@link LinearAlgebra#linear(Var, Var, Var, Var)}). */
    public static Var apply(Var x, Var w1, Var b1, Var w2, Var b2, Var residual) {
        int in = w1.size(1), hidden = w1.size(0), out = w2.size(0);
        if (x.size(-1) != in || w2.size(1) != hidden)
            throw new IllegalArgumentException("mlp: input " + Shape.str(x.shape()) + ", fc1 weight " + Shape.str(w1.shape())
                    + ", fc2 weight " + Shape.str(w2.shape()) + " do not chain");
        int[] xs = x.shape(), ys = xs.clone();
        ys[ys.length - 1] = out;
        int rows = x.data().numel() / in;
        Tensor x2 = x.data().reshape(rows, in);                           // x2: (rows, in)
        Tensor h = LinearAlgebra.affine(x2, w1, b1);                      // h: (rows, hidden), kept
        Tensor y = LinearAlgebra.affine(h.gelu(), w2, b2);                // y: (rows, out); GELU(h) is dropped here
        return Var.of("mlp", LinearAlgebra.addResidual(y.reshape(ys), residual), g -> {
            if (residual != null) residual.accumulate(g);
            Tensor da = LinearAlgebra.affineBackward(g.reshape(rows, out), h.gelu(), w2, b2, true); // da: (rows, hidden)
            Tensor dx2 = LinearAlgebra.affineBackward(h.geluGrad(da), x2, w1, b1, x.requiresGrad());
            if (dx2 != null) x.accumulate(dx2.reshape(xs));
        }, LinearAlgebra.inputs(x, w1, b1, w2, b2, residual));
    }
}
