package dev.semaim.data.augment;

import dev.semaim.data.Image;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** RandAugment ops on tiny images with hand-computed results, and timm's magnitude-to-argument maps. */
class AugmentOpTest {
    private static final float[] FILL = {128};

    private static Image grey(int h, int w, float... v) {
        return new Image(v, 1, h, w, true);
    }

    private static RandomGenerator rng() {
        return new SplittableRandom(7);
    }

    @Test
    void invert() {
        assertArrayEquals(new float[] {255, 245, 55, 0}, PointOps.invert(grey(2, 2, 0, 10, 200, 255)).data());
    }

    @Test
    void posterizeIncreasingAtMagnitude9KeepsOneBit() {
        // bits = 4 - int(9/10 * 4) = 4 - 3 = 1: v & 0x80.
        Image out = AugmentOp.POSTERIZE_INCREASING.apply(grey(2, 2, 0, 127, 128, 255), 9, rng(), FILL, null);
        assertArrayEquals(new float[] {0, 0, 128, 128}, out.data());
        // Magnitude 0 keeps 4 bits: v & 0xF0.
        out = AugmentOp.POSTERIZE_INCREASING.apply(grey(1, 3, 15, 16, 255), 0, rng(), FILL, null);
        assertArrayEquals(new float[] {0, 16, 240}, out.data());
    }

    @Test
    void solarizeIncreasingAtMagnitude9HasThreshold26() {
        // threshold = 256 - int(9/10 * 256) = 256 - 230 = 26: below it unchanged, else 255 - v.
        Image out = AugmentOp.SOLARIZE_INCREASING.apply(grey(2, 2, 0, 25, 26, 200), 9, rng(), FILL, null);
        assertArrayEquals(new float[] {0, 25, 229, 55}, out.data());
        // Magnitude 0: threshold 256, the identity.
        assertArrayEquals(new float[] {0, 255}, AugmentOp.SOLARIZE_INCREASING.apply(grey(1, 2, 0, 255), 0, rng(), FILL, null).data());
    }

    @Test
    void standardPosterizeKeepsMoreBitsAsTheMagnitudeGrows() {
        // bits = int(9/10 * 4) = 3: v & 0xE0; magnitude 2: int(0.8) = 0 bits, everything black.
        assertArrayEquals(new float[] {0, 96, 128, 224}, AugmentOp.POSTERIZE.apply(grey(2, 2, 31, 127, 128, 255), 9, rng(), FILL, null).data());
        assertArrayEquals(new float[] {0, 0}, AugmentOp.POSTERIZE.apply(grey(1, 2, 127, 255), 2, rng(), FILL, null).data());
    }

    @Test
    void standardSolarizeAtMagnitude9HasThreshold230() {
        // threshold = int(9/10 * 256) = 230
        assertArrayEquals(new float[] {0, 229, 25, 0}, AugmentOp.SOLARIZE.apply(grey(2, 2, 0, 229, 230, 255), 9, rng(), FILL, null).data());
    }

    @Test
    void standardEnhancersTakeFactorFromTheMagnitudeWithoutASignDraw() {
        Image in = new Image(new float[] {10, 200, 30, 90, 60, 250, 0, 128, 77, 5, 40, 180}, 3, 2, 2, true);
        // m 5: factor 0.5 * 1.8 + 0.1 = 1.0, the identity; m 10: 1.9
        assertArrayEquals(in.data(), AugmentOp.COLOR.apply(in, 5, rng(), FILL, null).data());
        assertArrayEquals(Enhance.brightness(in, 1.9).data(), AugmentOp.BRIGHTNESS.apply(in, 10, rng(), FILL, null).data());
        assertArrayEquals(Enhance.contrast(in, 0.1).data(), AugmentOp.CONTRAST.apply(in, 0, rng(), FILL, null).data());
        assertArrayEquals(Enhance.sharpness(in, 1.0 + 0.9 * 1.8 - 0.9).data(), AugmentOp.SHARPNESS.apply(in, 9, rng(), FILL, null).data());
        RandomGenerator drawn = rng();
        AugmentOp.COLOR.apply(in, 9, drawn, FILL, null);
        assertEquals(rng().nextLong(), drawn.nextLong()); // no draw: the stream is where it started
    }

    @Test
    void solarizeAddAtMagnitude9Adds99BelowHalf() {
        // add = int(9/10 * 110) = 99 to levels below 128, capped at 255.
        Image out = AugmentOp.SOLARIZE_ADD.apply(grey(2, 2, 0, 127, 128, 200), 9, rng(), FILL, null);
        assertArrayEquals(new float[] {99, 226, 128, 200}, out.data());
        assertArrayEquals(new float[] {255}, PointOps.solarizeAdd(grey(1, 1, 120), 200, 128).data());
    }

    @Test
    void autoContrastStretchesToFullRange() {
        // lo 50, hi 150: scale 2.55, offset -127.5; 100 -> int(127.4999...) = 127, 120 -> int(178.5) = 178.
        assertArrayEquals(new float[] {0, 127, 255, 178}, PointOps.autoContrast(grey(1, 4, 50, 100, 150, 120)).data());
        // One level only: identity.
        assertArrayEquals(new float[] {9, 9}, PointOps.autoContrast(grey(1, 2, 9, 9)).data());
        // Per channel: each channel is stretched on its own range.
        Image rgb = new Image(new float[] {10, 20, 0, 255, 100, 101}, 3, 1, 2, true);
        assertArrayEquals(new float[] {0, 255, 0, 255, 0, 255}, PointOps.autoContrast(rgb).data());
    }

