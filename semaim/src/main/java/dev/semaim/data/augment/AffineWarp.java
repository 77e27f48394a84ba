package dev.semaim.data.augment;

import dev.semaim.data.Image;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * PIL's affine warps on an 8-bit image ({@code Image.transform(size, AFFINE, (a, b, c, d, e, f), resample,
 * fillcolor)} and {@code Image.rotate}), the geometric half of RandAugment.
 *
 * <p>Output pixel (x, y) samples the input at (a (x+0.5) + b (y+0.5) + c, d (x+0.5) + e (y+0.5) + f) in
 * continuous coordinates (pixel i covers [i, i+1)). A sample point outside [0, W) x [0, H) gets the fill
 * colour. Inside, the filter reads the neighbours around (xin - 0.5, yin - 0.5), column indices clamped to the
 * image; rows below the last repeat the previous row's result. Bilinear truncates to an integer; bicubic
 * (a = -1) clamps to 0..255 then truncates.
 */
public final class AffineWarp {
    private AffineWarp() {
    }

    /**
     * Affine warp with the inverse map {@code m = (a, b, c, d, e, f)} (output -> input). Shape unchanged.
     *
     * @param fill per-channel fill, or one value for all channels
     */
    public static Image transform(Image in, double[] m, Interpolation interp, float[] fill) {
        requireUint8(in);
        if (m.length != 6) throw new IllegalArgumentException("affine matrix needs 6 coefficients, got " + m.length);
        int ch = in.channels(), h = in.height(), w = in.width();
        float[] src = in.data();
        float[] out = new float[src.length];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double xin = m[0] * (x + 0.5) + m[1] * (y + 0.5) + m[2];
                double yin = m[3] * (x + 0.5) + m[4] * (y + 0.5) + m[5];
                boolean inside = xin >= 0.0 && xin < w && yin >= 0.0 && yin < h;
                for (int c = 0; c < ch; c++) {
                    float v;
                    if (!inside) {
                        v = fill[fill.length == 1 ? 0 : c];
                    } else if (interp == Interpolation.BILINEAR) {
                        v = bilinear(src, c * h * w, h, w, xin - 0.5, yin - 0.5);
                    } else {
                        v = bicubic(src, c * h * w, h, w, xin - 0.5, yin - 0.5);
                    }
                    out[(c * h + y) * w + x] = v;
                }
            }
        }
        return new Image(out, ch, h, w, true);
    }

    /**
     * PIL {@code Image.rotate(degrees, resample, fillcolor=fill)}: counter-clockwise about the image centre
     * (W/2, H/2), same size. 0 is a copy, 180 (and 90/270 on a square image) are exact pixel transposes, as in
     * PIL; other angles warp with the matrix rounded to 15 decimals as PIL does.
     */
    public static Image rotate(Image in, double degrees, Interpolation interp, float[] fill) {
        requireUint8(in);
        double angle = degrees % 360.0;
        if (angle < 0) angle += 360.0; // Python's modulo sign
        int h = in.height(), w = in.width();
        if (angle == 0) return new Image(in.data().clone(), in.channels(), h, w, true);
        if (angle == 180 || (w == h && (angle == 90 || angle == 270))) return transpose(in, (int) angle);
        double rad = -Math.toRadians(angle);
        double a = round15(Math.cos(rad)), b = round15(Math.sin(rad)), d = round15(-Math.sin(rad)), e = round15(Math.cos(rad));
        double cx = w / 2.0, cy = h / 2.0;
        double c = a * -cx + b * -cy + cx;
        double f = d * -cx + e * -cy + cy;
        return transform(in, new double[] {a, b, c, d, e, f}, interp, fill);
    }

    /** Counter-clockwise quarter turns, exactly: out(x, y) = in(W-1-y, x) for 90, in(W-1-x, H-1-y) for 180. */
    private static Image transpose(Image in, int angle) {
        int ch = in.channels(), h = in.height(), w = in.width();
        float[] src = in.data();
        float[] out = new float[src.length];
        for (int c = 0; c < ch; c++) {
            int base = c * h * w;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int sy, sx;
                    switch (angle) {
                        case 90 -> { sy = x; sx = w - 1 - y; }
                        case 180 -> { sy = h - 1 - y; sx = w - 1 - x; }
                        default -> { sy = h - 1 - x; sx = y; } // 270
                    }
                    out[base + y * w + x] = src[base + sy * w + sx];
                }
            }
        }
        return new Image(out, ch, h, w, true);
    }

    /** Python's round(v, 15): correctly rounded, ties to even. */
    private static double round15(double v) {
        return new BigDecimal(v).setScale(15, RoundingMode.HALF_EVEN).doubleValue();
    }

    private static int clampIndex(int i, int size) {
        return i < 0 ? 0 : Math.min(i, size - 1);
    }

    /** C's (int) of floor for the sample position (FLOOR macro). */
    private static int floor(double v) {
        return (int) Math.floor(v);
    }

    // plane: (h, w) at offset base; (x, y) already shifted by -0.5.
    private static float bilinear(float[] p, int base, int h, int w, double x, double y) {
        int x0 = floor(x), y0 = floor(y);
        double dx = x - x0, dy = y - y0;
        int c0 = clampIndex(x0, w), c1 = clampIndex(x0 + 1, w);
        int r = base + clampIndex(y0, h) * w;
        double v1 = p[r + c0] + (p[r + c1] - p[r + c0]) * dx;
        double v2 = v1;
        if (y0 + 1 >= 0 && y0 + 1 < h) {
            int r1 = base + (y0 + 1) * w;
            v2 = p[r1 + c0] + (p[r1 + c1] - p[r1 + c0]) * dx;
        }
        return (int) (v1 + (v2 - v1) * dy);
    }

    private static float bicubic(float[] p, int base, int h, int w, double x, double y) {
        int x0 = floor(x) - 1, y0 = floor(y) - 1;
        double dx = x - (x0 + 1), dy = y - (y0 + 1);
        int[] cols = {clampIndex(x0, w), clampIndex(x0 + 1, w), clampIndex(x0 + 2, w), clampIndex(x0 + 3, w)};
        double[] rows = new double[4];
        rows[0] = cubicRow(p, base + clampIndex(y0, h) * w, cols, dx);
        for (int k = 1; k < 4; k++) {
            int yy = y0 + k;
            rows[k] = yy >= 0 && yy < h ? cubicRow(p, base + yy * w, cols, dx) : rows[k - 1];
        }
        double v = cubic(rows[0], rows[1], rows[2], rows[3], dy);
        return v <= 0.0 ? 0 : v >= 255.0 ? 255 : (int) v;
    }

    private static double cubicRow(float[] p, int row, int[] cols, double d) {
        return cubic(p[row + cols[0]], p[row + cols[1]], p[row + cols[2]], p[row + cols[3]], d);
    }

    /** Cubic convolution with a = -1 through v2 (d = 0) and v3 (d = 1), in PIL's Horner form. */
    private static double cubic(double v1, double v2, double v3, double v4, double d) {
        double p1 = v2;
        double p2 = -v1 + v3;
        double p3 = 2 * (v1 - v2) + v3 - v4;
        double p4 = -v1 + v2 - v3 + v4;
        return p1 + d * (p2 + d * (p3 + d * p4));
    }

    static void requireUint8(Image in) {
        if (!in.isUint8()) {
            throw new IllegalArgumentException("RandAugment ops work on uint8 images (before ToTensor), got " + in);
        }
    }
}
