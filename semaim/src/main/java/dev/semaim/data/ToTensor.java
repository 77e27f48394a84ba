package dev.semaim.data;

import java.util.random.RandomGenerator;

/** torchvision {@code ToTensor} for a uint8 image: value / 255 into [0, 1], result is a float image. */
public final class ToTensor implements Transform {
    @Override
    public Image apply(Image image, RandomGenerator rng) {
        if (!image.isUint8()) {
            throw new IllegalArgumentException("ToTensor expects a uint8 image, got " + image);
        }
        float[] src = image.data();
        float[] out = new float[src.length];
        for (int i = 0; i < src.length; i++) {
            out[i] = src[i] / 255f;
        }
        return new Image(out, image.channels(), image.height(), image.width(), false);
    }
}