    @Test
    void equalizeSpreadsThreeEqualLevels() {
        // 255 pixels each at levels 0, 1, 2: step = (765 - 255) // 255 = 2; lut[i] = (1 + pixels below i) // 2
        // -> 0: 1//2 = 0, 1: 256//2 = 128, 2: 511//2 = 255.
        float[] v = new float[765];
        for (int i = 0; i < 765; i++) v[i] = i / 255;
        float[] out = PointOps.equalize(grey(1, 765, v)).data();
        assertEquals(0, out[0]);
        assertEquals(128, out[255]);
        assertEquals(255, out[764]);
        // Fewer than 256 pixels besides the top level: step 0, identity.
        assertArrayEquals(new float[] {3, 7, 7}, PointOps.equalize(grey(1, 3, 3, 7, 7)).data());
    }

    @Test
    void rotate90IsAnExactQuarterTurnCounterClockwise() {
        Image in = grey(3, 3, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        float[] ccw = {3, 6, 9, 2, 5, 8, 1, 4, 7};
        for (Interpolation interp : Interpolation.values()) {
            assertArrayEquals(ccw, AffineWarp.rotate(in, 90, interp, FILL).data(), interp.name());
            assertArrayEquals(ccw, AffineWarp.rotate(in, -270, interp, FILL).data(), interp.name());
            assertArrayEquals(new float[] {9, 8, 7, 6, 5, 4, 3, 2, 1}, AffineWarp.rotate(in, 180, interp, FILL).data());
            assertArrayEquals(new float[] {7, 4, 1, 8, 5, 2, 9, 6, 3}, AffineWarp.rotate(in, 270, interp, FILL).data());
        }
        // The general warp path lands on pixel centres for 90 degrees too (cos rounds to 0): same result.
        double[] m = {0, -1, 3, 1, 0, 0}; // out (x, y) samples in (3 - y, x)
        assertArrayEquals(ccw, AffineWarp.transform(in, m, Interpolation.BILINEAR, FILL).data());
    }

    @Test
    void rotateMagnitudeIsThirtyDegreesAtTen() {
        // At magnitude 10 the angle is +-30 degrees; the sign is the op's only draw besides the interpolation.
        Image in = grey(5, 5, new float[25]);
        for (int i = 0; i < 25; i++) in.data()[i] = i * 10;
        Image plus = AffineWarp.rotate(in, 30, Interpolation.BILINEAR, FILL);
        Image minus = AffineWarp.rotate(in, -30, Interpolation.BILINEAR, FILL);
        for (int seed = 0; seed < 20; seed++) {
            Image out = AugmentOp.ROTATE.apply(in, 10, new SplittableRandom(seed), FILL, Interpolation.BILINEAR);
            assertTrue(out.equals(plus) || out.equals(minus), "seed " + seed);
        }
    }

    @Test
    void translateByWholePixelsShiftsAndFills() {
        Image in = grey(1, 4, 10, 20, 30, 40);
        // TranslateXRel by +1 pixel: out(x) = in(x + 1); the last column falls outside and takes the fill.
        assertArrayEquals(new float[] {20, 30, 40, 7}, AffineWarp.transform(in, new double[] {1, 0, 1, 0, 1, 0},
                Interpolation.BILINEAR, new float[] {7}).data());
        // Half a pixel: bilinear averages neighbours (truncating), x = 3 samples at 4.0, outside.
        assertArrayEquals(new float[] {15, 25, 35, 7}, AffineWarp.transform(in, new double[] {1, 0, 0.5, 0, 1, 0},
                Interpolation.BILINEAR, new float[] {7}).data());
    }

    @Test
    void brightnessBlendsWithBlackAndTruncates() {
        assertArrayEquals(new float[] {0, 5, 100, 127}, Enhance.brightness(grey(2, 2, 0, 10, 201, 255), 0.5).data());
        // Above 1 it extrapolates and clamps.
        assertArrayEquals(new float[] {0, 19, 255}, Enhance.brightness(grey(1, 3, 0, 10, 200), 1.9).data());
    }

    @Test
    void enhanceFactorIsOnePlusOrMinusPoint81AtMagnitude9() {
        // Brightness at m = 9: factor 1 +- 0.81 (float32 blend): 100 -> 181 or 19.
        Image in = grey(1, 1, 100);
        for (int seed = 0; seed < 10; seed++) {
            float v = AugmentOp.BRIGHTNESS_INCREASING.apply(in, 9, new SplittableRandom(seed), FILL, null).data()[0];
            assertTrue(v == 181 || v == 19, "seed " + seed + ": " + v);
        }
    }

    @Test
    void opsRejectFloatImages() {
        Image f = new Image(new float[] {0.5f}, 1, 1, 1, false);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PointOps.invert(f));
        assertTrue(e.getMessage().contains("uint8"), e.getMessage());
        Image bad = grey(1, 1, 3.5f);
        e = assertThrows(IllegalArgumentException.class, () -> PointOps.invert(bad));
        assertTrue(e.getMessage().contains("3.5"), e.getMessage());
    }
}
