package dev.semaim.data;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.awt.image.PixelInterleavedSampleModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.spi.ImageReaderSpi;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Decodes JPEG (baseline, progressive, CMYK/YCCK via the TwelveMonkeys ImageIO plugin) and PNG files into
 * uint8 {@link Image}s with a fixed number of channels, values 0..255: 3 for every image as PIL's
 * {@code convert("RGB")} gives them (grey replicated, palettes expanded), or 1 for every image as PIL's
 * {@code convert("L")} gives them (colour and palette images reduced to luma, {@link Image#toLuma()}), so that a
 * folder mixing grey and colour files decodes to images of one shape.
 *
 * <p>Like PIL with {@code LOAD_TRUNCATED_IMAGES = False}, a file whose data ends early is rejected rather than
 * returned half-grey: ImageIO only reports that as a reader warning ("premature end", "truncated"), so those
 * warnings are turned into errors; other warnings (missing ICC profile, extraneous bytes) are ignored, as
 * libjpeg/PIL ignore them. Alpha is dropped (PIL
 * {@code convert("RGB")}). Thread-safe: each call uses its own reader.
 */
public final class ImageDecoder {
    static {
        // Pick up plugins (TwelveMonkeys) that sit on the context class path of frameworks/launchers too.
        ImageIO.scanForPlugins();
        ImageIO.setUseCache(false);
    }

    /** Reader warnings that mean the pixel data is incomplete. */
    private static final Pattern TRUNCATION = Pattern.compile("premature end|truncat", Pattern.CASE_INSENSITIVE);

    /** Channels of every decoded image: 1 or 3. */
    private final int channels;

    /**
     * @param channels 1 (every image as PIL {@code convert("L")}) or 3 (as {@code convert("RGB")})
     * @throws IllegalArgumentException for any other count
     */
    public ImageDecoder(int channels) {
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("an image decoder gives 1 (grey) or 3 (RGB) channels, not " + channels);
        }
        this.channels = channels;
    }

    /** 3 channels (torchvision ImageFolder's default loader). */
    public ImageDecoder() {
        this(3);
    }

    public Image decode(Path file) throws IOException {
        return decode(Files.readAllBytes(file), file.toString());
    }

    /** Decodes the first image of the stream; {@code name} is used in error messages. */
    public Image decode(InputStream stream, String name) throws IOException {
        return decode(stream.readAllBytes(), name);
    }

    /**
     * Decodes the first image in {@code bytes}; {@code name} is used in error messages. A JPEG goes to the JDK's
     * own reader first (libjpeg; on Debian the system libjpeg-turbo, the library PIL uses), which skips the
     * TwelveMonkeys plugin's Java-side parsing; what that reader cannot do as well as the plugin (CMYK/YCCK, an
     * embedded ICC profile that is not sRGB, any error) takes the general path of {@link #decodeWithPlugins}, so
     * the pixels are those of the general path either way ({@code ImageDecoderTest.jdkJpegPathMatchesPluginPath}).
     */
    public Image decode(byte[] bytes, String name) throws IOException {
        if (bytes.length > 2 && (bytes[0] & 0xff) == 0xff && (bytes[1] & 0xff) == 0xd8) {
            Image fast = decodeJpegWithJdkReader(bytes, name);
            if (fast != null) {
                return fast;
            }
        }
        return decodeWithPlugins(bytes, name);
    }

    /** The JDK's JPEG reader ("com.sun.imageio.plugins.jpeg"), or null where this JDK has none. */
    private static final ImageReaderSpi JDK_JPEG = jdkJpegReader();

    private static ImageReaderSpi jdkJpegReader() {
        Iterator<ImageReader> it = ImageIO.getImageReadersByFormatName("jpeg");
        while (it.hasNext()) {
            ImageReader r = it.next();
            ImageReaderSpi spi = r.getOriginatingProvider();
            r.dispose();
            if (spi != null && spi.getClass().getName().startsWith("com.sun.imageio.plugins.jpeg.")) {
                return spi;
            }
        }
        return null;
    }

    /**
     * The JDK reader's decoding, when it gives 8-bit sRGB or grey pixels without trouble; null otherwise (the
     * caller then takes the general path). Truncation is an error here as there.
     */
    private Image decodeJpegWithJdkReader(byte[] bytes, String name) throws IOException {
        if (JDK_JPEG == null) {
            return null;
        }
        BufferedImage img;
        List<String> truncation = new ArrayList<>();
        ImageReader reader = JDK_JPEG.createReaderInstance();
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            reader.addIIOReadWarningListener((source, warning) -> {
                if (TRUNCATION.matcher(warning).find()) {
                    truncation.add(warning);
                }
            });
            reader.setInput(in, true, true);
            img = reader.read(0);
        } catch (IOException | RuntimeException e) {
            return null;
        } finally {
            reader.dispose();
        }
        if (!truncation.isEmpty()) {
            throw new IOException("truncated image " + name + ": " + String.join("; ", truncation));
        }
        int type = img.getType();
        boolean plain = (type == BufferedImage.TYPE_3BYTE_BGR && img.getColorModel().getColorSpace().isCS_sRGB())
                || (type == BufferedImage.TYPE_BYTE_GRAY && img.getColorModel().getComponentSize(0) == 8);
        return plain ? toImage(img, channels) : null;
    }

    /** Decodes with whichever ImageIO reader claims the data (TwelveMonkeys for JPEG, the JDK's for PNG). */
    Image decodeWithPlugins(byte[] bytes, String name) throws IOException {
        BufferedImage img;
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
            if (readers == null || !readers.hasNext()) {
                throw new IOException("not a readable image (unknown or corrupt format): " + name);
            }
            ImageReader reader = readers.next();
            List<String> truncation = new ArrayList<>();
            reader.addIIOReadWarningListener((source, warning) -> {
                if (TRUNCATION.matcher(warning).find()) {
                    truncation.add(warning);
                }
            });
            try {
                reader.setInput(in, true, true);
                img = reader.read(0);
            } catch (RuntimeException e) {
                throw new IOException("corrupt image " + name + ": " + e, e);
            } finally {
                reader.dispose();
            }
            if (!truncation.isEmpty()) {
                throw new IOException("truncated image " + name + ": " + String.join("; ", truncation));
            }
        } catch (IOException e) {
            if (e.getMessage() != null && e.getMessage().contains(name)) {
                throw e;
            }
            throw new IOException("cannot decode " + name + ": " + e.getMessage(), e);
        }
        return toImage(img, channels);
    }

    /**
     * Converts to CHW uint8 levels with {@code channels} (1 or 3) channels: the image's own levels (1 channel for a
     * grey colour space, else 3), then grey replicated to 3 or colour reduced to 1 (luma) where the counts differ.
     * Palette images (an {@link java.awt.image.IndexColorModel}, which is also how the JDK reads 1-, 2- and 4-bit
     * grey PNGs) take the colour path: their palette expanded to RGB, whose luma is the grey level again.
     */
    static Image toImage(BufferedImage img, int channels) {
        Image levels = img.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_GRAY ? greyLevels(img) : rgbLevels(img);
        if (levels.channels() == channels) {
            return levels;
        }
        return channels == 3 ? levels.replicateChannels(3) : levels.toLuma();
    }

    /** A grey colour space's first band as 1 channel (raw levels: no sRGB gamma round trip). */
    private static Image greyLevels(BufferedImage img) {
        int h = img.getHeight(), w = img.getWidth();
        int bits = img.getColorModel().getComponentSize(0);
        if (bits == 8 && img.getRaster().getNumBands() == 1 && packedBytes(img, 1) != null) {
            return Image.ofPackedLevels(packedBytes(img, 1), 1, new int[] {0}, h, w);
        }
        Raster raster = img.getRaster();
        // 16-bit greys are scaled to 8 bits like a uint8 conversion would: round(v * 255 / 65535).
        double toByte = 255.0 / ((1 << bits) - 1);
        float[] data = new float[h * w];
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            raster.getSamples(0, y, w, 1, 0, row);
            for (int x = 0; x < w; x++) {
                data[y * w + x] = bits == 8 ? row[x] : (float) Math.rint(row[x] * toByte);
            }
        }
        return new Image(data, 1, h, w, true);
    }

    /** Any other colour model as 3 channels R, G, B. */
    private static Image rgbLevels(BufferedImage img) {
        int h = img.getHeight(), w = img.getWidth();
        if (img.getType() == BufferedImage.TYPE_3BYTE_BGR && img.getColorModel().getColorSpace().isCS_sRGB()
                && packedBytes(img, 3) != null) {
            // The bytes getRGB would give (an sRGB colour model converts nothing), kept as they are: B, G, R.
            return Image.ofPackedLevels(packedBytes(img, 3), 3, new int[] {2, 1, 0}, h, w);
        }
        return toImageViaRgb(img, new float[3 * h * w], h, w);
    }

    /**
     * The raster's bytes when they are exactly {@code h * w} pixels of {@code stride} interleaved bytes from offset
     * 0, row after row (what the JDK reader allocates); null for any other layout.
     */
    private static byte[] packedBytes(BufferedImage img, int stride) {
        Raster r = img.getRaster();
        if (r.getDataBuffer() instanceof DataBufferByte buffer && buffer.getNumBanks() == 1 && buffer.getOffset() == 0
                && r.getSampleModel() instanceof PixelInterleavedSampleModel sm && sm.getPixelStride() == stride
                && sm.getScanlineStride() == stride * img.getWidth() && r.getSampleModelTranslateX() == 0
                && r.getSampleModelTranslateY() == 0 && r.getParent() == null) {
            return buffer.getData();
        }
        return null;
    }

    /** Any other colour image through {@link BufferedImage#getRGB} (sRGB, colour-managed). The reference path. */
    static Image toImageViaRgb(BufferedImage img, float[] data, int h, int w) {
        int plane = h * w;
        int[] argb = new int[w];
        for (int y = 0; y < h; y++) {
            img.getRGB(0, y, w, 1, argb, 0, w);
            for (int x = 0; x < w; x++) {
                int p = argb[x], i = y * w + x;
                data[i] = (p >> 16) & 0xff;
                data[plane + i] = (p >> 8) & 0xff;
                data[2 * plane + i] = p & 0xff;
            }
        }
        return new Image(data, 3, h, w, true);
    }
}
