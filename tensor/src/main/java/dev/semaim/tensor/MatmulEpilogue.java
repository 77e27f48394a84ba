package dev.semaim.tensor;

/**
 * Element-wise work that follows a matrix product out (M, N) = a·b, which a backend may do while each
 * block of out is still in cache instead of in extra passes over memory (see
 * {@link Backend#matmulEpilogue}). In order:
 * <ol>
 *   <li>out += bias (N), when bias is non-null;</li>
 *   <li>out += residual (M, N), when residual is non-null;</li>
 *   <li>forward GELU ({@link #gelu}): act = GELU(out), out keeping the pre-activation; or in place
 *       ({@link #geluInPlace}): out = GELU(out), when nothing needs the pre-activation; or GELU backward
 *       ({@link #geluBackward}): out = GELU'(h)·out and act = GELU(h), for the pre-activation h (M, N).</li>
 * </ol>
 * Beside out, the product can also give the row sums of a ({@link #rowSumsOfA}): for a weight gradient gᵀ·x,
 * the bias gradient Σ_rows g, read while the product reads g rather than in a pass of its own.
 * The values are exactly those of the same steps done one by one ({@link #compose}).
 */
public final class MatmulEpilogue {
    /** Added to every row of the product, or null. */
    public final Tensor bias;
    /** Added to the product, or null. */
    public final Tensor residual;
    /** Receives GELU(out) (forward) or GELU(h) (backward), or null. */
    public final Tensor act;
    /** The pre-activation of a GELU backward, or null (forward). */
    public final Tensor h;
    /** Receives the row sums of a (M), Σ_k a[i, k], each summed from zero in k order; or null. */
    public final Tensor aRowSums;
    /** out = GELU(out) after the additions (no act, no h). */
    public final boolean geluInPlace;

    private MatmulEpilogue(Tensor bias, Tensor residual, Tensor act, Tensor h, Tensor aRowSums) {
        this(bias, residual, act, h, aRowSums, false);
    }

    private MatmulEpilogue(Tensor bias, Tensor residual, Tensor act, Tensor h, Tensor aRowSums, boolean geluInPlace) {
        this.bias = bias;
        this.residual = residual;
        this.act = act;
        this.h = h;
        this.aRowSums = aRowSums;
        this.geluInPlace = geluInPlace;
    }

    /** out = a·b + bias + residual; either may be null. */
    public static MatmulEpilogue add(Tensor bias, Tensor residual) {
        return new MatmulEpilogue(bias, residual, null, null, null);
    }

    /** out = a·b + bias (nullable), act = GELU(out). */
    public static MatmulEpilogue gelu(Tensor bias, Tensor act) {
        return new MatmulEpilogue(bias, null, act, null, null);
    }

    /** out = GELU(a·b + bias (nullable)): the MLP's forward when no graph keeps the pre-activation. */
    public static MatmulEpilogue geluInPlace(Tensor bias) {
        return new MatmulEpilogue(bias, null, null, null, null, true);
    }

    /** out = GELU'(h)·(a·b), act = GELU(h): the MLP's backward through its activation. */
    public static MatmulEpilogue geluBackward(Tensor h, Tensor act) {
        return new MatmulEpilogue(null, null, act, h, null);
    }

    /** out = a·b and sums (M) = Σ_k a[i, k]: a weight gradient gᵀ·x with its bias gradient. */
    public static MatmulEpilogue rowSumsOfA(Tensor sums) {
        return new MatmulEpilogue(null, null, null, null, sums);
    }

    /**
     * The epilogue as separate primitives on {@code out}, which already holds a·b (and on a, for the row sums):
     * the reference the fused forms equal.
     */
    public void compose(Backend backend, Tensor a, Tensor out) {
        if (aRowSums != null) backend.copy(a.sum(false, 1), aRowSums);
        if (bias != null) backend.binary(BinaryOp.ADD, out, bias.expand(out.shape()), out);
        if (residual != null) backend.binary(BinaryOp.ADD, out, residual, out);
        if (geluInPlace) backend.unary(UnaryOp.GELU, out, out, 0, 0);
        if (act == null) return;
        if (h == null) {
            backend.unary(UnaryOp.GELU, out, act, 0, 0);
        } else {
            backend.unary(UnaryOp.GELU, h, act, 0, 0);
            backend.binary(BinaryOp.GELU_GRAD, h, out, out);
        }
    }

    /** Checks the operands' shapes and dtypes against out (M, N) of the given dtype, naming the one at fault. */
    void check(int m, int n, DType dtype, Backend backend) {
        expect("bias", bias, dtype, backend, n);
        expect("residual", residual, dtype, backend, m, n);
        expect("activation", act, dtype, backend, m, n);
        expect("pre-activation", h, dtype, backend, m, n);
        expect("row sums", aRowSums, dtype, backend, m);
    }

    private static void expect(String what, Tensor t, DType dtype, Backend backend, int... shape) {
        if (t == null) return;
        if (!java.util.Arrays.equals(t.shape(), shape) || t.dtype() != dtype || t.backend() != backend)
            throw new IllegalArgumentException("matmul epilogue: " + what + " " + t + ", expected " + dtype + " " + Shape.str(shape)
                    + " on " + backend.name());
    }
}
