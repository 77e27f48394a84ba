package dev.semaim.data.augment;

import dev.semaim.data.CropBox;
import org.junit.jupiter.api.Test;

import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Mixup / CutMix with label smoothing: hand-computed targets, boxes and lambdas, and the draw statistics. */
class MixupTest {
    @Test
    void labelSmoothingValues() {
        // smoothing 0.1 over 4 classes: off = 0.025, on = 1 - 0.1 + 0.025 = 0.925; lambda 1 = plain smoothing.
        float[] t = Mixup.softTargets(new int[] {1, 3}, 4, 1.0, 0.1);
        assertArrayEquals(new float[] {0.025f, 0.925f, 0.025f, 0.025f, 0.025f, 0.025f, 0.025f, 0.925f}, t);
        // ImageNet: off = 1e-4, on = 0.9001.
        float[] big = Mixup.softTargets(new int[] {5, 5}, 1000, 1.0, 0.1);
        assertEquals(0.9001f, big[5]);
        assertEquals(1e-4f, big[0]);
    }

    @Test
    void mixedTargetsPairEachSampleWithTheFlippedBatch() {
        // labels (0, 2), lambda 0.7: sample 0 = 0.7 onehot(0) + 0.3 onehot(2) with smoothing:
        // class 0: 0.925*0.7 + 0.025*0.3 = 0.655; class 2: 0.025*0.7 + 0.925*0.3 = 0.295; others 0.025.
        float[] t = Mixup.softTargets(new int[] {0, 2}, 4, 0.7, 0.1);
        assertArrayEquals(new float[] {0.655f, 0.025f, 0.295f, 0.025f}, java.util.Arrays.copyOfRange(t, 0, 4), 1e-7f);
        assertArrayEquals(new float[] {0.295f, 0.025f, 0.655f, 0.025f}, java.util.Arrays.copyOfRange(t, 4, 8), 1e-7f);
        for (int b = 0; b < 2; b++) {
            float sum = 0;
            for (int k = 0; k < 4; k++) sum += t[b * 4 + k];
            assertEquals(1f, sum, 1e-6f);
        }
    }

    @Test
    void mixupBlendsWithTheFlippedBatch() {
        // Two 1x1x2 images (1, 2) and (3, 4), lambda 0.25: out0 = 0.25 x0 + 0.75 x1, out1 = 0.25 x1 + 0.75 x0.
        float[] out = Mixup.blend(new float[] {1, 2, 3, 4}, 2, 0.25);
        assertArrayEquals(new float[] {2.5f, 3.5f, 1.5f, 2.5f}, out);
    }

    /** Mode 'elem': image b = lambda_b x[b] + (1 - lambda_b) x[B-1-b] of the originals, a lambda per image. */
    @Test
    void elemModeMixesEachImageWithItsOwnLambda() {
        float[] x = {1, 2, 3, 4, 5, 6, 7, 8}; // four 1x1x2 images
        Mixup m = new Mixup(0.8, 0, 1.0, 0.5, 0.0, 3, MixupMode.ELEM);
        Mixup.Result r = m.apply(x, new int[] {0, 1, 2, 0}, 1, 1, 2, new SplittableRandom(3));
        double[] l = r.lambdas();
        assertEquals(4, java.util.Arrays.stream(l).distinct().count(), java.util.Arrays.toString(l));
        for (int i = 0; i < 4; i++) {
            int j = 3 - i;
            float a = (float) l[i], c = (float) (1 - l[i]);
            assertArrayEquals(new float[] {x[2 * i] * a + x[2 * j] * c, x[2 * i + 1] * a + x[2 * j + 1] * c},
                    java.util.Arrays.copyOfRange(r.images(), 2 * i, 2 * i + 2), "image " + i);
        }
        assertArrayEquals(Mixup.softTargets(new int[] {0, 1, 2, 0}, 3, l, 0.0), r.targets());
        assertEquals(1f, r.targets()[0], 1e-6f); // sample 0 (label 0) with sample 3 (label 0): class 0 is all of it
        assertEquals((float) l[1], r.targets()[3 + 1], 1e-6f); // sample 1 (label 1) with sample 2 (label 2)
        assertEquals((float) (1 - l[1]), r.targets()[3 + 2], 1e-6f);
    }

