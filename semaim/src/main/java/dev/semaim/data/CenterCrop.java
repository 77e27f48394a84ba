package dev.semaim.data;

import java.util.random.RandomGenerator;

/**
 * torchvision {@code CenterCrop}: top = int(round((H - h) / 2.0)), left likewise, Python's round-half-to-even.
 * A crop larger than the image is zero-padded as torchvision pads it: {@code (h - H) // 2} rows above (floor) and
 * the rest below, so the image starts at row {@code (h - H) // 2} of the crop; columns likewise, each dimension
 * on its own.
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
        return new CropBox(start(inHeight, height), start(inWidth, width), height, width);
    }

    /**
     * First input row (column) of a {@code crop}-long window centred on {@code size}: round((size - crop) / 2)
     * half to even inside the image; minus the floor((crop - size) / 2) padding before it when the crop is longer.
     * (Rounding the negative half instead would put a 1-pixel image at 2 of a 4-pixel crop, not at 1.)
     */
    private static int start(int size, int crop) {
        return crop > size ? -((crop - size) / 2) : (int) Math.rint((size - crop) / 2.0);
    }

    @Override
    public Image apply(Image image, RandomGenerator rng) {
        return box(image.height(), image.width()).applyTo(image);
    }
}
