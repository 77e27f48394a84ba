package dev.semaim.autograd;

import dev.semaim.autograd.testing.GradCheck;
import dev.semaim.tensor.testing.Cases;
import org.junit.jupiter.api.Test;

import static dev.semaim.tensor.DType.F64;

/** Gradient properties of {@link Softmax} along any axis. */
class SoftmaxGradTest {
    static final int CASES = 50;

    private static void check(String name, boolean log) {
        Cases.run(name, CASES, gen -> {
            int[] shape = gen.shape(1, 4, 4);
            int axis = gen.nextInt(-shape.length, shape.length - 1);
            GradCheck.check(name, gen, x -> log ? Softmax.logSoftmax(x[0], axis) : Softmax.softmax(x[0], axis),
                    gen.uniform(F64, shape, -3, 3));
        });
    }

    @Test void softmax() { check("softmax", false); }

    @Test void logSoftmax() { check("logSoftmax", true); }
}
