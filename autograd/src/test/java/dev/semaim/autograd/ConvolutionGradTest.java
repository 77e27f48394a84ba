package dev.semaim.autograd;

import dev.semaim.autograd.testing.GradCheck;
import dev.semaim.tensor.Tensor;
import dev.semaim.tensor.testing.Cases;
import org.junit.jupiter.api.Test;

import static dev.semaim.tensor.DType.F64;

/** Gradient property of {@link Convolution#depthwiseConv2d} in its input (the kernel is a constant). */
class ConvolutionGradTest {
    static final int CASES = 50;

    @Test
    void depthwiseConv2d() {
        Cases.run("depthwiseConv2d", CASES, gen -> {
            int k = gen.pick(1, 2, 3);
            int c = gen.nextInt(1, 3), h = gen.nextInt(k, 5), w = gen.nextInt(k, 5);
            int padding = gen.nextInt(0, k - 1);
            Tensor x = gen.uniform(F64, new int[] {gen.nextInt(1, 2), c, h, w}, -2, 2);
            Tensor kernel = gen.uniform(F64, new int[] {c, 1, k, k}, -1, 1);
            GradCheck.check("depthwiseConv2d k=" + k + " pad=" + padding, gen, v -> Convolution.depthwiseConv2d(v[0], kernel, padding), x);
        });
    }
}
