package dev.semaim.autograd;

import dev.semaim.tensor.DType;

/**
 * Mixed precision with PyTorch's autocast semantics, for the ops of this package: inside a scope opened with
 * {@link #enable}, the products (matmul, linear, the MLP, attention) cast their floating inputs to the scope's 16-bit
 * type (BF16 or F16) and compute in it; the float32 ops (softmax and log-softmax, layer norm, sums, exp, log, powers,
 * hence the losses built from them) cast 16-bit inputs up to F32; every other op runs in the widest type of its
 * inputs (F32 with a 16-bit tensor gives F32). The casts are graph ops ({@link Conversion#to}), so gradients reach
 * the F32 parameters (the master weights) in F32, and the optimizer state stays F32. The backward pass runs each op
 * in the dtypes its forward chose, in or out of a scope. Like the graph switches of {@link GradMode}, the state is
 * per thread.
 *
 * <pre>try (Autocast.Scope s = Autocast.enable(DType.BF16)) { loss = model.forward(batch); }</pre>
 *
 * A caller that must run a part in float32 inside a scope (the order pass, a feature teacher under {@code --amp off}
 * semantics) opens {@link #disable()} around it; one that must run in the run's precision simply calls the model
 * inside the scope.
 */
public final class Autocast {
    private Autocast() {}

    private static final ThreadLocal<DType[]> LOW = ThreadLocal.withInitial(() -> new DType[1]);

    /** Restores the previous state on close. */
    public interface Scope extends AutoCloseable {
        @Override void close();
    }

    /** Autocast to {@code lowPrecision} (BF16 or F16) inside the scope; null opens a scope that changes nothing. */
    public static Scope enable(DType lowPrecision) {
        if (lowPrecision != null && !lowPrecision.isHalf())
            throw new IllegalArgumentException("autocast: " + lowPrecision + " is not a 16-bit float type (BF16 or F16)");
        return lowPrecision == null ? () -> { } : set(lowPrecision);
    }

    /** No autocast inside the scope (float32 where the inputs are float32). */
    public static Scope disable() {
        return set(null);
    }

    private static Scope set(DType dtype) {
        DType[] state = LOW.get();
        DType before = state[0];
        state[0] = dtype;
        return () -> state[0] = before;
    }

    /** The 16-bit type of the products, or null outside autocast. */
    public static DType lowPrecision() {
        return LOW.get()[0];
    }

    /** x as an operand of a product: cast to the 16-bit type inside a scope (floating x only); x itself outside or null. */
    static Var forProduct(Var x) {
        DType low = lowPrecision();
        return x == null || low == null || !x.dtype().floating ? x : Conversion.to(x, low);
    }

    /** x as an input of a float32 op: a 16-bit x cast to F32 inside a scope; x itself otherwise. */
    static Var forFloat32(Var x) {
        return x == null || lowPrecision() == null || !x.dtype().isHalf() ? x : Conversion.to(x, DType.F32);
    }

    /**
     * Whether a fused product must leave its residual add out: inside a scope the product is rounded to the 16-bit
     * type before a wider residual is added (in the residual's type), as autocast's separate {@code x + f(x)} does.
     */
    static boolean separateResidual(Var residual) {
        DType low = lowPrecision();
        return residual != null && low != null && residual.dtype() != low;
    }
}
