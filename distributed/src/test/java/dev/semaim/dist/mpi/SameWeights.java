package dev.semaim.dist.mpi;

import dev.semaim.run.Checkpoints;
import dev.semaim.tensor.Tensor;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The check every multi-process test makes of two checkpoints: one process's weights against several processes'. */
final class SameWeights {
    private SameWeights() {
    }

    /**
     * The weights agree to 1e-5 relative (L2 norm of the difference against the norm of the weights), all but the key
     * biases of attention: those get no gradient (softmax ignores a constant per row), so theirs is rounding noise of
     * about 1e-10, which AdamW turns into steps of lr x g / eps (about 1e-5 here) whose sign depends on the order of
     * additions; they must stay within half an lr step (1e-3).
     */
    static void assertSameWeights(Path expected, Path actual) {
        Map<String, Tensor> a = Checkpoints.load(expected).model(), b = Checkpoints.load(actual).model();
        assertEquals(a.keySet(), b.keySet());
        double diff = 0, norm = 0, keyBias = 0;
        for (String k : a.keySet()) {
            float[] x = a.get(k).toFloatArray(), y = b.get(k).toFloatArray();
            for (int i = 0; i < x.length; i++) {
                double d = Math.abs(x[i] - y[i]);
                boolean gradientFree = k.endsWith(".k.bias") || (k.endsWith(".qkv.bias") && i >= x.length / 3 && i < 2 * x.length / 3);
                if (gradientFree) {
                    keyBias = Math.max(keyBias, d);
                } else {
                    diff += d * d;
                    norm += (double) x[i] * x[i];
                }
            }
        }
        double relative = Math.sqrt(diff / norm);
        System.out.printf("%s vs %s: relative L2 difference %.3g, key biases %.3g%n", expected, actual, relative, keyBias);
        assertTrue(relative <= 1e-5, "relative L2 difference " + relative + " between " + expected + " and " + actual);
        assertTrue(keyBias <= 1e-3, "key biases differ by " + keyBias + " between " + expected + " and " + actual);
    }
}
