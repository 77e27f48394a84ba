package dev.semaim.data.augment;

import dev.semaim.data.Image;

import java.util.Arrays;

/**
 * PIL's {@code ImageEnhance} on 8-bit 1- or 3-channel images: each enhancer blends the image with a
 * "degenerate" version, {@code out = degenerate + factor * (image - degenerate)}; factor 1 is the identity,
 * 0 the degenerate image, above 1 extrapolates.
 */
public final class Enhance {
    private Enhance() {
    }

    /** {@code ImageEnhance.Color(img).enhance(factor)} (saturation): degenerate = the grey image in every channel. */
    public static Image color(Image in, double factor) {
        return blend(grey(in, true), in, factor);
    }

    /** {@code ImageEnhance.Contrast(img).enhance(factor)}: degenerate = the mean grey level, int(mean + 0.5). */
    public static Image contrast(Image in, double factor) {
        Image g = grey(in, false);
        int[] hist = PointOps.histogram(g, 0);
        double sum = 0;
        long count = 0;
        for (int i = 0; i < 256; i++) {
            sum += (double) i * hist[i];
            count += hist[i];
        }
        int mean = (int) (sum / count + 0.5);
        float[] flat = new float[in.data().length];
        Arrays.fill(flat, mean);
        return blend(new Image(flat, in.channels(), in.height(), in.width(), true), in, factor);
    }

    /** {@code ImageEnhance.Brightness(img).enhance(factor)}: degenerate = black. */
    public static Image brightness(Image in, double factor) {
        return blend(new Image(new float[in.data().length], in.channels(), in.height(), in.width(), true), in, factor);
    }

    /** {@code ImageEnhance.Sharpness(img).enhance(factor)}: degenerate = {@link #smooth} (PIL's SMOOTH filter). */
    public static Image sharpness(Image in, double factor) {
        return blend(smooth(in), in, factor);
    }

    /**
     * PIL {@code Image.blend(a, b, alpha)} with alpha as float32: a + alpha (b - a) in float, truncated; when
     * alpha is outside [0, 1] the result is clamped to 0..255 first.
     */
    static Image blend(Image a, Image b, double alpha) {
        AffineWarp.requireUint8(b);
        float al = (float) alpha;
        boolean interpolate = al >= 0 && al <= 1.0;
        float[] pa = a.data(), pb = b.data();
        float[] out = new float[pb.length];
        for (int i = 0; i < out.length; i++) {
            int va = (int) pa[i], vb = (int) pb[i];
            float t = va + al * (vb - va);
            out[i] = interpolate ? (int) t : t <= 0f ? 0 : t >= 255f ? 255 : (int) t;
        }
        return new Image(out, b.channels(), b.height(), b.width(), true);
    }

    /**
     * PIL's "L" conversion, (19595 R + 38470 G + 7471 B + 0x8000) >> 16, for a 3-channel image (a 1-channel
     * image is already grey). {@code replicate}: the grey plane copied into every channel, else one channel.
     */
    static Image grey(Image in, boolean replicate) {
        AffineWarp.requireUint8(in);
        int c = in.channels();
        if (c != 1 && c != 3) throw new IllegalArgumentException("colour enhancers need a 1- or 3-channel image, got " + in);
        if (c == 1) return in;
        int plane = in.height() * in.width();
        float[] d = in.data();
        float[] g = new float[replicate ? 3 * plane : plane];
        for (int i = 0; i < plane; i++) {
            int r = (int) d[i], gg = (int) d[plane + i], b = (int) d[2 * plane + i];
            float l = (r * 19595 + gg * 38470 + b * 7471 + 0x8000) >> 16;
            g[i] = l;
            if (replicate) {
                g[plane + i] = l;
                g[2 * plane + i] = l;
            }
        }
        return new Image(g, replicate ? 3 : 1, in.height(), in.width(), true);
    }

    /**
     * PIL {@code ImageFilter.SMOOTH}: 3x3 kernel [1 1 1; 1 5 1; 1 1 1] / 13 in float32, rounded and clamped;
     * the border rows and columns are copied unchanged.
     */
    static Image smooth(Image in) {
        AffineWarp.requireUint8(in);
        int ch = in.channels(), h = in.height(), w = in.width();
        float[] src = in.data();
        float[] out = src.clone();
        float k1 = 1f / 13f, k5 = 5f / 13f;
        for (int c = 0; c < ch; c++) {
            int base = c * h * w;
            for (int y = 1; y < h - 1; y++) {
                for (int x = 1; x < w - 1; x++) {
                    // PIL sums the row below first, then this row, then the row above, each as k0 a + k1 b + k2 c.
                    float ss = 0f;
                    for (int dy = 1; dy >= -1; dy--) {
                        int r = base + (y + dy) * w + x;
                        float mid = dy == 0 ? k5 : k1;
                        ss += src[r - 1] * k1 + src[r] * mid + src[r + 1] * k1;
                    }
                    out[base + y * w + x] = ss <= 0f ? 0 : ss >= 255f ? 255 : (int) (ss + 0.5f);
                }
            }
        }
        return new Image(out, ch, h, w, true);
    }
}
