package dev.semaim.data;

import java.util.List;
import java.util.random.RandomGenerator;

/** Applies transforms in order, all drawing from the same RNG (torchvision {@code Compose}). */
public final class Compose implements Transform {
    private final List<Transform> steps;

    public Compose(Transform... steps) {
        this.steps = List.of(steps);
    }

    public List<Transform> steps() {
        return steps;
    }

    @Override
    public Image apply(Image image, RandomGenerator rng) {
        Image out = image;
        for (Transform t : steps) {
            out = t.apply(out, rng);
        }
        return out;
    }
}
