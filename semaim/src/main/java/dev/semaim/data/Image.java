package dev.semaim.data;

import java.util.Arrays;

/**
 * A CHW float32 image: {@code data[(c * height + y) * width + x]}.
 *
 * <p>Two value domains, mirroring torchvision's PIL-image vs tensor split:
 * <ul>
 *   <li>{@code uint8 == true}: integral levels 0..255 stored as floats, what a decoder produces (a PIL
 *       "L"/"RGB" image). Resampling on such an image rounds and clips to 0..255 after each pass, exactly
 *       like PIL's 8-bit resample.</li>
 *   <li>{@code uint8 == false}: a float tensor, e.g. [0,1] after {@link ToTensor} or normalised after
 *       {@link Normalize}; resampling is plain double arithmetic without rounding (PIL mode "F").</li>
 * </ul>
 * The array is owned by the image; transforms return new images and never mutate their input.
 *
 * <p>A decoded image may instead keep the decoder's packed bytes ({@link #ofPackedLevels}: interleaved pixels, one
 * byte a level), which the resampler reads directly ({@link #rowLevels}); the float array is then made on the first
 * call of {@link #data()} only, so a pipeline that starts with a resize never builds it.
 */
public final class Image {
    /** CHW floats; for a packed image null until {@link #data()} first needs them. */
    private volatile float[] data;
    private final int channels;
    private final int height;
    private final int width;
    private final boolean uint8;
    /** Packed levels: pixel (y, x) channel c at {@code packed[(y * width + x) * pixelStride + bandOffsets[c]]}; or null. */
    private final byte[] packed;
    private final int pixelStride;
    private final int[] bandOffsets;

    public Image(float[] data, int channels, int height, int width, boolean uint8) {
        this(data, null, 0, null, channels, height, width, uint8);
        if (data.length != channels * height * width) {
            throw new IllegalArgumentException("data length " + data.length + " != " + channels + "*" + height + "*" + width);
        }
    }

    private Image(float[] data, byte[] packed, int pixelStride, int[] bandOffsets, int channels, int height, int width,
                  boolean uint8) {
        if (channels <= 0 || height <= 0 || width <= 0) {
            throw new IllegalArgumentException("bad image shape " + channels + "x" + height + "x" + width);
        }
        this.data = data;
        this.packed = packed;
        this.pixelStride = pixelStride;
        this.bandOffsets = bandOffsets;
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.uint8 = uint8;
    }

    /**
     * A uint8 image over a decoder's interleaved bytes (not copied): channel c of pixel (y, x) is the unsigned
     * byte {@code packed[(y * width + x) * pixelStride + bandOffsets[c]]}. E.g. a BGR raster as RGB: stride 3,
     * offsets {2, 1, 0}; a grey raster replicated to RGB: stride 1, offsets {0, 0, 0}.
     */
    public static Image ofPackedLevels(byte[] packed, int pixelStride, int[] bandOffsets, int height, int width) {
        if (pixelStride <= 0 || bandOffsets.length == 0 || (long) height * width * pixelStride > packed.length) {
            throw new IllegalArgumentException("packed image " + height + "x" + width + " with pixel stride " + pixelStride
                    + " needs " + (long) height * width * pixelStride + " bytes, has " + packed.length);
        }
        for (int off : bandOffsets) {
            if (off < 0 || off >= pixelStride) {
                throw new IllegalArgumentException("band offset " + off + " outside the pixel stride " + pixelStride);
            }
        }
        return new Image(null, packed, pixelStride, bandOffsets.clone(), bandOffsets.length, height, width, true);
    }

    /** The backing CHW array (not copied; made once from the packed bytes of a packed image). */
    public float[] data() {
        float[] d = data;
        if (d == null) {
            d = new float[channels * height * width];
            int plane = height * width;
            for (int c = 0; c < channels; c++) {
                for (int i = 0, p = bandOffsets[c]; i < plane; i++, p += pixelStride) {
                    d[c * plane + i] = packed[p] & 0xff;
                }
            }
            data = d;
        }
        return d;
    }

