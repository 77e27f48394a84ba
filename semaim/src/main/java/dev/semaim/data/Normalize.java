package dev.semaim.data;

import java.util.random.RandomGenerator;

/**
 * torchvision {@code Normalize(mean, std)} on a float image: (x - mean[c]) / std[c]. A one-element mean/std
 * broadcasts over all channels, as torch broadcasting does (e.g. Fashion-MNIST statistics on a grey image
 * replicated to 3 channels).
 */
public final class Normalize implements Transform {
    private final float[] mean;
    private final float[] std;

    public Normalize(float[] mean, float[] std) {
        if (mean.length == 0 || mean.length != std.length) {
            throw new IllegalArgumentException("mean and std need the same non-zero length");
        }
        for (float s : std) {
            if (!(s > 0)) {
                throw new IllegalArgumentException("std must be positive, got " + s);
            }
        }
        this.mean = mean.clone();
        this.std = std.clone();
    }

    @Override
    public Image apply(Image image, RandomGenerator rng) {
        if (image.isUint8()) {
            throw new IllegalArgumentException("Normalize expects a float image (apply ToTensor first), got " + image);
        }
        int c = image.channels();
        if (mean.length != 1 && mean.length != c) {
            throw new IllegalArgumentException("Normalize has " + mean.length + " channel statistics, image has " + c);
        }
        int plane = image.height() * image.width();
        float[] src = image.data();
        float[] out = new float[src.length];
        for (int ch = 0; ch < c; ch++) {
            float m = mean[mean.length == 1 ? 0 : ch];
            float s = std[std.length == 1 ? 0 : ch];
            for (int i = ch * plane, end = i + plane; i < end; i++) {
                out[i] = (src[i] - m) / s;
            }
        }
        return new Image(out, c, image.height(), image.width(), false);
    }
}
