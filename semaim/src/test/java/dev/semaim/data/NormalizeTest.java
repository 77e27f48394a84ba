package dev.semaim.data;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

class NormalizeTest {
    @Test
    void toTensorThenNormalizePerChannel() {
        Image img = new Image(new float[] {0, 255, 51, 102, 255, 0}, 3, 1, 2, true);
        Image t = new ToTensor().apply(img, null);
        assertFalse(t.isUint8());
        assertArrayEquals(new float[] {0, 1, 0.2f, 0.4f, 1, 0}, t.data(), 1e-7f);
        Image n = new Normalize(Transforms.IMAGENET_MEAN, Transforms.IMAGENET_STD).apply(t, null);
        assertArrayEquals(new float[] {
            (0 - 0.485f) / 0.229f, (1 - 0.485f) / 0.229f,
            (0.2f - 0.456f) / 0.224f, (0.4f - 0.456f) / 0.224f,
            (1 - 0.406f) / 0.225f, (0 - 0.406f) / 0.225f}, n.data(), 1e-6f);
        assertEquals(-2.117904f, n.data()[0], 1e-6f);
    }

    @Test
    void singleStatisticBroadcastsOverChannels() {
        Image t = new Image(new float[] {0.2860f, 0.6390f, 0.2860f}, 3, 1, 1, false);
        Image n = new Normalize(Transforms.FASHION_MNIST_MEAN, Transforms.FASHION_MNIST_STD).apply(t, null);
        assertArrayEquals(new float[] {0, 1, 0}, n.data(), 1e-6f);
    }

    @Test
    void domainMistakesAreRejected() {
        Image bytes = new Image(new float[] {1}, 1, 1, 1, true);
        assertThrows(IllegalArgumentException.class, () -> new Normalize(new float[] {0}, new float[] {1}).apply(bytes, null));
        assertThrows(IllegalArgumentException.class, () -> new ToTensor().apply(new ToTensor().apply(bytes, null), null));
        Image two = new Image(new float[] {1, 2}, 2, 1, 1, false);
        assertThrows(IllegalArgumentException.class, () -> new Normalize(Transforms.IMAGENET_MEAN, Transforms.IMAGENET_STD).apply(two, null));
    }

    @Test
    void presetsProduceNormalisedCrops() {
        Image img = new Image(new float[3 * 300 * 400], 3, 300, 400, true);
        java.util.Arrays.fill(img.data(), 128);
        for (Transform t : new Transform[] {
                Transforms.pretrain(224, Transforms.IMAGENET_MEAN, Transforms.IMAGENET_STD),
                Transforms.eval(224, Transforms.IMAGENET_MEAN, Transforms.IMAGENET_STD),
                Transforms.linprobeTrain(224, Transforms.IMAGENET_MEAN, Transforms.IMAGENET_STD)}) {
            Image out = t.apply(img, new java.util.SplittableRandom(3));
            assertEquals(224, out.height());
            assertEquals(224, out.width());
            assertFalse(out.isUint8());
            // A constant image stays constant through resampling: (128/255 - 0.485) / 0.229 in channel 0.
            assertEquals((128f / 255f - 0.485f) / 0.229f, out.data()[0], 1e-6f);
        }
    }
}
