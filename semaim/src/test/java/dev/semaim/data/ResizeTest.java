package dev.semaim.data;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Bicubic resampling against Pillow 9.4.0: the reference values below were produced once with
 * {@code Image.new('L', (6, 5)).putdata(SRC).resize((w, h), Image.BICUBIC)} (and mode 'F' for the float
 * case); no Python is needed to run the test.
 */
class ResizeTest {
    // 5 rows x 6 cols, value (x*37 + y*91 + x*y*13) % 256.
    private static final float[] SRC = {
        0, 37, 74, 111, 148, 185,
        91, 141, 191, 241, 35, 85,
        182, 245, 52, 115, 178, 241,
        17, 93, 169, 245, 65, 141,
        108, 197, 30, 119, 208, 41};

    private static Image src(boolean uint8) {
        float[] d = SRC.clone();
        if (!uint8) {
            for (int i = 0; i < d.length; i++) {
                d[i] /= 255f;
            }
        }
        return new Image(d, 1, 5, 6, uint8);
    }

    private static float[] floats(int... v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = v[i];
        }
        return f;
    }

    @Test
    void downscaleWithAntialiasMatchesPillow() {
        // 6x5 -> 3x2: kernel stretched by 2 (x) and 2.5 (y).
        assertArrayEquals(floats(102, 141, 137, 124, 141, 139), BicubicResampler.resize(src(true), 2, 3).data());
    }

    @Test
    void upscaleMatchesPillow() {
        assertArrayEquals(floats(
                0, 15, 45, 72, 98, 136, 171, 193,
                43, 68, 111, 156, 194, 115, 83, 121,
                121, 159, 174, 167, 219, 116, 74, 121,
                179, 235, 180, 48, 105, 154, 206, 244,
                49, 97, 135, 155, 220, 128, 111, 182,
                42, 98, 127, 122, 195, 153, 104, 89,
                108, 182, 143, 20, 98, 197, 156, 25), BicubicResampler.resize(src(true), 7, 8).data());
    }

    @Test
    void horizontalOnlyMatchesPillow() {
        assertArrayEquals(floats(11, 63, 122, 174, 105, 187, 170, 58, 213, 119, 123, 223, 39, 157, 182, 107, 146, 90, 144,
                104), BicubicResampler.resize(src(true), 5, 4).data());
    }

    @Test
    void floatImagesAreNotQuantised() {
        float[] pillow = {0.40131324529647827f, 0.5516710877418518f, 0.5373499989509583f,
                0.4858003556728363f, 0.5533679127693176f, 0.5438181161880493f};
        assertArrayEquals(pillow, BicubicResampler.resize(src(false), 2, 3).data(), 1e-6f);
    }

    @Test
    void handComputedKernelAndWeights() {
        // Keys cubic, a = -0.5: w(0) = 1, w(0.5) = 0.5625, w(1) = 0, w(1.5) = -0.0625.
        assertEquals(1.0, BicubicResampler.kernel(0), 0);
        assertEquals(0.5625, BicubicResampler.kernel(0.5), 1e-15);
        assertEquals(0.0, BicubicResampler.kernel(1), 0);
        assertEquals(-0.0625, BicubicResampler.kernel(-1.5), 1e-15);
        // Upscaling 2 -> 4: output 0 samples source coordinate 0.25; source pixels x=0,1 have centres 0.5, 1.5,
        // distances 0.25 and 1.25 (taps beyond the edge are dropped), w(0.25) = 0.8671875,
        // w(1.25) = -0.0703125, renormalised by their sum 0.796875.
        var taps = BicubicResampler.Taps.of(2, 4);
        assertEquals(0, taps.first()[0]);
        assertEquals(2, taps.count()[0]);
        assertEquals(0.8671875 / 0.796875, taps.weights()[0][0], 1e-15);
        assertEquals(-0.0703125 / 0.796875, taps.weights()[0][1], 1e-15);
    }

    @Test
    void resizeShorterSideUsesTorchvisionRounding() {
        // 375x500 (HxW) -> shorter side 256, long side int(256 * 500 / 375) = int(341.33) = 341.
        assertArrayEquals(new int[] {256, 341}, new Resize(256).outputSize(375, 500));
        assertArrayEquals(new int[] {341, 256}, new Resize(256).outputSize(500, 375));
        assertArrayEquals(new int[] {32, 32}, new Resize(32).outputSize(28, 28));
        assertArrayEquals(new int[] {10, 20}, new Resize(10, 20).outputSize(28, 28));
        Image out = new Resize(4).apply(src(true), null);
        assertEquals(4, out.height());
        assertEquals(4, out.width()); // int(4 * 6 / 5) = 4
    }

    /** A seeded random uint8 image (C, h, w): noise, so that every tap and every clip matters. */
    static Image randomLevels(java.util.SplittableRandom rng, int c, int h, int w) {
        float[] d = new float[c * h * w];
        for (int i = 0; i < d.length; i++) {
            d[i] = rng.nextInt(256);
        }
        return new Image(d, c, h, w, true);
    }

    /**
     * The same levels as a packed image ({@link Image#ofPackedLevels}): pixels of c + 1 bytes (one unused), the
     * channels stored in reverse order, as a decoder's BGR raster stores RGB.
     */
    static Image packed(Image img) {
        int c = img.channels(), stride = c + 1, plane = img.height() * img.width();
        byte[] bytes = new byte[plane * stride];
        int[] offsets = new int[c];
        for (int ch = 0; ch < c; ch++) {
            offsets[ch] = c - 1 - ch;
            for (int i = 0; i < plane; i++) {
                bytes[i * stride + offsets[ch]] = (byte) img.data()[ch * plane + i];
            }
        }
        return Image.ofPackedLevels(bytes, stride, offsets, img.height(), img.width());
    }

    /**
     * The fast path ({@code resizeLevels}: transposed box, vectorisable loops, no cropped copy) against the plain
     * per-pixel passes on the cropped image, exactly: seeded random images and boxes, down- and upscaling, sides
     * kept (a pass skipped), 1 and 3 channels.
     */
    @Test
    void fastLevelsMatchReferencePasses() {
        for (int seed = 0; seed < 60; seed++) {
            java.util.SplittableRandom rng = new java.util.SplittableRandom(seed);
            int c = seed % 3 == 0 ? 1 : 3, h = 1 + rng.nextInt(70), w = 1 + rng.nextInt(70);
            Image img = randomLevels(rng, c, h, w);
            int bh = 1 + rng.nextInt(h), bw = 1 + rng.nextInt(w);
            CropBox box = new CropBox(rng.nextInt(h - bh + 1), rng.nextInt(w - bw + 1), bh, bw);
            int oh = seed % 5 == 0 ? bh : 1 + rng.nextInt(60), ow = seed % 7 == 0 ? bw : 1 + rng.nextInt(60);
            float[] expected = BicubicResampler.resizeReference(box.applyTo(img), oh, ow).data();
            int[] actual = BicubicResampler.resizeLevels(img, box, oh, ow);
            int bad = 0;
            float worst = 0;
            for (int i = 0; i < expected.length; i++) {
                if (expected[i] != actual[i]) {
                    bad++;
                    worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
                }
            }
            assertEquals(0, bad, "seed " + seed + ": image " + img + ", box " + box + " -> " + oh + "x" + ow + ": "
                    + bad + " levels differ, largest difference " + worst);
            assertArrayEquals(expected, BicubicResampler.resize(img, box, oh, ow).data(), "seed " + seed);
            Image packed = packed(img);
            assertEquals(img, packed, "seed " + seed + ": packed levels read back");
            assertArrayEquals(actual, BicubicResampler.resizeLevels(packed, box, oh, ow), "seed " + seed + ", packed");
        }
    }

    /** The Vector API line loops (multiply-add, clip, normalise) against their scalar references, exactly, on seeded lines of every length 0..70. */
    @Test
    void vectorLevelLinesMatchScalar() {
        java.util.SplittableRandom rng = new java.util.SplittableRandom(7);
        for (int n = 0; n <= 70; n++) {
            int from = rng.nextInt(5), weight = rng.nextInt(-(1 << 21), 1 << 23);
            int[] src = new int[from + n], acc = new int[n];
            for (int i = 0; i < src.length; i++) {
                src[i] = rng.nextInt(256);
            }
            for (int i = 0; i < n; i++) {
                acc[i] = rng.nextInt(-(1 << 29), 1 << 30);
            }
            int[] expected = acc.clone(), actual = acc.clone();
            LevelLines.multiplyAddScalar(expected, src, from, weight, n);
            VectorLevelLines.multiplyAdd(actual, src, from, weight, n);
            assertArrayEquals(expected, actual, "multiplyAdd, n " + n + ", from " + from + ", weight " + weight);
            LevelLines.clipScalar(expected, n);
            VectorLevelLines.clip(actual, n);
            assertArrayEquals(expected, actual, "clip, n " + n);
            for (boolean mirror : new boolean[] {false, true}) {
                float[] want = new float[n + 3], got = new float[n + 3];
                LevelLines.normaliseScalar(expected, 0, want, 2, n, 0.485f, 0.229f, mirror);
                VectorLevelLines.normalise(expected, 0, got, 2, n, 0.485f, 0.229f, mirror);
                assertArrayEquals(want, got, "normalise, n " + n + ", mirror " + mirror);
            }
        }
    }
}
