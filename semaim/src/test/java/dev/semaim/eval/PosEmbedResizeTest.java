package dev.semaim.eval;

import dev.semaim.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PosEmbedResizeTest {
    // torch 2.x: F.interpolate(t, size=(n, n), mode='bicubic', align_corners=False) in float64 on
    // t[0, c, y, x] = sin(0.7 * (y * g + x) + 1.3 * c), flattened (c, y, x); computed once in Python.
    private static final double[] TORCH_4_TO_2 = {0.203788425, -0.18398723, 0.103673609, 0.271844646,
            -0.137099386, -0.25860681, 0.283260033, -0.00890185488};
    private static final double[] TORCH_2_TO_4 = {-0.180404802, 0.0603361358, 0.456850622, 0.697591559, 0.173635837,
            0.329878798, 0.587220146, 0.743463107, 0.756761597, 0.773831419, 0.801946421, 0.819016243, 1.11080224,
            1.04337408, 0.932315945, 0.86488779, 1.01883805, 1.02283679, 1.02942294, 1.03342168, 0.862825104, 0.79751735,
            0.689951636, 0.624643881, 0.605862598, 0.426402978, 0.130822427, -0.0486371934, 0.449849648, 0.201083538,
            -0.208648879, -0.457414989};

    private static double value(int c, int y, int x, int g) {
        return Math.sin(0.7 * (y * g + x) + 1.3 * c);
    }

    /** pos_embed (1, 1 + g*g, 2): token 0 (cls) = (7, -7), token 1 + y*g + x = (value(0, y, x), value(1, y, x)). */
    private static Tensor posEmbed(int g) {
        double[] v = new double[(1 + g * g) * 2];
        v[0] = 7;
        v[1] = -7;
        for (int y = 0; y < g; y++) {
            for (int x = 0; x < g; x++) {
                for (int c = 0; c < 2; c++) {
                    v[(1 + y * g + x) * 2 + c] = value(c, y, x, g);
                }
            }
        }
        return Tensor.of(v, 1, 1 + g * g, 2);
    }

    private static void check(int from, int to, double[] torch) {
        double[] out = PosEmbedResize.resize(posEmbed(from), 1, to).toDoubleArray();
        assertEquals((1 + to * to) * 2, out.length);
        assertEquals(7, out[0]);
        assertEquals(-7, out[1]);
        for (int c = 0; c < 2; c++) {
            for (int t = 0; t < to * to; t++) {
                double want = torch[c * to * to + t], got = out[(1 + t) * 2 + c];
                assertEquals(want, got, 1e-8, "grid " + from + "->" + to + ", channel " + c + ", token " + t);
            }
        }
    }

    @Test
    void downsamplesLikeTorchBicubic() {
        check(4, 2, TORCH_4_TO_2);
    }

    @Test
    void upsamplesLikeTorchBicubic() {
        check(2, 4, TORCH_2_TO_4);
    }

    @Test
    void sameGridIsUntouchedAndConstantsStayConstant() {
        Tensor p = posEmbed(3);
        assertSame(p, PosEmbedResize.resize(p, 1, 3));
        double[] ones = new double[3 * 3];
        java.util.Arrays.fill(ones, 1.5);
        double[] up = PosEmbedResize.bicubic(ones, 1, 3, 3, 5, 5); // cubic weights sum to 1
        for (double v : up) {
            assertEquals(1.5, v, 1e-12);
        }
        assertArrayEquals(new int[] {1, 26, 2}, PosEmbedResize.resize(p, 1, 5).shape());
    }

    @Test
    void rejectsNonSquareGrids() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PosEmbedResize.resize(Tensor.zeros(1, 1 + 6, 4), 1, 2));
        assertTrue(e.getMessage().contains("6 grid tokens"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PosEmbedResize.resize(Tensor.zeros(5, 4), 1, 2));
    }
}
