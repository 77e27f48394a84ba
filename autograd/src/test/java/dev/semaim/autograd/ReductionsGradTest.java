package dev.semaim.autograd;

import dev.semaim.autograd.testing.GradCheck;
import dev.semaim.tensor.Tensor;
import dev.semaim.tensor.testing.Cases;
import dev.semaim.tensor.testing.Gen;
import org.junit.jupiter.api.Test;

import static dev.semaim.tensor.DType.F64;

/** Gradient properties of {@link Reductions} over random axis sets (none = all), keepdim or not. */
class ReductionsGradTest {
    static final int CASES = 50;

    @FunctionalInterface
    interface Reduce {
        Var apply(Var x, boolean keepdim, int[] axes);
    }

    /** Axes given as a random subset, some of them negative. */
    private static int[] axes(Gen gen, int rank) {
        int[] axes = gen.axes(rank);
        for (int i = 0; i < axes.length; i++) if (gen.nextBoolean()) axes[i] -= rank;
        return axes;
    }

    private static void reduction(String name, Reduce op, double lo, double hi, int minCount) {
        Cases.run(name, CASES, gen -> {
            int[] shape = gen.shape(0, 4, 3);
            int[] axes = axes(gen, shape.length);
            int count = 1;
            for (int a : (axes.length == 0 ? java.util.stream.IntStream.range(0, shape.length).toArray() : axes))
                count *= shape[a < 0 ? a + shape.length : a];
            if (count < minCount) shape = appendAxis(shape, axes);
            int[] s = shape;
            boolean keepdim = gen.nextBoolean();
            Tensor x = gen.uniform(F64, s, lo, hi);
            GradCheck.check(name, gen, v -> op.apply(v[0], keepdim, axes), x);
        });
    }

    /** Grows the first reduced axis (or all when none) so at least two elements are reduced. */
    private static int[] appendAxis(int[] shape, int[] axes) {
        int[] s = shape.clone();
        if (s.length == 0) return new int[] {3};
        int a = axes.length == 0 ? 0 : axes[0] < 0 ? axes[0] + s.length : axes[0];
        s[a] = 3;
        return s;
    }

    @Test void sum() { reduction("sum", Reductions::sum, -2, 2, 0); }

    @Test void mean() { reduction("mean", Reductions::mean, -2, 2, 0); }

    @Test void varBiased() { reduction("varBiased", (x, k, a) -> Reductions.var(x, false, k, a), -2, 2, 0); }

    @Test void varUnbiased() { reduction("varUnbiased", (x, k, a) -> Reductions.var(x, true, k, a), -2, 2, 2); }

    @Test void norm() { reduction("norm", Reductions::norm, 0.2, 2, 0); }

    @Test
    void max() {
        Cases.run("max", CASES, gen -> {
            int[] shape = gen.shape(1, 4, 4);
            int axis = gen.nextInt(-shape.length, shape.length - 1);
            boolean keepdim = gen.nextBoolean();
            // distinct values on a grid of step 0.01 (» h), shuffled: no ties, no kink within reach
            int n = dev.semaim.tensor.Shape.numel(shape);
            int[] p = gen.permutation(n);
            double step = gen.pick(0.01, 0.07, 0.13);
            double[] v = new double[n];
            for (int i = 0; i < n; i++) v[i] = (p[i] - n / 2.0) * step;
            Tensor x = gen.layout(Gen.tensor(v, F64, shape));
            GradCheck.check("max", gen, t -> Reductions.max(t[0], keepdim, axis), x);
        });
    }
}
