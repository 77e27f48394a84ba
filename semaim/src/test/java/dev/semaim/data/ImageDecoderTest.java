package dev.semaim.data;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageDecoderTest {
    static byte[] png(BufferedImage img) throws IOException {
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        ImageIO.write(img, "png", bo);
        return bo.toByteArray();
    }

    /** A smooth 3-channel test picture, w x h. */
    static BufferedImage gradient(int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, (x * 255 / w) << 16 | (y * 255 / h) << 8 | 128);
            }
        }
        return img;
    }

    @Test
    void pngRgbIsExact() throws IOException {
        BufferedImage img = new BufferedImage(3, 2, BufferedImage.TYPE_INT_ARGB);
        img.setRGB(0, 0, 0xff102030);
        img.setRGB(2, 1, 0x80ff0001); // alpha dropped, colour kept
        Image out = new ImageDecoder().decode(png(img), "rgba.png");
        assertEquals(3, out.channels());
        assertTrue(out.isUint8());
        assertEquals(0x10, out.get(0, 0, 0));
        assertEquals(0x20, out.get(1, 0, 0));
        assertEquals(0x30, out.get(2, 0, 0));
        assertEquals(255, out.get(0, 1, 2));
        assertEquals(1, out.get(2, 1, 2));
    }

    @Test
    void greyKeepsOrReplicatesWithoutGammaChange() throws IOException {
        BufferedImage img = new BufferedImage(2, 1, BufferedImage.TYPE_BYTE_GRAY);
        img.getRaster().setSample(0, 0, 0, 50);
        img.getRaster().setSample(1, 0, 0, 200);
        byte[] bytes = png(img);
        assertArrayEquals(new float[] {50, 200}, new ImageDecoder(1).decode(bytes, "g.png").data());
        assertArrayEquals(new float[] {50, 200, 50, 200, 50, 200}, new ImageDecoder().decode(bytes, "g.png").data());
    }

    /**
     * Every image comes out with the requested channel count, whatever its colour model: 1 as PIL's
     * {@code convert("L")} ({@code L = (R * 19595 + G * 38470 + B * 7471 + 0x8000) >> 16}), 3 as {@code convert("RGB")}.
     * A grey JPEG, a colour JPEG, a 1-bit and a 2-bit grey PNG (which the JDK reads with an IndexColorModel, not a
     * grey colour space) and a palette PNG; mixed in one folder they used to give 1- and 3-channel images.
     */
    @Test
    void everyImageHasTheRequestedChannels() throws IOException {
        ImageDecoder l = new ImageDecoder(1), rgb = new ImageDecoder(3);

        byte[] greyJpeg = jpeg(noisy(13, 9, BufferedImage.TYPE_BYTE_GRAY, 5), false);
        Image greyL = l.decode(greyJpeg, "grey.jpg");
        assertEquals(1, greyL.channels());
        assertEquals(greyL.replicateChannels(3), rgb.decode(greyJpeg, "grey.jpg"));

        byte[] colourJpeg = jpeg(noisy(13, 9, BufferedImage.TYPE_3BYTE_BGR, 6), false);
        Image colour = rgb.decode(colourJpeg, "colour.jpg");
        assertEquals(3, colour.channels());
        Image colourL = l.decode(colourJpeg, "colour.jpg");
        assertEquals(1, colourL.channels());
        for (int y = 0; y < 9; y++) {
            for (int x = 0; x < 13; x++) {
                int r = (int) colour.get(0, y, x), g = (int) colour.get(1, y, x), b = (int) colour.get(2, y, x);
                assertEquals((r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16, colourL.get(0, y, x), "pixel " + y + "," + x);
            }
        }

        // 1-bit grey (TYPE_BYTE_BINARY): levels 0 and 255.
        BufferedImage bits1 = new BufferedImage(3, 1, BufferedImage.TYPE_BYTE_BINARY);
        bits1.getRaster().setSample(1, 0, 0, 1);
        assertGreyPng(bits1, new float[] {0, 255, 0}, l, rgb);
        // 2-bit grey: levels 0, 85, 170, 255 (PIL's "L;2" unpacking).
        byte[] ramp = {0, 85, (byte) 170, (byte) 255};
        BufferedImage bits2 = new BufferedImage(4, 1, BufferedImage.TYPE_BYTE_BINARY, new IndexColorModel(2, 4, ramp, ramp, ramp));
        for (int x = 0; x < 4; x++) {
            bits2.getRaster().setSample(x, 0, 0, 3 - x);
        }
        assertGreyPng(bits2, new float[] {255, 170, 85, 0}, l, rgb);

        // Palette: red, green, blue, (100, 150, 200). Luma 76, 150, 29 (PIL's values for the primaries) and 141
        // (9256968 >> 16; the older (299 R + 587 G + 114 B) / 1000 would give 140).
        IndexColorModel palette = new IndexColorModel(8, 4, new byte[] {(byte) 255, 0, 0, 100},
                new byte[] {0, (byte) 255, 0, (byte) 150}, new byte[] {0, 0, (byte) 255, (byte) 200});
        BufferedImage indexed = new BufferedImage(4, 1, BufferedImage.TYPE_BYTE_INDEXED, palette);
        for (int x = 0; x < 4; x++) {
            indexed.getRaster().setSample(x, 0, 0, x);
        }
        byte[] palettePng = png(indexed);
        assertTrue(ImageIO.read(new ByteArrayInputStream(palettePng)).getColorModel() instanceof IndexColorModel);
        assertArrayEquals(new float[] {255, 0, 0, 100, 0, 255, 0, 150, 0, 0, 255, 200}, rgb.decode(palettePng, "p.png").data());
        assertArrayEquals(new float[] {76, 150, 29, 141}, l.decode(palettePng, "p.png").data());

        assertEquals(1, new ImageDecoder(1).decode(colourJpeg, "colour.jpg").channels());
        assertEquals(3, new ImageDecoder(3).decode(greyJpeg, "grey.jpg").channels());
        assertThrows(IllegalArgumentException.class, () -> new ImageDecoder(2));
    }

    /** {@code img} written as PNG reads back with an IndexColorModel and decodes to {@code levels} (1 and 3 channels). */
    private static void assertGreyPng(BufferedImage img, float[] levels, ImageDecoder l, ImageDecoder rgb) throws IOException {
        byte[] bytes = png(img);
        assertTrue(ImageIO.read(new ByteArrayInputStream(bytes)).getColorModel() instanceof IndexColorModel);
        assertArrayEquals(levels, l.decode(bytes, "grey.png").data());
        float[] replicated = new float[3 * levels.length];
        for (int c = 0; c < 3; c++) {
            System.arraycopy(levels, 0, replicated, c * levels.length, levels.length);
        }
        assertArrayEquals(replicated, rgb.decode(bytes, "grey.png").data());
    }

    @Test
    void progressiveJpeg() throws IOException {
        BufferedImage src = gradient(40, 24);
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ImageWriteParam param = writer.getDefaultWriteParam();
        param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(bo)) {
            writer.setOutput(out);
            writer.write(null, new IIOImage(src, null, null), param);
        } finally {
            writer.dispose();
        }
        Image img = new ImageDecoder().decode(bo.toByteArray(), "progressive.jpg");
        assertEquals(24, img.height());
        assertEquals(40, img.width());
        assertEquals(128, img.get(2, 10, 20), 6); // lossy, but close to the source's constant blue
        assertEquals(20 * 255 / 40, img.get(0, 10, 20), 10);
    }

    @Test
    void cmykJpeg() throws IOException {
        // Fixture: 32x8 Adobe CMYK JPEG (inverted CMYK, as Photoshop writes it) made once with Pillow 9.4.0,
        // four 8-pixel-wide blocks C,M,Y,K = white (0,0,0,0), cyan (255,0,0,0), magenta (0,255,0,0), black (0,0,0,255).
        byte[] bytes;
        try (InputStream in = getClass().getResourceAsStream("cmyk-blocks.jpg")) {
            bytes = in.readAllBytes();
        }
        Image img = new ImageDecoder().decode(bytes, "cmyk-blocks.jpg");
        assertEquals(3, img.channels());
        assertEquals(8, img.height());
        assertEquals(32, img.width());
        // TwelveMonkeys converts through a CMYK ICC profile, so colours are approximate, not the naive 255 - x.
        float[] white = rgb(img, 4), cyan = rgb(img, 12), magenta = rgb(img, 20), black = rgb(img, 28);
        assertTrue(white[0] > 220 && white[1] > 220 && white[2] > 220, Arrays.toString(white));
        assertTrue(cyan[0] < 100 && cyan[1] > 120 && cyan[2] > 180, Arrays.toString(cyan));
        assertTrue(magenta[0] > 180 && magenta[1] < 100 && magenta[2] > 80, Arrays.toString(magenta));
        assertTrue(black[0] < 80 && black[1] < 80 && black[2] < 80, Arrays.toString(black));
    }

    private static float[] rgb(Image img, int x) {
        return new float[] {img.get(0, 4, x), img.get(1, 4, x), img.get(2, 4, x)};
    }

    @Test
    void corruptAndTruncatedFilesFailNamingTheFile() throws IOException {
        IOException e = assertThrows(IOException.class, () -> new ImageDecoder().decode(new byte[] {1, 2, 3}, "junk.jpg"));
        assertTrue(e.getMessage().contains("junk.jpg"), e.getMessage());
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        ImageIO.write(gradient(64, 64), "jpg", bo);
        byte[] cut = Arrays.copyOf(bo.toByteArray(), bo.size() * 3 / 4);
        e = assertThrows(IOException.class, () -> new ImageDecoder().decode(cut, "cut.jpg"));
        assertTrue(e.getMessage().contains("cut.jpg"), e.getMessage());
    }

    /** A seeded noisy picture (edges and texture, so that chroma subsampling and the IDCT matter), w x h. */
    static BufferedImage noisy(int w, int h, int type, long seed) {
        java.util.SplittableRandom rng = new java.util.SplittableRandom(seed);
        BufferedImage img = new BufferedImage(w, h, type);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int r = (x * 255 / w + rng.nextInt(60)) & 0xff, g = ((x ^ y) * 7 + rng.nextInt(40)) & 0xff;
                img.setRGB(x, y, r << 16 | g << 8 | (y * 255 / h));
            }
        }
        return img;
    }

    static byte[] jpeg(BufferedImage img, boolean progressive) throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ImageWriteParam param = writer.getDefaultWriteParam();
        param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionQuality(0.9f);
        if (progressive) {
            param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
        }
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(bo)) {
            writer.setOutput(out);
            writer.write(null, new IIOImage(img, null, null), param);
        } finally {
            writer.dispose();
        }
        return bo.toByteArray();
    }

    /**
     * The fast JPEG path (the JDK's reader, raster bytes read directly) gives exactly the pixels of the general
     * path (the first registered reader, TwelveMonkeys, then {@code getRGB} pixel by pixel): colour 4:2:0 and
     * progressive, odd sizes, grey; and the CMYK fixture, which only the general path reads, is unchanged.
     */
    @Test
    void jdkJpegPathMatchesPluginPath() throws IOException {
        for (int seed = 0; seed < 4; seed++) {
            int w = 37 + 29 * seed, h = 23 + 17 * seed;
            boolean grey = seed == 3;
            byte[] bytes = jpeg(noisy(w, h, grey ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_3BYTE_BGR, seed), seed == 2);
            BufferedImage reference = ImageIO.read(new java.io.ByteArrayInputStream(bytes));
            Image expected = grey ? ImageDecoder.toImage(reference, 1)
                    : ImageDecoder.toImageViaRgb(reference, new float[3 * w * h], h, w);
            Image actual = new ImageDecoder(grey ? 1 : 3).decode(bytes, "noisy" + seed + ".jpg");
            assertEquals(expected, actual, "seed " + seed + ", " + w + "x" + h + (grey ? " grey" : " colour")
                    + (seed == 2 ? " progressive" : ""));
        }
        byte[] cmyk;
        try (InputStream in = getClass().getResourceAsStream("cmyk-blocks.jpg")) {
            cmyk = in.readAllBytes();
        }
        ImageDecoder decoder = new ImageDecoder();
        assertEquals(decoder.decodeWithPlugins(cmyk, "cmyk-blocks.jpg"), decoder.decode(cmyk, "cmyk-blocks.jpg"));
    }

    /**
     * Against Pillow 9.4 (Debian; fixtures from scripts/torch/make_decode_fixtures.py): a 48x40 noisy JPEG written by
     * PIL decodes to exactly PIL's {@code convert("RGB")} levels (the JDK reader runs the same libjpeg-turbo), and
     * the crop (top 5, left 7, 30x33) resized to 24x24 bicubic, as RandomResizedCrop does it, read straight from the
     * decoded packed bytes, gives exactly PIL's {@code crop().resize(BICUBIC)}.
     */
    @Test
    void jpegAndResizedCropMatchPillow() throws IOException {
        byte[] jpeg = resource("pil-noise-48x40.jpg");
        Image img = new ImageDecoder().decode(jpeg, "pil-noise-48x40.jpg");
        assertLevels(resource("pil-noise-48x40.rgb"), img, "decoded");
        assertLevels(resource("pil-noise-48x40-crop-5-7-30-33-to-24.rgb"),
                BicubicResampler.resize(img, new CropBox(5, 7, 30, 33), 24, 24), "resized crop");
    }

    private byte[] resource(String name) throws IOException {
        try (InputStream in = getClass().getResourceAsStream(name)) {
            return in.readAllBytes();
        }
    }

    /** {@code rgb}: Pillow's row-major RGB bytes of an image of {@code img}'s shape. */
    private static void assertLevels(byte[] rgb, Image img, String what) {
        assertEquals(rgb.length, 3 * img.height() * img.width(), what + ": size");
        int bad = 0, worst = 0;
        for (int y = 0; y < img.height(); y++) {
            for (int x = 0; x < img.width(); x++) {
                for (int c = 0; c < 3; c++) {
                    int d = Math.abs((rgb[(y * img.width() + x) * 3 + c] & 0xff) - (int) img.get(c, y, x));
                    bad += d == 0 ? 0 : 1;
                    worst = Math.max(worst, d);
                }
            }
        }
        assertEquals(0, bad, what + " " + img + ": " + bad + " levels differ from Pillow's, largest difference " + worst);
    }
}
