package dev.semaim.data;

import java.util.random.RandomGenerator;

/**
 * torchvision {@code Resize} with bicubic interpolation on a PIL image (see {@link BicubicResampler}).
 * {@code Resize(size)} scales the shorter side to {@code size} keeping the aspect ratio, the longer side being
 * {@code int(size * long / short)} (truncated, torchvision's rounding); {@code Resize(h, w)} forces the shape.
 */
public final class Resize implements Transform {
    private final int height;
    private final int width;
    private final boolean shorterSide;

    /** Shorter side to {@code size}. */
    public Resize(int size) {
        this(size, size, true);
    }

    /** Exactly (height, width). */
    public Resize(int height, int width) {
        this(height, width, false);
    }

    private Resize(int height, int width, boolean shorterSide) {
        if (height <= 0 || width <= 0) {
            throw new IllegalArgumentException("bad resize size " + height + "x" + width);
        }
        this.height = height;
        this.width = width;
        this.shorterSide = shorterSide;
    }

    /** Output {height, width} for an input of the given shape. */
    public int[] outputSize(int inHeight, int inWidth) {
        if (!shorterSide) {
            return new int[] {height, width};
        }
        int size = height;
        if (inWidth <= inHeight) {
            return new int[] {(int) ((long) size * inHeight / inWidth), size};
        }
        return new int[] {size, (int) ((long) size * inWidth / inHeight)};
    }

    @Override
    public Image apply(Image image, RandomGenerator rng) {
        int[] hw = outputSize(image.height(), image.width());
        return BicubicResampler.resize(image, hw[0], hw[1]);
    }
}
