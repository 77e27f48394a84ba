package dev.semaim.autograd;

import dev.semaim.autograd.testing.GradCheck;
import dev.semaim.tensor.Tensor;
import dev.semaim.tensor.testing.Cases;
import org.junit.jupiter.api.Test;

import static dev.semaim.tensor.DType.F64;

/** Gradient properties of {@link Normalization#layerNorm} without affine parameters, with a weight, and with both. */
class NormalizationGradTest {
    static final int CASES = 50;

    private static void check(String name, int params) {
        Cases.run(name, CASES, gen -> {
            int[] shape = gen.shape(1, 3, 3);
            shape[shape.length - 1] = gen.nextInt(2, 5);
            int d = shape[shape.length - 1];
            double eps = gen.pick(1e-5, 1e-6, 0.1);
            Tensor x = gen.uniform(F64, shape, -2, 2);
            Tensor w = gen.uniform(F64, new int[] {d}, 0.5, 1.5), b = gen.uniform(F64, new int[] {d}, -1, 1);
            switch (params) {
                case 0: GradCheck.check(name, gen, v -> Normalization.layerNorm(v[0], null, null, eps), x); break;
                case 1: GradCheck.check(name, gen, v -> Normalization.layerNorm(v[0], v[1], null, eps), x, w); break;
                default: GradCheck.check(name, gen, v -> Normalization.layerNorm(v[0], v[1], v[2], eps), x, w, b); break;
            }
        });
    }

    @Test void plain() { check("layerNorm", 0); }

    @Test void weight() { check("layerNorm+w", 1); }

    @Test void weightAndBias() { check("layerNorm+w+b", 2); }

    @Test
    void broadcastInputThroughExpand() {
        Cases.run("layerNormExpanded", CASES, gen -> {
            int d = gen.nextInt(2, 4), rows = gen.nextInt(1, 3);
            Tensor x = gen.uniform(F64, new int[] {1, d}, -2, 2);
            GradCheck.check("layerNormExpanded", gen, v -> Normalization.layerNorm(v[0].expand(rows, d), null, null, 1e-5), x);
        });
    }

}
