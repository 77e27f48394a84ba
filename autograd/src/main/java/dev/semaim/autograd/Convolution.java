package dev.semaim.autograd;

import dev.semaim.tensor.Tensor;

/** Depthwise 2-D convolution (the Gaussian blur of the loss target), differentiable in its input. */
public final class Convolution {
    private Convolution() {}

    /**
     * x (B, C, H, W) correlated per channel with w (C, 1, k, k), zero padding. The input gradient is
     * the correlation of g with the kernel flipped in both axes and padding k-1-pad; w is a constant.
     */
    public static Var depthwiseConv2d(Var x, Tensor w, int padding) {
        int k = w.size(2);
        return Var.of("depthwiseConv2d", x.data().depthwiseConv2d(w, padding), Var.saved(w), g -> {
            Tensor flipped = flip(w);
            x.accumulate(g.depthwiseConv2d(flipped, k - 1 - padding));
        }, x);
    }

    private static Tensor flip(Tensor w) {
        int k = w.size(2);
        long[] rev = new long[k];
        for (int i = 0; i < k; i++) rev[i] = k - 1 - i;
        Tensor r = Tensor.of(w.backend(), rev, k);
        return w.indexSelect(2, r).indexSelect(3, r);
    }
}
