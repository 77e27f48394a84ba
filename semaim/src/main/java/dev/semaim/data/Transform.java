package dev.semaim.data;

import java.util.random.RandomGenerator;

/**
 * An image-to-image transform. Random transforms draw only from {@code rng}, so a sample's result is a
 * pure function of the image and the RNG's seed; deterministic transforms ignore it.
 */
@FunctionalInterface
public interface Transform {
    Image apply(Image image, RandomGenerator rng);
}
