package dev.semaim.cuda;

import dev.semaim.tensor.Backend;
import dev.semaim.tensor.DType;
import dev.semaim.tensor.Rng;
import dev.semaim.tensor.Tensor;
import dev.semaim.tensor.TopkReference;
import org.junit.jupiter.api.Test;

import static dev.semaim.cuda.GpuTestSupport.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * topk on the GPU (topk.cu) against {@link TopkReference}, exactly: rows with many ties, k from 1 to the row length
 * (the shared-memory sort and, past 2048, the rank sort), largest and smallest, long rows (a k-NN similarity block),
 * strided inputs. Skipped without a usable GPU.
 */
class CudaTopkTest {
    /** Values from {@code levels} levels (ties when few), with -0.0 beside +0.0. */
    private static Tensor tiedRows(Rng rng, int rows, int n, int levels) {
        float[] v = new float[rows * n];
        for (int i = 0; i < v.length; i++) {
            int level = rng.nextInt(levels) - levels / 2;
            v[i] = level == 0 && rng.nextInt(2) == 0 ? -0.0f : level / (float) levels;
        }
        return Tensor.of(v, rows, n);
    }

    private static void check(Backend gpu, String what, Tensor x, int k, boolean largest) {
        int[] shape = x.shape();
        shape[shape.length - 1] = k;
        Tensor values = Tensor.empty(DType.F32, CPU, shape), indices = Tensor.empty(DType.I64, CPU, shape);
        TopkReference.topk(x, k, largest, values, indices);
        Tensor[] got = x.to(gpu).topk(k, largest);
        String where = what + ": " + java.util.Arrays.toString(x.shape()) + " k=" + k + (largest ? " largest" : " smallest");
        assertArrayEquals(indices.toLongArray(), got[1].to(CPU).toLongArray(), where + ": indices");
        assertArrayEquals(values.toFloatArray(), got[0].to(CPU).toFloatArray(), where + ": values");
    }

    @Test
    void tiedRowsMatchTheReferenceForEveryKind() {
        Backend gpu = gpu();
        for (long seed = 1; seed <= 12; seed++) {
            Rng rng = new Rng(seed);
            int n = new int[] {1, 7, 33, 256, 257, 1000, 3000}[(int) (seed % 7)];
            Tensor x = tiedRows(rng, (int) (1 + seed % 5), n, new int[] {2, 5, 100, 1 << 20}[(int) (seed % 4)]);
            for (int k : new int[] {1, 2, Math.max(1, n / 3), n - 1, n}) {
                if (k < 1 || k > n) continue;
                check(gpu, "seed " + seed, x, k, seed % 2 == 0);
                check(gpu, "seed " + seed, x, k, seed % 2 == 1);
            }
        }
    }

    @Test
    void everyKOfShortRows() {
        Backend gpu = gpu();
        Tensor x = tiedRows(new Rng(5), 3, 40, 6);
        for (int k = 1; k <= 40; k++) {
            check(gpu, "every k", x, k, true);
            check(gpu, "every k", x, k, false);
        }
    }

    @Test
    void similarityBlockAndStridedViews() {
        Backend gpu = gpu();
        Rng rng = new Rng(9);
        check(gpu, "k-NN block", randn(rng, DType.F32, 70, 120_001), 200, true);
        check(gpu, "k-NN block, ties", tiedRows(rng, 4, 100_000, 50), 30, true);
        Tensor t = randn(rng, DType.F32, 50, 9);
        check(gpu, "transposed", t.transpose(0, 1), 17, false);
        Tensor special = Tensor.of(new float[] {0f, Float.NaN, Float.NEGATIVE_INFINITY, -0f, Float.POSITIVE_INFINITY, 1f, -1f}, 1, 7);
        check(gpu, "infinities, NaN, signed zeros", special, 7, true);
        check(gpu, "infinities, NaN, signed zeros", special, 7, false);
    }
}
