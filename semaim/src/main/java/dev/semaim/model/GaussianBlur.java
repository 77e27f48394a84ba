package dev.semaim.model;

import dev.semaim.nn.Module;
import dev.semaim.nn.Parameter;
import dev.semaim.tensor.Shape;
import dev.semaim.tensor.Tensor;

/**
 * The target smoothing of spec §5.1: a depthwise convolution with a normalised Gaussian kernel and
 * zero padding k//2 (so borders darken toward 0, §12.10). The kernel is a buffer (C, 1, k, k), key
 * {@code weight} (state-dict {@code gaussian_blur.weight}).
 */
public final class GaussianBlur extends Module {
    public final int size;
    public final double sigma;
    public final Parameter weight;

    public GaussianBlur(int size, double sigma, int channels) {
        this.size = size;
        this.sigma = sigma;
        this.weight = buffer("weight", kernel(size, sigma).reshape(1, 1, size, size).expand(channels, 1, size, size).contiguous());
    }

    /**
     * (k, k) float32: K[a, b] ∝ exp(−((a−m)² + (b−m)²)/(2σ²)), m = (k−1)/2, computed in float64 as the outer
     * product of the 1-D taps, normalised to sum 1, then cast.
     */
    public static Tensor kernel(int size, double sigma) {
        if (size <= 0 || size % 2 == 0) throw new IllegalArgumentException("GaussianBlur: kernel size " + size + " must be odd and positive");
        if (!(sigma > 0)) throw new IllegalArgumentException("GaussianBlur: sigma " + sigma + " must be positive");
        double m = (size - 1) / 2.0;
        double[] taps = new double[size];
        for (int a = 0; a < size; a++) taps[a] = Math.exp(-(a - m) * (a - m) / (2.0 * sigma * sigma));
        double[] k = new double[size * size];
        double sum = 0;
        for (int a = 0; a < size; a++)
            for (int b = 0; b < size; b++) sum += k[a * size + b] = taps[a] * taps[b];
        float[] out = new float[k.length];
        for (int i = 0; i < k.length; i++) out[i] = (float) (k[i] / sum);
        return Tensor.of(out, size, size);
    }

    // images: (B, C, H, W) → (B, C, H, W)
    public Tensor forward(Tensor images) {
        if (images.rank() != 4 || images.size(1) != weight.shape()[0])
            throw new IllegalArgumentException("GaussianBlur: images " + Shape.str(images.shape()) + " are not (B, " + weight.shape()[0] + ", H, W)");
        return images.depthwiseConv2d(weight.data().to(images.dtype()), size / 2);
    }
}
