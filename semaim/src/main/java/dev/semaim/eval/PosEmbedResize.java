package dev.semaim.eval;

import dev.semaim.tensor.DType;
import dev.semaim.tensor.Tensor;

/**
 * Resizes a pre-trained position-embedding table to another patch grid the way MAE's
 * {@code interpolate_pos_embed} does (spec section 7): the leading extra tokens (cls) are kept, the grid
 * tokens are reshaped to (D, g, g) and resampled with PyTorch's {@code F.interpolate(mode='bicubic',
 * align_corners=False)} — Keys' cubic convolution with a = -0.75, source coordinate (dst + 0.5) * in / out - 0.5
 * (not clamped), taps clamped to the border — then flattened back.
 */
public final class PosEmbedResize {
    /** PyTorch's cubic-convolution coefficient. */
    static final double A = -0.75;

    private PosEmbedResize() {
    }

    /**
     * @param posEmbed  (1, extra + g*g, D) with a square grid g
     * @param extra     leading non-grid tokens (1 = cls)
     * @param newGrid   the target grid side
     * @return (1, extra + newGrid^2, D) in the input's dtype and backend (the input itself when the grid already fits)
     */
    public static Tensor resize(Tensor posEmbed, int extra, int newGrid) {
        if (posEmbed.rank() != 3 || posEmbed.size(0) != 1) {
            throw new IllegalArgumentException("pos_embed must be (1, T, D), got shape " + java.util.Arrays.toString(posEmbed.shape()));
        }
        int tokens = posEmbed.size(1) - extra, dim = posEmbed.size(2);
        int grid = (int) Math.round(Math.sqrt(tokens));
        if (tokens < 1 || grid * grid != tokens) {
            throw new IllegalArgumentException("pos_embed has " + tokens + " grid tokens after " + extra
                    + " extra token(s): not a square grid");
        }
        if (newGrid < 1) {
            throw new IllegalArgumentException("target grid " + newGrid + " must be positive");
        }
        if (grid == newGrid) {
            return posEmbed;
        }
        double[] in = posEmbed.to(DType.F64).contiguous().toDoubleArray();  // (1, extra + g*g, D)
        double[] planes = new double[dim * tokens];                         // (D, g, g)
        for (int t = 0; t < tokens; t++) {
            for (int d = 0; d < dim; d++) {
                planes[d * tokens + t] = in[(extra + t) * dim + d];
            }
        }
        double[] resized = bicubic(planes, dim, grid, grid, newGrid, newGrid); // (D, G, G)
        int newTokens = newGrid * newGrid;
        double[] out = new double[(extra + newTokens) * dim];
        System.arraycopy(in, 0, out, 0, extra * dim);
        for (int t = 0; t < newTokens; t++) {
            for (int d = 0; d < dim; d++) {
                out[(extra + t) * dim + d] = resized[d * newTokens + t];
            }
        }
        return Tensor.of(posEmbed.backend(), out, 1, extra + newTokens, dim).to(posEmbed.dtype());
    }

    /**
     * {@code F.interpolate(x, size=(outH, outW), mode='bicubic', align_corners=False)} of planes (C, inH, inW),
     * row-major, in float64; returns (C, outH, outW).
     */
    public static double[] bicubic(double[] x, int channels, int inH, int inW, int outH, int outW) {
        if (x.length != channels * inH * inW) {
            throw new IllegalArgumentException("bicubic: " + x.length + " values are not (" + channels + ", " + inH + ", " + inW + ")");
        }
        int[][] rowTaps = new int[outH][];
        double[][] rowW = new double[outH][];
        taps(inH, outH, rowTaps, rowW);
        int[][] colTaps = new int[outW][];
        double[][] colW = new double[outW][];
        taps(inW, outW, colTaps, colW);
        double[] out = new double[channels * outH * outW];
        for (int c = 0; c < channels; c++) {
            int base = c * inH * inW;
            for (int oy = 0; oy < outH; oy++) {
                for (int ox = 0; ox < outW; ox++) {
                    double sum = 0;
                    for (int i = 0; i < 4; i++) {
                        double row = 0;
                        int r = base + rowTaps[oy][i] * inW;
                        for (int j = 0; j < 4; j++) {
                            row += colW[ox][j] * x[r + colTaps[ox][j]];
                        }
                        sum += rowW[oy][i] * row;
                    }
                    out[(c * outH + oy) * outW + ox] = sum;
                }
            }
        }
        return out;
    }

    /** The four clamped source indices and their weights for every output index along one axis. */
    private static void taps(int in, int out, int[][] idx, double[][] w) {
        double scale = (double) in / out;
        for (int o = 0; o < out; o++) {
            double src = (o + 0.5) * scale - 0.5; // align_corners=False, no clamping for cubic
            int i0 = (int) Math.floor(src);
            double t = src - i0;
            idx[o] = new int[4];
            for (int k = 0; k < 4; k++) {
                idx[o][k] = Math.min(Math.max(i0 - 1 + k, 0), in - 1);
            }
            w[o] = new double[] {far(t + 1), near(t), near(1 - t), far(2 - t)};
        }
    }

    // |x| <= 1: ((a + 2)|x| - (a + 3))x^2 + 1
    private static double near(double x) {
        return ((A + 2) * x - (A + 3)) * x * x + 1;
    }

    // 1 < |x| < 2: ((a|x| - 5a)|x| + 8a)|x| - 4a
    private static double far(double x) {
        return ((A * x - 5 * A) * x + 8 * A) * x - 4 * A;
    }
}
