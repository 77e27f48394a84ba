package dev.semaim.tensor.cpu;

import dev.semaim.tensor.testing.Cases;
import dev.semaim.tensor.testing.Gen;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The per-head attention products against their plain references ({@link AttentionProducts#scoresReference},
 * {@link AttentionProducts#weightedReference}) on seeded random operands, bit for bit: token counts 1, around the
 * vector width (16 floats at 512 bits, 8 at 256, 4 at 128: the pom runs this at all three) and the tiles' rows (4 and
 * 5), ViT-Ti's 50 and 49; head widths 32, 64, 80 and odd ones; operands read in place from wider rows (a fused
 * q/k/v projection) or transposed, as the fused attention passes them.
 */
class AttentionProductsTest {
    static final int CASES = 40;

    private static final int[] TOKENS = {1, 3, 4, 5, 8, 16, 17, 49, 50, 65};
    private static final int[] WIDTHS = {1, 5, 16, 32, 33, 64, 80};

    @Test
    void scoresMatchReference() {
        Cases.run("attention scores product", CASES, gen -> {
            int m = gen.pick(TOKENS), n = gen.pick(TOKENS), kk = gen.pick(WIDTHS);
            int ars = kk + gen.pick(0, 3, 2 * kk), brs = kk + gen.pick(0, 1, 2 * kk);
            int ao = gen.nextInt(0, 7), bo = gen.nextInt(0, 7);
            float[] a = floats(gen, ao + m * ars), b = floats(gen, bo + n * brs);
            float scale = gen.nextBoolean() ? 1f : (float) (1 / Math.sqrt(kk));
            int np = AttentionProducts.roundUp(n, AttentionProducts.NR);
            float[] c = new float[AttentionProducts.outRows(m) * np], bt = new float[kk * np];
            float[] edge = new float[AttentionProducts.WR * kk], expected = new float[m * n];
            AttentionProducts.scoresHead(a, ao, ars, m, b, bo, brs, n, kk, scale, bt, c, edge);
            AttentionProducts.scoresReference(a, ao, ars, m, b, bo, brs, n, kk, scale, expected, n);
            compare("scores " + m + " x " + n + " x " + kk + " (row strides " + ars + ", " + brs + ")", expected, n, c, np, m, n);
        });
    }

    @Test
    void weightedMatchesReference() {
        Cases.run("attention weighted product", CASES, gen -> {
            int m = gen.pick(TOKENS), kk = gen.pick(TOKENS), n = gen.pick(WIDTHS);
            boolean transposed = gen.nextBoolean();
            int lda = (transposed ? m : kk) + gen.pick(0, 3), brs = n + gen.pick(0, 2, 2 * n);
            int rs = transposed ? 1 : lda, ks = transposed ? lda : 1;
            int ao = gen.nextInt(0, 7), bo = gen.nextInt(0, 7);
            float[] a = floats(gen, ao + (transposed ? kk : m) * lda), b = floats(gen, bo + kk * brs);
            int np = AttentionProducts.roundUp(n, AttentionProducts.NR);
            float[] c = new float[AttentionProducts.outRows(m) * np], bp = new float[kk * np];
            float[] edge = new float[AttentionProducts.WR * kk], expected = new float[m * n];
            AttentionProducts.weightedHead(a, ao, rs, ks, m, kk, b, bo, brs, n, bp, c, edge);
            AttentionProducts.weightedReference(a, ao, rs, ks, m, kk, b, bo, brs, n, expected, n);
            compare("weighted " + m + " x " + n + " x " + kk + (transposed ? " (a transposed)" : ""), expected, n, c, np, m, n);
        });
    }

    /** The batched entry points (the benchmarks') equal the per-head references on every item and head. */
    @Test
    void batchedProductsMatchReference() {
        Cases.run("attention batched products", 6, gen -> {
            int batch = gen.pick(1, 3), heads = gen.pick(1, 3), t = gen.pick(1, 17, 50), hd = gen.pick(32, 64, 80);
            int d = heads * hd, row = 3 * d;
            float[] qkv = floats(gen, batch * t * row), p = floats(gen, batch * heads * t * t), s = new float[p.length];
            float[] out = new float[batch * t * d], expected = new float[t * Math.max(t, hd)];
            AttentionProducts.scores(batch, heads, t, t, hd, qkv, 0, row, qkv, d, row, 0.125f, s);
            AttentionProducts.weighted(batch, heads, t, t, hd, p, qkv, 2 * d, row, out, d);
            for (int bi = 0; bi < batch; bi++) {
                for (int h = 0; h < heads; h++) {
                    int item = bi * heads + h, o = bi * t * row + h * hd;
                    AttentionProducts.scoresReference(qkv, o, row, t, qkv, o + d, row, t, hd, 0.125f, expected, t);
                    compareAt("scores item " + bi + " head " + h + " of " + t + " x " + hd, expected, t, s, item * t * t, t, t, t);
                    AttentionProducts.weightedReference(p, item * t * t, t, 1, t, t, qkv, o + 2 * d, row, hd, expected, hd);
                    compareAt("weighted item " + bi + " head " + h + " of " + t + " x " + hd, expected, hd, out, bi * t * d + h * hd, d, t, hd);
                }
            }
        });
    }

    private static float[] floats(Gen gen, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) gen.uniform(-2, 2);
        return x;
    }

    private static void compare(String what, float[] expected, int lde, float[] actual, int lda, int rows, int cols) {
        compareAt(what, expected, lde, actual, 0, lda, rows, cols);
    }

    /** Bit-for-bit equality of expected (row stride lde) and actual[off..] (row stride lda); names the worst element. */
    private static void compareAt(String what, float[] expected, int lde, float[] actual, int off, int lda, int rows, int cols) {
        double worst = 0;
        int wi = -1, wj = -1;
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                float e = expected[i * lde + j], x = actual[off + i * lda + j];
                if (Float.floatToIntBits(e) != Float.floatToIntBits(x) && (wi < 0 || Math.abs(e - x) > worst)) {
                    worst = Math.abs(e - x);
                    wi = i;
                    wj = j;
                }
            }
        }
        if (wi >= 0) fail(what + " at " + KernelConfig.LANES + " floats a vector: element (" + wi + ", " + wj + ") is "
                + actual[off + wi * lda + wj] + ", expected " + expected[wi * lde + wj] + " (largest difference " + worst + ")");
    }
}
