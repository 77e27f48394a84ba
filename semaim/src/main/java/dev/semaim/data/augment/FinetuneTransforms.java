package dev.semaim.data.augment;

import dev.semaim.data.Compose;
import dev.semaim.data.HorizontalFlip;
import dev.semaim.data.Normalize;
import dev.semaim.data.RandomResizedCrop;
import dev.semaim.data.ToTensor;
import dev.semaim.data.Transform;

/** The fine-tuning training pipeline (spec section 7), timm's {@code create_transform(is_training=True, ...)}. */
public final class FinetuneTransforms {
    /** The recipe's RandAugment config. */
    public static final String RAND_AUGMENT = "rand-m9-mstd0.5-inc1";
    /** The recipe's RandomErasing probability (mode 'pixel', one box). */
    public static final double ERASE_PROBABILITY = 0.25;

    private FinetuneTransforms() {
    }

    /**
     * RandomResizedCrop(size, scale (0.08, 1), ratio (3/4, 4/3), bicubic) -> HorizontalFlip(0.5) ->
     * RandAugment("rand-m9-mstd0.5-inc1") -> ToTensor -> Normalize(mean, std) -> RandomErasing(0.25, pixel).
     * As create_transform does, RandAugment's geometric ops fill with the dataset mean in 0..255
     * ({@link #fillOf}) and resample bicubically (the recipe's interpolation), not timm's standalone defaults.
     */
    public static Transform finetuneTrain(int size, float[] mean, float[] std) {
        return new Compose(new RandomResizedCrop(size, 0.08, 1.0, 3.0 / 4.0, 4.0 / 3.0), new HorizontalFlip(0.5),
                RandAugment.parse(RAND_AUGMENT, fillOf(mean), Interpolation.BICUBIC), new ToTensor(),
                new Normalize(mean, std), new RandomErasing(ERASE_PROBABILITY));
    }

    /** create_transform's img_mean: min(255, round(255 * mean[c])) with Python's half-to-even round. */
    public static float[] fillOf(float[] mean) {
        float[] fill = new float[mean.length];
        for (int c = 0; c < mean.length; c++) fill[c] = (float) Math.min(255, Math.rint(255 * (double) mean[c]));
        return fill;
    }
}
