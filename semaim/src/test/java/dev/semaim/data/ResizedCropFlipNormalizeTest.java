package dev.semaim.data;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ResizedCropFlipNormalizeTest {
    /**
     * The fused pre-training transform gives bit-identical images to its composed steps (RandomResizedCrop,
     * HorizontalFlip, ToTensor, Normalize) from the same seed: both flips, scale ranges that down- and upscale,
     * and boxes that fall back to the central crop; float-backed and packed images; 3 channels with per-channel statistics, 1 with broadcast ones.
     */
    @Test
    void matchesComposedStepsExactly() {
        RandomResizedCrop[] crops = {
            new RandomResizedCrop(24, 0.2, 1.0, 3.0 / 4.0, 4.0 / 3.0),
            new RandomResizedCrop(40, 0.08, 1.0, 3.0 / 4.0, 4.0 / 3.0),      // mostly upscaling from 30x37
            new RandomResizedCrop(16, 0.9, 1.0, 3.0, 4.0)};                  // ratios the image lacks: fallback
        for (int seed = 0; seed < 24; seed++) {
            boolean grey = seed % 4 == 3;
            Image img = ResizeTest.randomLevels(new SplittableRandom(seed), grey ? 1 : 3, 30, 37);
            float[] mean = grey ? Transforms.FASHION_MNIST_MEAN : Transforms.IMAGENET_MEAN;
            float[] std = grey ? Transforms.FASHION_MNIST_STD : Transforms.IMAGENET_STD;
            ResizedCropFlipNormalize fused = new ResizedCropFlipNormalize(crops[seed % 3], 0.5, mean, std);
            Image expected = fused.steps().apply(img, new SplittableRandom(1000 + seed));
            Image actual = fused.apply(img, new SplittableRandom(1000 + seed));
            assertEquals(expected, actual, "seed " + seed + ", " + img + ", crop size " + crops[seed % 3].size());
            assertEquals(expected, fused.apply(ResizeTest.packed(img), new SplittableRandom(1000 + seed)), "seed " + seed + ", packed");
        }
    }

    @Test
    void floatInputIsRejectedLikeTheComposedSteps() {
        Image floats = new Image(new float[3 * 8 * 8], 3, 8, 8, false);
        Transform t = Transforms.pretrain(4, Transforms.IMAGENET_MEAN, Transforms.IMAGENET_STD);
        assertThrows(IllegalArgumentException.class, () -> t.apply(floats, new SplittableRandom(0)));
    }
}
