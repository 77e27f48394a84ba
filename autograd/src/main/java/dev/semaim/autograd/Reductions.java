package dev.semaim.autograd;

import dev.semaim.tensor.Tensor;

/** Sums, means, variances, maxima and norms over axes (all axes when none are given). */
public final class Reductions {
    private Reductions() {}

    /** x's shape with the reduced axes kept as size 1, so a reduced gradient broadcasts back. */
    static int[] keptShape(int[] shape, int[] axes) {
        int[] s = shape.clone();
        if (axes.length == 0) java.util.Arrays.fill(s, 1);
        for (int a : axes) s[a < 0 ? a + s.length : a] = 1;
        return s;
    }

    /** Sum over axes (all when none); in F32 under {@link Autocast}. */
    public static Var sum(Var input, boolean keepdim, int... axes) {
        Var x = Autocast.forFloat32(input);
        int[] shape = x.shape(), kept = keptShape(shape, axes);
        return Var.of("sum", x.data().sum(keepdim, axes), g -> x.accumulate(g.reshape(kept).expand(shape)), x);
    }

    public static Var mean(Var x, boolean keepdim, int... axes) {
        int[] shape = x.shape(), kept = keptShape(shape, axes);
        Tensor out = x.data().mean(keepdim, axes);
        double n = (double) x.data().numel() / Math.max(1, out.numel());
        return Var.of("mean", out, g -> x.accumulate(g.reshape(kept).expand(shape).div(n)), x);
    }

    /** Variance (unbiased: divide by n-1), composed of differentiable pieces. */
    public static Var var(Var x, boolean unbiased, boolean keepdim, int... axes) {
        Var mu = mean(x, true, axes);
        Var d2 = Elementwise.square(Arithmetic.sub(x, mu));
        Var s = sum(d2, keepdim, axes);
        int n = x.data().numel() / Math.max(1, mu.data().numel());
        return Arithmetic.mulScalar(s, 1.0 / (unbiased ? n - 1 : n));
    }

    /** Max along one axis; the gradient goes to every position equal to the max (split evenly among ties). */
    public static Var max(Var x, boolean keepdim, int axis) {
        int[] shape = x.shape(), kept = keptShape(shape, new int[] {axis});
        Tensor out = x.data().max(keepdim, axis);
        return Var.of("max", out, g -> {
            Tensor hit = x.data().eq(out.reshape(kept));
            Tensor count = hit.sum(true, axis);
            x.accumulate(hit.mul(g.reshape(kept)).div(count));
        }, x);
    }

    /** L2 norm: sqrt(Σ x²). */
    public static Var norm(Var x, boolean keepdim, int... axes) {
        return Elementwise.sqrt(sum(Elementwise.square(x), keepdim, axes));
    }
}
