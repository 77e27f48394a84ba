package dev.semaim.data;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CropTest {
    private final RandomResizedCrop rrc = new RandomResizedCrop(224, 0.2, 1.0, 3.0 / 4.0, 4.0 / 3.0);

    @Test
    void randomResizedCropBoxFollowsGetParams() {
        // H=100, W=200 (area 20000). Attempt 1: scale 0.2+0.8*0.5 = 0.6 -> area 12000; log-ratio midpoint ->
        // ratio 1 -> w = h = round(109.54) = 110 > H: rejected. Attempt 2: scale 0.2 -> area 4000;
        // log-ratio = log(3/4) + 0.75*(log(4/3) - log(3/4)) -> ratio sqrt(4/3) = 1.1547;
        // w = round(sqrt(4618.8)) = round(67.96) = 68, h = round(sqrt(3464.1)) = round(58.86) = 59: accepted;
        // top ~ randint(0, 100-59+1 = 42), left ~ randint(0, 200-68+1 = 133).
        ScriptedRandom rng = new ScriptedRandom().d(0.5).d(0.5).d(0.0).d(0.75).i(42, 7).i(133, 100);
        assertEquals(new CropBox(7, 100, 59, 68), rrc.box(100, 200, rng));
        assertTrue(rng.exhausted());
    }

    @Test
    void randomResizedCropFallsBackToClampedCentralCrop() {
        // Ten attempts with scale ~1 and ratio 1 on a 100x200 image: w = h = 141 > 100, all rejected.
        ScriptedRandom rng = new ScriptedRandom();
        for (int k = 0; k < 10; k++) {
            rng.d(0.999).d(0.5);
        }
        // Wide image (ratio 2 > 4/3): h = 100, w = round(100 * 4/3) = 133, left = (200 - 133) // 2 = 33.
        assertEquals(new CropBox(0, 33, 100, 133), rrc.box(100, 200, rng));
        assertTrue(rng.exhausted());
        // Tall image (ratio 1/3 < 3/4): w = 100, h = round(100 / 0.75) = 133, top = (300 - 133) // 2 = 83.
        assertEquals(new CropBox(83, 0, 133, 100), rrc.fallback(300, 100));
        // Ratio inside the range: the whole image.
        assertEquals(new CropBox(0, 0, 90, 100), rrc.fallback(90, 100));
    }

    @Test
    void randomResizedCropOutputsSquare() {
        Image img = new Image(new float[3 * 30 * 40], 3, 30, 40, true);
        Image out = new RandomResizedCrop(16).apply(img, new java.util.SplittableRandom(1));
        assertEquals(16, out.height());
        assertEquals(16, out.width());
        assertEquals(3, out.channels());
    }

    @Test
    void centerCropUsesPythonRounding() {
        // (5 - 2) / 2 = 1.5 -> 2 and (7 - 2) / 2 = 2.5 -> 2 (round half to even); (6 - 3) / 2 = 1.5 -> 2.
        assertEquals(new CropBox(2, 2, 2, 2), new CenterCrop(2).box(5, 7));
        assertEquals(new CropBox(2, 0, 3, 4), new CenterCrop(3, 4).box(6, 4));
        assertEquals(new CropBox(16, 16, 224, 224), new CenterCrop(224).box(256, 256));
    }

    @Test
    void cropOutsideTheImageIsZeroPadded() {
        Image img = new Image(new float[] {1, 2, 3, 4}, 1, 2, 2, true);
        Image out = new CenterCrop(4).apply(img, null);
        assertArrayEquals(new float[] {0, 0, 0, 0, 0, 1, 2, 0, 0, 3, 4, 0, 0, 0, 0, 0}, out.data());
    }

    /**
     * torchvision pads (crop - size) // 2 before the image (floor): a 1x1 image in a 4x4 crop lands at (1, 1), not
     * at (2, 2) as rounding -1.5 half to even gave. Each dimension on its own: a 1x5 image in a 4x2 crop is padded
     * 1 row above (and 2 below) and cropped from column round(3 / 2) = 2.
     */
    @Test
    void centerCropLargerThanTheImagePadsTheFloorHalfBefore() {
        assertEquals(new CropBox(-1, -1, 4, 4), new CenterCrop(4).box(1, 1));
        Image dot = new CenterCrop(4).apply(new Image(new float[] {9}, 1, 1, 1, true), null);
        assertArrayEquals(new float[] {0, 0, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, dot.data());
        assertEquals(new CropBox(-1, -1, 5, 6), new CenterCrop(5, 6).box(2, 3)); // (5 - 2) // 2 = (6 - 3) // 2 = 1
        assertEquals(new CropBox(-1, 2, 4, 2), new CenterCrop(4, 2).box(1, 5));
        Image strip = new CenterCrop(4, 2).apply(new Image(new float[] {1, 2, 3, 4, 5}, 1, 1, 5, true), null);
        assertArrayEquals(new float[] {0, 0, 3, 4, 0, 0, 0, 0}, strip.data());
    }

    @Test
    void randomCropDrawsTopThenLeft() {
        ScriptedRandom rng = new ScriptedRandom().i(5, 4).i(3, 1);
        assertEquals(new CropBox(4, 1, 4, 6), new RandomCrop(4, 6).box(8, 8, rng));
        assertEquals(new CropBox(0, 0, 8, 8), new RandomCrop(8).box(8, 8, new ScriptedRandom()));
        assertThrows(IllegalArgumentException.class, () -> new RandomCrop(9).box(8, 8, new ScriptedRandom()));
    }

    @Test
    void horizontalFlip() {
        Image img = new Image(new float[] {1, 2, 3, 4, 5, 6}, 2, 1, 3, false);
        assertArrayEquals(new float[] {3, 2, 1, 6, 5, 4}, new HorizontalFlip(0.5).apply(img, new ScriptedRandom().d(0.49)).data());
        assertEquals(img, new HorizontalFlip(0.5).apply(img, new ScriptedRandom().d(0.5)));
    }
}
