package dev.semaim.data;

import java.awt.image.BufferedImage;
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
        assertArrayEquals(new float[] {50, 200}, new ImageDecoder(ImageDecoder.Grey.KEEP).decode(bytes, "g.png").data());
        assertArrayEquals(new float[] {50, 200, 50, 200, 50, 200}, new ImageDecoder().decode(bytes, "g.png").data());
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
        ImageDecoder decoder = new ImageDecoder(ImageDecoder.Grey.KEEP);
        for (int seed = 0; seed < 4; seed++) {
            int w = 37 + 29 * seed, h = 23 + 17 * seed;
            boolean grey = seed == 3;
            byte[] bytes = jpeg(noisy(w, h, grey ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_3BYTE_BGR, seed), seed == 2);
            BufferedImage reference = ImageIO.read(new java.io.ByteArrayInputStream(bytes));
            Image expected = grey ? ImageDecoder.toImage(reference, ImageDecoder.Grey.KEEP)
                    : ImageDecoder.toImageViaRgb(reference, new float[3 * w * h], h, w);
            Image actual = decoder.decode(bytes, "noisy" + seed + ".jpg");
            assertEquals(expected, actual, "seed " + seed + ", " + w + "x" + h + (grey ? " grey" : " colour")
                    + (seed == 2 ? " progressive" : ""));
        }
        byte[] cmyk;
        try (InputStream in = getClass().getResourceAsStream("cmyk-blocks.jpg")) {
            cmyk = in.readAllBytes();
        }
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