    /** Mode 'pair': one lambda per pair (b, B-1-b), both mixed with each other; cutmix swaps the same box both ways. */
    @Test
    void pairModeMixesBothImagesOfAPairWithOneLambda() {
        float[] x = new float[4 * 16];
        for (int i = 0; i < x.length; i++) x[i] = i / 16; // image b is all b
        Mixup m = new Mixup(0, 1.0, 1.0, 0.5, 0.0, 4, MixupMode.PAIR);
        Mixup.Result r = m.apply(x, new int[] {0, 1, 2, 3}, 1, 4, 4, new SplittableRandom(11));
        double[] l = r.lambdas();
        assertEquals(l[0], l[3]);
        assertEquals(l[1], l[2]);
        for (int i = 0; i < 2; i++) {
            int j = 3 - i, mine = 0, theirs = 0;
            for (int k = 0; k < 16; k++) {
                float v = r.images()[i * 16 + k], w = r.images()[j * 16 + k];
                assertTrue(v == i ? w == j : v == j && w == i, "pixel " + k + " of pair " + i);
                mine += v == i ? 1 : 0;
                theirs += v == j ? 1 : 0;
            }
            assertEquals(l[i], mine / 16.0, 1e-12, "the corrected lambda is the share kept");
        }
        assertNull(r.box());
    }

    /** timm's cutmix_minmax: box sides uniform in [int(H min), int(H max)), lambda the share kept; cutmix whatever the alphas. */
    @Test
    void cutmixMinmaxDrawsTheBoxSidesAndTakesLambdaFromTheBox() {
        Mixup m = new Mixup(0, 0, 1.0, 0.5, 0.0, 2, MixupMode.BATCH, new double[] {0.25, 0.75});
        float[] x = new float[2 * 16 * 16];
        for (int i = 16 * 16; i < x.length; i++) x[i] = 1; // image 0 all 0, image 1 all 1
        SplittableRandom rng = new SplittableRandom(2);
        Set<Integer> sides = new java.util.TreeSet<>();
        for (int t = 0; t < 300; t++) {
            Mixup.Result r = m.apply(x, new int[] {0, 1}, 1, 16, 16, rng);
            CropBox b = r.box();
            sides.add(b.height());
            sides.add(b.width());
            assertTrue(b.top() + b.height() <= 16 && b.left() + b.width() <= 16, b.toString());
            int ones = 0;
            for (int k = 0; k < 256; k++) ones += r.images()[k] == 1 ? 1 : 0;
            assertEquals(b.height() * b.width(), ones);
            assertEquals(1.0 - ones / 256.0, r.lambda(), 1e-12);
        }
        assertEquals(Set.of(4, 5, 6, 7, 8, 9, 10, 11), sides, "int(16 * 0.25) = 4 up to int(16 * 0.75) = 12, exclusive");
    }

    @Test
    void cutmixBoxAndCorrectedLambda() {
        // H 10, W 8, lambda 0.64: ratio 0.6, cut 6 x int(4.8) = 4; centre (2, 7): rows [0, 5) (clipped from -1),
        // cols [5, 8) (clipped from 9): area 15 of 80 -> corrected lambda 1 - 15/80 = 0.8125.
        CropBox box = Mixup.cutmixBox(10, 8, 0.64, 2, 7);
        assertEquals(new CropBox(0, 5, 5, 3), box);
        assertEquals(0.8125, Mixup.correctedLambda(box, 10, 8));
        // Centred and unclipped: lambda 0.75 on 8x8 -> ratio 0.5, cut 4x4 around (4, 4): rows/cols [2, 6).
        CropBox c = Mixup.cutmixBox(8, 8, 0.75, 4, 4);
        assertEquals(new CropBox(2, 2, 4, 4), c);
        assertEquals(0.75, Mixup.correctedLambda(c, 8, 8));
    }