    /**
     * Levels of channel c, row y, columns [x0, x0 + n) as ints: {@code dst[dstFrom + i * dstStride]} = level of
     * column x0 + i (the resampler's copy of a crop box, transposed or not). A uint8 image's levels are exact.
     */
    void rowLevels(int c, int y, int x0, int n, int[] dst, int dstFrom, int dstStride) {
        if (packed != null) {
            for (int i = 0, p = (y * width + x0) * pixelStride + bandOffsets[c], o = dstFrom; i < n; i++, p += pixelStride, o += dstStride) {
                dst[o] = packed[p] & 0xff;
            }
        } else {
            float[] d = data;
            for (int i = 0, p = (c * height + y) * width + x0, o = dstFrom; i < n; i++, p++, o += dstStride) {
                dst[o] = (int) d[p];
            }
        }
    }
    public int channels() { return channels; }
    public int height() { return height; }
    public int width() { return width; }
    /** True while values are 0..255 levels (before {@link ToTensor}). */
    public boolean isUint8() { return uint8; }

    public float get(int c, int y, int x) {
        return data()[(c * height + y) * width + x];
    }

    /**
     * The region rows [top, top+h) x cols [left, left+w); pixels outside this image are 0, which is what
     * PIL's {@code Image.crop} (torchvision {@code F.crop} on PIL images) does. Shape (C, h, w).
     */
    public Image crop(int top, int left, int h, int w) {
        float[] out = new float[channels * h * w];
        int y0 = Math.max(top, 0), y1 = Math.min(top + h, height);
        int x0 = Math.max(left, 0), x1 = Math.min(left + w, width);
        if (x0 < x1) {
            for (int c = 0; c < channels; c++) {
                for (int y = y0; y < y1; y++) {
                    System.arraycopy(data(), (c * height + y) * width + x0,
                            out, (c * h + y - top) * w + x0 - left, x1 - x0);
                }
            }
        }
        return new Image(out, channels, h, w, uint8);
    }

    /** A 1-channel image copied into {@code n} identical channels (PIL {@code convert("RGB")} of an "L" image). */
    public Image replicateChannels(int n) {
        if (channels != 1) {
            throw new IllegalArgumentException("only a 1-channel image can be replicated, got " + this);
        }
        if (packed != null) {
            int[] offsets = new int[n];
            java.util.Arrays.fill(offsets, bandOffsets[0]);
            return ofPackedLevels(packed, pixelStride, offsets, height, width);
        }
        int plane = height * width;
        float[] out = new float[n * plane];
        for (int c = 0; c < n; c++) {
            System.arraycopy(data(), 0, out, c * plane, plane);
        }
        return new Image(out, n, height, width, uint8);
    }

    /**
     * The luma of a 3-channel (R, G, B) uint8 image as 1 channel, PIL's {@code convert("L")}: ITU-R 601-2
     * weights in PIL's 16-bit fixed point, {@code L = (R * 19595 + G * 38470 + B * 7471 + 0x8000) >> 16} (the
     * weights sum to 65536, so a grey pixel keeps its level). Shape (3, H, W) to (1, H, W).
     */
    public Image toLuma() {
        if (channels != 3 || !uint8) {
            throw new IllegalArgumentException("luma needs a 3-channel uint8 (RGB levels) image, got " + this);
        }
        int plane = height * width;
        float[] out = new float[plane];
        int[] r = new int[width], g = new int[width], b = new int[width];
        for (int y = 0; y < height; y++) {
            rowLevels(0, y, 0, width, r, 0, 1);
            rowLevels(1, y, 0, width, g, 0, 1);
            rowLevels(2, y, 0, width, b, 0, 1);
            for (int x = 0; x < width; x++) {
                out[y * width + x] = (r[x] * 19595 + g[x] * 38470 + b[x] * 7471 + 0x8000) >> 16;
            }
        }
        return new Image(out, 1, height, width, true);
    }

    /** Mirror left-right. Shape unchanged. */
    public Image flipHorizontal() {
        float[] d = data();
        float[] out = new float[d.length];
        for (int row = 0; row < channels * height; row++) {
            int base = row * width;
            for (int x = 0; x < width; x++) {
                out[base + x] = d[base + width - 1 - x];
            }
        }
        return new Image(out, channels, height, width, uint8);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Image other && channels == other.channels && height == other.height
                && width == other.width && uint8 == other.uint8 && Arrays.equals(data(), other.data());
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(data()) * 31 + (channels * 31 + height) * 31 + width;
    }

    @Override
    public String toString() {
        return "Image[" + channels + "x" + height + "x" + width + (uint8 ? ", uint8" : ", float") + "]";
    }
}
