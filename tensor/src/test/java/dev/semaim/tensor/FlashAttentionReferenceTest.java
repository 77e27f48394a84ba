package dev.semaim.tensor;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The tiled attention reference without a mask against {@link AttentionReference} (Tq ≠ Tk, tiles not dividing T),
 * and its backward against central finite differences of its own forward, float64, under an order mask with ties.
 */
class FlashAttentionReferenceTest {
    static Tensor random(Random r, int... shape) {
        double[] a = new double[Shape.numel(shape)];
        for (int i = 0; i < a.length; i++) a[i] = r.nextGaussian();
        return Tensor.of(a, shape);
    }

    /** Priorities (B, L) from four values, so ties are common. */
    static Tensor priorities(Random r, int b, int l) {
        double[] a = new double[b * l];
        for (int i = 0; i < a.length; i++) a[i] = r.nextInt(4) * 0.25;
        return Tensor.of(a, b, l);
    }

    static void assertClose(String what, Tensor want, Tensor got, double tol) {
        double[] w = want.toDoubleArray(), g = got.toDoubleArray();
        double worst = 0;
        int at = -1;
        for (int i = 0; i < w.length; i++) {
            double d = Math.abs(w[i] - g[i]);
            if (!(d <= tol * (1 + Math.abs(w[i]))) && (at < 0 || d > worst)) { worst = d; at = i; }
        }
        if (at >= 0) fail(what + ": largest difference " + worst + " at flat index " + at + " (want " + w[at] + ", got " + g[at] + ")");
    }

    @Test
    void unmaskedCrossAttentionMatchesTheComposition() {
        Random r = new Random(1);
        int b = 2, tq = 7, tk = 10, heads = 3, d = 6;
        Tensor q = random(r, b, tq, d), k = random(r, b, tk, d), v = random(r, b, tk, d), g = random(r, b, tq, d);
        double scale = Math.pow(d / heads, -0.5);
        Tensor out = Tensor.zeros(DType.F64, b, tq, d), probs = Tensor.zeros(DType.F64, b, heads, tq, tk);
        AttentionReference.forward(q, k, v, heads, scale, null, out, probs);
        Tensor[] want = {Tensor.zeros(DType.F64, b, tq, d), Tensor.zeros(DType.F64, b, tk, d), Tensor.zeros(DType.F64, b, tk, d)};
        AttentionReference.backward(g, q, k, v, probs, heads, scale, want[0], want[1], want[2]);
        for (int[] tile : new int[][] {{1, 1}, {3, 4}, {64, 64}}) {
            Tensor o = Tensor.zeros(DType.F64, b, tq, d), lse = Tensor.zeros(DType.F64, b, heads, tq);
            FlashAttentionReference.forward(q, k, v, heads, scale, null, tile[0], tile[1], o, lse);
            assertClose("out, tiles " + tile[0] + "x" + tile[1], out, o, 1e-12);
            Tensor[] got = {Tensor.zeros(DType.F64, b, tq, d), Tensor.zeros(DType.F64, b, tk, d), Tensor.zeros(DType.F64, b, tk, d)};
            FlashAttentionReference.backward(g, q, k, v, o, lse, heads, scale, null, tile[0], tile[1], got[0], got[1], got[2]);
            for (int i = 0; i < 3; i++) assertClose("d" + "qkv".charAt(i) + ", tiles " + tile[0] + "x" + tile[1], want[i], got[i], 1e-11);
        }
    }

    /** Σ out·w for the loss whose gradient the backward gives with dOut = w. */
    private static double loss(Tensor q, Tensor k, Tensor v, int heads, double scale, OrderMask mask, Tensor w) {
        Tensor o = Tensor.zeros(DType.F64, q.shape()), lse = Tensor.zeros(DType.F64, q.size(0), heads, q.size(1));
        FlashAttentionReference.forward(q, k, v, heads, scale, mask, 3, 2, o, lse);
        return o.mul(w).sum().item();
    }

    @Test
    void backwardMatchesFiniteDifferencesUnderBothOrderMasks() {
        Random r = new Random(2);
        int b = 2, l = 4, t = l + 1, heads = 2, d = 4;
        double scale = 0.7, eps = 1e-6;
        for (boolean strict : new boolean[] {false, true}) {
            OrderMask mask = new OrderMask(priorities(r, b, l), strict);
            Tensor q = random(r, b, t, d), k = random(r, b, t, d), v = random(r, b, t, d), w = random(r, b, t, d);
            Tensor o = Tensor.zeros(DType.F64, b, t, d), lse = Tensor.zeros(DType.F64, b, heads, t);
            FlashAttentionReference.forward(q, k, v, heads, scale, mask, 3, 2, o, lse);
            Tensor[] grads = {Tensor.zeros(DType.F64, b, t, d), Tensor.zeros(DType.F64, b, t, d), Tensor.zeros(DType.F64, b, t, d)};
            FlashAttentionReference.backward(w, q, k, v, o, lse, heads, scale, mask, 2, 3, grads[0], grads[1], grads[2]);
            Tensor[] inputs = {q, k, v};
            for (int x = 0; x < 3; x++) {
                double[] base = inputs[x].toDoubleArray(), analytic = grads[x].toDoubleArray();
                for (int i = 0; i < base.length; i++) {
                    double[] plus = base.clone(), minus = base.clone();
                    plus[i] += eps;
                    minus[i] -= eps;
                    Tensor[] p = inputs.clone(), m = inputs.clone();
                    p[x] = Tensor.of(plus, b, t, d);
                    m[x] = Tensor.of(minus, b, t, d);
                    double numeric = (loss(p[0], p[1], p[2], heads, scale, mask, w) - loss(m[0], m[1], m[2], heads, scale, mask, w)) / (2 * eps);
                    if (Math.abs(numeric - analytic[i]) > 1e-6 * (1 + Math.abs(numeric)))
                        fail("d" + "qkv".charAt(x) + "[" + i + "] (strict " + strict + "): backward " + analytic[i] + ", finite difference " + numeric);
                }
            }
        }
    }

    @Test
    void anOrderMaskMustFitTheTokens() {
        Random r = new Random(3);
        Tensor q = random(r, 2, 5, 4);
        OrderMask wrong = OrderMask.content(priorities(r, 2, 5));             // L = 5 → T = 6, q has 5 tokens
        Tensor o = Tensor.zeros(DType.F64, 2, 5, 4), lse = Tensor.zeros(DType.F64, 2, 2, 5);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FlashAttentionReference.forward(q, q, q, 2, 1, wrong, 4, 4, o, lse));
        assertEquals("flash attention: order mask of priority (2, 5) does not fit q (2, 5, 4), k (2, 5, 4) (T must be L + 1)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new OrderMask(Tensor.zeros(DType.F64, 2, 5, 1), false));
    }
}
