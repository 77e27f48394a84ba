package dev.semaim.data.augment;

import dev.semaim.data.Image;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** RandAugment config parsing, magnitude jitter and the per-op probability 0.5. */
class RandAugmentTest {
    @Test
    void parsesTheRecipeConfig() {
        RandAugment ra = RandAugment.parse("rand-m9-mstd0.5-inc1");
        assertEquals(2, ra.numLayers());
        assertEquals(9, ra.magnitude());
        assertEquals(0.5, ra.magnitudeStd());
        assertEquals(3, RandAugment.parse("rand-n3-m7-inc1").numLayers());
        assertEquals(AugmentOp.INCREASING_SET, ra.ops());
    }

    @Test
    void inc0OrNoIncIsTimmsStandardOpSet() {
        assertEquals(AugmentOp.STANDARD_SET, RandAugment.parse("rand-m9-mstd0.5-inc0").ops());
        RandAugment ra = RandAugment.parse("rand-m7-n1-mstd1");
        assertEquals(AugmentOp.STANDARD_SET, ra.ops());
        assertEquals(1, ra.numLayers());
        assertEquals(7, ra.magnitude());
        assertEquals(1.0, ra.magnitudeStd());
        assertEquals(10, RandAugment.parse("rand").magnitude()); // timm's defaults: m 10, n 2
        assertEquals(2, RandAugment.parse("rand").numLayers());
        // the same 15 ops as the increasing set, with the standard posterize, solarize and enhancers
        assertEquals(15, AugmentOp.STANDARD_SET.size());
        assertEquals(AugmentOp.values().length, new java.util.HashSet<AugmentOp>() {{
            addAll(AugmentOp.STANDARD_SET);
            addAll(AugmentOp.INCREASING_SET);
        }}.size());
    }

    @Test
    void rejectsUnsupportedConfigs() {
        for (String bad : new String[] {"augmix-m9", "v0", "rand-m9-w0-inc1", "rand-mX-inc1", "rand-m11-inc1", "rand-m9-p0.5"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RandAugment.parse(bad), bad);
            assertTrue(e.getMessage().contains(bad) || e.getMessage().contains("m 11"), e.getMessage());
        }
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RandAugment.parse("rand-m9-w0-inc1")).getMessage()
                .contains("weighted op choice ('w0') is not built"));
    }

    @Test
    void magnitudeIsGaussianAroundNineClippedToTen() {
        RandAugment ra = RandAugment.parse("rand-m9-mstd0.5-inc1");
        SplittableRandom rng = new SplittableRandom(2);
        int n = 20000, atTen = 0;
        double sum = 0;
        for (int i = 0; i < n; i++) {
            double m = ra.sampleMagnitude(rng);
            assertTrue(m >= 0 && m <= 10);
            if (m == 10) atTen++;
            sum += m;
        }
        // P(N(9, 0.5) > 10) = P(Z > 2) = 0.0228; the clipped mean is 9 - 0.5 * E[(Z - 2)+] = 8.9996.
        assertEquals(0.0228, atTen / (double) n, 0.004);
        assertEquals(9.0, sum / n, 0.01);
        assertEquals(9.0, RandAugment.parse("rand-m9-inc1").sampleMagnitude(rng)); // no jitter, no draw
    }

    @Test
    void eachOpIsAppliedWithProbabilityHalf() {
        // A colourful 17x17 RGB image that every op at magnitude 9 changes; with one op per image, half the
        // outputs must be the untouched input.
        float[] v = new float[3 * 17 * 17];
        for (int i = 0; i < v.length; i++) v[i] = 40 + (i * 37 + (i / 17) * 11 + (i / 289) * 53) % 160;
        Image in = new Image(v, 3, 17, 17, true);
        RandAugment ra = new RandAugment(1, 9, 0, RandAugment.DEFAULT_FILL, null);
        SplittableRandom rng = new SplittableRandom(4);
        for (AugmentOp op : AugmentOp.INCREASING_SET) {
            assertTrue(!op.apply(in, 9, new SplittableRandom(1), RandAugment.DEFAULT_FILL, null).equals(in), op.name());
        }
        int n = 3000, same = 0;
        for (int i = 0; i < n; i++) if (ra.apply(in, rng).equals(in)) same++;
        assertEquals(0.5, same / (double) n, 0.03);
    }

    @Test
    void sameSeedSameImage() {
        float[] v = new float[3 * 12 * 10];
        for (int i = 0; i < v.length; i++) v[i] = (i * 53) % 256;
        Image in = new Image(v, 3, 12, 10, true);
        RandAugment ra = RandAugment.parse("rand-m9-mstd0.5-inc1");
        for (int seed = 0; seed < 20; seed++) {
            Image a = ra.apply(in, new SplittableRandom(seed)), b = ra.apply(in, new SplittableRandom(seed));
            assertEquals(a, b, "seed " + seed);
            assertTrue(a.isUint8());
            for (float x : a.data()) assertTrue(x == (int) x && x >= 0 && x <= 255);
        }
    }
}
