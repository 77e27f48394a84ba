package dev.semaim.tensor;

/**
 * The primitive kernels a device provides. {@link Tensor} composes everything else from these.
 *
 * <p>Conventions: every output tensor is allocated by the caller with its final shape; inputs of an
 * elementwise kernel arrive already broadcast (expanded views with stride 0), so the kernel sees equal
 * shapes; any operand may be a strided view unless a method says otherwise. All tensors passed to one
 * call live on this backend.
 */
public interface Backend {
    /** "cpu", "cuda", ... */
    String name();

    /** The name and what this instance runs on, for the one line {@code --device auto} prints (e.g. the GPU's name). */
    default String describe() {
        return name();
    }

    /**
     * A storage of {@code size} elements. Its content is unspecified: zeros when fresh, anything when the backend
     * reuses a {@linkplain #release released} buffer; callers write every element they read.
     */
    Storage allocate(DType dtype, int size);

    /**
     * The caller's promise that nothing reads or writes {@code storage} again, through any view: the backend
     * may give its memory to a later {@link #allocate}. Default: nothing (the garbage collector reclaims it).
     */
    default void release(Storage storage) {}

    /** A storage holding a copy of a host array (float[], double[], int[] or long[]). */
    Storage upload(Object hostArray);

    /**
     * Copies {@code src} (any strides) in row-major order into a host array of its dtype (float[], double[], int[],
     * long[], or a short[] of the bits of BF16 and F16).
     */
    void download(Tensor src, Object hostArray);

    /** dst = src elementwise (equal shapes, any strides, dtype conversion allowed). */
    void copy(Tensor src, Tensor dst);

    void fill(Tensor dst, double value);

    /** out = op(x); lo and hi are the CLAMP bounds, ignored by the other ops. */
    void unary(UnaryOp op, Tensor x, Tensor out, double lo, double hi);

    /** out = op(a, b); out may alias a or b exactly (same view) for in-place updates. */
    void binary(BinaryOp op, Tensor a, Tensor b, Tensor out);

    /** out = cond != 0 ? a : b. */
    void where(Tensor cond, Tensor a, Tensor b, Tensor out);

    /**
     * Reduction: {@code out} is the reduced tensor expanded back to x's shape (stride 0 on the
     * reduced axes), so out[i] = op over all x[j] that map to the same out element.
     */
    void reduce(ReduceOp op, Tensor x, Tensor outExpanded);

    /** out (x's shape without {@code axis}, I64) = index of the max (or min) along axis; first wins ties. */
    void argReduce(boolean max, Tensor x, int axis, Tensor out);

    /**
     * The k largest (or smallest) along the last axis, best first: values (..., k) in x's dtype and indices (..., k)
     * I64, both contiguous, from x (..., n), 0 &lt;= k &lt;= n. Order: {@link TopkReference} (values by
     * {@link Double#compare}, equal values by lower index). Default: {@link TopkReference}, through host copies.
     */
    default void topk(Tensor x, int k, boolean largest, Tensor values, Tensor indices) {
        TopkReference.topk(x, k, largest, values, indices);
    }

    /**
     * Σ x² over every element of x, accumulated in float64: a gradient norm without a float64 copy of the gradient.
     * Default: the composition through a float64 copy.
     */
    default double sumOfSquares(Tensor x) {
        return x.to(DType.F64).square().sum().item();
    }

    /** out (..., M, N) = a (..., M, K) · b (..., K, N); batch axes already broadcast to equal sizes. */
    void matmul(Tensor a, Tensor b, Tensor out);

    /**
     * out (M, N) = a (M, K) · b (K, N), then the element-wise epilogue e (bias, residual, GELU forward or
     * backward; see {@link MatmulEpilogue}), which a backend may fuse into the product. Default: the
     * product, then {@link MatmulEpilogue#compose}.
     */
    default void matmulEpilogue(Tensor a, Tensor b, MatmulEpilogue e, Tensor out) {
        matmul(a, b, out);
        e.compose(this, a, out);
    }

    /** out = softmax (or log-softmax) of x along axis. */
    void softmax(Tensor x, int axis, boolean log, Tensor out);

    /** dx from y = softmax(x) (or log-softmax) and dy, along axis. */
    void softmaxBackward(Tensor y, Tensor dy, int axis, boolean log, Tensor dx);

    /**
     * LayerNorm over the last axis: out = (x - mean) * rstd * w + b. w and b may be null.
     * mean and rstd (x's shape without the last axis, same dtype) are written for the backward.
     */
    void layerNorm(Tensor x, Tensor w, Tensor b, double eps, Tensor out, Tensor mean, Tensor rstd);

    /** dx = LayerNorm backward; dw and db (nullable) are accumulated into (+=). */
    void layerNormBackward(Tensor dy, Tensor x, Tensor w, Tensor mean, Tensor rstd, Tensor dx, Tensor dw, Tensor db);

