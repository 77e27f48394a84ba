package dev.semaim.tensor.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
     * The register tile per call: with 16 registers 5 × 2 over packed A for the large products and 6 × 2 in place
     * for the per-head attention ones (forced 5 × 2: every shape); else 6 × 3 vectors for the large ViT products
     * where the CPU allows it, 6 × 2 where 6 × 3 would pad C by more than 10% more (the per-head attention shapes at
     * 8 or 16 floats a vector); a forced tile for every shape.
     */
    @Test
    void tileChoice() {
        int[][] large = {{1024, 1024, 1024}, {6400, 576, 192}, {6400, 192, 576}, {192, 576, 6400}, {768, 192, 6400}};
        int[][] attention = {{50, 50, 64}, {50, 64, 50}};
        boolean forcedPacked = KernelConfig.TILE.equals("5x2");
        for (int[] s : large) {
            Gemm.Tile expected = KernelConfig.PACKED_TILE ? Gemm.Tile.PACKED
                    : KernelConfig.WIDE_TILE ? Gemm.Tile.WIDE : Gemm.Tile.NARROW;
            assertEquals(expected, Gemm.tile(s[0], s[1], s[2]), s[0] + "x" + s[1] + " " + KernelConfig.describe());
        }
        int v = KernelConfig.LANES;
        for (int[] s : attention) {
            int n = s[1];
            boolean padsLittle = (n + 3 * v - 1) / (3 * v) * 3 * v * 10 <= (n + 2 * v - 1) / (2 * v) * 2 * v * 11;
            Gemm.Tile expected = forcedPacked ? Gemm.Tile.PACKED
                    : KernelConfig.PACKED_TILE ? Gemm.Tile.NARROW
                    : KernelConfig.WIDE_TILE && (!KernelConfig.NARROW_TILE || padsLittle) ? Gemm.Tile.WIDE : Gemm.Tile.NARROW;
            assertEquals(expected, Gemm.tile(s[0], s[1], s[2]), s[0] + "x" + s[1] + " " + KernelConfig.describe());
        }
        if (v >= 8 && KernelConfig.NARROW_TILE) {
            assertEquals(Gemm.Tile.NARROW, Gemm.tile(50, 50, 64), "50x50 at " + v + " floats a vector pads 50% more on 6x3");
        }
    }

    /**
     * Every register tile, whatever this CPU would pick, on the edges of its blocking: M around the tile rows (5 and
     * 6) and the row block (MC, rounded to whole tiles: 70 or 72), N around one and two vector widths, K = 1, 7 and
     * three K slices; all transposes, beta 0, 1 and 0.5, padded leading dimensions.
     */
    @Test
    void everyTileOnItsEdges() {
        Random rnd = new Random(5);
        int v = KernelConfig.LANES;
        int[] ms = {1, 4, 5, 6, 7, 9, 11, 69, 71, 73, 143};
        int[] ns = {1, v - 1, 2 * v, 2 * v + 1, 3 * v + 5};
        int[] ks = {1, 7, 2 * KernelConfig.KC + 3};
        for (Gemm.Tile tile : Gemm.Tile.values()) {
            int count = 0;
            for (int m : ms) {
                for (int n : ns) {
                    for (int k : ks) {
                        if (k > 100 && m * n > 2000) continue; // the deep case on the smaller products only: time
                        int t = count++ & 3;
                        float beta = count % 3 == 0 ? 0f : count % 3 == 1 ? 1f : 0.5f;
                        check(rnd, tile, (t & 1) != 0, (t & 2) != 0, m, n, k, 3, beta, null, null);
                    }
                }
            }
        }
    }

    /**
     * Packed B blocks of at least {@link KernelConfig#PACK_B_BY_ROWS} floats, which are packed row by row (not
     * transB), on every tile: one K slice (K = 1024) and KC-deep ones, N not a multiple of any tile's width.
     */
    @Test
    void largeBBlocksPackedByRows() {
        Random rnd = new Random(13);
        for (Gemm.Tile tile : Gemm.Tile.values()) {
            for (int k : new int[] {1024, 1100}) {
                int depth = k <= 1024 ? k : KernelConfig.KC;
                int n = (int) Math.min(4000, KernelConfig.PACK_B_BY_ROWS / depth + 17);
                check(rnd, tile, false, false, 13, n, k, 1, 0f, null, null);
                check(rnd, tile, true, false, 7, n, k, 0, 1f, null, null);
            }
        }
    }

    /**
     * Every register tile with an epilogue (each element of C seen once, after its last K slice) and with the row
     * sums of op(A) (transA), on shapes with partial row and column tiles, one and two K slices, and row and
     * column slabs over the pool.
     */
    @Test
    void everyTileWithEpilogueAndRowSums() {
        Random rnd = new Random(9);
        int[][] shapes = {{37, 29, 1}, {73, 45, 300}, {301, 19, KernelConfig.KC + 9}, {23, 1200, 100}, {400, 300, 40}};
        for (Gemm.Tile tile : Gemm.Tile.values()) {
            for (int[] s : shapes) {
                for (boolean tb : new boolean[] {false, true}) {
                    check(rnd, tile, true, tb, s[0], s[1], s[2], 2, 0f, new int[s[0] * s[1]], new float[s[0] + 1]);
                    check(rnd, tile, false, tb, s[0], s[1], s[2], 2, 1f, new int[s[0] * s[1]], null);
                }
            }
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
        check(rnd, null, ta, tb, m, n, k, pad, beta, null, null);
    }

    /**
     * {@link #check(Random, boolean, boolean, int, int, int, int, float)} on a given tile (null: the one the public
     * entry picks), optionally with an epilogue that counts, per element of C, the calls that cover it (each must
     * see it exactly once, with its final value) and with row sums of op(A) written to sums[1..m] (transA only;
     * sums[0] must stay untouched).
     */
    private static void check(Random rnd, Gemm.Tile tile, boolean ta, boolean tb, int m, int n, int k, int pad, float beta,
                              int[] seen, float[] sums) {
        int lda = (ta ? m : k) + pad, ldb = (tb ? k : n) + pad, ldc = n + pad;
        float[] a = random(rnd, pad + (ta ? k : m) * lda);
        float[] b = random(rnd, pad + (tb ? n : k) * ldb);
        float[] c = beta == 0f ? nans(pad + m * ldc) : random(rnd, pad + m * ldc);
        float[] expected = c.clone();
        GemmReference.sgemm(ta, tb, m, n, k, a, pad, lda, b, pad, ldb, beta, expected, pad, ldc);
        String what = String.format("tile=%s ta=%b tb=%b m=%d n=%d k=%d pad=%d beta=%s", tile, ta, tb, m, n, k, pad, beta);
        float[] seenValue = new float[m * n]; // C as each epilogue call saw it: must be the final C
        Gemm.Epilogue epilogue = seen == null ? null : (i0, i1, j0, j1) -> {
            for (int i = i0; i < i1; i++) {
                for (int j = j0; j < j1; j++) {
                    seenValue[i * n + j] = c[pad + i * ldc + j];
                    seen[i * n + j]++;
                }
            }
        };
        if (sums != null) sums[0] = 42f;
        if (tile == null) {
            Gemm.sgemm(ta, tb, m, n, k, a, pad, lda, b, pad, ldb, beta, c, pad, ldc);
        } else {
            Gemm.sgemm(tile, ta, tb, m, n, k, a, pad, lda, b, pad, ldb, beta, c, pad, ldc, epilogue, sums, 1);
        }
        compare(what, ta, tb, m, n, k, a, pad, lda, b, pad, ldb, beta, expected, c, pad, ldc);
        assertOutsideUntouched(what, expected, c, m, n, ldc, pad);
        if (seen != null) {
            for (int e = 0; e < seen.length; e++) {
                assertEquals(1, seen[e], what + ": epilogue calls covering C[" + e / n + "," + e % n + "]");
                assertEquals(c[pad + e / n * ldc + e % n], seenValue[e],
                        what + ": the epilogue saw C[" + e / n + "," + e % n + "] before its last K slice");
            }
        }
        if (sums != null) {
            assertEquals(42f, sums[0], what + ": sums[offSums - 1] was written");
            for (int i = 0; i < m; i++) {
                float sum = 0f;
                for (int p = 0; p < k; p++) sum += a[pad + p * lda + i];
                assertEquals(sum, sums[1 + i], what + ": row sum " + i); // same order from zero: bit for bit
            }
        }
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
