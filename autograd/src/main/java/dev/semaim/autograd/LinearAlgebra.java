package dev.semaim.autograd;

import dev.semaim.tensor.MatmulEpilogue;
import dev.semaim.tensor.Tensor;

/** Matrix products. */
public final class LinearAlgebra {
    private LinearAlgebra() {}

    /**
     * a (..., M, K) · b (..., K, N) with broadcast batch axes (1-D operands are not supported here:
     * unsqueeze them). dA = dC · Bᵀ, dB = Aᵀ · dC, each summed over the axes it was broadcast along.
     */
    public static Var matmul(Var left, Var right) {
        Var a = Autocast.forProduct(left), b = Autocast.forProduct(right);
        if (a.rank() < 2 || b.rank() < 2)
            throw new IllegalArgumentException("matmul: operands need rank >= 2, got " + a.data() + " and " + b.data());
        return Var.of("matmul", a.data().matmul(b.data()), g -> {
            if (a.requiresGrad()) a.accumulate(g.matmul(b.data().transpose(-1, -2)));
            if (b.requiresGrad()) b.accumulate(a.data().transpose(-1, -2).matmul(g));
        }, a, b);
    }

    /** y = x · Wᵀ + b with W stored (out, in) as in PyTorch; b may be null. */
    public static Var linear(Var x, Var w, Var b) {
        return linear(x, w, b, null);
    }

    /**
     * residual + (x · Wᵀ + b): a pre-norm block's residual add done in place on the product (no separate sum
     * kept through the step; the same values as {@code Arithmetic.add(residual, linear(x, w, b))}). residual has
     * the output's shape, or is null. Under {@link Autocast} the product is in its 16-bit type, and a wider residual
     * is added after it, in the residual's type.
     */
    public static Var linear(Var x, Var w, Var b, Var residual) {
        if (Autocast.separateResidual(residual)) return Arithmetic.add(residual, linear(x, w, b, null));
        return affineOp(Autocast.forProduct(x), Autocast.forProduct(w), Autocast.forProduct(b), residual);
    }

    private static Var affineOp(Var x, Var w, Var b, Var residual) {
        int in = w.size(1);
        if (x.size(-1) != in)
            throw new IllegalArgumentException("linear: input " + dev.semaim.tensor.Shape.str(x.shape()) + " does not end in " + in + " (weight " + dev.semaim.tensor.Shape.str(w.shape()) + ")");
        int[] xs = x.shape();
        int rows = x.data().numel() / in;
        Tensor x2 = x.data().reshape(rows, in); // x2: (rows, in), a copy when x is not a view of rows, saved for dW
        int[] ys = xs.clone();
        ys[ys.length - 1] = w.size(0);
        Tensor r2 = residualRows(residual, ys);
        Tensor y = affine(x2, w, b, r2).reshape(ys);
        return Var.of("linear", y, Var.saved(x2), g -> {
            if (residual != null) residual.accumulate(g);
            Tensor dx2 = affineBackward(g.reshape(rows, w.size(0)), x2, w, b, x.requiresGrad());
            if (dx2 != null) x.accumulate(dx2.reshape(xs));
        }, inputs(x, w, b, residual));
    }

    /** residual (of the output's shape ys, or null) as the (rows, out) matrix the product's epilogue adds. */
    static Tensor residualRows(Var residual, int[] ys) {
        if (residual == null) return null;
        if (!java.util.Arrays.equals(residual.shape(), ys))
            throw new IllegalArgumentException("residual " + dev.semaim.tensor.Shape.str(residual.shape()) + " does not match the output "
                    + dev.semaim.tensor.Shape.str(ys));
        return residual.data().reshape(residual.data().numel() / ys[ys.length - 1], ys[ys.length - 1]);
    }

    /** The graph inputs of a fused op: the given Vars without the absent (null) ones. */
    static Var[] inputs(Var... vs) {
        return java.util.Arrays.stream(vs).filter(java.util.Objects::nonNull).toArray(Var[]::new);
    }

    /**
     * x2 (rows, in) · wᵀ + b + residual2 → (rows, out); b and residual2 may be null. The additions are the
     * product's epilogue (see {@link MatmulEpilogue}): no second buffer, no extra pass where the backend fuses.
     */
    static Tensor affine(Tensor x2, Var w, Var b, Tensor residual2) {
        return x2.matmul(w.data().transpose(0, 1), MatmulEpilogue.add(b == null ? null : b.data(), residual2));
    }

    /**
     * Backward of {@link #affine} from g2 (rows, out): accumulates dW = g2ᵀ·x2 and db = Σ_rows g2 into w and b
     * (when they need gradients) and returns dx2 = g2·W (rows, in) when {@code needDx}, else null.
     */
    static Tensor affineBackward(Tensor g2, Tensor x2, Var w, Var b, boolean needDx) {
        Tensor dx2 = needDx ? g2.matmul(w.data()) : null;
        weightGrads(g2, x2, w, b);
        return dx2;
    }

    /**
     * Accumulates dW = g2ᵀ·x2 and db = Σ_rows g2 into w and b (when they need gradients); with both, db is the
     * product's row sums of g2ᵀ ({@link MatmulEpilogue#rowSumsOfA}), taken as the product reads g2.
     */
    static void weightGrads(Tensor g2, Tensor x2, Var w, Var b) {
        boolean db = b != null && b.requiresGrad();
        if (w.requiresGrad() && db) {
            Tensor sums = Tensor.empty(g2.dtype(), g2.backend(), g2.size(1));
            w.accumulate(g2.transpose(0, 1).matmul(x2, MatmulEpilogue.rowSumsOfA(sums)));
            b.accumulate(sums);
        } else if (w.requiresGrad()) {
            w.accumulate(g2.transpose(0, 1).matmul(x2));
        } else if (db) {
            b.accumulate(g2.sum(0));
        }
    }
}
