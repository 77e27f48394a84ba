package dev.semaim.data.augment;

import dev.semaim.data.CropBox;
import dev.semaim.data.Image;
import dev.semaim.data.Transform;

import java.util.random.RandomGenerator;

/**
 * timm's {@code RandomErasing(probability, mode='pixel', max_count=1)} on a normalised float image (spec
 * section 7): with probability p one box is overwritten with per-pixel N(0, 1) noise in every channel.
 *
 * <p>Draws: u ~ U[0,1), nothing happens when u > p. Then up to 10 attempts: area fraction ~ U(0.02, 1/3), log
 * aspect ~ U(log 0.3, log 1/0.3); h = round(sqrt(A * aspect)), w = round(sqrt(A / aspect)) (half to even);
 * accepted when {@code w < W} and {@code h < H}, then top ~ randint(0, H - h), left ~ randint(0, W - w) (inclusive), and
 * C*h*w normals in (c, y, x) order. No box when every attempt fails.
 */
public final class RandomErasing implements Transform {
    private static final int ATTEMPTS = 10;

    private final double probability;
    private final double minArea;
    private final double maxArea;
    private final double logMinAspect;
    private final double logMaxAspect;

    /** timm defaults: area (0.02, 1/3), aspect (0.3, 1/0.3). */
    public RandomErasing(double probability) {
        this(probability, 0.02, 1.0 / 3.0, 0.3);
    }

    public RandomErasing(double probability, double minArea, double maxArea, double minAspect) {
        if (!(probability >= 0 && probability <= 1) || !(0 < minArea && minArea <= maxArea && maxArea <= 1)
                || !(minAspect > 0)) {
            throw new IllegalArgumentException("bad RandomErasing(p " + probability + ", area (" + minArea + ", "
                    + maxArea + "), min aspect " + minAspect + ")");
        }
        this.probability = probability;
        this.minArea = minArea;
        this.maxArea = maxArea;
        this.logMinAspect = Math.log(minAspect);
        this.logMaxAspect = Math.log(1 / minAspect);
    }

    /** The box to erase on an H x W image, or null (probability draw failed or no attempt fitted). */
    public CropBox box(int height, int width, RandomGenerator rng) {
        if (rng.nextDouble() > probability) return null;
        double area = (double) height * width;
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            double target = (minArea + (maxArea - minArea) * rng.nextDouble()) * area;
            double aspect = Math.exp(logMinAspect + (logMaxAspect - logMinAspect) * rng.nextDouble());
            int h = (int) Math.rint(Math.sqrt(target * aspect));
            int w = (int) Math.rint(Math.sqrt(target / aspect));
            if (w < width && h < height) {
                int top = rng.nextInt(height - h + 1);
                int left = rng.nextInt(width - w + 1);
                return new CropBox(top, left, h, w);
            }
        }
        return null;
    }

    @Override
    public Image apply(Image image, RandomGenerator rng) {
        if (image.isUint8()) {
            throw new IllegalArgumentException("RandomErasing works on the normalised float image (after Normalize), got " + image);
        }
        int ch = image.channels(), h = image.height(), w = image.width();
        CropBox b = box(h, w, rng);
        if (b == null) return image;
        float[] out = image.data().clone();
        for (int c = 0; c < ch; c++) {
            for (int y = b.top(); y < b.top() + b.height(); y++) {
                for (int x = b.left(); x < b.left() + b.width(); x++) {
                    out[(c * h + y) * w + x] = (float) rng.nextGaussian();
                }
            }
        }
        return new Image(out, ch, h, w, false);
    }
}
