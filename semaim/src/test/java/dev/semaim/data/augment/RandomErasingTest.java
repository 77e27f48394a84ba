package dev.semaim.data.augment;

import dev.semaim.data.CropBox;
import dev.semaim.data.Image;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * RandomErasing box statistics on 224x224 against the values of timm's algorithm (a 200 000-draw simulation of
 * it: P(box) 0.2504, mean area fraction 0.1764 within [0.0195, 0.3354], log(h/w) mean 0, std 0.693), and the
 * per-pixel N(0, 1) fill.
 */
class RandomErasingTest {
    @Test
    void boxStatistics() {
        RandomErasing re = new RandomErasing(0.25);
        SplittableRandom rng = new SplittableRandom(3);
        int n = 40000, boxes = 0;
        double area = 0, logAspect = 0, logAspectSq = 0, minArea = 1, maxArea = 0;
        for (int i = 0; i < n; i++) {
            CropBox b = re.box(224, 224, rng);
            if (b == null) continue;
            boxes++;
            assertTrue(b.top() >= 0 && b.left() >= 0 && b.top() + b.height() <= 224 && b.left() + b.width() <= 224, b.toString());
            assertTrue(b.height() < 224 && b.width() < 224, b.toString());
            double a = b.height() * b.width() / (224.0 * 224.0);
            area += a;
            minArea = Math.min(minArea, a);
            maxArea = Math.max(maxArea, a);
            double la = Math.log((double) b.height() / b.width());
            logAspect += la;
            logAspectSq += la * la;
        }
        assertEquals(0.25, boxes / (double) n, 0.007);
        assertEquals(0.1764, area / boxes, 0.004);
        assertTrue(minArea >= 0.0195 && maxArea <= 0.3355, minArea + " .. " + maxArea);
        double mean = logAspect / boxes;
        assertEquals(0, mean, 0.025);
        assertEquals(0.693, Math.sqrt(logAspectSq / boxes - mean * mean), 0.015);
    }

    @Test
    void pixelModeFillsTheBoxWithStandardNormalNoise() {
        // p = 1 on a constant image: exactly one box differs, its values look N(0, 1), the rest is untouched.
        RandomErasing re = new RandomErasing(1.0, 0.3, 0.3, 1.0); // a fixed square box of 30% of the area
        float[] v = new float[3 * 100 * 100];
        java.util.Arrays.fill(v, 42f);
        Image out = re.apply(new Image(v, 3, 100, 100, false), new SplittableRandom(9));
        int changed = 0;
        double sum = 0, sumSq = 0;
        for (float x : out.data()) {
            if (x == 42f) continue;
            changed++;
            sum += x;
            sumSq += x * x;
        }
        // h = w = round(sqrt(3000)) = 55 in each of the 3 channels.
        assertEquals(3 * 55 * 55, changed);
        assertEquals(0, sum / changed, 0.05);
        assertEquals(1, Math.sqrt(sumSq / changed), 0.05);
        assertEquals(42f, v[0]); // the input array is not modified
    }

    /** timm's 'rand' mode: one N(0, 1) colour per channel over the whole box; 'const': zeros. */
    @Test
    void randAndConstModesFillTheBoxWithOneValuePerChannel() {
        float[] v = new float[3 * 100 * 100];
        java.util.Arrays.fill(v, 42f);
        Image in = new Image(v, 3, 100, 100, false);
        Image rand = new RandomErasing(1.0, 0.3, 0.3, 1.0, ErasingMode.RAND, 1).apply(in, new SplittableRandom(9));
        Image zero = new RandomErasing(1.0, 0.3, 0.3, 1.0, ErasingMode.CONST, 1).apply(in, new SplittableRandom(9));
        Image pixel = new RandomErasing(1.0, 0.3, 0.3, 1.0).apply(in, new SplittableRandom(9));
        for (int c = 0; c < 3; c++) {
            java.util.Set<Float> randValues = new java.util.HashSet<>(), zeroValues = new java.util.HashSet<>();
            int changed = 0;
            for (int i = c * 10000; i < (c + 1) * 10000; i++) {
                if (rand.data()[i] != 42f) {
                    changed++;
                    randValues.add(rand.data()[i]);
                }
                if (zero.data()[i] != 42f) zeroValues.add(zero.data()[i]);
                // the same box as pixel mode: the draws before the fill are the same
                assertEquals(pixel.data()[i] == 42f, rand.data()[i] == 42f, "channel " + c + " index " + i);
            }
            assertEquals(55 * 55, changed);
            assertEquals(1, randValues.size(), "one colour per channel");
            assertEquals(java.util.Set.of(0f), zeroValues);
        }
    }

    /** timm's max_count: randint(1, N) boxes, each drawn with area / count. */
    @Test
    void recountErasesOneToNBoxesOfTheAreaShare() {
        RandomErasing re = new RandomErasing(1.0, 0.3, 0.3, 1.0, ErasingMode.CONST, 3);
        SplittableRandom rng = new SplittableRandom(5);
        float[] v = new float[100 * 100];
        java.util.Arrays.fill(v, 1f);
        java.util.Set<Integer> erased = new java.util.TreeSet<>();
        for (int i = 0; i < 200; i++) {
            int zeros = 0;
            for (float x : re.apply(new Image(v, 1, 100, 100, false), rng).data()) zeros += x == 0f ? 1 : 0;
            erased.add(zeros);
        }
        // one box of 3000 px (55x55 = 3025); two of 1500 (39x39 = 1521 each, overlapping or not); three of 1000 (32x32 = 1024)
        assertTrue(erased.contains(3025), erased.toString());
        assertTrue(erased.stream().allMatch(z -> z == 3025 || (z >= 1521 && z <= 2 * 1521) || (z >= 1024 && z <= 3 * 1024)), erased.toString());
        assertTrue(erased.stream().anyMatch(z -> z != 3025), erased.toString());
    }

    @Test
    void probabilityZeroReturnsTheInput() {
        Image in = new Image(new float[] {1, 2, 3, 4}, 1, 2, 2, false);
        assertSame(in, new RandomErasing(0).apply(in, new SplittableRandom(1)));
    }

    @Test
    void rejectsUint8Images() {
        Image in = new Image(new float[] {1}, 1, 1, 1, true);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new RandomErasing(0.25).apply(in, new SplittableRandom(1)));
        assertTrue(e.getMessage().contains("after Normalize"), e.getMessage());
    }
}
