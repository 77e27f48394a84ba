package dev.semaim.data.augment;

import dev.semaim.data.Image;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** torchvision's ColorJitter(j, j, j) as timm builds it without RandAugment: PIL enhancers in a random order. */
class ColorJitterTest {
    private static Image rgb() {
        float[] v = new float[3 * 5 * 4];
        for (int i = 0; i < v.length; i++) v[i] = (i * 41 + 17) % 256;
        return new Image(v, 3, 5, 4, true);
    }

    @Test
    void factorsLieInTheirRangesAndEveryOrderOccurs() {
        ColorJitter cj = new ColorJitter(0.4, 0.4, 0.4);
        SplittableRandom rng = new SplittableRandom(1);
        Set<String> orders = new HashSet<>();
        for (int i = 0; i < 2000; i++) {
            ColorJitter.Params p = cj.params(rng);
            for (double f : new double[] {p.brightness(), p.contrast(), p.saturation()}) assertTrue(f >= 0.6 && f < 1.4, "factor " + f);
            int[] sorted = p.order().clone();
            Arrays.sort(sorted);
            assertArrayEquals(new int[] {0, 1, 2, 3}, sorted);
            orders.add(Arrays.toString(p.order()));
        }
        assertEquals(24, orders.size(), "every permutation of the four adjustments");
    }

    @Test
    void appliesTheEnhancersInTheDrawnOrder() {
        Image in = rgb();
        ColorJitter.Params p = new ColorJitter.Params(new int[] {2, 3, 0, 1}, 1.3, 0.7, 0.5);
        Image expected = Enhance.contrast(Enhance.brightness(Enhance.color(in, 0.5), 1.3), 0.7);
        assertArrayEquals(expected.data(), ColorJitter.apply(in, p).data());
        ColorJitter cj = new ColorJitter(0.4, 0.4, 0.4);
        assertArrayEquals(ColorJitter.apply(in, cj.params(new SplittableRandom(3))).data(), cj.apply(in, new SplittableRandom(3)).data());
        // strength 0: the enhancer is left out (torchvision's None), and with all three at 0 the image is returned as is
        assertSame(in, new ColorJitter(0, 0, 0).apply(in, new SplittableRandom(5)));
    }
}
