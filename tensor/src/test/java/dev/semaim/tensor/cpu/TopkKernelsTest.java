package dev.semaim.tensor.cpu;

import dev.semaim.tensor.Tensor;
import dev.semaim.tensor.TopkReference;
import dev.semaim.tensor.testing.Cases;
import dev.semaim.tensor.testing.Gen;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static dev.semaim.tensor.DType.F32;
import static dev.semaim.tensor.DType.I64;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The CPU top-k selection ({@link TopkKernels}) against the plain full sort ({@link TopkReference}): random rows
 * with many ties (values from a few levels, +0.0 beside -0.0), k from 1 to the row length (the heap and the sorted
 * row), largest and smallest, contiguous and strided inputs. Values and indices must be equal exactly.
 */
class TopkKernelsTest {
    private static final int[] LENGTHS = {1, 2, 7, 16, 33, 100, 257, 1000};

    /** Rows of values from {@code levels} levels (ties everywhere when few), zeros of both signs among them. */
    private static Tensor tiedRows(Gen gen, int rows, int n, int levels) {
        float[] v = new float[rows * n];
        for (int i = 0; i < v.length; i++) {
            int level = gen.nextInt(0, levels - 1) - levels / 2;
            v[i] = level == 0 && gen.nextBoolean() ? -0.0f : level / (float) levels;
        }
        return Tensor.of(v, rows, n);
    }

    private static void assertSame(String what, Tensor x, int k, boolean largest, Tensor[] got) {
        int[] shape = x.shape();
        shape[shape.length - 1] = k;
        Tensor values = Tensor.empty(F32, shape), indices = Tensor.empty(I64, shape);
        TopkReference.topk(x, k, largest, values, indices);
        long[] want = indices.toLongArray(), have = got[1].toLongArray();
        for (int i = 0; i < want.length; i++) {
            if (want[i] != have[i])
                throw new AssertionError(what + ": " + Gen.describe(x) + " k=" + k + (largest ? " largest" : " smallest")
                        + ": first difference at output " + i + ": index " + have[i] + ", reference " + want[i]);
        }
        assertArrayEquals(values.toFloatArray(), got[0].toFloatArray(), what + ": values of " + Gen.describe(x) + " k=" + k);
    }

    @Test
    void selectionMatchesTheFullSortOnTiedRows() {
        Cases.run("topk fast vs reference", 60, gen -> {
            int n = gen.pick(LENGTHS), rows = gen.pick(1, 3, 40);
            int k = gen.pick(1, 2, n / 8 + 1, n / 2 + 1, n - 1, n);
            k = Math.max(1, Math.min(n, k));
            boolean largest = gen.nextBoolean();
            Tensor x = tiedRows(gen, rows, n, gen.pick(2, 5, 50, 100000));
            Tensor values = Tensor.empty(F32, rows, k), indices = Tensor.empty(I64, rows, k);
            TopkKernels.topk(x, k, largest, values, indices);
            assertSame("fast kernel", x, k, largest, new Tensor[] {values, indices});
        });
    }

    @Test
    void everyKOfOneRowIsAPrefixOfTheSort() {
        Cases.run("topk every k", 4, gen -> {
            int n = gen.pick(9, 64);
            Tensor x = tiedRows(gen, 2, n, 4);
            for (boolean largest : new boolean[] {true, false}) {
                long[] sorted = x.argsort(largest).toLongArray();
                for (int k = 1; k <= n; k++) {
                    Tensor[] top = x.topk(k, largest);
                    assertSame("CpuBackend", x, k, largest, top);
                    long[] idx = top[1].toLongArray();
                    for (int r = 0; r < 2; r++)
                        assertArrayEquals(Arrays.copyOfRange(sorted, r * n, r * n + k), Arrays.copyOfRange(idx, r * k, r * k + k),
                                "k=" + k + " is not a prefix of the sort (seed " + gen.seed + ")");
                }
            }
        });
    }

    @Test
    void stridedInputsAndLeadingAxesGoThroughTheBackend() {
        Cases.run("topk strided", 20, gen -> {
            int n = gen.pick(LENGTHS);
            Tensor x = gen.layout(tiedRows(gen, 6, n, 7).reshape(2, 3, n));
            int k = Math.max(1, Math.min(n, gen.pick(1, 3, n)));
            boolean largest = gen.nextBoolean();
            assertSame("CpuBackend", x, k, largest, x.topk(k, largest));
        });
    }

    @Test
    void infinitiesNanAndSignedZerosFollowDoubleCompare() {
        float nan = Float.NaN, inf = Float.POSITIVE_INFINITY;
        Tensor x = Tensor.of(new float[] {0f, nan, -inf, -0f, inf, 1f, Float.intBitsToFloat(0xffc00001), -1f}, 1, 8);
        // Double.compare: -inf < -1 < -0 < 0 < 1 < inf < NaN (NaNs equal: lower index first)
        assertArrayEquals(new long[] {1, 6, 4, 5, 0, 3, 7, 2}, x.topk(8, true)[1].toLongArray());
        assertArrayEquals(new long[] {2, 7, 3, 0, 5, 4, 1, 6}, x.topk(8, false)[1].toLongArray());
        assertSame("CpuBackend", x, 3, true, x.topk(3, true));
        assertEquals(0, x.topk(0, true)[1].numel());
    }
}
