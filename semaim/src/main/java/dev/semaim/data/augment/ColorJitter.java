package dev.semaim.data.augment;

import dev.semaim.data.Image;
import dev.semaim.data.Transform;

import java.util.random.RandomGenerator;

/**
 * torchvision's {@code ColorJitter(brightness=j, contrast=j, saturation=j)} on a uint8 image, as timm's training
 * transform builds it from {@code --color_jitter j} when no RandAugment is configured: the three PIL enhancers
 * ({@link Enhance#brightness}, {@link Enhance#contrast}, {@link Enhance#color}) in a random order, each with a factor
 * ~ U[max(0, 1 - j), 1 + j] (an enhancer whose range is the single point 1 is left out, as torchvision's None).
 *
 * <p>Draws (torchvision's {@code get_params}): a random permutation of the four adjustments (brightness, contrast,
 * saturation, hue; hue is never jittered here, as timm passes none), then the brightness, contrast and saturation
 * factors in that order.
 */
public final class ColorJitter implements Transform {
    private final double brightness;
    private final double contrast;
    private final double saturation;

    /** Each strength j at least 0 (0 = that enhancer left out). */
    public ColorJitter(double brightness, double contrast, double saturation) {
        if (!(brightness >= 0 && contrast >= 0 && saturation >= 0)) {
            throw new IllegalArgumentException("bad ColorJitter(" + brightness + ", " + contrast + ", " + saturation + ")");
        }
        this.brightness = brightness;
        this.contrast = contrast;
        this.saturation = saturation;
    }

    /**
     * One draw: {@code order} a permutation of 0..3 (0 brightness, 1 contrast, 2 saturation, 3 hue), and the factors
     * (NaN = left out).
     */
    public record Params(int[] order, double brightness, double contrast, double saturation) {
    }

    public Params params(RandomGenerator rng) {
        int[] order = {0, 1, 2, 3};
        for (int i = order.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        double b = factor(brightness, rng), c = factor(contrast, rng), s = factor(saturation, rng);
        return new Params(order, b, c, s);
    }

    /** U[max(0, 1 - j), 1 + j], or NaN (no draw) when j is 0. */
    private static double factor(double j, RandomGenerator rng) {
        if (j == 0) return Double.NaN;
        double lo = Math.max(0, 1 - j), hi = 1 + j;
        return lo + (hi - lo) * rng.nextDouble();
    }

    /** The adjustments of {@code p} in its order. */
    public static Image apply(Image image, Params p) {
        if (!image.isUint8()) {
            throw new IllegalArgumentException("ColorJitter works on uint8 images (before ToTensor), got " + image);
        }
        Image out = image;
        for (int op : p.order()) {
            if (op == 0 && !Double.isNaN(p.brightness())) out = Enhance.brightness(out, p.brightness());
            else if (op == 1 && !Double.isNaN(p.contrast())) out = Enhance.contrast(out, p.contrast());
            else if (op == 2 && !Double.isNaN(p.saturation())) out = Enhance.color(out, p.saturation());
        }
        return out;
    }

    @Override
    public Image apply(Image image, RandomGenerator rng) {
        return apply(image, params(rng));
    }
}
