package dev.semaim.tensor.testing;

import dev.semaim.tensor.Shape;
import dev.semaim.tensor.Tensor;

import java.util.Arrays;

/** Elementwise closeness assertions that name the worst element, for comparing kernels. */
public final class Close {
    private Close() {}

    /** |actual - expected| ≤ atol + rtol·|expected| everywhere; NaN only where expected is NaN. */
    public static void assertClose(String what, Tensor expected, Tensor actual, double rtol, double atol) {
        assertClose(what, expected, actual, expected.abs(), rtol, atol);
    }

    /**
     * |actual - expected| ≤ atol + rtol·scale elementwise, where scale (expected's shape) bounds the
     * magnitude of what was summed into each element (e.g. |A|·|B| for a matrix product).
     */
    public static void assertClose(String what, Tensor expected, Tensor actual, Tensor scale, double rtol, double atol) {
        if (!expected.sameShape(actual))
            throw new AssertionError(what + ": shape " + Shape.str(actual.shape()) + ", expected " + Shape.str(expected.shape()));
        double[] e = expected.toDoubleArray(), a = actual.toDoubleArray(), s = scale.toDoubleArray();
        int worst = -1;
        double worstExcess = 0;
        for (int i = 0; i < e.length; i++) {
            if (Double.isNaN(e[i]) != Double.isNaN(a[i])) {
                worst = i;
                break;
            }
            if (Double.isNaN(e[i]) || e[i] == a[i]) continue;
            double excess = Math.abs(a[i] - e[i]) - (atol + rtol * Math.abs(s[i]));
            if (!(excess <= worstExcess)) {
                worstExcess = excess;
                worst = i;
            }
        }
        if (worst >= 0)
            throw new AssertionError(what + ": element " + Arrays.toString(unflatten(worst, expected.shape())) + " of "
                    + Shape.str(expected.shape()) + " is " + a[worst] + ", expected " + e[worst] + " (difference "
                    + Math.abs(a[worst] - e[worst]) + ", allowed " + (atol + rtol * Math.abs(s[worst])) + ")");
    }

    static int[] unflatten(int k, int[] shape) {
        int[] idx = new int[shape.length];
        for (int a = shape.length - 1; a >= 0; a--) {
            idx[a] = shape[a] == 0 ? 0 : k % shape[a];
            k = shape[a] == 0 ? 0 : k / shape[a];
        }
        return idx;
    }
}
