package dev.semaim.autograd;

import dev.semaim.tensor.MatmulEpilogue;
import dev.semaim.tensor.Shape;
import dev.semaim.tensor.Tensor;

/**
 * The transformer MLP fc2(GELU(fc1(x))) as one differentiable op that keeps only x and the pre-activation
 * h = fc1(x) for its backward, not GELU(h): the backward recomputes GELU(h) instead of holding a second
 * hidden-sized activation through the step. GELU (forward), GELU(h) with GELU' (backward), the biases and the
 * residual add are the epilogues of the products ({@link MatmulEpilogue}), done while each block is in cache;
 * h is saved for the backward, and the other hidden-sized buffers (GELU(h) in both passes, dh) are temporaries of
 * the enclosing scope. Without a graph (no gradients wanted) GELU runs in place on the first
 * product and h is never written. Values and gradients are those of the composition
 * {@code linear(gelu(linear(x, w1, b1)), w2, b2)}, computed by the same kernels in the same order.
 */
public final class FusedMlp {
    private FusedMlp() {}

    /** x (..., in), w1 (hidden, in), b1 (hidden) or null, w2 (out, hidden), b2 (out) or null → (..., out). */
    public static Var apply(Var x, Var w1, Var b1, Var w2, Var b2) {
        return apply(x, w1, b1, w2, b2, null);
    }

    /**
     * residual + MLP(x), the residual add done in place on the output (as {@link LinearAlgebra#linear(Var, Var, Var, Var)}).
     * Under {@link Autocast} both products, GELU and the biases are in its 16-bit type, and a wider residual is added
     * after, in the residual's type.
     */
    public static Var apply(Var x, Var w1, Var b1, Var w2, Var b2, Var residual) {
        if (Autocast.separateResidual(residual)) return Arithmetic.add(residual, apply(x, w1, b1, w2, b2, null));
        return mlp(Autocast.forProduct(x), Autocast.forProduct(w1), Autocast.forProduct(b1), Autocast.forProduct(w2),
                Autocast.forProduct(b2), residual);
    }

    private static Var mlp(Var x, Var w1, Var b1, Var w2, Var b2, Var residual) {
        int in = w1.size(1), hidden = w1.size(0), out = w2.size(0);
        if (x.size(-1) != in || w2.size(1) != hidden)
            throw new IllegalArgumentException("mlp: input " + Shape.str(x.shape()) + ", fc1 weight " + Shape.str(w1.shape())
                    + ", fc2 weight " + Shape.str(w2.shape()) + " do not chain");
        int[] xs = x.shape(), ys = xs.clone();
        ys[ys.length - 1] = out;
        int rows = x.data().numel() / in;
        Tensor x2 = x.data().reshape(rows, in);                           // x2: (rows, in)
        Var[] inputs = LinearAlgebra.inputs(x, w1, b1, w2, b2, residual);
        Tensor r2 = LinearAlgebra.residualRows(residual, ys);
        if (!Var.needsGrad(inputs)) {
            // no graph (the order pass, inference): GELU in place on the product, no pre-activation written
            Tensor act = x2.matmul(w1.data().transpose(0, 1), MatmulEpilogue.geluInPlace(b1 == null ? null : b1.data()));
            return Var.of("mlp", LinearAlgebra.affine(act, w2, b2, r2).reshape(ys), null, inputs);
        }
        Tensor act = Tensor.empty(x2.dtype(), x2.backend(), rows, hidden); // act: (rows, hidden) = GELU(h), not saved
        Tensor h = x2.matmul(w1.data().transpose(0, 1),                    // h: (rows, hidden), kept
                MatmulEpilogue.gelu(b1 == null ? null : b1.data(), act));
        Tensor y = LinearAlgebra.affine(act, w2, b2, r2);                  // y: (rows, out)
        return Var.of("mlp", y.reshape(ys), Var.saved(x2, h), g -> {
            if (residual != null) residual.accumulate(g);
            Tensor g2 = g.reshape(rows, out);
            // dh = GELU'(h)·(g2·W2) and GELU(h) again (for dW2), in the product's epilogue
            Tensor gelu = Tensor.empty(h.dtype(), h.backend(), rows, hidden);
            Tensor dh = g2.matmul(w2.data(), MatmulEpilogue.geluBackward(h, gelu)); // dh: (rows, hidden)
            LinearAlgebra.weightGrads(g2, gelu, w2, b2);
            Tensor dx2 = LinearAlgebra.affineBackward(dh, x2, w1, b1, x.requiresGrad());
            if (dx2 != null) x.accumulate(dx2.reshape(xs));
        }, inputs);
    }
}
