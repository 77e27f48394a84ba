package dev.semaim.data.augment;

import dev.semaim.data.Image;

/**
 * Per-channel lookup-table operations of PIL's {@code ImageOps} on 8-bit images (RandAugment's colour-level
 * ops). Every op builds a 256-entry table per channel and maps each pixel through it.
 */
public final class PointOps {
    private PointOps() {
    }

    /** {@code ImageOps.autocontrast(img)}: per channel, stretch [lo, hi] to [0, 255]: int(v * 255/(hi-lo) - lo * 255/(hi-lo)). */
    public static Image autoContrast(Image in) {
        return perChannel(in, hist -> {
            int lo = 0, hi = 255;
            while (lo < 256 && hist[lo] == 0) lo++;
            while (hi >= 0 && hist[hi] == 0) hi--;
            int[] lut = identity();
            if (hi > lo) {
                double scale = 255.0 / (hi - lo);
                double offset = -lo * scale;
                for (int i = 0; i < 256; i++) lut[i] = clamp((int) (i * scale + offset));
            }
            return lut;
        });
    }

    /**
     * {@code ImageOps.equalize(img)}: per channel, step = (pixels - count of the highest present level) // 255;
     * level i maps to min(255, (step // 2 + pixels below i) // step). Identity when one level or step 0.
     */
    public static Image equalize(Image in) {
        return perChannel(in, hist -> {
            int levels = 0, last = 0;
            long total = 0;
            for (int i = 0; i < 256; i++) {
                if (hist[i] != 0) {
                    levels++;
                    last = hist[i];
                    total += hist[i];
                }
            }
            int[] lut = identity();
            long step = (total - last) / 255;
            if (levels > 1 && step != 0) {
                long n = step / 2;
                for (int i = 0; i < 256; i++) {
                    lut[i] = clamp((int) Math.min(n / step, 256)); // PIL clips table entries to 0..255
                    n += hist[i];
                }
            }
            return lut;
        });
    }

    /** 255 - v. */
    public static Image invert(Image in) {
        int[] lut = new int[256];
        for (int i = 0; i < 256; i++) lut[i] = 255 - i;
        return map(in, lut);
    }

    /** Keep the top {@code bits} bits (0..8): {@code v & ~(2^(8-bits) - 1)}. */
    public static Image posterize(Image in, int bits) {
        if (bits < 0 || bits > 8) throw new IllegalArgumentException("posterize bits " + bits + " not in 0..8");
        int mask = ~((1 << (8 - bits)) - 1);
        int[] lut = new int[256];
        for (int i = 0; i < 256; i++) lut[i] = i & mask;
        return map(in, lut);
    }

    /** {@code v < threshold ? v : 255 - v}. */
    public static Image solarize(Image in, int threshold) {
        int[] lut = new int[256];
        for (int i = 0; i < 256; i++) lut[i] = i < threshold ? i : 255 - i;
        return map(in, lut);
    }

    /** timm's solarize_add: {@code v < threshold ? min(255, v + add) : v}. */
    public static Image solarizeAdd(Image in, int add, int threshold) {
        int[] lut = new int[256];
        for (int i = 0; i < 256; i++) lut[i] = i < threshold ? Math.min(255, i + add) : i;
        return map(in, lut);
    }

    /** Histogram of one channel (counts of the 256 levels). */
    static int[] histogram(Image in, int channel) {
        int plane = in.height() * in.width();
        float[] d = in.data();
        int[] hist = new int[256];
        for (int i = channel * plane, end = i + plane; i < end; i++) hist[level(d[i])]++;
        return hist;
    }

    /** The integer level of a uint8 sample, rejecting anything that is not one. */
    static int level(float v) {
        int i = (int) v;
        if (i != v || i < 0 || i > 255) throw new IllegalArgumentException("uint8 image holds " + v + ", not a level 0..255");
        return i;
    }

    private interface LutFromHistogram {
        int[] lut(int[] histogram);
    }

    private static Image perChannel(Image in, LutFromHistogram f) {
        AffineWarp.requireUint8(in);
        int plane = in.height() * in.width();
        float[] src = in.data();
        float[] out = new float[src.length];
        for (int c = 0; c < in.channels(); c++) {
            int[] lut = f.lut(histogram(in, c));
            for (int i = c * plane, end = i + plane; i < end; i++) out[i] = lut[level(src[i])];
        }
        return new Image(out, in.channels(), in.height(), in.width(), true);
    }

    private static Image map(Image in, int[] lut) {
        return perChannel(in, hist -> lut);
    }

    private static int[] identity() {
        int[] lut = new int[256];
        for (int i = 0; i < 256; i++) lut[i] = i;
        return lut;
    }

    private static int clamp(int v) {
        return v < 0 ? 0 : Math.min(v, 255);
    }
}
