package dev.semaim.data.augment;

import dev.semaim.data.CropBox;
import dev.semaim.data.Image;
import dev.semaim.data.Transform;

import java.util.random.RandomGenerator;

/**
 * timm's {@code RandomErasing(probability, mode, max_count)} on a normalised float image (spec section 7: mode 'pixel',
 * one box): with probability p, 1 to {@code maxCount} boxes are overwritten, per {@link ErasingMode} with per-pixel
 * N(0, 1) noise, one N(0, 1) colour per channel, or zeros.
 *
 * <p>Draws: u ~ U[0,1), nothing happens when u > p. Then the box count: randint(1, maxCount) (inclusive; no draw when
 * maxCount is 1). Per box up to 10 attempts: area fraction ~ U(0.02, 1/3) / count, log aspect ~ U(log 0.3, log 1/0.3);
 * h = round(sqrt(A * aspect)), w = round(sqrt(A / aspect)) (half to even); accepted when {@code w < W} and {@code h < H},
 * then top ~ randint(0, H - h), left ~ randint(0, W - w) (inclusive), and the fill: C*h*w normals in (c, y, x) order
 * (pixel), C normals (rand) or none (const). A box whose attempts all fail is skipped.
 */
public final class RandomErasing implements Transform {
    private static final int ATTEMPTS = 10;

    private final double probability;
    private final double minArea;
    private final double maxArea;
    private final double logMinAspect;
    private final double logMaxAspect;
    private final ErasingMode mode;
    private final int maxCount;

    /** timm defaults: area (0.02, 1/3), aspect (0.3, 1/0.3); the recipe's mode 'pixel', one box. */
    public RandomErasing(double probability) {
        this(probability, ErasingMode.PIXEL, 1);
    }

    /** timm's area and aspect ranges with {@code mode} and 1 to {@code maxCount} boxes ({@code --remode}, {@code --recount}). */
    public RandomErasing(double probability, ErasingMode mode, int maxCount) {
        this(probability, 0.02, 1.0 / 3.0, 0.3, mode, maxCount);
    }

    public RandomErasing(double probability, double minArea, double maxArea, double minAspect) {
        this(probability, minArea, maxArea, minAspect, ErasingMode.PIXEL, 1);
    }

    public RandomErasing(double probability, double minArea, double maxArea, double minAspect, ErasingMode mode, int maxCount) {
        if (!(probability >= 0 && probability <= 1) || !(0 < minArea && minArea <= maxArea && maxArea <= 1)
                || !(minAspect > 0) || maxCount < 1) {
            throw new IllegalArgumentException("bad RandomErasing(p " + probability + ", area (" + minArea + ", "
                    + maxArea + "), min aspect " + minAspect + ", max count " + maxCount + ")");
        }
        this.probability = probability;
        this.minArea = minArea;
        this.maxArea = maxArea;
        this.logMinAspect = Math.log(minAspect);
        this.logMaxAspect = Math.log(1 / minAspect);
        this.mode = mode;
        this.maxCount = maxCount;
    }

    /** The box to erase on an H x W image with one box, or null (probability draw failed or no attempt fitted). */
    public CropBox box(int height, int width, RandomGenerator rng) {
        if (rng.nextDouble() > probability) return null;
        return attempt(height, width, 1, rng);
    }

    /** One box of an image erased in {@code count} boxes (its area drawn / count), or null when no attempt fits. */
    private CropBox attempt(int height, int width, int count, RandomGenerator rng) {
        double area = (double) height * width;
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            double target = (minArea + (maxArea - minArea) * rng.nextDouble()) * area / count;
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
        if (rng.nextDouble() > probability) return image;
        int ch = image.channels(), h = image.height(), w = image.width();
        int count = maxCount == 1 ? 1 : 1 + rng.nextInt(maxCount);
        float[] out = null;
        for (int i = 0; i < count; i++) {
            CropBox b = attempt(h, w, count, rng);
            if (b == null) continue;
            if (out == null) out = image.data().clone();
            fill(out, ch, h, w, b, rng);
        }
        return out == null ? image : new Image(out, ch, h, w, false);
    }

    /** Writes the mode's values into box {@code b} of every channel of the (C, H, W) array {@code out}. */
    private void fill(float[] out, int ch, int h, int w, CropBox b, RandomGenerator rng) {
        for (int c = 0; c < ch; c++) {
            float colour = mode == ErasingMode.RAND ? (float) rng.nextGaussian() : 0f;
            for (int y = b.top(); y < b.top() + b.height(); y++) {
                for (int x = b.left(); x < b.left() + b.width(); x++) {
                    out[(c * h + y) * w + x] = mode == ErasingMode.PIXEL ? (float) rng.nextGaussian() : colour;
                }
            }
        }
    }
}
