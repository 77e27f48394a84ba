package dev.semaim.tensor;

import java.util.Arrays;
import java.util.Comparator;

/**
 * The plain top-k along the last axis, on the host: every row fully sorted (a stable sort of boxed indices), the
 * first k kept. It is the reference the fast kernels are tested against and the {@link Backend#topk} default.
 *
 * <p>The order, shared by every kernel: values by {@link Double#compare} (so -0.0 before +0.0 and NaN above
 * +infinity, all NaNs equal), largest or smallest first; equal values by lower index first. A full sort is
 * topk with k = n ({@link Tensor#argsort}, stable).
 */
public final class TopkReference {
    private TopkReference() {}

    /**
     * values (..., k) in x's dtype and indices (..., k) I64, both contiguous, from x (..., n) (any view, any
     * backend: read and written through host copies).
     */
    public static void topk(Tensor x, int k, boolean largest, Tensor values, Tensor indices) {
        int n = x.size(-1), rows = n == 0 ? 0 : x.numel() / n;
        double[] v = x.contiguous().toDoubleArray();
        double[] topValues = new double[rows * k];
        long[] topIndices = new long[rows * k];
        Integer[] order = new Integer[n];
        for (int r = 0; r < rows; r++) {
            int base = r * n;
            for (int i = 0; i < n; i++) order[i] = i;
            Comparator<Integer> ascending = (a, b) -> Double.compare(v[base + a], v[base + b]);
            Arrays.sort(order, largest ? ascending.reversed() : ascending); // stable: equal values keep index order
            for (int j = 0; j < k; j++) {
                topValues[r * k + j] = v[base + order[j]];
                topIndices[r * k + j] = order[j];
            }
        }
        Backend backend = values.backend();
        backend.copy(Tensor.of(backend, topValues, values.shape()), values);
        backend.copy(Tensor.of(backend, topIndices, indices.shape()), indices);
    }
}
