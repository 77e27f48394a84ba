package dev.semaim.data;

import java.util.random.RandomGenerator;

/**
 * torchvision {@code RandomResizedCrop(size, scale, ratio, BICUBIC)}: pick a box with
 * {@link #box(int, int, RandomGenerator)} ({@code get_params}), crop it and bicubic-resize it to size x size.
 */
public final class RandomResizedCrop implements Transform {
    private static final int ATTEMPTS = 10;

    private final int size;
    private final double minScale;
    private final double maxScale;
    private final double minRatio;
    private final double maxRatio;

    /** Defaults scale (0.08, 1.0), ratio (3/4, 4/3), as torchvision. */
    public RandomResizedCrop(int size) {
        this(size, 0.08, 1.0, 3.0 / 4.0, 4.0 / 3.0);
    }

    public RandomResizedCrop(int size, double minScale, double maxScale, double minRatio, double maxRatio) {
        if (size <= 0 || !(0 < minScale && minScale <= maxScale) || !(0 < minRatio && minRatio <= maxRatio)) {
            throw new IllegalArgumentException("bad RandomResizedCrop(" + size + ", scale (" + minScale + ", "
                    + maxScale + "), ratio (" + minRatio + ", " + maxRatio + "))");
        }
        this.size = size;
        this.minScale = minScale;
        this.maxScale = maxScale;
        this.minRatio = minRatio;
        this.maxRatio = maxRatio;
    }

    /** The output side. */
    public int size() {
        return size;
    }

    /**
     * torchvision {@code RandomResizedCrop.get_params}. Per attempt (at most 10) draws, in order:
     * scale ~ U(minScale, maxScale), log-ratio ~ U(log minRatio, log maxRatio); w = round(sqrt(area*ratio)),
     * h = round(sqrt(area/ratio)) with Python's half-to-even round; if {@code 0 < w <= W} and {@code 0 < h <= H} then
     * top ~ randint(0, H-h+1), left ~ randint(0, W-w+1). Otherwise falls back to the centred box of the
     * whole image with its aspect ratio clamped into [minRatio, maxRatio] (floor-division centring).
     */
    public CropBox box(int height, int width, RandomGenerator rng) {
        double area = (double) height * width;
        double logMin = Math.log(minRatio), logMax = Math.log(maxRatio);
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            double targetArea = area * uniform(rng, minScale, maxScale);
            double aspect = Math.exp(uniform(rng, logMin, logMax));
            int w = (int) Math.rint(Math.sqrt(targetArea * aspect));
            int h = (int) Math.rint(Math.sqrt(targetArea / aspect));
            if (0 < w && w <= width && 0 < h && h <= height) {
                int top = rng.nextInt(height - h + 1);
                int left = rng.nextInt(width - w + 1);
                return new CropBox(top, left, h, w);
            }
        }
        return fallback(height, width);
    }

    /** The central crop used when all attempts fail. */
    CropBox fallback(int height, int width) {
        double inRatio = (double) width / height;
        int w, h;
        if (inRatio < minRatio) {
            w = width;
            h = (int) Math.rint(w / minRatio);
        } else if (inRatio > maxRatio) {
            h = height;
            w = (int) Math.rint(h * maxRatio);
        } else {
            w = width;
            h = height;
        }
        return new CropBox((height - h) / 2, (width - w) / 2, h, w);
    }

    /** U(lo, hi) like torch's uniform_ (lo + (hi - lo) * u, u in [0,1)); a degenerate range returns lo. */
    private static double uniform(RandomGenerator rng, double lo, double hi) {
        return lo + (hi - lo) * rng.nextDouble();
    }

    @Override
    public Image apply(Image image, RandomGenerator rng) {
        CropBox b = box(image.height(), image.width(), rng);
        return BicubicResampler.resize(image, b, size, size);
    }
}
