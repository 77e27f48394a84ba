package dev.semaim.data.augment;

import dev.semaim.data.Image;
import dev.semaim.data.Transform;
import dev.semaim.data.Transforms;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

class FinetuneTransformsTest {
    @Test
    void fillIsTheMeanInLevels() {
        // create_transform's img_mean: round(255 * (0.485, 0.456, 0.406)) = (124, 116, 104); Fashion-MNIST 0.2860 -> 73.
        assertArrayEquals(new float[] {124, 116, 104}, FinetuneTransforms.fillOf(Transforms.IMAGENET_MEAN));
        assertArrayEquals(new float[] {73}, FinetuneTransforms.fillOf(Transforms.FASHION_MNIST_MEAN));
    }

    @Test
    void pipelineGivesANormalisedCropDeterministically() {
        float[] v = new float[3 * 40 * 48];
        for (int i = 0; i < v.length; i++) v[i] = (i * 29 + i / 48) % 256;
        Image in = new Image(v, 3, 40, 48, true);
        Transform t = FinetuneTransforms.finetuneTrain(32, Transforms.IMAGENET_MEAN, Transforms.IMAGENET_STD);
        for (int seed = 0; seed < 8; seed++) {
            Image a = t.apply(in, new SplittableRandom(seed));
            assertEquals(3, a.channels());
            assertEquals(32, a.height());
            assertEquals(32, a.width());
            assertFalse(a.isUint8());
            assertEquals(a, t.apply(in, new SplittableRandom(seed)));
        }
    }
}
