package dev.semaim.data;

import java.util.random.RandomGenerator;

/** torchvision {@code RandomHorizontalFlip(p)}: one draw {@code u ~ U[0,1)}, flip when {@code u < p}. */
public final class HorizontalFlip implements Transform {
    private final double p;

    public HorizontalFlip(double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("flip probability " + p + " not in [0,1]");
        }
        this.p = p;
    }

    @Override
    public Image apply(Image image, RandomGenerator rng) {
        return rng.nextDouble() < p ? image.flipHorizontal() : image;
    }
}
