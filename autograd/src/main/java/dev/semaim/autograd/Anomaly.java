package dev.semaim.autograd;

import dev.semaim.tensor.Shape;
import dev.semaim.tensor.Tensor;

/** The NaN/Inf check of anomaly mode. */
final class Anomaly {
    private Anomaly() {}

    static void check(String op, String pass, Tensor t) {
        if (!t.dtype().floating) return;
        double[] v = t.toDoubleArray();
        for (int i = 0; i < v.length; i++)
            if (!Double.isFinite(v[i]))
                throw new ArithmeticException("anomaly: " + op + " " + pass + " produced " + v[i] + " at flat index " + i
                        + " of a tensor of shape " + Shape.str(t.shape()));
    }
}