    @Test
    void cutmixPastesTheRegionOfTheFlippedImage() {
        // Batch of 2 one-channel 2x3 images: all 1s and all 2s; box row 1, cols [1, 3).
        float[] x = {1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2};
        float[] out = Mixup.paste(x, 2, 1, 2, 3, new CropBox(1, 1, 1, 2));
        assertArrayEquals(new float[] {1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 1, 1}, out);
    }

    @Test
    void drawsFollowTheRecipe() {
        // 2000 batches of 2: half cutmix (switch prob 0.5); mixup lambda ~ Beta(0.8, 0.8) (mean 0.5, var 0.0962);
        // the result always agrees with its own box and lambda.
        Mixup m = Mixup.finetune(3);
        SplittableRandom rng = new SplittableRandom(11);
        int cut = 0, mix = 0, n = 2000;
        double sum = 0, sumSq = 0;
        float[] images = new float[2 * 1 * 8 * 8];
        for (int i = 0; i < 64; i++) images[64 + i] = 1;
        for (int i = 0; i < n; i++) {
            Mixup.Result r = m.apply(images, new int[] {0, 1}, 1, 8, 8, rng);
            float ones = 0;
            for (int j = 0; j < 64; j++) ones += r.images()[j];
            if (r.box() != null) {
                cut++;
                assertEquals(Mixup.correctedLambda(r.box(), 8, 8), r.lambda());
                assertEquals(r.box().height() * r.box().width(), ones); // pasted from the all-ones image
            } else {
                mix++;
                sum += r.lambda();
                sumSq += r.lambda() * r.lambda();
                assertEquals(64 * (float) (1 - r.lambda()), ones, 1e-3);
            }
            // Sample 0 is label 0 mixed with label 1: class 0 carries lambda, class 1 the rest, class 2 only smoothing.
            float off = (float) (0.1 / 3);
            assertEquals(off, r.targets()[2], 1e-7);
            assertEquals((float) (r.lambda() * (0.9 + 0.1 / 3) + (1 - r.lambda()) * 0.1 / 3), r.targets()[0], 1e-6);
        }
        assertEquals(0.5, cut / (double) n, 0.035);
        double mean = sum / mix, var = sumSq / mix - mean * mean;
        assertEquals(0.5, mean, 0.03);
        assertEquals(0.64 / (2.56 * 2.6), var, 0.012);
    }

    @Test
    void betaSamplerMoments() {
        SplittableRandom rng = new SplittableRandom(5);
        double[][] params = {{1.0, 1.0}, {0.8, 0.8}, {2.0, 5.0}};
        for (double[] p : params) {
            double a = p[0], b = p[1], sum = 0, sumSq = 0;
            int n = 40000;
            for (int i = 0; i < n; i++) {
                double x = Beta.sample(rng, a, b);
                assertTrue(x >= 0 && x <= 1);
                sum += x;
                sumSq += x * x;
            }
            double mean = sum / n, var = sumSq / n - mean * mean;
            assertEquals(a / (a + b), mean, 0.006, "Beta(" + a + ", " + b + ") mean");
            assertEquals(a * b / ((a + b) * (a + b) * (a + b + 1)), var, 0.003, "Beta(" + a + ", " + b + ") variance");
        }
    }

    @Test
    void noMixingWhenProbabilityIsZero() {
        Mixup m = new Mixup(0.8, 1.0, 0.0, 0.5, 0.1, 2);
        float[] x = {1, 2, 3, 4};
        Mixup.Result r = m.apply(x, new int[] {0, 1}, 1, 1, 2, new SplittableRandom(1));
        assertArrayEquals(x, r.images());
        assertEquals(1.0, r.lambda());
        assertNull(r.box());
        assertArrayEquals(new float[] {0.95f, 0.05f, 0.05f, 0.95f}, r.targets());
    }

    @Test
    void rejectsOddBatchesAndBadLabels() {
        Mixup m = Mixup.finetune(2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> m.apply(new float[3], new int[] {0, 1, 0}, 1, 1, 1, new SplittableRandom(1)));
        assertTrue(e.getMessage().contains("even batch size, got 3"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Mixup.softTargets(new int[] {0, 2}, 2, 0.5, 0.1));
        assertTrue(e.getMessage().contains("label 2 of sample 1"), e.getMessage());
    }
}
