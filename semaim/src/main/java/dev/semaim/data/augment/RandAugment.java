package dev.semaim.data.augment;

import dev.semaim.data.Image;
import dev.semaim.data.Transform;

import java.util.List;
import java.util.random.RandomGenerator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * timm's {@code rand_augment_transform} on a uint8 image (spec section 7, "rand-m9-mstd0.5-inc1").
 *
 * <p>Per image: {@code n} ops drawn uniformly with replacement from the op set ({@link AugmentOp#INCREASING_SET} for
 * {@code inc1}, {@link AugmentOp#STANDARD_SET} for {@code inc0} or no {@code inc} section, as in timm);
 * then for each op in turn: skip it when u ~ U[0,1) exceeds 0.5; else magnitude m' = N(m, mstd) clipped to
 * [0, 10] (no draw when mstd is 0), and the op at m' (which may draw a sign and an interpolation).
 */
public final class RandAugment implements Transform {
    /** timm's default fill (_FILL) when no image mean is given. */
    public static final float[] DEFAULT_FILL = {128, 128, 128};
    private static final double OP_PROBABILITY = 0.5;
    private static final Pattern SECTION = Pattern.compile("([a-z]+)(\\d.*)");

    private final List<AugmentOp> ops;
    private final int numLayers;
    private final double magnitude;
    private final double magnitudeStd;
    private final float[] fill;
    private final Interpolation interpolation;

    /**
     * @param fill          geometric fill colour (per channel or one value), 0..255
     * @param interpolation geometric resampling, or null for a random bilinear/bicubic choice per op
     */
    public RandAugment(int numLayers, double magnitude, double magnitudeStd, float[] fill, Interpolation interpolation) {
        this(AugmentOp.INCREASING_SET, numLayers, magnitude, magnitudeStd, fill, interpolation);
    }

    /** @param ops the op set ({@link AugmentOp#INCREASING_SET} or {@link AugmentOp#STANDARD_SET}), drawn from by index */
    public RandAugment(List<AugmentOp> ops, int numLayers, double magnitude, double magnitudeStd, float[] fill, Interpolation interpolation) {
        if (ops.isEmpty()) throw new IllegalArgumentException("RandAugment needs at least one op");
        if (numLayers < 0 || !(magnitude >= 0 && magnitude <= AugmentOp.MAX_LEVEL) || !(magnitudeStd >= 0)) {
            throw new IllegalArgumentException("bad RandAugment(n " + numLayers + ", m " + magnitude + ", mstd " + magnitudeStd + ")");
        }
        if (fill.length == 0) throw new IllegalArgumentException("RandAugment fill needs at least one value");
        this.ops = List.copyOf(ops);
        this.numLayers = numLayers;
        this.magnitude = magnitude;
        this.magnitudeStd = magnitudeStd;
        this.fill = fill.clone();
        this.interpolation = interpolation;
    }

    /** {@link #parse(String, float[], Interpolation)} with timm's defaults: fill 128, random interpolation. */
    public static RandAugment parse(String config) {
        return parse(config, DEFAULT_FILL, null);
    }

    /**
     * A timm config string "rand-m9-mstd0.5-inc1": sections m (magnitude, int, default 10), n (ops per image,
     * default 2), mstd (magnitude std, default 0), inc (1 = the increasing op set, 0 or absent = the standard one).
     * Weighted op choice ("w") is not built; AutoAugment and AugMix policies are not RandAugment configs.
     */
    public static RandAugment parse(String config, float[] fill, Interpolation interpolation) {
        String[] parts = config.split("-");
        if (!parts[0].equals("rand")) {
            throw new IllegalArgumentException("RandAugment config '" + config + "' must start with 'rand' (timm's rand-m9-mstd0.5-inc1 "
                    + "form; AutoAugment and AugMix policies are not built)");
        }
        int n = 2;
        double m = AugmentOp.MAX_LEVEL, std = 0;
        boolean increasing = false;
        for (int i = 1; i < parts.length; i++) {
            Matcher mt = SECTION.matcher(parts[i]);
            if (!mt.matches()) throw new IllegalArgumentException("RandAugment config '" + config + "': bad section '" + parts[i] + "'");
            String key = mt.group(1), val = mt.group(2);
            try {
                switch (key) {
                    case "m" -> m = Integer.parseInt(val);
                    case "n" -> n = Integer.parseInt(val);
                    case "mstd" -> std = Double.parseDouble(val);
                    case "inc" -> increasing = Integer.parseInt(val) != 0;
                    case "w" -> throw new IllegalArgumentException("weighted op choice ('" + parts[i] + "') is not built; sections m, n, mstd, inc");
                    default -> throw new IllegalArgumentException("unknown section '" + parts[i] + "' (sections m, n, mstd, inc)");
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("RandAugment config '" + config + "': bad number in '" + parts[i] + "'");
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("RandAugment config '" + config + "': " + e.getMessage());
            }
        }
        return new RandAugment(increasing ? AugmentOp.INCREASING_SET : AugmentOp.STANDARD_SET, n, m, std, fill, interpolation);
    }

    /** The op set drawn from. */
    public List<AugmentOp> ops() {
        return ops;
    }

    public int numLayers() {
        return numLayers;
    }

    public double magnitude() {
        return magnitude;
    }

    public double magnitudeStd() {
        return magnitudeStd;
    }

    @Override
    public Image apply(Image image, RandomGenerator rng) {
        AffineWarp.requireUint8(image);
        AugmentOp[] chosen = new AugmentOp[numLayers];
        for (int i = 0; i < numLayers; i++) chosen[i] = ops.get(rng.nextInt(ops.size()));
        Image out = image;
        for (AugmentOp op : chosen) {
            if (rng.nextDouble() > OP_PROBABILITY) continue;
            out = op.apply(out, sampleMagnitude(rng), rng, fill, interpolation);
        }
        return out;
    }

    /** N(magnitude, magnitudeStd) clipped to [0, 10]; the magnitude itself, without a draw, when the std is 0. */
    double sampleMagnitude(RandomGenerator rng) {
        double m = magnitude;
        if (magnitudeStd > 0) m = magnitude + magnitudeStd * rng.nextGaussian();
        return Math.min(AugmentOp.MAX_LEVEL, Math.max(0, m));
    }
}
