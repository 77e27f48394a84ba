package dev.semaim.autograd;

import dev.semaim.tensor.DType;

/** The differentiable dtype conversion (PyTorch's {@code Tensor.to(dtype)}). */
public final class Conversion {
    private Conversion() {}

    /**
     * x converted to {@code dtype} (x itself when it has it). The gradient passes through unchanged in value and
     * is converted back to x's dtype where it reaches x ({@link Var#accumulate}): an F32 parameter cast to BF16 for a
     * product receives an F32 gradient.
     */
    public static Var to(Var x, DType dtype) {
        if (x.dtype() == dtype) return x;
        return Var.of("to" + dtype, x.data().to(dtype), x::accumulate, x);
    }
}
