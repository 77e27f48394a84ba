package dev.semaim.data;

/**
 * PIL's {@code Image.resize(size, Image.BICUBIC)} (libImaging/Resample.c), which is what torchvision's
 * {@code Resize}/{@code RandomResizedCrop} run on PIL images.
 *
 * <p>Convention: separable Keys cubic with a = -0.5, support 2. When downscaling by s = in/out > 1 the kernel
 * is stretched by s (support 2s, "antialiasing"); upscaling uses s = 1. Output pixel i samples around source
 * centre (i + 0.5) * in/out; taps j in [round(centre - support), round(centre + support)) clipped to the
 * image (no padding), weights w((j - centre + 0.5) / s) renormalised to sum 1. Horizontal pass first, then
 * vertical.
 *
 * <p>For uint8 images (see {@link Image#isUint8()}) the weights become 22-bit fixed point and every pass
 * rounds and clips to 0..255, bit-exact with PIL's 8-bit path; for float images the arithmetic is double
 * with no clipping (PIL mode "F").
 */
public final class BicubicResampler {
    /** PIL's PRECISION_BITS = 32 - 8 - 2. */
    static final int PRECISION_BITS = 22;
    private static final double A = -0.5;
    private static final double SUPPORT = 2.0;

    private BicubicResampler() {
    }

    /** Resize to (outHeight, outWidth). Shape (C, H, W) -> (C, outHeight, outWidth). */
    public static Image resize(Image in, int outHeight, int outWidth) {
        return resize(in, new CropBox(0, 0, in.height(), in.width()), outHeight, outWidth);
    }

    /**
     * Crop {@code box} (inside the image), then resize it to (outHeight, outWidth): torchvision's
     * {@code resized_crop}. A uint8 image takes the fast path of {@link #resizeLevels} (no cropped copy); a float
     * image is cropped and goes through the double-precision passes.
     */
    public static Image resize(Image in, CropBox box, int outHeight, int outWidth) {
        checkTarget(outHeight, outWidth);
        if (!in.isUint8()) {
            return resizeReference(box.applyTo(in), outHeight, outWidth);
        }
        int[] levels = resizeLevels(in, box, outHeight, outWidth);
        float[] out = new float[levels.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = levels[i];
        }
        return new Image(out, in.channels(), outHeight, outWidth, true);
    }

    /**
     * The plain per-pixel passes, one output pixel at a time (PIL's loops as written): the reference that
     * {@link #resizeLevels} is tested against ({@code ResizeTest.fastLevelsMatchReferencePasses}), and the float path.
     */
    static Image resizeReference(Image in, int outHeight, int outWidth) {
        checkTarget(outHeight, outWidth);
        Image out = in;
        if (outWidth != in.width()) {
            out = pass(out, outWidth, true);
        }
        if (outHeight != in.height()) {
            out = pass(out, outHeight, false);
        }
        return out == in ? new Image(in.data().clone(), in.channels(), in.height(), in.width(), in.isUint8()) : out;
    }

    private static void checkTarget(int outHeight, int outWidth) {
        if (outHeight <= 0 || outWidth <= 0) {
            throw new IllegalArgumentException("bad resize target " + outHeight + "x" + outWidth);
        }
    }

    /** Per-thread work arrays of {@link #resizeLevels}, grown on demand and reused (no garbage per image). */
    private static final ThreadLocal<int[][]> SCRATCH = ThreadLocal.withInitial(() -> new int[3][0]);

    private static int[] scratch(int slot, int length) {
        int[][] s = SCRATCH.get();
        if (s[slot].length < length) {
            s[slot] = new int[length];
        }
        return s[slot];
    }

    /**
     * PIL's 8-bit {@code resize(size, BICUBIC)} of the region {@code box} of a uint8 image (torchvision's crop then
     * resize; the box must lie inside the image): levels 0..255 of shape (C, outHeight, outWidth), bit-exact with
     * {@link #resizeReference} on the cropped image. Same arithmetic (22-bit weights, round and clip after each
     * pass, horizontal pass first), in another loop order: the box is first transposed to (C, x, y) ints, so that
     * the horizontal pass runs along y over contiguous memory with one weight per loop, and the vertical pass
     * along x over the rows of the intermediate; both inner loops are multiply-adds of whole lines
     * ({@link LevelLines}, Vector API). Where a side keeps its size PIL skips that pass, and so does this.
     */
    static int[] resizeLevels(Image in, CropBox box, int outHeight, int outWidth) {
        checkTarget(outHeight, outWidth);
        int c = in.channels(), h = in.height(), w = in.width();
        int top = box.top(), left = box.left(), bh = box.height(), bw = box.width();
        if (!in.isUint8() || top < 0 || left < 0 || bh <= 0 || bw <= 0 || top + bh > h || left + bw > w) {
            throw new IllegalArgumentException("resizeLevels needs a uint8 image and a box inside it, got " + in + " and " + box);
        }
        // tmp: the horizontal pass's result, (C, bh, outWidth).
        int[] tmp = scratch(0, c * bh * outWidth);
        if (outWidth != bw) {
            int[] transposed = scratch(1, c * bw * bh);  // (C, bw, bh)
            for (int ch = 0; ch < c; ch++) {
                for (int y = 0; y < bh; y++) {
                    in.rowLevels(ch, top + y, left, bw, transposed, ch * bw * bh + y, bh);
                }
            }
            Taps taps = Taps.of(bw, outWidth);
            int[][] k = taps.fixedPoint();
            int[] acc = scratch(2, Math.max(bh, outWidth));
            for (int ch = 0; ch < c; ch++) {
                for (int ox = 0; ox < outWidth; ox++) {
                    java.util.Arrays.fill(acc, 0, bh, 1 << (PRECISION_BITS - 1));
                    for (int j = 0; j < taps.count[ox]; j++) {
                        LevelLines.multiplyAdd(acc, transposed, (ch * bw + taps.first[ox] + j) * bh, k[ox][j], bh);
                    }
                    LevelLines.clip(acc, bh);
                    for (int y = 0, o = ch * bh * outWidth + ox; y < bh; y++, o += outWidth) {
                        tmp[o] = acc[y];
                    }
                }
            }
        } else {
            for (int ch = 0; ch < c; ch++) {
                for (int y = 0; y < bh; y++) {
                    in.rowLevels(ch, top + y, left, bw, tmp, (ch * bh + y) * outWidth, 1);
                }
            }
        }
        int[] out = new int[c * outHeight * outWidth];
        if (outHeight != bh) {
            Taps taps = Taps.of(bh, outHeight);
            int[][] k = taps.fixedPoint();
            int[] acc = scratch(2, Math.max(bh, outWidth));
            for (int ch = 0; ch < c; ch++) {
                for (int oy = 0; oy < outHeight; oy++) {
                    java.util.Arrays.fill(acc, 0, outWidth, 1 << (PRECISION_BITS - 1));
                    for (int j = 0; j < taps.count[oy]; j++) {
                        LevelLines.multiplyAdd(acc, tmp, (ch * bh + taps.first[oy] + j) * outWidth, k[oy][j], outWidth);
                    }
                    LevelLines.clip(acc, outWidth);
                    System.arraycopy(acc, 0, out, (ch * outHeight + oy) * outWidth, outWidth);
                }
            }
        } else {
            System.arraycopy(tmp, 0, out, 0, out.length);
        }
        return out;
    }