    /** out = x.indexSelect(axis, index): out's axis has index.numel entries. index is I32 or I64, 1-D. */
    void indexSelect(Tensor x, int axis, Tensor index, Tensor out);

    /** out.narrowed-by-index(axis) += src: the adjoint of indexSelect. */
    void indexAdd(Tensor out, int axis, Tensor index, Tensor src);

    /** out[i][j][k] = x[i][index[i][j][k]][k] for axis 1 (torch.gather semantics); index has out's shape. */
    void gather(Tensor x, int axis, Tensor index, Tensor out);

    /** out[i][index[i][j][k]][k] += src[i][j][k] for axis 1 (torch.scatter_add_ semantics). */
    void scatterAdd(Tensor out, int axis, Tensor index, Tensor src);

    /** Depthwise 2-D correlation with zero padding: x (B, C, H, W), w (C, 1, k, k) → out (B, C, H', W'). */
    void depthwiseConv2d(Tensor x, Tensor w, int padding, Tensor out);

    /**
     * Multi-head attention: probs (B, H, Tq, Tk) = softmax(q_h·k_hᵀ·scale + mask) and out (B, Tq, D) = probs·v_h
     * joined head-major, for q (B, Tq, D), k and v (B, Tk, D), head h owning features [h·D/H, (h+1)·D/H), mask
     * null or additive (B or 1, 1, Tq, Tk). out and probs are contiguous. Default: {@link AttentionReference}.
     */
    default void attention(Tensor q, Tensor k, Tensor v, int heads, double scale, Tensor mask, Tensor out, Tensor probs) {
        AttentionReference.forward(q, k, v, heads, scale, mask, out, probs);
    }

    /**
     * Gradients dq, dk, dv (overwritten; any views, e.g. the three slices of one (B, T, 3D) gradient) of
     * {@link #attention} from dOut (B, Tq, D) and its probs.
     */
    default void attentionBackward(Tensor dOut, Tensor q, Tensor k, Tensor v, Tensor probs, int heads, double scale,
                                   Tensor dq, Tensor dk, Tensor dv) {
        AttentionReference.backward(dOut, q, k, v, probs, heads, scale, dq, dk, dv);
    }

    /**
     * Fused multi-head attention, flash-attention style: out (B, Tq, D) = softmax(q_h·k_hᵀ·scale + mask)·v_h as
     * {@link #attention}, with the mask an {@link OrderMask} built on the fly from the priorities (null: none), and
     * lse (B, H, Tq) (float32, or float64 for float64 inputs) the log-sum-exp of each score row, all the backward
     * needs: no mask tensor and no (B, H, Tq, Tk) scores or probabilities. Default: {@link FlashAttentionReference}.
     */
    default void flashAttention(Tensor q, Tensor k, Tensor v, int heads, double scale, OrderMask mask, Tensor out, Tensor lse) {
        FlashAttentionReference.forward(q, k, v, heads, scale, mask, FlashAttentionReference.TILE, FlashAttentionReference.TILE, out, lse);
    }

    /**
     * Gradients dq, dk, dv (overwritten; any views) of {@link #flashAttention} from dOut (B, Tq, D), its out and lse,
     * the score tiles recomputed. Default: {@link FlashAttentionReference}.
     */
    default void flashAttentionBackward(Tensor dOut, Tensor q, Tensor k, Tensor v, Tensor out, Tensor lse, int heads, double scale,
                                        OrderMask mask, Tensor dq, Tensor dk, Tensor dv) {
        FlashAttentionReference.backward(dOut, q, k, v, out, lse, heads, scale, mask, FlashAttentionReference.TILE,
                FlashAttentionReference.TILE, dq, dk, dv);
    }

    /**
     * Fills out (contiguous) with random numbers: element i uses counter value {@code counter + i} of the
     * counter-based generator {@link Philox}, so results do not depend on threads or devices.
     */
    void random(Tensor out, RandomKind kind, long seed, long counter, double a, double b);

    /**
     * One AdamW update in place (decoupled decay): p -= lr*wd*p; m = b1 m + (1-b1) g; v = b2 v + (1-b2) g²;
     * p -= (lr / bc1) * m / (sqrt(v) / sqrt(bc2) + eps), with bias corrections bc1 = 1-b1^t, bc2 = 1-b2^t
     * (PyTorch 1.13's AdamW, in its operation order).
     */
    void adamw(Tensor p, Tensor g, Tensor m, Tensor v, double lr, double beta1, double beta2, double eps,
               double weightDecay, double bc1, double bc2);

    /**
     * Lets float32 matrix products use TF32 tensor cores (10-bit fraction operands, float32 accumulation; PyTorch's
     * {@code allow_tf32}), or forbids it. Returns whether this backend has them; the default has none and ignores it.
     */
    default boolean setTf32(boolean allowed) {
        return false;
    }

    /** Blocks until all queued work has finished (no-op on the CPU). */
    default void synchronize() {}
}
