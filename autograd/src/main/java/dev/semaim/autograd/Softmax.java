package dev.semaim.autograd;

import dev.semaim.tensor.Tensor;

/** Softmax and log-softmax along an axis, with their fused backward kernels. */
public final class Softmax {
    private Softmax() {}

    /** Softmax along axis; in F32 under {@link Autocast}. */
    public static Var softmax(Var input, int axis) {
        Var x = Autocast.forFloat32(input);
        Tensor y = x.data().softmax(axis);
        return Var.of("softmax", y, g -> x.accumulate(y.softmaxBackward(g, axis, false)), x);
    }

    /** Log-softmax along axis; in F32 under {@link Autocast}. */
    public static Var logSoftmax(Var input, int axis) {
        Var x = Autocast.forFloat32(input);
        Tensor y = x.data().logSoftmax(axis);
        return Var.of("logSoftmax", y, g -> x.accumulate(y.softmaxBackward(g, axis, true)), x);
    }
}
