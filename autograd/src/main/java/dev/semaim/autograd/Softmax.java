package dev.semaim.autograd;

import dev.semaim.tensor.Tensor;

/** Softmax and log-softmax along an axis, with their fused backward kernels. */
public final class Softmax {
    private Softmax() {}

    public static Var softmax(Var x, int axis) {
        Tensor y = x.data().softmax(axis);
        return Var.of("softmax", y, g -> x.accumulate(y.softmaxBackward(g, axis, false)), x);
    }

    public static Var logSoftmax(Var x, int axis) {
        Tensor y = x.data().logSoftmax(axis);
        return Var.of("logSoftmax", y, g -> x.accumulate(y.softmaxBackward(g, axis, true)), x);
    }
}
