package dev.semaim.data;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
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
import javax.imageio.stream.ImageInputStream;

/**
 * Decodes JPEG (baseline, progressive, CMYK/YCCK via the TwelveMonkeys ImageIO plugin) and PNG files into
 * uint8 {@link Image}s with 3 (RGB) or 1 (grey) channels, values 0..255.
 *
 * <p>Like PIL with {@code LOAD_TRUNCATED_IMAGES = False}, a file whose data ends early is rejected rather than
 * returned half-grey: ImageIO only reports that as a reader warning ("premature end", "truncated"), so those
 * warnings are turned into errors; other warnings (missing ICC profile, extraneous bytes) are ignored, as
 * libjpeg/PIL ignore them. Alpha is dropped (PIL
 * {@code convert("RGB")}). Thread-safe: each call uses its own reader.
 */
public final class ImageDecoder {
    /** What to do with single-channel (grey) images. */
    public enum Grey {
        /** Keep 1 channel. */
        KEEP,
        /** Replicate to 3 identical channels, as torchvision's loader ({@code convert("RGB")}). */
        TO_RGB
    }

    static {
        // Pick up plugins (TwelveMonkeys) that sit on the context class path of frameworks/launchers too.
        ImageIO.scanForPlugins();
        ImageIO.setUseCache(false);
    }

    /** Reader warnings that mean the pixel data is incomplete. */
    private static final Pattern TRUNCATION = Pattern.compile("premature end|truncat", Pattern.CASE_INSENSITIVE);

    private final Grey grey;

    public ImageDecoder(Grey grey) {
        this.grey = grey;
    }

    /** Grey images replicated to RGB (torchvision ImageFolder default). */
    public ImageDecoder() {
        this(Grey.TO_RGB);
    }

    public Image decode(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return decode(in, file.toString());
        }
    }

    public Image decode(byte[] bytes, String name) throws IOException {
        return decode(new ByteArrayInputStream(bytes), name);
    }

    /** Decodes the first image of the stream; {@code name} is used in error messages. */
    public Image decode(InputStream stream, String name) throws IOException {
        BufferedImage img;
        try (ImageInputStream in = ImageIO.createImageInputStream(stream)) {
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
        return toImage(img, grey);
    }

    /** Converts to CHW uint8 levels. Grey colour spaces read the raw first band (no sRGB gamma round trip). */
    static Image toImage(BufferedImage img, Grey grey) {
        int h = img.getHeight(), w = img.getWidth(), plane = h * w;
        boolean isGrey = img.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_GRAY;
        if (isGrey) {
            Raster raster = img.getRaster();
            int bits = img.getColorModel().getComponentSize(0);
            // 16-bit greys are scaled to 8 bits like a uint8 conversion would: round(v * 255 / 65535).
            double toByte = 255.0 / ((1 << bits) - 1);
            float[] data = new float[plane];
            int[] row = new int[w];
            for (int y = 0; y < h; y++) {
                raster.getSamples(0, y, w, 1, 0, row);
                for (int x = 0; x < w; x++) {
                    data[y * w + x] = bits == 8 ? row[x] : (float) Math.rint(row[x] * toByte);
                }
            }
            Image img1 = new Image(data, 1, h, w, true);
            return grey == Grey.KEEP ? img1 : img1.replicateChannels(3);
        }
        float[] data = new float[3 * plane];
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
