package dev.semaim.tensor.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

/** {@link Gemm} against {@link GemmReference}, and the {@link CpuThreads} helpers it relies on. */
class GemmTest {
    private static final int[] SIZES = {1, 7, 17, 63, 65};

    @Test
    void awkwardSizesAllTransposes() {
        Random rnd = new Random(42);
        for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
                for (int m : SIZES) {
                    for (int n : SIZES) {
                        for (int k : SIZES) {
                            check(rnd, ta, tb, m, n, k, 0, 0f);
                        }
                    }
                }
            }
        }
    }

    @Test
    void largeAndSkinnyShapes() {
        Random rnd = new Random(7);
        int[][] shapes = {{1000, 65, 17}, {17, 1000, 63}, {63, 17, 1000}, {1, 1000, 1000}, {1000, 1, 65},
                {1000, 1000, 7}, {300, 200, 600}};
        for (int[] s : shapes) {
            for (int t = 0; t < 4; t++) {
                check(rnd, (t & 1) != 0, (t & 2) != 0, s[0], s[1], s[2], 3, t == 3 ? 1f : 0f);
            }
        }
    }

    @Test
    void leadingDimsOffsetsAndBeta() {
        Random rnd = new Random(3);
        for (float beta : new float[] {0f, 1f, 0.5f}) {
            for (int t = 0; t < 4; t++) {
                check(rnd, (t & 1) != 0, (t & 2) != 0, 65, 70, 300, 5, beta);
                check(rnd, (t & 1) != 0, (t & 2) != 0, 7, 33, 17, 11, beta);
                check(rnd, (t & 1) != 0, (t & 2) != 0, 80, 40, 1100, 2, beta); // three K slices: beta on the first only
            }
        }
    }

    @Test
    void zeroDepthScalesC() {
        float[] c = {1f, Float.NaN, 3f, 4f};
        Gemm.sgemm(false, false, 2, 2, 0, new float[0], 0, 1, new float[0], 0, 2, 0f, c, 0, 2);
        assertTrue(Arrays.equals(new float[4], c));
        float[] d = {1f, 2f};
        Gemm.sgemm(false, false, 1, 2, 0, new float[0], 0, 1, new float[0], 0, 2, 2f, d, 0, 2);
        assertTrue(Arrays.equals(new float[] {2f, 4f}, d));
    }

    @Test
    void batchedAttentionShapes() {
        Random rnd = new Random(11);
        int[][] shapes = {{50, 50, 64}, {50, 64, 50}, {7, 1, 65}};
        for (int[] s : shapes) {
            for (int t = 0; t < 4; t++) {
                for (float beta : new float[] {0f, 1f}) {
                    checkBatched(rnd, (t & 1) != 0, (t & 2) != 0, 24, s[0], s[1], s[2], beta);
                }
            }
        }
        // Large items: run one after another, each parallel inside.
        checkBatched(rnd, false, true, 2, 200, 150, 130, 0f);
    }

    /**
     * The register tile per call: 6 × 3 vectors for the large ViT products where the CPU allows it; for the per-head
     * attention shapes, 6 × 2 where 6 × 3 would pad C by more than 10% more (N = 50 or 64 at 8 or 16 floats a
     * vector); a forced tile for every shape.
     */
    @Test
    void tileChoice() {
        int[][] large = {{1024, 1024}, {6400, 576}, {6400, 192}, {192, 576}, {768, 192}};
        int[][] attention = {{50, 50}, {50, 64}};
        for (int[] s : large) {
            assertEquals(KernelConfig.WIDE_TILE, Gemm.wideTile(s[0], s[1]), s[0] + "x" + s[1] + " " + KernelConfig.describe());
        }
        int v = KernelConfig.LANES;
        for (int[] s : attention) {
            int n = s[1];
            boolean padsLittle = (n + 3 * v - 1) / (3 * v) * 3 * v * 10 <= (n + 2 * v - 1) / (2 * v) * 2 * v * 11;
            assertEquals(KernelConfig.WIDE_TILE && (!KernelConfig.NARROW_TILE || padsLittle),
                    Gemm.wideTile(s[0], s[1]), s[0] + "x" + s[1] + " " + KernelConfig.describe());
        }
        if (v >= 8 && KernelConfig.NARROW_TILE) {
            assertFalse(Gemm.wideTile(50, 50), "50x50 at " + v + " floats a vector pads 50% more on 6x3");
        }
    }

    @Test
    void parallelForCoversEveryIndexOnceAndNests() {
        int n = 1000;
        AtomicInteger[] hits = new AtomicInteger[n];
        Arrays.setAll(hits, i -> new AtomicInteger());
        CpuThreads.parallelFor(n / 10, i -> CpuThreads.parallelFor(10, j -> hits[i * 10 + j].incrementAndGet()));
        for (AtomicInteger h : hits) {
            assertEquals(1, h.get());
        }
        int[] covered = new int[n];
        CpuThreads.parallelRanges(n, 64, (from, to) -> {
            for (int i = from; i < to; i++) {
                covered[i]++;
            }
        });
        for (int v : covered) {
            assertEquals(1, v);
        }
    }

    @Test
    void parallelForRethrows() {
        try {
            CpuThreads.parallelFor(100, i -> {
                if (i == 37) {
                    throw new IllegalStateException("boom");
                }
            });
            fail("expected exception");
        } catch (IllegalStateException e) {
            assertEquals("boom", e.getMessage());
        }
        // The pool is still usable afterwards.
        AtomicInteger count = new AtomicInteger();
        CpuThreads.parallelFor(50, i -> count.incrementAndGet());
        assertEquals(50, count.get());
    }

    /**
     * One random problem with padded leading dimensions (+pad) and offsets (pad); compares every
     * C element, including the padding, which must stay untouched.
     */
    private static void check(Random rnd, boolean ta, boolean tb, int m, int n, int k, int pad, float beta) {
        int lda = (ta ? m : k) + pad, ldb = (tb ? k : n) + pad, ldc = n + pad;
        float[] a = random(rnd, pad + (ta ? k : m) * lda);
        float[] b = random(rnd, pad + (tb ? n : k) * ldb);
        float[] c = beta == 0f ? nans(pad + m * ldc) : random(rnd, pad + m * ldc);
        float[] expected = c.clone();
        GemmReference.sgemm(ta, tb, m, n, k, a, pad, lda, b, pad, ldb, beta, expected, pad, ldc);
        Gemm.sgemm(ta, tb, m, n, k, a, pad, lda, b, pad, ldb, beta, c, pad, ldc);
        String what = String.format("ta=%b tb=%b m=%d n=%d k=%d pad=%d beta=%s", ta, tb, m, n, k, pad, beta);
        compare(what, ta, tb, m, n, k, a, pad, lda, b, pad, ldb, beta, expected, c, pad, ldc);
        assertOutsideUntouched(what, expected, c, m, n, ldc, pad);
    }

    private static void checkBatched(Random rnd, boolean ta, boolean tb, int batch, int m, int n, int k, float beta) {
        int lda = ta ? m : k, ldb = tb ? k : n, ldc = n;
        // Strides larger than one item, so items are not packed back to back.
        long sa = (long) m * k + 3, sb = (long) k * n + 5, sc = (long) m * n + 2;
        int offA = 1, offB = 2, offC = 3;
        float[] a = random(rnd, (int) (offA + batch * sa));
        float[] b = random(rnd, (int) (offB + batch * sb));
        float[] c = beta == 0f ? nans((int) (offC + batch * sc)) : random(rnd, (int) (offC + batch * sc));
        float[] expected = c.clone();
        GemmReference.sgemmBatched(ta, tb, batch, m, n, k, a, offA, lda, sa, b, offB, ldb, sb, beta, expected, offC, ldc, sc);
        Gemm.sgemmBatched(ta, tb, batch, m, n, k, a, offA, lda, sa, b, offB, ldb, sb, beta, c, offC, ldc, sc);
        for (int t = 0; t < batch; t++) {
            String what = String.format("batched item %d ta=%b tb=%b m=%d n=%d k=%d beta=%s", t, ta, tb, m, n, k, beta);
            compare(what, ta, tb, m, n, k, a, (int) (offA + t * sa), lda, b, (int) (offB + t * sb), ldb,
                    beta, expected, c, (int) (offC + t * sc), ldc);
        }
        int[] offsets = new int[batch];
        Arrays.setAll(offsets, t -> (int) (offC + t * sc));
        assertOutsideUntouched("batched", expected, c, m, n, ldc, offsets);
    }

    /**
     * Elementwise check with tolerance relative to sum_k |a_ik||b_kj| + |beta·c|: float rounding
     * grows with that magnitude, not with the (possibly cancelling) result.
     */
    private static void compare(String what, boolean ta, boolean tb, int m, int n, int k,
                                float[] a, int offA, int lda, float[] b, int offB, int ldb, float beta,
                                float[] expected, float[] actual, int offC, int ldc) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double scale = 0;
                for (int p = 0; p < k; p++) {
                    float x = ta ? a[offA + p * lda + i] : a[offA + i * lda + p];
                    float y = tb ? b[offB + j * ldb + p] : b[offB + p * ldb + j];
                    scale += Math.abs((double) x * y);
                }
                int ci = offC + i * ldc + j;
                // + |beta|: old C values are in [-1, 1].
                double tol = 1e-5 * (scale + Math.abs(beta)) + 1e-30;
                if (!(Math.abs(expected[ci] - actual[ci]) <= tol)) {
                    fail(String.format("%s: C[%d,%d] expected %s got %s (tol %.3g)", what, i, j, expected[ci], actual[ci], tol));
                }
            }
        }
    }

    /** Elements outside the (m, n) windows of C starting at the given offsets (row stride ldc) kept their bits. */
    private static void assertOutsideUntouched(String what, float[] expected, float[] actual, int m, int n, int ldc, int... offsets) {
        boolean[] inside = new boolean[actual.length];
        for (int off : offsets) {
            for (int i = 0; i < m; i++) {
                Arrays.fill(inside, off + i * ldc, off + i * ldc + n, true);
            }
        }
        for (int i = 0; i < actual.length; i++) {
            if (!inside[i] && Float.floatToIntBits(expected[i]) != Float.floatToIntBits(actual[i])) {
                fail(what + ": element " + i + " outside C was modified");
            }
        }
    }

    private static float[] random(Random rnd, int size) {
        float[] x = new float[size];
        for (int i = 0; i < size; i++) {
            x[i] = rnd.nextFloat() * 2 - 1;
        }
        return x;
    }

    private static float[] nans(int size) {
        float[] x = new float[size];
        Arrays.fill(x, Float.NaN);
        return x;
    }
}
