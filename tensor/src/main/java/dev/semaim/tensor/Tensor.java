package dev.semaim.tensor;

import java.util.Arrays;

/**
 * An N-d array: a strided view (shape, strides, offset) into a {@link Storage}. Views share storage;
 * every computing method returns a new tensor and leaves its inputs alone, except the methods whose
 * names end in {@code InPlace}. Compute is delegated to the storage's {@link Backend}.
 */
public final class Tensor {
    private final Storage storage;
    private final int[] shape;
    private final int[] strides;
    private final int offset;

    public Tensor(Storage storage, int[] shape, int[] strides, int offset) {
        this.storage = storage;
        this.shape = shape;
        this.strides = strides;
        this.offset = offset;
    }

    // ---------------------------------------------------------------- creation

    /** A tensor whose elements are unspecified (see {@link Backend#allocate}): the caller writes all of them. */
    public static Tensor empty(DType dtype, Backend backend, int... shape) {
        int[] s = shape.clone();
        Storage storage = backend.allocate(dtype, Shape.numel(s));
        TensorScope.track(storage);
        return new Tensor(storage, s, Shape.contiguousStrides(s), 0);
    }

    public static Tensor empty(DType dtype, int... shape) {
        return empty(dtype, Backends.defaultBackend(), shape);
    }

    public static Tensor full(double value, DType dtype, Backend backend, int... shape) {
        Tensor t = empty(dtype, backend, shape);
        backend.fill(t, value);
        return t;
    }

    public static Tensor zeros(DType dtype, int... shape) {
        return full(0, dtype, Backends.defaultBackend(), shape);
    }

    public static Tensor zeros(int... shape) {
        return zeros(DType.F32, shape);
    }

    public static Tensor ones(DType dtype, int... shape) {
        return full(1, dtype, Backends.defaultBackend(), shape);
    }

    public static Tensor scalar(double value, DType dtype) {
        return full(value, dtype, Backends.defaultBackend());
    }

    /** A tensor over a copy of a host array (float[], double[], int[] or long[]) with the given shape. */
    public static Tensor of(Object hostArray, int... shape) {
        return of(Backends.defaultBackend(), hostArray, shape);
    }

    public static Tensor of(Backend backend, Object hostArray, int... shape) {
        int n = java.lang.reflect.Array.getLength(hostArray);
        if (n != Shape.numel(shape))
            throw new IllegalArgumentException("of: " + n + " values do not fill shape " + Shape.str(shape));
        int[] s = shape.clone();
        Storage storage = backend.upload(hostArray);
        TensorScope.track(storage);
        return new Tensor(storage, s, Shape.contiguousStrides(s), 0);
    }

