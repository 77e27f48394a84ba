package dev.semaim.model;

import dev.semaim.tensor.AttentionReference;
import dev.semaim.tensor.DType;
import dev.semaim.tensor.FlashAttentionReference;
import dev.semaim.tensor.OrderMask;
import dev.semaim.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The fused attention's CPU oracle ({@link FlashAttentionReference} with {@link OrderMask}) against today's unfused
 * path with materialised masks ({@link Masks#content}, {@link Masks#query}, {@link AttentionReference}), forward and
 * backward, float64: random priorities with ties, several tile sizes, T not a multiple of the tile.
 */
class FlashAttentionOracleTest {
    private static Tensor random(Random r, int... shape) {
        double[] a = new double[dev.semaim.tensor.Shape.numel(shape)];
        for (int i = 0; i < a.length; i++) a[i] = r.nextGaussian();
        return Tensor.of(a, shape);
    }

    private static void assertClose(String what, long seed, Tensor want, Tensor got) {
        double[] w = want.toDoubleArray(), g = got.toDoubleArray();
        for (int i = 0; i < w.length; i++)
            if (!(Math.abs(w[i] - g[i]) <= 1e-11 * (1 + Math.abs(w[i]))))
                fail(what + " (seed " + seed + ", shape " + dev.semaim.tensor.Shape.str(want.shape()) + "): flat index " + i + ": unfused " + w[i]
                        + ", fused oracle " + g[i]);
    }

    @Test
    void matchesTheUnfusedPathWithMaterialisedMasks() {
        int[][] tiles = {{1, 1}, {2, 3}, {4, 4}, {5, 7}, {16, 8}, {64, 64}};
        int[] patches = {4, 8, 11};
        long seed = 0;
        for (int l : patches)
            for (boolean strict : new boolean[] {false, true}) {
                seed++;
                Random r = new Random(seed);
                int b = 2, t = l + 1, heads = 2, d = 6;
                double[] pri = new double[b * l];
                for (int i = 0; i < pri.length; i++) pri[i] = r.nextInt(l / 2 + 1) / (double) l; // ties in every image
                Tensor priority = Tensor.of(pri, b, l);
                Tensor mask = strict ? Masks.query(priority) : Masks.content(priority);          // (B, 1, T, T)
                Tensor q = random(r, b, t, d), k = random(r, b, t, d), v = random(r, b, t, d), g = random(r, b, t, d);
                double scale = Math.pow(d / heads, -0.5);
                Tensor out = Tensor.zeros(DType.F64, b, t, d), probs = Tensor.zeros(DType.F64, b, heads, t, t);
                AttentionReference.forward(q, k, v, heads, scale, mask, out, probs);
                Tensor[] want = {Tensor.zeros(DType.F64, b, t, d), Tensor.zeros(DType.F64, b, t, d), Tensor.zeros(DType.F64, b, t, d)};
                AttentionReference.backward(g, q, k, v, probs, heads, scale, want[0], want[1], want[2]);
                OrderMask order = new OrderMask(priority, strict);
                for (int[] tile : tiles) {
                    String what = (strict ? "query" : "content") + " mask, L " + l + ", tiles " + tile[0] + "x" + tile[1];
                    Tensor o = Tensor.zeros(DType.F64, b, t, d), lse = Tensor.zeros(DType.F64, b, heads, t);
                    FlashAttentionReference.forward(q, k, v, heads, scale, order, tile[0], tile[1], o, lse);
                    assertClose(what + ": out", seed, out, o);
                    Tensor[] got = {Tensor.zeros(DType.F64, b, t, d), Tensor.zeros(DType.F64, b, t, d), Tensor.zeros(DType.F64, b, t, d)};
                    FlashAttentionReference.backward(g, q, k, v, o, lse, heads, scale, order, tile[0], tile[1], got[0], got[1], got[2]);
                    for (int i = 0; i < 3; i++) assertClose(what + ": d" + "qkv".charAt(i), seed, want[i], got[i]);
                }
            }
    }
}
