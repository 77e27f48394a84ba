package dev.semaim.autograd.testing;

import dev.semaim.autograd.GradMode;
import dev.semaim.autograd.Var;
import dev.semaim.tensor.DType;
import dev.semaim.tensor.Shape;
import dev.semaim.tensor.Tensor;
import dev.semaim.tensor.testing.Gen;

import java.util.Arrays;

/**
 * Finite-difference gradient check in float64. For y = f(inputs) and random weights w, the autograd
 * gradient of L = Σ y·w (obtained as y.backward(w)) is compared with the central difference
 * (L(x + h) - L(x - h)) / 2h for every element of every input. Inputs may be any strided view
 * except expanded ones (perturbing one stored element would move several logical ones); expand
 * inside f instead.
 *
 * <p>Tolerance: |analytic - numeric| ≤ 1e-6 · (1 + max(|analytic|, |numeric|)). With h = 1e-6 the
 * truncation error is O(h²) and the rounding error about 1e-16·|L|/h, both far below it for the
 * small, well-scaled cases the tests draw.
 */
public final class GradCheck {
    private GradCheck() {}

    public static final double H = 1e-6;
    public static final double TOL = 1e-6;

    /** The function under test: inputs (leaves requiring gradients) to one output. */
    @FunctionalInterface
    public interface Fn {
        Var apply(Var... inputs);
    }

    /** Fails with seed, shapes, layouts, largest difference and its index when a gradient is off. */
    public static void check(String op, Gen gen, Fn f, Tensor... inputs) {
        for (Tensor t : inputs) {
            if (t.dtype() != DType.F64) throw new IllegalArgumentException(op + ": gradient check needs F64 inputs, got " + Gen.describe(t));
            for (int a = 0; a < t.rank(); a++)
                if (t.stride(a) == 0 && t.size(a) > 1)
                    throw new IllegalArgumentException(op + ": expanded input " + Gen.describe(t) + "; expand inside the function");
        }
        Var[] leaves = new Var[inputs.length];
        for (int i = 0; i < inputs.length; i++) leaves[i] = Var.leaf(inputs[i], true);
        Var out = f.apply(leaves);
        if (!out.requiresGrad()) throw new AssertionError(op + ": output does not require a gradient (seed " + gen.seed + ")");
        Tensor w = Gen.tensor(gen.values(out.data().numel(), -1, 1), DType.F64, out.shape());
        double[] wv = w.toDoubleArray();
        out.backward(w);

        for (int i = 0; i < inputs.length; i++) {
            Tensor x = inputs[i];
            double[] analytic = leaves[i].grad() == null ? new double[x.numel()] : leaves[i].grad().toDoubleArray();
            if (leaves[i].grad() != null && !leaves[i].grad().sameShape(x))
                throw new AssertionError(op + ": gradient of input " + i + " has shape " + Shape.str(leaves[i].grad().shape())
                        + ", input " + Shape.str(x.shape()) + context(gen, inputs));
            double worst = -1, worstA = 0, worstN = 0;
            int worstAt = -1;
            int[] idx = new int[x.rank()];
            for (int k = 0; k < x.numel(); k++, increment(idx, x.shape())) {
                Tensor element = x;
                for (int a = 0; a < idx.length; a++) element = element.narrow(a, idx[a], 1);
                double orig = element.toDoubleArray()[0];
                element.fillInPlace(orig + H);
                double up = loss(f, leaves, wv);
                element.fillInPlace(orig - H);
                double down = loss(f, leaves, wv);
                element.fillInPlace(orig);
                double numeric = (up - down) / (2 * H);
                double diff = Math.abs(numeric - analytic[k]);
                double excess = diff - TOL * (1 + Math.max(Math.abs(numeric), Math.abs(analytic[k])));
                if (!(excess <= 0) && (worstAt < 0 || !(diff <= worst))) {
                    worst = diff;
                    worstAt = k;
                    worstA = analytic[k];
                    worstN = numeric;
                }
            }
            if (worstAt >= 0)
                throw new AssertionError(op + ": gradient of input " + i + " is off: largest difference " + worst
                        + " at " + Arrays.toString(unflatten(worstAt, x.shape())) + " (autograd " + worstA + ", finite difference "
                        + worstN + ")" + context(gen, inputs));
        }
    }

    private static double loss(Fn f, Var[] leaves, double[] w) {
        try (GradMode.Scope s = GradMode.noGrad()) {
            double[] y = f.apply(leaves).data().toDoubleArray();
            double sum = 0;
            for (int i = 0; i < y.length; i++) sum += y[i] * w[i];
            return sum;
        }
    }

    private static String context(Gen gen, Tensor[] inputs) {
        StringBuilder b = new StringBuilder("; seed ").append(gen.seed).append(", inputs:");
        for (int i = 0; i < inputs.length; i++) b.append(" [").append(i).append("] ").append(Gen.describe(inputs[i]));
        return b.toString();
    }

    private static void increment(int[] idx, int[] shape) {
        for (int a = shape.length - 1; a >= 0; a--) {
            if (++idx[a] < shape[a]) return;
            idx[a] = 0;
        }
    }

    private static int[] unflatten(int k, int[] shape) {
        int[] idx = new int[shape.length];
        for (int a = shape.length - 1; a >= 0; a--) {
            idx[a] = k % shape[a];
            k /= shape[a];
        }
        return idx;
    }
}
