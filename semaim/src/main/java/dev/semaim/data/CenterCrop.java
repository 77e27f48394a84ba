package dev.semaim.data;

import java.util.random.RandomGenerator;

/**
 * torchvision {@code CenterCrop}: top = int(round((H - h) / 2.0)), left likewise, Python's round-half-to-even.
 * A crop larger than the image is zero-padded, as torchvision does.
 */
public final class CenterCrop implements Transform {
    private final int height;
    private final int width;

    public CenterCrop(int size) {
        this(size, size);
    }

    public CenterCrop(int height, int width) {
        if (height <= 0 || width <= 0) {
            throw new IllegalArgumentException("bad crop size " + height + "x" + width);
        }
        this.height = height;
        this.width = width;
    }

    public CropBox box(int inHeight, int inWidth) {
        int top = (int) Math.rint((inHeight - height) / 2.0);
        int left = (int) Math.rint((inWidth - width) / 2.0);
        return new CropBox(top, left, height, width);
    }

    @Override
    public Image apply(Image image, RandomGenerator rng) {
        return box(image.height(), image.width()).applyTo(image);
    }
}
