package dev.semaim.tensor.cpu;

import dev.semaim.tensor.Tensor;
import dev.semaim.tensor.TopkReference;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;

/**
 * float32 top-k along the last axis by selection, rows spread over {@link CpuThreads}; the reference is
 * {@link TopkReference} (a full stable sort of every row), whose order this keeps exactly.
 *
 * <p>Each candidate is one {@code long}: the float's order key (its bits turned into an int that orders as
 * {@link Float#compare}, negated for the smallest) in the high half and {@code 0xFFFFFFFF - index} in the low
 * half, so a larger long is a better candidate and equal values rank by lower index. A row keeps its k best in
 * a min-heap of such longs (whole vectors below the worst kept skipped at once: no boxing, no full sort); when
 * k is a large part of the row (argsort) the row's longs are sorted instead.
 */
final class TopkKernels {
    private TopkKernels() {}

    private static final VectorSpecies<Float> S = KernelConfig.SPECIES;
    private static final int V = S.length();
    /** Rows per parallel task, so that one task is worth a hand-off (~10 µs) even for short rows. */
    private static final int GRAIN = 1 << 14;

    /** values (rows, k) and indices (rows, k), contiguous, from a contiguous float32 x (rows, n). */
    static void topk(Tensor x, int k, boolean largest, Tensor values, Tensor indices) {
        int n = x.size(-1), rows = x.numel() / n;
        float[] in = FastKernels.f(x), out = FastKernels.f(values);
        long[] idx = ((CpuStorage) indices.storage()).l;
        int xo = x.offset(), vo = values.offset(), io = indices.offset();
        boolean sortRow = k > n / 8;
        int rowsPerTask = Math.max(1, GRAIN / n);
        CpuThreads.parallelRanges(rows, rowsPerTask, (r0, r1) -> {
            long[] best = new long[sortRow ? n : k];
            for (int r = r0; r < r1; r++) {
                int base = xo + r * n;
                if (sortRow) sortRow(in, base, n, largest, best);
                else selectRow(in, base, n, k, largest, best);
                // best is ascending: the last element is the first output
                int top = sortRow ? n - 1 : k - 1;
                for (int j = 0; j < k; j++) {
                    int i = index(best[top - j]);
                    out[vo + r * k + j] = in[base + i];
                    idx[io + r * k + j] = i;
                }
            }
        });
    }

    /** The float's place in {@link Float#compare}'s order (NaNs equal, above +infinity) as a signed int. */
    static int orderKey(float v) {
        int bits = Float.floatToIntBits(v); // canonical NaN
        return bits ^ ((bits >> 31) & 0x7fffffff);
    }

    /** The candidate long of element i with value v: larger is better (see the class comment). */
    private static long candidate(float v, int i, boolean largest) {
        int key = largest ? orderKey(v) : ~orderKey(v);
        return ((long) key << 32) | (0xFFFFFFFFL - i);
    }

    private static int index(long candidate) {
        return (int) (0xFFFFFFFFL - (candidate & 0xFFFFFFFFL));
    }

    /**
     * The k best candidates of the row, ascending, in heap[0..k). Past the first k, whole vectors of values strictly
     * worse than the worst kept (as floats: below it for the largest, above it for the smallest) are skipped with one
     * comparison; a vector with any other value (one as good, a NaN, a zero of the other sign) goes element by element.
     */
    private static void selectRow(float[] in, int base, int n, int k, boolean largest, long[] heap) {
        for (int i = 0; i < k; i++) heap[i] = candidate(in[base + i], i, largest);
        for (int i = k / 2 - 1; i >= 0; i--) siftDown(heap, k, i);
        VectorOperators.Comparison worse = largest ? VectorOperators.LT : VectorOperators.GT;
        long worst = heap[0];
        float worstValue = in[base + index(worst)];
        int i = k;
        for (; i <= n - V; i += V) {
            if (FloatVector.fromArray(S, in, base + i).compare(worse, worstValue).allTrue()) continue;
            for (int j = i; j < i + V; j++) {
                long c = candidate(in[base + j], j, largest);
                if (c > worst) {
                    heap[0] = c;
                    siftDown(heap, k, 0);
                    worst = heap[0];
                    worstValue = in[base + index(worst)];
                }
            }
        }
        for (; i < n; i++) {
            long c = candidate(in[base + i], i, largest);
            if (c > worst) {
                heap[0] = c;
                siftDown(heap, k, 0);
                worst = heap[0];
            }
        }
        Arrays.sort(heap, 0, k);
    }

    /** Every candidate of the row, ascending, in all[0..n). */
    private static void sortRow(float[] in, int base, int n, boolean largest, long[] all) {
        for (int i = 0; i < n; i++) all[i] = candidate(in[base + i], i, largest);
        Arrays.sort(all, 0, n);
    }

    /** Restores the min-heap order of heap[0..size) below position i. */
    private static void siftDown(long[] heap, int size, int i) {
        long c = heap[i];
        while (true) {
            int child = 2 * i + 1;
            if (child >= size) break;
            if (child + 1 < size && heap[child + 1] < heap[child]) child++;
            if (heap[child] >= c) break;
            heap[i] = heap[child];
            i = child;
        }
        heap[i] = c;
    }
}
