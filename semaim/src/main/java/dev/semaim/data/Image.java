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
 */
public final class Image {
    private final float[] data;
    private final int channels;
    private final int height;
    private final int width;
    private final boolean uint8;

    public Image(float[] data, int channels, int height, int width, boolean uint8) {
        if (channels <= 0 || height <= 0 || width <= 0) {
            throw new IllegalArgumentException("bad image shape " + channels + "x" + height + "x" + width);
        }
        if (data.length != channels * height * width) {
            throw new IllegalArgumentException("data length " + data.length + " != " + channels + "*" + height + "*" + width);
        }
        this.data = data;
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.uint8 = uint8;
    }

    /** The backing CHW array (not copied). */
    public float[] data() { return data; }
    public int channels() { return channels; }
    public int height() { return height; }
    public int width() { return width; }
    /** True while values are 0..255 levels (before {@link ToTensor}). */
    public boolean isUint8() { return uint8; }

    public float get(int c, int y, int x) {
        return data[(c * height + y) * width + x];
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
                    System.arraycopy(data, (c * height + y) * width + x0,
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
        int plane = height * width;
        float[] out = new float[n * plane];
        for (int c = 0; c < n; c++) {
            System.arraycopy(data, 0, out, c * plane, plane);
        }
        return new Image(out, n, height, width, uint8);
    }

    /** Mirror left-right. Shape unchanged. */
    public Image flipHorizontal() {
        float[] out = new float[data.length];
        for (int row = 0; row < channels * height; row++) {
            int base = row * width;
            for (int x = 0; x < width; x++) {
                out[base + x] = data[base + width - 1 - x];
            }
        }
        return new Image(out, channels, height, width, uint8);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Image other && channels == other.channels && height == other.height
                && width == other.width && uint8 == other.uint8 && Arrays.equals(data, other.data);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(data) * 31 + (channels * 31 + height) * 31 + width;
    }

    @Override
    public String toString() {
        return "Image[" + channels + "x" + height + "x" + width + (uint8 ? ", uint8" : ", float") + "]";
    }
}