    public static Tensor arange(int n, DType dtype) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = i;
        return of(v, n).to(dtype);
    }

    /** Random tensor of a distribution (see {@link RandomKind}), drawn from {@code rng}'s next counters. */
    public static Tensor random(Rng rng, RandomKind kind, double a, double b, DType dtype, int... shape) {
        Tensor t = empty(dtype, shape);
        t.backend().random(t, kind, rng.seed(), rng.take(t.numel()), a, b);
        return t;
    }

    public static Tensor rand(Rng rng, DType dtype, int... shape) {
        return random(rng, RandomKind.UNIFORM, 0, 1, dtype, shape);
    }

    public static Tensor randn(Rng rng, DType dtype, int... shape) {
        return random(rng, RandomKind.NORMAL, 0, 1, dtype, shape);
    }

    // ---------------------------------------------------------------- metadata

    public Storage storage() { return storage; }

    /**
     * Hands this tensor's storage back to its backend for reuse ({@link Backend#release}): the caller promises
     * that neither this tensor nor any other view of its storage is used again. The engine's owners call it (a
     * {@link TensorScope} at close, the backward pass after a buffer's last reader); model code does not.
     */
    public void release() { storage.backend().release(storage); }

    public Backend backend() { return storage.backend(); }

    public DType dtype() { return storage.dtype(); }

    public int[] shape() { return shape.clone(); }

    public int[] strides() { return strides.clone(); }

    public int offset() { return offset; }

    public int rank() { return shape.length; }

    public int size(int axis) { return shape[Shape.axis("size", axis, shape.length)]; }

    public int stride(int axis) { return strides[Shape.axis("stride", axis, shape.length)]; }

    public int numel() { return Shape.numel(shape); }

    public boolean sameShape(Tensor o) { return Arrays.equals(shape, o.shape); }

    /** Row-major contiguous (size-1 axes may have any stride). */
    public boolean isContiguous() {
        int expected = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] != 1 && strides[i] != expected) return false;
            expected *= shape[i];
        }
        return true;
    }

    @Override
    public String toString() {
        return "Tensor" + Shape.str(shape) + " " + dtype() + " on " + backend().name();
    }

    // ---------------------------------------------------------------- views (no copy)

    /** Same elements with a new shape; one size may be -1. Copies only when the strides forbid a view. */
    public Tensor reshape(int... newShape) {
        int[] s = inferShape(newShape);
        int[] st = viewStrides(s);
        if (st != null) return new Tensor(storage, s, st, offset);
        return contiguous().reshape(s);
    }

    /** Like reshape, but an error when a copy would be needed. */
    public Tensor view(int... newShape) {
        int[] s = inferShape(newShape);
        int[] st = viewStrides(s);
        if (st == null)
            throw new IllegalArgumentException("view: shape " + Shape.str(s) + " is not a view of " + Shape.str(shape)
                    + " with strides " + Shape.str(strides) + "; use reshape");
        return new Tensor(storage, s, st, offset);
    }

    private int[] inferShape(int[] newShape) {
        int[] s = newShape.clone();
        int infer = -1, known = 1;
        for (int i = 0; i < s.length; i++) {
            if (s[i] == -1) {
                if (infer >= 0) throw new IllegalArgumentException("reshape: two -1 sizes in " + Shape.str(newShape));
                infer = i;
            } else known *= s[i];
        }
        if (infer >= 0) {
            if (known == 0 || numel() % known != 0)
                throw new IllegalArgumentException("reshape: cannot infer -1 in " + Shape.str(newShape) + " from " + Shape.str(shape));
            s[infer] = numel() / known;
        }
        if (Shape.numel(s) != numel())
            throw new IllegalArgumentException("reshape: " + Shape.str(shape) + " (" + numel() + " elements) cannot become " + Shape.str(s));
        return s;
    }

    /** Strides that present this tensor's elements in shape s without a copy, or null (PyTorch's rule). */
    private int[] viewStrides(int[] s) {
        if (isContiguous() || numel() == 0) return Shape.contiguousStrides(s);
        int[] out = new int[s.length];
        int viewD = s.length - 1;
        long chunkBase = strides[shape.length - 1], tensorNumel = 1, viewNumel = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            tensorNumel *= shape[d];
            // the chunk of old axes ends where the next axis is not contiguous with it
            if (d == 0 || (shape[d - 1] != 1 && strides[d - 1] != tensorNumel * chunkBase)) {
                while (viewD >= 0 && (viewNumel < tensorNumel || s[viewD] == 1)) {
                    out[viewD] = (int) (viewNumel * chunkBase);
                    viewNumel *= s[viewD];
                    viewD--;
                }
                if (viewNumel != tensorNumel) return null;
                if (d > 0) {
                    chunkBase = strides[d - 1];
                    tensorNumel = 1;
                    viewNumel = 1;
                }
            }
        }
        return viewD == -1 ? out : null;
    }

    public Tensor permute(int... axes) {
        if (axes.length != shape.length)
            throw new IllegalArgumentException("permute: " + axes.length + " axes for rank " + shape.length);
        int[] s = new int[axes.length], st = new int[axes.length];
        boolean[] seen = new boolean[axes.length];
        for (int i = 0; i < axes.length; i++) {
            int a = Shape.axis("permute", axes[i], shape.length);
            if (seen[a]) throw new IllegalArgumentException("permute: axis " + a + " repeated in " + Arrays.toString(axes));
            seen[a] = true;
            s[i] = shape[a];
            st[i] = strides[a];
        }
        return new Tensor(storage, s, st, offset);
    }

    public Tensor transpose(int a, int b) {
        int[] p = new int[shape.length];
        for (int i = 0; i < p.length; i++) p[i] = i;
        a = Shape.axis("transpose", a, shape.length);
        b = Shape.axis("transpose", b, shape.length);
        p[a] = b;
        p[b] = a;
        return permute(p);
    }

    /** Elements [start, start+length) along axis. */
    public Tensor narrow(int axis, int start, int length) {
        int a = Shape.axis("narrow", axis, shape.length);
        if (start < 0 || length < 0 || start + length > shape[a])
            throw new IllegalArgumentException("narrow: [" + start + ", " + (start + length) + ") out of range for axis " + a + " of " + Shape.str(shape));
        int[] s = shape.clone();
        s[a] = length;
        return new Tensor(storage, s, strides.clone(), offset + start * strides[a]);
    }

    /** The slice at {@code index} along axis, with that axis removed. */
    public Tensor select(int axis, int index) {
        int a = Shape.axis("select", axis, shape.length);
        if (index < 0 || index >= shape[a])
            throw new IllegalArgumentException("select: index " + index + " out of range for axis " + a + " of " + Shape.str(shape));
        return narrow(a, index, 1).squeeze(a);
    }

    /** Broadcast view to a larger shape (size-1 or missing leading axes get stride 0); -1 keeps a size. */
    public Tensor expand(int... newShape) {
        int n = newShape.length;
        if (n < shape.length)
            throw new IllegalArgumentException("expand: cannot expand " + Shape.str(shape) + " to fewer axes " + Shape.str(newShape));
        int[] s = new int[n], st = new int[n];
        for (int i = 0; i < n; i++) {
            int j = i - (n - shape.length);
            int target = newShape[i];
            if (j < 0) {
                if (target < 0) throw new IllegalArgumentException("expand: -1 for a new axis in " + Shape.str(newShape));
                s[i] = target;
                st[i] = 0;
            } else if (target == -1 || target == shape[j]) {
                s[i] = shape[j];
                st[i] = strides[j];
            } else if (shape[j] == 1) {
                s[i] = target;
                st[i] = 0;
            } else {
                throw new IllegalArgumentException("expand: " + Shape.str(shape) + " cannot be expanded to " + Shape.str(newShape));
            }
        }
        return new Tensor(storage, s, st, offset);
    }

    public Tensor unsqueeze(int axis) {
        int a = Shape.axis("unsqueeze", axis, shape.length + 1);
        int[] s = new int[shape.length + 1], st = new int[shape.length + 1];
        for (int i = 0, j = 0; i < s.length; i++) {
            if (i == a) {
                s[i] = 1;
                st[i] = j < shape.length ? strides[j] * shape[j] : 1;
            } else {
                s[i] = shape[j];
                st[i] = strides[j];
                j++;
            }
        }
        return new Tensor(storage, s, st, offset);
    }

    public Tensor squeeze(int axis) {
        int a = Shape.axis("squeeze", axis, shape.length);
        if (shape[a] != 1) throw new IllegalArgumentException("squeeze: axis " + a + " of " + Shape.str(shape) + " has size " + shape[a]);
        int[] s = new int[shape.length - 1], st = new int[shape.length - 1];
        for (int i = 0, j = 0; i < shape.length; i++) {
            if (i == a) continue;
            s[j] = shape[i];
            st[j++] = strides[i];
        }
        return new Tensor(storage, s, st, offset);
    }

    /** A contiguous tensor with these elements: this one when already contiguous, else a copy. */
    public Tensor contiguous() {
        if (isContiguous()) return this;
        return copy();
    }

    /** A fresh contiguous copy. */
    public Tensor copy() {
        Tensor out = empty(dtype(), backend(), shape);
        backend().copy(this, out);
        return out;
    }

    /** This tensor converted to a dtype (itself when it already has it). */
    public Tensor to(DType dtype) {
        if (dtype == dtype()) return this;
        Tensor out = empty(dtype, backend(), shape);
        backend().copy(this, out);
        return out;
    }

    /** This tensor on another backend (itself when already there). */
    public Tensor to(Backend target) {
        if (target == backend()) return this;
        if (dtype().isHalf()) return to(DType.F32).to(target).to(dtype()); // exact both ways; upload takes no bits
        Object host = toArray();
        return of(target, host, shape);
    }

    // ---------------------------------------------------------------- host access

    /** Elements in row-major order as a new host array of the dtype's Java type (a short[] of bits for BF16 and F16). */
    public Object toArray() {
        Object host;
        switch (dtype()) {
            case F32: host = new float[numel()]; break;
            case F64: host = new double[numel()]; break;
            case I32: host = new int[numel()]; break;
            case I64: host = new long[numel()]; break;
            default: host = new short[numel()]; break;
        }
        backend().download(this, host);
        return host;
    }

    public float[] toFloatArray() { return (float[]) to(DType.F32).toArray(); }

    public double[] toDoubleArray() { return (double[]) to(DType.F64).toArray(); }

    public int[] toIntArray() { return (int[]) to(DType.I32).toArray(); }

    public long[] toLongArray() { return (long[]) to(DType.I64).toArray(); }

    /** The single value of a one-element tensor. */
    public double item() {
        if (numel() != 1) throw new IllegalArgumentException("item: tensor of shape " + Shape.str(shape) + " has " + numel() + " elements");
        return toDoubleArray()[0];
    }

    /** One element by index (slow; for tests and small tensors). */
    public double get(int... index) {
        Tensor t = this;
        for (int i = index.length - 1; i >= 0; i--) t = t.select(i, index[i]);
        return t.item();
    }

    // ---------------------------------------------------------------- elementwise

    private Tensor binary(BinaryOp op, Tensor o) {
        checkSameBackend(op.name(), o);
        int[] s = Shape.broadcast(op.name().toLowerCase(), shape, o.shape);
        DType dt = resultType(op.name(), o);
        Tensor out = empty(dt, backend(), s);
        backend().binary(op, this.to(dt).expand(s), o.to(dt).expand(s), out);
        return out;
    }

    private Tensor binary(BinaryOp op, double v) {
        return binary(op, full(v, dtype(), backend()));
    }

    /**
     * The dtype of an op on this and o (PyTorch's promotion): the wider float type (F16 &lt; F32 &lt; F64, BF16 &lt;
     * F32; BF16 with F16 gives F32), a float type over an integer one, I64 for two integer types.
     */
    private DType resultType(String op, Tensor o) {
        if (dtype() == o.dtype()) return dtype();
        if (dtype().floating && o.dtype().floating) {
            if (dtype() == DType.F64 || o.dtype() == DType.F64) return DType.F64;
            return DType.F32;                                   // F32 with a half type, or BF16 with F16
        }
        if (dtype().floating) return dtype();
        if (o.dtype().floating) return o.dtype();
        return DType.I64;
    }

    private void checkSameBackend(String op, Tensor o) {
        if (o.backend() != backend())
            throw new IllegalArgumentException(op + ": tensors on different devices (" + backend().name() + " and " + o.backend().name() + ")");
    }

    public Tensor add(Tensor o) { return binary(BinaryOp.ADD, o); }
    public Tensor sub(Tensor o) { return binary(BinaryOp.SUB, o); }
    public Tensor mul(Tensor o) { return binary(BinaryOp.MUL, o); }
    public Tensor div(Tensor o) { return binary(BinaryOp.DIV, o); }
    public Tensor pow(Tensor o) { return binary(BinaryOp.POW, o); }
    public Tensor maximum(Tensor o) { return binary(BinaryOp.MAX, o); }
    public Tensor minimum(Tensor o) { return binary(BinaryOp.MIN, o); }
    public Tensor eq(Tensor o) { return binary(BinaryOp.EQ, o); }
    public Tensor ne(Tensor o) { return binary(BinaryOp.NE, o); }
    public Tensor lt(Tensor o) { return binary(BinaryOp.LT, o); }
    public Tensor le(Tensor o) { return binary(BinaryOp.LE, o); }
    public Tensor gt(Tensor o) { return binary(BinaryOp.GT, o); }
    public Tensor ge(Tensor o) { return binary(BinaryOp.GE, o); }
    /** g * GELU'(this): the fused GELU backward. */
    public Tensor geluGrad(Tensor g) { return binary(BinaryOp.GELU_GRAD, g); }

    public Tensor add(double v) { return binary(BinaryOp.ADD, v); }
    public Tensor sub(double v) { return binary(BinaryOp.SUB, v); }
    public Tensor mul(double v) { return binary(BinaryOp.MUL, v); }
    public Tensor div(double v) { return binary(BinaryOp.DIV, v); }
    public Tensor pow(double v) { return binary(BinaryOp.POW, v); }
    public Tensor maximum(double v) { return binary(BinaryOp.MAX, v); }
    public Tensor minimum(double v) { return binary(BinaryOp.MIN, v); }
    public Tensor eq(double v) { return binary(BinaryOp.EQ, v); }
    public Tensor lt(double v) { return binary(BinaryOp.LT, v); }
    public Tensor le(double v) { return binary(BinaryOp.LE, v); }
    public Tensor gt(double v) { return binary(BinaryOp.GT, v); }
    public Tensor ge(double v) { return binary(BinaryOp.GE, v); }

    private Tensor unary(UnaryOp op, double lo, double hi) {
        DType dt = dtype().floating ? dtype() : DType.F32;
        Tensor out = empty(dt, backend(), shape);
        backend().unary(op, this.to(dt), out, lo, hi);
        return out;
    }

    public Tensor unary(UnaryOp op) { return unary(op, 0, 0); }
    public Tensor neg() { return unary(UnaryOp.NEG); }
    public Tensor exp() { return unary(UnaryOp.EXP); }
    public Tensor log() { return unary(UnaryOp.LOG); }
    public Tensor sqrt() { return unary(UnaryOp.SQRT); }
    public Tensor rsqrt() { return unary(UnaryOp.RSQRT); }
    public Tensor abs() { return unary(UnaryOp.ABS); }
    public Tensor tanh() { return unary(UnaryOp.TANH); }
    public Tensor erf() { return unary(UnaryOp.ERF); }
    public Tensor gelu() { return unary(UnaryOp.GELU); }
    public Tensor relu() { return unary(UnaryOp.RELU); }
    public Tensor sign() { return unary(UnaryOp.SIGN); }
    public Tensor square() { return unary(UnaryOp.SQUARE); }
    public Tensor reciprocal() { return unary(UnaryOp.RECIPROCAL); }
    public Tensor sin() { return unary(UnaryOp.SIN); }
    public Tensor cos() { return unary(UnaryOp.COS); }
    public Tensor clamp(double lo, double hi) { return unary(UnaryOp.CLAMP, lo, hi); }

    /** cond != 0 ? a : b, broadcasting all three. */
    public static Tensor where(Tensor cond, Tensor a, Tensor b) {
        int[] s = Shape.broadcast("where", Shape.broadcast("where", cond.shape, a.shape), b.shape);
        DType dt = a.resultType("where", b);
        Tensor out = empty(dt, a.backend(), s);
        a.backend().where(cond.expand(s), a.to(dt).expand(s), b.to(dt).expand(s), out);
        return out;
    }

    /** This tensor with {@code value} wherever mask != 0 (mask broadcasts). */
    public Tensor maskedFill(Tensor mask, double value) {
        return where(mask, full(value, dtype(), backend()), this);
    }

    // in place (optimisers, gradient accumulation); o broadcasts to this tensor's shape

    public Tensor addInPlace(Tensor o) { return inPlace(BinaryOp.ADD, o); }
    public Tensor subInPlace(Tensor o) { return inPlace(BinaryOp.SUB, o); }
    public Tensor mulInPlace(Tensor o) { return inPlace(BinaryOp.MUL, o); }
    public Tensor mulInPlace(double v) { return inPlace(BinaryOp.MUL, full(v, dtype(), backend())); }
    public Tensor addInPlace(double v) { return inPlace(BinaryOp.ADD, full(v, dtype(), backend())); }

    public Tensor copyFrom(Tensor src) {
        checkSameBackend("copyFrom", src);
        checkWritable("copyFrom");
        backend().copy(src.expand(shape), this);
        return this;
    }

    public Tensor fillInPlace(double v) {
        checkWritable("fillInPlace");
        backend().fill(this, v);
        return this;
    }

    private Tensor inPlace(BinaryOp op, Tensor o) {
        checkSameBackend(op.name(), o);
        checkWritable(op.name().toLowerCase() + "InPlace");
        backend().binary(op, this, o.to(dtype()).expand(shape), this);
        return this;
    }

    /**
     * Refuses an in-place write into a view whose elements share memory (an {@link #expand}ed axis, stride 0 over
     * more than one element): each shared element would take every write meant for the elements over it, as
     * PyTorch refuses too.
     */
    private void checkWritable(String op) {
        for (int i = 0; i < shape.length; i++) {
            if (strides[i] == 0 && shape[i] > 1) {
                throw new IllegalArgumentException(op + ": the tensor " + Shape.str(shape) + " (strides " + Arrays.toString(strides)
                        + ") has elements that share memory (axis " + i + " is expanded), so an in-place write would land on"
                        + " one element several times; write into a contiguous copy instead");
            }
        }
    }

    // ---------------------------------------------------------------- reductions

    private int[] reducedShape(String op, int[] axes, boolean keepdim, boolean[] reduced) {
        for (int a : axes) reduced[Shape.axis(op, a, shape.length)] = true;
        int n = 0;
        for (int i = 0; i < shape.length; i++) if (keepdim || !reduced[i]) n++;
        int[] s = new int[n];
        for (int i = 0, j = 0; i < shape.length; i++) {
            if (!reduced[i]) s[j++] = shape[i];
            else if (keepdim) s[j++] = 1;
        }
        return s;
    }

    private Tensor reduce(ReduceOp op, int[] axes, boolean keepdim) {
        boolean[] reduced = new boolean[shape.length];
        if (axes.length == 0) Arrays.fill(reduced, true);
        int[] all = new int[shape.length];
        for (int i = 0; i < all.length; i++) all[i] = i;
        int[] keep = reducedShape(op.name().toLowerCase(), axes.length == 0 ? all : axes, true, reduced);
        if (op != ReduceOp.SUM && numel() == 0)
            throw new IllegalArgumentException(op.name().toLowerCase() + ": empty tensor " + Shape.str(shape));
        DType dt = dtype().floating ? dtype() : DType.F64;
        Tensor out = empty(dt, backend(), keep);
        if (numel() == 0) backend().fill(out, 0); // a sum over nothing (the backend's loop, driven by x, writes nothing)
        else backend().reduce(op, this.to(dt), out.expand(shape));
        return keepdim ? out : out.reshape(reducedShape(op.name(), axes.length == 0 ? all : axes, false, new boolean[shape.length]));
    }

    /** Σ x² over every element, accumulated in float64 ({@link Backend#sumOfSquares}). */
    public double sumOfSquares() { return backend().sumOfSquares(this); }

    /** Sum over the given axes (all axes when none are given). */
    public Tensor sum(boolean keepdim, int... axes) { return reduce(ReduceOp.SUM, axes, keepdim); }
    public Tensor sum(int... axes) { return sum(false, axes); }
    public Tensor max(boolean keepdim, int... axes) { return reduce(ReduceOp.MAX, axes, keepdim); }
    public Tensor min(boolean keepdim, int... axes) { return reduce(ReduceOp.MIN, axes, keepdim); }

    public Tensor mean(boolean keepdim, int... axes) {
        return TensorScope.returning(() -> {                  // the sum goes at once, as var's and norm's temporaries
            Tensor s = sum(keepdim, axes);
            return s.div((double) numel() / Math.max(1, s.numel()));
        });
    }

    public Tensor mean(int... axes) { return mean(false, axes); }

    /** Variance over axes; unbiased divides by n-1 (torch's default), else by n. */
    public Tensor var(boolean unbiased, boolean keepdim, int... axes) {
        return TensorScope.returning(() -> {
            Tensor mu = mean(true, axes);
            Tensor d2 = sub(mu).square();
            int n = numel() / Math.max(1, mu.numel());
            return d2.sum(keepdim, axes).div(unbiased ? Math.max(0, n - 1) : n); // NaN over fewer than 2 (or 1) values, as torch
        });
    }

    /** L2 norm over axes (all when none). */
    public Tensor norm(boolean keepdim, int... axes) {
        return TensorScope.returning(() -> square().sum(keepdim, axes).sqrt());
    }

    /** Index of the largest value along axis (I64, axis removed; the first maximum wins). */
    public Tensor argmax(int axis) { return argReduce(true, axis); }
    public Tensor argmin(int axis) { return argReduce(false, axis); }

    private Tensor argReduce(boolean max, int axis) {
        String op = max ? "argmax" : "argmin";
        int a = Shape.axis(op, axis, shape.length);
        if (shape[a] == 0) {
            throw new IllegalArgumentException(op + ": axis " + a + " of the tensor " + Shape.str(shape) + " is empty, it has no "
                    + (max ? "largest" : "smallest") + " value");
        }
        int[] s = new int[shape.length - 1];
        for (int i = 0, j = 0; i < shape.length; i++) if (i != a) s[j++] = shape[i];
        Tensor out = empty(DType.I64, backend(), s);
        backend().argReduce(max, this, a, out);
        return out;
    }

    // ---------------------------------------------------------------- linear algebra and fused ops

    /**
     * Matrix product with NumPy semantics: 1-D operands are promoted, batch axes broadcast.
     * a (..., M, K) · b (..., K, N) → (..., M, N). Transposed operands are just transposed views.
     */
    public Tensor matmul(Tensor b) {
        checkSameBackend("matmul", b);
        Tensor a = this;
        boolean vecA = a.rank() == 1, vecB = b.rank() == 1;
        if (vecA) a = a.unsqueeze(0);
        if (vecB) b = b.unsqueeze(1);
        if (a.rank() < 2 || b.rank() < 2) throw new IllegalArgumentException("matmul: scalar operand");
        int m = a.size(-2), k = a.size(-1), k2 = b.size(-2), n = b.size(-1);
        if (k != k2)
            throw new IllegalArgumentException("matmul: shapes " + Shape.str(shape) + " and " + Shape.str(b.shape) + " do not match (" + k + " vs " + k2 + ")");
        if (dtype() != b.dtype())
            throw new IllegalArgumentException("matmul: dtypes " + dtype() + " and " + b.dtype() + " differ");
        int[] batch = Shape.broadcast("matmul", Arrays.copyOf(a.shape, a.rank() - 2), Arrays.copyOf(b.shape, b.rank() - 2));
        int[] sa = Arrays.copyOf(batch, batch.length + 2), sb = sa.clone(), so = sa.clone();
        sa[batch.length] = m; sa[batch.length + 1] = k;
        sb[batch.length] = k; sb[batch.length + 1] = n;
        so[batch.length] = m; so[batch.length + 1] = n;
        Tensor out = empty(dtype(), backend(), so);
        backend().matmul(a.expand(sa), b.expand(sb), out);
        if (vecA) out = out.squeeze(-2);
        if (vecB) out = out.squeeze(-1);
        return out;
    }

    /**
     * this (M, K) · b (K, N) followed by the element-wise epilogue e (see {@link MatmulEpilogue}), whose
     * operands must live on this backend: a fresh (M, N) tensor, e.g. a linear layer's x·Wᵀ + bias.
     */
    public Tensor matmul(Tensor b, MatmulEpilogue e) {
        checkSameBackend("matmul", b);
        if (rank() != 2 || b.rank() != 2 || size(1) != b.size(0))
            throw new IllegalArgumentException("matmul with epilogue: shapes " + Shape.str(shape) + " and " + Shape.str(b.shape) + " are not (M, K) and (K, N)");
        if (dtype() != b.dtype())
            throw new IllegalArgumentException("matmul: dtypes " + dtype() + " and " + b.dtype() + " differ");
        e.check(size(0), b.size(1), dtype(), backend());
        Tensor out = empty(dtype(), backend(), size(0), b.size(1));
        backend().matmulEpilogue(this, b, e, out);
        return out;
    }

    public Tensor softmax(int axis) { return softmax(axis, false); }
    public Tensor logSoftmax(int axis) { return softmax(axis, true); }

    private Tensor softmax(int axis, boolean log) {
        Tensor out = empty(dtype(), backend(), shape);
        backend().softmax(this, Shape.axis("softmax", axis, shape.length), log, out);
        return out;
    }

    /** dx of y = softmax(x) (or log-softmax) along axis, from y (this) and dy. */
    public Tensor softmaxBackward(Tensor dy, int axis, boolean log) {
        Tensor dx = empty(dtype(), backend(), shape);
        backend().softmaxBackward(this, dy, Shape.axis("softmax", axis, shape.length), log, dx);
        return dx;
    }

    /** The two outputs of {@link #attention}: out (B, Tq, D) and probs (B, H, Tq, Tk). */
    public record AttentionResult(Tensor out, Tensor probs) {}

    /**
     * Multi-head attention with this tensor as q (B, Tq, D): softmax(q_h·k_hᵀ·scale + mask)·v_h per head h
     * (features [h·D/H, (h+1)·D/H)), joined head-major. k, v: (B, Tk, D); mask null or additive (B or 1, 1, Tq, Tk).
     */
    public AttentionResult attention(Tensor k, Tensor v, int heads, double scale, Tensor mask) {
        checkAttention(k, v, heads, mask);
        int b = size(0), tq = size(1), tk = k.size(1);
        Tensor out = empty(dtype(), backend(), shape), probs = empty(dtype(), backend(), b, heads, tq, tk);
        backend().attention(this, k, v, heads, scale, mask, out, probs);
        return new AttentionResult(out, probs);
    }

    /** {dq, dk, dv} of {@link #attention} (this = q) from the output gradient dOut (B, Tq, D) and its probs. */
    public Tensor[] attentionBackward(Tensor dOut, Tensor k, Tensor v, Tensor probs, int heads, double scale) {
        Tensor dq = empty(dtype(), backend(), shape), dk = empty(dtype(), backend(), k.shape), dv = empty(dtype(), backend(), v.shape);
        attentionBackward(dOut, k, v, probs, heads, scale, dq, dk, dv);
        return new Tensor[] {dq, dk, dv};
    }

    /** As {@link #attentionBackward(Tensor, Tensor, Tensor, Tensor, int, double)}, writing into dq, dk, dv (any views of q's, k's, v's shapes). */
    public void attentionBackward(Tensor dOut, Tensor k, Tensor v, Tensor probs, int heads, double scale, Tensor dq, Tensor dk, Tensor dv) {
        checkAttention(k, v, heads, null);
        if (!Arrays.equals(dOut.shape, shape) || !Arrays.equals(dq.shape, shape) || !Arrays.equals(dk.shape, k.shape)
                || !Arrays.equals(dv.shape, v.shape) || probs.rank() != 4 || probs.size(0) != size(0) || probs.size(1) != heads
                || probs.size(2) != size(1) || probs.size(3) != k.size(1))
            throw new IllegalArgumentException("attentionBackward: dOut " + Shape.str(dOut.shape) + ", probs " + Shape.str(probs.shape)
                    + ", dq " + Shape.str(dq.shape) + ", dk " + Shape.str(dk.shape) + ", dv " + Shape.str(dv.shape)
                    + " do not match q " + Shape.str(shape) + ", k " + Shape.str(k.shape) + " with " + heads + " heads");
        backend().attentionBackward(dOut, this, k, v, probs, heads, scale, dq, dk, dv);
    }

    private void checkAttention(Tensor k, Tensor v, int heads, Tensor mask) {
        for (Tensor t : new Tensor[] {k, v, mask}) if (t != null) checkSameBackend("attention", t);
        boolean ok = rank() == 3 && k.rank() == 3 && v.rank() == 3 && Arrays.equals(k.shape, v.shape)
                && k.size(0) == size(0) && k.size(2) == size(2) && heads > 0 && size(2) % heads == 0
                && k.dtype() == dtype() && v.dtype() == dtype();
        if (!ok)
            throw new IllegalArgumentException("attention: q " + Shape.str(shape) + ", k " + Shape.str(k.shape) + ", v " + Shape.str(v.shape)
                    + " (" + dtype() + ", " + k.dtype() + ", " + v.dtype() + ") are not (B, Tq, D), (B, Tk, D), (B, Tk, D) of one dtype with D divisible by " + heads + " heads");
        if (mask != null) {
            int[] m = mask.shape;
            if (m.length != 4 || (m[0] != size(0) && m[0] != 1) || m[1] != 1 || m[2] != size(1) || m[3] != k.size(1))
                throw new IllegalArgumentException("attention: mask " + Shape.str(m) + " is not (" + size(0) + " or 1, 1, "
                        + size(1) + ", " + k.size(1) + ")");
        }
    }

    /** The three outputs of a layer norm over the last axis. */
    public record LayerNormResult(Tensor out, Tensor mean, Tensor rstd) {}

    public LayerNormResult layerNorm(Tensor w, Tensor b, double eps) {
        int d = size(-1);
        if ((w != null && (w.rank() != 1 || w.size(0) != d)) || (b != null && (b.rank() != 1 || b.size(0) != d)))
            throw new IllegalArgumentException("layerNorm: input " + Shape.str(shape) + " needs weight and bias of shape (" + d + ")");
        int[] rows = Arrays.copyOf(shape, shape.length - 1);
        Tensor out = empty(dtype(), backend(), shape);
        Tensor mean = empty(dtype(), backend(), rows), rstd = empty(dtype(), backend(), rows);
        backend().layerNorm(this, w, b, eps, out, mean, rstd);
        return new LayerNormResult(out, mean, rstd);
    }

    /** Depthwise 2-D correlation with zero padding: this (B, C, H, W), w (C, 1, k, k). */
    public Tensor depthwiseConv2d(Tensor w, int padding) {
        if (rank() != 4 || w.rank() != 4 || w.size(0) != size(1) || w.size(1) != 1 || w.size(2) != w.size(3))
            throw new IllegalArgumentException("depthwiseConv2d: input " + Shape.str(shape) + " and weight " + Shape.str(w.shape) + " do not match (want (B,C,H,W) and (C,1,k,k))");
        int k = w.size(2);
        int ho = size(2) + 2 * padding - k + 1, wo = size(3) + 2 * padding - k + 1;
        Tensor out = empty(dtype(), backend(), size(0), size(1), ho, wo);
        backend().depthwiseConv2d(this, w.to(dtype()), padding, out);
        return out;
    }

    // ---------------------------------------------------------------- joining and indexing

    public static Tensor cat(int axis, Tensor... ts) {
        if (ts.length == 0) throw new IllegalArgumentException("cat: no tensors");
        Tensor first = ts[0];
        int a = Shape.axis("cat", axis, first.rank());
        int total = 0;
        for (Tensor t : ts) {
            if (t.rank() != first.rank()) throw new IllegalArgumentException("cat: ranks differ: " + Shape.str(first.shape) + " and " + Shape.str(t.shape));
            for (int i = 0; i < t.rank(); i++)
                if (i != a && t.shape[i] != first.shape[i])
                    throw new IllegalArgumentException("cat: shapes " + Shape.str(first.shape) + " and " + Shape.str(t.shape) + " differ off axis " + a);
            total += t.shape[a];
        }
        int[] s = first.shape.clone();
        s[a] = total;
        Tensor out = empty(first.dtype(), first.backend(), s);
        int at = 0;
        for (Tensor t : ts) {
            first.backend().copy(t.to(first.dtype()), out.narrow(a, at, t.shape[a]));
            at += t.shape[a];
        }
        return out;
    }

    public static Tensor stack(int axis, Tensor... ts) {
        Tensor[] u = new Tensor[ts.length];
        for (int i = 0; i < ts.length; i++) u[i] = ts[i].unsqueeze(axis);
        return cat(axis, u);
    }

    /** Views of consecutive pieces along axis with the given sizes. */
    public Tensor[] split(int axis, int... sizes) {
        int a = Shape.axis("split", axis, rank());
        int sum = 0;
        for (int s : sizes) sum += s;
        if (sum != shape[a]) throw new IllegalArgumentException("split: sizes " + Arrays.toString(sizes) + " do not add up to " + shape[a] + " on axis " + a);
        Tensor[] out = new Tensor[sizes.length];
        for (int i = 0, at = 0; i < sizes.length; at += sizes[i++]) out[i] = narrow(a, at, sizes[i]);
        return out;
    }

    public Tensor indexSelect(int axis, Tensor index) {
        int a = Shape.axis("indexSelect", axis, rank());
        if (index.rank() != 1 || index.dtype().floating)
            throw new IllegalArgumentException("indexSelect: index must be a 1-D integer tensor, got " + index);
        int[] s = shape.clone();
        s[a] = index.numel();
        Tensor out = empty(dtype(), backend(), s);
        backend().indexSelect(this, a, index, out);
        return out;
    }

    public Tensor gather(int axis, Tensor index) {
        int a = Shape.axis("gather", axis, rank());
        checkScatterIndex("gather", a, index, null);
        Tensor out = empty(dtype(), backend(), index.shape);
        backend().gather(this, a, index, out);
        return out;
    }

    /** A copy of this tensor with src added at index along axis (torch.scatter_add). */
    public Tensor scatterAdd(int axis, Tensor index, Tensor src) {
        int a = Shape.axis("scatterAdd", axis, rank());
        checkScatterIndex("scatterAdd", a, index, src);
        Tensor out = copy();
        backend().scatterAdd(out, a, index, src.to(dtype()));
        return out;
    }

    /**
     * torch's rule for gather/scatter indices: an integer tensor of this rank, no larger than this
     * tensor off the axis, and no larger than src (when given) on any axis.
     */
    private void checkScatterIndex(String op, int axis, Tensor index, Tensor src) {
        boolean ok = index.rank() == rank() && !index.dtype().floating && (src == null || src.rank() == rank());
        for (int i = 0; ok && i < rank(); i++)
            ok = (i == axis || index.shape[i] <= shape[i]) && (src == null || index.shape[i] <= src.shape[i]);
        if (!ok)
            throw new IllegalArgumentException(op + ": index " + index.dtype() + Shape.str(index.shape) + " does not fit input "
                    + Shape.str(shape) + (src == null ? "" : " and source " + Shape.str(src.shape)) + " along axis " + axis
                    + " (want an integer index of the same rank, no larger off the axis" + (src == null ? "" : " nor than the source") + ")");
    }

    // ---------------------------------------------------------------- sorting and selection

    /** Indices (I64) that sort along the last axis; stable (equal values keep their order); descending when asked. */
    public Tensor argsort(boolean descending) {
        return topk(size(-1), descending)[1];
    }

    /** Values sorted along the last axis. */
    public Tensor sort(boolean descending) {
        return topk(size(-1), descending)[0];
    }

    /**
     * The k largest (or smallest) along the last axis, best first: {values (..., k), indices (..., k) I64}. Equal
     * values come by lower index; NaN counts as above +infinity (as {@link Double#compare}). A selection on the
     * tensor's backend ({@link Backend#topk}): the (..., n) input never leaves the device.
     */
    public Tensor[] topk(int k, boolean largest) {
        if (rank() == 0 || k < 0 || k > size(-1))
            throw new IllegalArgumentException("topk: k = " + k + " is outside 0.." + (rank() == 0 ? 0 : size(-1))
                    + " for a tensor of shape " + Shape.str(shape) + " (selection along the last axis)");
        int[] outShape = shape.clone();
        outShape[rank() - 1] = k;
        Tensor values = empty(dtype(), backend(), outShape), indices = empty(DType.I64, backend(), outShape);
        if (values.numel() > 0) backend().topk(this, k, largest, values, indices);
        return new Tensor[] {values, indices};
    }

    // ---------------------------------------------------------------- image layout

    /**
     * (B, C, H, W) → (B, L, P·P·C) with patch p = row·(W/P) + col and each vector ordered
     * (y-in-patch, x-in-patch, channel): the loss-target layout of spec §5.2.
     */
    public Tensor patchify(int p) {
        int b = size(0), c = size(1), h = size(2), w = size(3);
        checkPatch(p, h, w);
        return reshape(b, c, h / p, p, w / p, p).permute(0, 2, 4, 3, 5, 1).reshape(b, (h / p) * (w / p), p * p * c);
    }

    /** Inverse of {@link #patchify}: (B, L, P·P·C) → (B, C, H, W) for a square grid. */
    public Tensor unpatchify(int p, int channels) {
        int b = size(0), l = size(1), g = (int) Math.round(Math.sqrt(l));
        if (g * g != l || size(2) != p * p * channels)
            throw new IllegalArgumentException("unpatchify: " + Shape.str(shape) + " is not (B, G*G, " + p + "*" + p + "*" + channels + ")");
        return reshape(b, g, g, p, p, channels).permute(0, 5, 1, 3, 2, 4).reshape(b, channels, g * p, g * p);
    }

    /**
     * (B, C, H, W) → (B, L, C·P·P) with each vector ordered (channel, y, x): the input layout of the
     * patch embedding, where a stride-P convolution becomes a matrix product with the (D, C·P·P) weight.
     */
    public Tensor patchifyChannelMajor(int p) {
        int b = size(0), c = size(1), h = size(2), w = size(3);
        checkPatch(p, h, w);
        return reshape(b, c, h / p, p, w / p, p).permute(0, 2, 4, 1, 3, 5).reshape(b, (h / p) * (w / p), c * p * p);
    }

    private void checkPatch(int p, int h, int w) {
        if (rank() != 4 || h % p != 0 || w % p != 0)
            throw new IllegalArgumentException("patchify: image " + Shape.str(shape) + " is not (B, C, H, W) with H and W divisible by patch " + p);
    }
}
