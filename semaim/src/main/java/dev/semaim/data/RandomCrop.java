package dev.semaim.data;

import java.util.random.RandomGenerator;

/**
 * torchvision {@code RandomCrop(size)} without padding: top ~ randint(0, H - h + 1), left ~ randint(0, W - w + 1),
 * drawn in that order; the image must be at least the crop size.
 */
public final class RandomCrop implements Transform {
    private final int height;
    private final int width;

    public RandomCrop(int size) {
        this(size, size);
    }

    public RandomCrop(int height, int width) {
        if (height <= 0 || width <= 0) {
            throw new IllegalArgumentException("bad crop size " + height + "x" + width);
        }
        this.height = height;
        this.width = width;
    }

    public CropBox box(int inHeight, int inWidth, RandomGenerator rng) {
        if (inHeight < height || inWidth < width) {
            throw new IllegalArgumentException("RandomCrop " + height + "x" + width
                    + " larger than image " + inHeight + "x" + inWidth);
        }
        if (inHeight == height && inWidth == width) {
            return new CropBox(0, 0, height, width);
        }
        int top = rng.nextInt(inHeight - height + 1);
        int left = rng.nextInt(inWidth - width + 1);
        return new CropBox(top, left, height, width);
    }

    @Override
    public Image apply(Image image, RandomGenerator rng) {
        return box(image.height(), image.width(), rng).applyTo(image);
    }
}