    /** PIL clip8: the fixed-point sum (rounding offset included) to a level 0..255. */
    static int clip8(int sum) {
        return Math.min(Math.max(sum >> PRECISION_BITS, 0), 255);
    }

    /** Keys cubic convolution kernel with a = -0.5 (PIL's bicubic_filter). */
    static double kernel(double x) {
        x = Math.abs(x);
        if (x < 1.0) {
            return ((A + 2.0) * x - (A + 3.0)) * x * x + 1;
        }
        if (x < 2.0) {
            return (((x - 5) * x + 8) * x - 4) * A;
        }
        return 0.0;
    }

    /** Per-output-pixel taps: first source index, tap count and normalised weights (PIL precompute_coeffs). */
    record Taps(int[] first, int[] count, double[][] weights) {
        static Taps of(int inSize, int outSize) {
            double scale = (double) inSize / outSize;
            double filterScale = Math.max(scale, 1.0);
            double support = SUPPORT * filterScale;
            int[] first = new int[outSize];
            int[] count = new int[outSize];
            double[][] weights = new double[outSize][];
            for (int i = 0; i < outSize; i++) {
                double centre = (i + 0.5) * scale;
                // (int) truncation as in C; negatives are clamped to 0 right after, so this is "round".
                int xmin = Math.max((int) (centre - support + 0.5), 0);
                int xmax = Math.min((int) (centre + support + 0.5), inSize) - xmin;
                double[] w = new double[xmax];
                double sum = 0;
                for (int j = 0; j < xmax; j++) {
                    w[j] = kernel((j + xmin - centre + 0.5) / filterScale);
                    sum += w[j];
                }
                if (sum != 0.0) {
                    for (int j = 0; j < xmax; j++) {
                        w[j] /= sum;
                    }
                }
                first[i] = xmin;
                count[i] = xmax;
                weights[i] = w;
            }
            return new Taps(first, count, weights);
        }

        /** PIL normalize_coeffs_8bpc: round half away from zero to 22-bit fixed point. */
        int[][] fixedPoint() {
            int[][] fixed = new int[weights.length][];
            for (int i = 0; i < weights.length; i++) {
                fixed[i] = new int[weights[i].length];
                for (int j = 0; j < weights[i].length; j++) {
                    double v = weights[i][j] * (1 << PRECISION_BITS);
                    fixed[i][j] = (int) (v < 0 ? v - 0.5 : v + 0.5);
                }
            }
            return fixed;
        }
    }

    /** One 1-D pass along x (horizontal) or y, producing size {@code outSize} along that axis. */
    private static Image pass(Image in, int outSize, boolean horizontal) {
        int c = in.channels(), h = in.height(), w = in.width();
        int inSize = horizontal ? w : h;
        int oh = horizontal ? h : outSize, ow = horizontal ? outSize : w;
        // Along the resampled axis consecutive taps are `step` floats apart; lines are the other axis.
        int step = horizontal ? 1 : w;
        Taps taps = Taps.of(inSize, outSize);
        int[][] fixed = in.isUint8() ? taps.fixedPoint() : null;
        float[] src = in.data();
        float[] dst = new float[c * oh * ow];
        for (int ch = 0; ch < c; ch++) {
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    int o = horizontal ? ox : oy;
                    int base = horizontal ? (ch * h + oy) * w : ch * h * w + ox;
                    int start = base + taps.first[o] * step;
                    int n = taps.count[o];
                    float v;
                    if (fixed != null) {
                        int[] k = fixed[o];
                        int ss = 1 << (PRECISION_BITS - 1);
                        for (int j = 0; j < n; j++) {
                            ss += (int) src[start + j * step] * k[j];
                        }
                        v = clip8(ss);
                    } else {
                        double[] k = taps.weights[o];
                        double ss = 0;
                        for (int j = 0; j < n; j++) {
                            ss += src[start + j * step] * k[j];
                        }
                        v = (float) ss;
                    }
                    dst[(ch * oh + oy) * ow + ox] = v;
                }
            }
        }
        return new Image(dst, c, oh, ow, in.isUint8());
    }
}
