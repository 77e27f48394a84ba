package dev.semaim.data.augment;

import dev.semaim.data.Image;

import java.util.List;
import java.util.random.RandomGenerator;

/**
 * The ops of timm's two RandAugment sets, the "increasing" one ({@code _RAND_INCREASING_TRANSFORMS}, {@code inc1}) and
 * the standard one ({@code _RAND_TRANSFORMS}, {@code inc0}), each with timm's (0.4.5) map from magnitude m in [0, 10] to
 * its argument. Signed arguments get a random sign (negated when a draw u ~ U[0,1) exceeds 0.5); geometric ops then
 * pick their interpolation (uniformly bilinear or bicubic when none is configured), in that draw order. The standard
 * set's posterize, solarize and enhancers weaken as m grows and draw no sign.
 */
public enum AugmentOp {
    AUTO_CONTRAST,
    EQUALIZE,
    INVERT,
    /** Degrees m/10 * 30, random sign; counter-clockwise about the centre. */
    ROTATE,
    /** Keep 4 - int(m/10 * 4) bits. */
    POSTERIZE_INCREASING,
    /** Threshold 256 - int(m/10 * 256). */
    SOLARIZE_INCREASING,
    /** Add int(m/10 * 110) below 128. */
    SOLARIZE_ADD,
    /** Enhance factor 1 +- m/10 * 0.9 for the four enhancers. */
    COLOR_INCREASING,
    CONTRAST_INCREASING,
    BRIGHTNESS_INCREASING,
    SHARPNESS_INCREASING,
    /** Shear factor +- m/10 * 0.3: x_in = x + f y (X), y_in = y + f x (Y). */
    SHEAR_X,
    SHEAR_Y,
    /** Shift by +- m/10 * 0.45 of the width (X) or height (Y): x_in = x + shift. */
    TRANSLATE_X_REL,
    TRANSLATE_Y_REL,
    /** Keep int(m/10 * 4) bits (the standard set). */
    POSTERIZE,
    /** Threshold int(m/10 * 256) (the standard set). */
    SOLARIZE,
    /** Enhance factor m/10 * 1.8 + 0.1, no sign draw, for the four enhancers (the standard set). */
    COLOR,
    CONTRAST,
    BRIGHTNESS,
    SHARPNESS;

    /** timm's _MAX_LEVEL. */
    public static final double MAX_LEVEL = 10.0;
    /** timm's {@code _RAND_INCREASING_TRANSFORMS}, in its order (RandAugment draws an index into it): {@code inc1}. */
    public static final List<AugmentOp> INCREASING_SET = List.of(AUTO_CONTRAST, EQUALIZE, INVERT, ROTATE, POSTERIZE_INCREASING,
            SOLARIZE_INCREASING, SOLARIZE_ADD, COLOR_INCREASING, CONTRAST_INCREASING, BRIGHTNESS_INCREASING, SHARPNESS_INCREASING,
            SHEAR_X, SHEAR_Y, TRANSLATE_X_REL, TRANSLATE_Y_REL);
    /** timm's {@code _RAND_TRANSFORMS}, in its order: {@code inc0}, the default of a config without {@code inc}. */
    public static final List<AugmentOp> STANDARD_SET = List.of(AUTO_CONTRAST, EQUALIZE, INVERT, ROTATE, POSTERIZE, SOLARIZE,
            SOLARIZE_ADD, COLOR, CONTRAST, BRIGHTNESS, SHARPNESS, SHEAR_X, SHEAR_Y, TRANSLATE_X_REL, TRANSLATE_Y_REL);
    private static final double TRANSLATE_PCT = 0.45;

    /**
     * Applies this op at magnitude {@code m}.
     *
     * @param fill          fill colour of geometric ops (per channel or one value)
     * @param interpolation geometric resampling, or null for timm's random bilinear/bicubic choice
     */
    public Image apply(Image img, double m, RandomGenerator rng, float[] fill, Interpolation interpolation) {
        double level = m / MAX_LEVEL;
        switch (this) {
            case AUTO_CONTRAST:
                return PointOps.autoContrast(img);
            case EQUALIZE:
                return PointOps.equalize(img);
            case INVERT:
                return PointOps.invert(img);
            case ROTATE: {
                double degrees = negate(level * 30.0, rng);
                return AffineWarp.rotate(img, degrees, pick(interpolation, rng), fill);
            }
            case POSTERIZE_INCREASING:
                return PointOps.posterize(img, 4 - (int) (level * 4));
            case SOLARIZE_INCREASING:
                return PointOps.solarize(img, 256 - (int) (level * 256));
            case SOLARIZE_ADD:
                return PointOps.solarizeAdd(img, (int) (level * 110), 128);
            case COLOR_INCREASING:
                return Enhance.color(img, enhanceFactor(level, rng));
            case CONTRAST_INCREASING:
                return Enhance.contrast(img, enhanceFactor(level, rng));
            case BRIGHTNESS_INCREASING:
                return Enhance.brightness(img, enhanceFactor(level, rng));
            case SHARPNESS_INCREASING:
                return Enhance.sharpness(img, enhanceFactor(level, rng));
            case POSTERIZE:
                return PointOps.posterize(img, (int) (level * 4));
            case SOLARIZE:
                return PointOps.solarize(img, (int) (level * 256));
            case COLOR:
                return Enhance.color(img, level * 1.8 + 0.1);
            case CONTRAST:
                return Enhance.contrast(img, level * 1.8 + 0.1);
            case BRIGHTNESS:
                return Enhance.brightness(img, level * 1.8 + 0.1);
            case SHARPNESS:
                return Enhance.sharpness(img, level * 1.8 + 0.1);
            case SHEAR_X: {
                double f = negate(level * 0.3, rng);
                return AffineWarp.transform(img, new double[] {1, f, 0, 0, 1, 0}, pick(interpolation, rng), fill);
            }
            case SHEAR_Y: {
                double f = negate(level * 0.3, rng);
                return AffineWarp.transform(img, new double[] {1, 0, 0, f, 1, 0}, pick(interpolation, rng), fill);
            }
            case TRANSLATE_X_REL: {
                double pixels = negate(level * TRANSLATE_PCT, rng) * img.width();
                return AffineWarp.transform(img, new double[] {1, 0, pixels, 0, 1, 0}, pick(interpolation, rng), fill);
            }
            default: { // TRANSLATE_Y_REL
                double pixels = negate(level * TRANSLATE_PCT, rng) * img.height();
                return AffineWarp.transform(img, new double[] {1, 0, 0, 0, 1, pixels}, pick(interpolation, rng), fill);
            }
        }
    }

    /** 1 +- level * 0.9, in [0.1, 1.9]. */
    private static double enhanceFactor(double level, RandomGenerator rng) {
        return 1.0 + negate(level * 0.9, rng);
    }

    /** timm's _randomly_negate: -v when u > 0.5. */
    private static double negate(double v, RandomGenerator rng) {
        return rng.nextDouble() > 0.5 ? -v : v;
    }

    private static Interpolation pick(Interpolation configured, RandomGenerator rng) {
        if (configured != null) return configured;
        return rng.nextInt(2) == 0 ? Interpolation.BILINEAR : Interpolation.BICUBIC;
    }
}
