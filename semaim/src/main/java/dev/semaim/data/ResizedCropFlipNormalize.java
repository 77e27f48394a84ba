package dev.semaim.data;

import java.util.random.RandomGenerator;

/**
 * The pre-training augmentation in one pass: {@code Compose(RandomResizedCrop, HorizontalFlip(p), ToTensor,
 * Normalize)} with the same RNG draws in the same order (the crop box, then the flip) and bit-identical output
 * ({@code ResizedCropFlipNormalizeTest}). On a uint8 image the box is resampled without a cropped copy
 * ({@link BicubicResampler#resizeLevels}) and the levels go to the normalised float output once, mirrored there when
 * flipped, instead of through four intermediate images. Any other input runs the composed steps (which reject it
 * as they always did).
 */
public final class ResizedCropFlipNormalize implements Transform {
    private final RandomResizedCrop crop;
    private final int size;
    private final double flipProbability;
    private final float[] mean;
    private final float[] std;
    private final Compose steps;

    public ResizedCropFlipNormalize(RandomResizedCrop crop, double flipProbability, float[] mean, float[] std) {
        HorizontalFlip flip = new HorizontalFlip(flipProbability);
        Normalize normalize = new Normalize(mean, std);
        this.crop = crop;
        this.size = crop.size();
        this.flipProbability = flipProbability;
        this.mean = mean.clone();
        this.std = std.clone();
        this.steps = new Compose(crop, flip, new ToTensor(), normalize);
    }

    /** The equivalent composed transform (the reference). */
    public Compose steps() {
        return steps;
    }

    @Override
    public Image apply(Image image, RandomGenerator rng) {
        int c = image.channels();
        if (!image.isUint8() || (mean.length != 1 && mean.length != c)) {
            return steps.apply(image, rng);
        }
        CropBox box = crop.box(image.height(), image.width(), rng);
        boolean flip = rng.nextDouble() < flipProbability;
        int[] levels = BicubicResampler.resizeLevels(image, box, size, size);
        float[] out = new float[levels.length];
        for (int ch = 0; ch < c; ch++) {
            float m = mean[mean.length == 1 ? 0 : ch], s = std[std.length == 1 ? 0 : ch];
            for (int y = 0; y < size; y++) {
                int row = (ch * size + y) * size;
                LevelLines.normalise(levels, row, out, row, size, m, s, flip);
            }
        }
        return new Image(out, c, size, size, false);
    }
}
