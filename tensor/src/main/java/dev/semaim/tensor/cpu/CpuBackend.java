package dev.semaim.tensor.cpu;

import dev.semaim.tensor.Backend;
import dev.semaim.tensor.BinaryOp;
import dev.semaim.tensor.DType;
import dev.semaim.tensor.MatmulEpilogue;
import dev.semaim.tensor.RandomKind;
import dev.semaim.tensor.ReduceOp;
import dev.semaim.tensor.Storage;
import dev.semaim.tensor.Tensor;
import dev.semaim.tensor.UnaryOp;
import dev.semaim.tensor.cpu.KernelProfile.Kind;

/**
 * The default backend: float32 work goes to {@link FastKernels} (Vector API) when the layout suits
 * them, everything else, and everything under {@code -Dsemaim.reference=true}, to {@link ReferenceKernels}.
 */
public final class CpuBackend implements Backend {
    public static final CpuBackend INSTANCE = new CpuBackend();

    private CpuBackend() {}

    /** Whether the fast float32 kernels may take these operands (all F32, reference mode off). */
    private static boolean fast(Tensor... ts) {
        if (KernelMode.reference()) return false;
        for (Tensor t : ts) if (t != null && t.dtype() != DType.F32) return false;
        return true;
    }

    /** Detail-profile label: the operands' shapes, a trailing ' (a column-major matrix) or * (other non-contiguous view). */
    private static java.util.function.Supplier<String> label(String op, Tensor... ts) {
        return () -> {
            StringBuilder sb = new StringBuilder(op);
            for (Tensor t : ts) {
                if (t == null) continue;
                sb.append(' ').append(java.util.Arrays.toString(t.shape()).replace(" ", ""));
                if (!t.isContiguous()) sb.append(t.rank() >= 2 && t.stride(-2) == 1 ? "'" : "*");
            }
            return sb.toString();
        };
    }

    @Override public String name() { return "cpu"; }

    @Override public String describe() {
        return "cpu (" + CpuThreads.threads() + " threads, " + (KernelMode.reference() ? "reference" : "Vector API") + " kernels)";
    }

    @Override public Storage allocate(DType dtype, int size) { return new CpuStorage(dtype, size); }

    @Override public void release(Storage storage) { ((CpuStorage) storage).release(); }

    @Override public Storage upload(Object hostArray) {
        Object copy;
        if (hostArray instanceof float[]) copy = ((float[]) hostArray).clone();
        else if (hostArray instanceof double[]) copy = ((double[]) hostArray).clone();
        else if (hostArray instanceof int[]) copy = ((int[]) hostArray).clone();
        else if (hostArray instanceof long[]) copy = ((long[]) hostArray).clone();
        else throw new IllegalArgumentException("upload: not a float[], double[], int[] or long[]");
        return new CpuStorage(copy);
    }

    @Override public void download(Tensor src, Object hostArray) {
        CpuStorage host = hostArray instanceof short[] ? new CpuStorage(src.dtype(), (short[]) hostArray) : new CpuStorage(hostArray);
        Tensor dst = new Tensor(host, src.shape(), dev.semaim.tensor.Shape.contiguousStrides(src.shape()), 0);
        copy(src, dst);
    }

    @Override public void copy(Tensor src, Tensor dst) {
        KernelProfile.timed(Kind.ELEMENTWISE, 0, label("copy", src, dst), () -> {
            if (fast(src, dst)) FastKernels.copy(src, dst);
            else ReferenceKernels.copy(src, dst);
        });
    }

    @Override public void fill(Tensor dst, double value) {
        KernelProfile.timed(Kind.ELEMENTWISE, 0, label("fill", dst), () -> {
            if (!(fast(dst) && FastKernels.fill(dst, value))) ReferenceKernels.fill(dst, value);
        });
    }

    @Override public void unary(UnaryOp op, Tensor x, Tensor out, double lo, double hi) {
        KernelProfile.timed(Kind.ELEMENTWISE, 0, label(op.name(), x, out), () -> {
            if (!(fast(x, out) && FastKernels.unary(op, x, out, lo, hi))) ReferenceKernels.unary(op, x, out, lo, hi);
        });
    }

    @Override public void binary(BinaryOp op, Tensor a, Tensor b, Tensor out) {
        KernelProfile.timed(Kind.ELEMENTWISE, 0, label(op.name(), a, b, out), () -> {
            if (!(fast(a, b, out) && FastKernels.binary(op, a, b, out))) ReferenceKernels.binary(op, a, b, out);
        });
    }

    @Override public void where(Tensor cond, Tensor a, Tensor b, Tensor out) {
        KernelProfile.timed(Kind.ELEMENTWISE, 0, label("where", cond, a, b), () -> ReferenceKernels.where(cond, a, b, out));
    }

    @Override public void reduce(ReduceOp op, Tensor x, Tensor outExpanded) {
        KernelProfile.timed(Kind.ELEMENTWISE, 0, label(op.name(), x, outExpanded), () -> {
            if (!(fast(x, outExpanded) && FastKernels.reduce(op, x, outExpanded))) ReferenceKernels.reduce(op, x, outExpanded);
        });
    }

    @Override public double sumOfSquares(Tensor x) {
        double[] sum = new double[1];
        KernelProfile.timed(Kind.OPTIMIZER, 0, label("sumOfSquares", x), () -> sum[0] = fast(x) && x.isContiguous()
                ? FastKernels.sumOfSquares(x) : ReferenceKernels.sumOfSquares(x));
        return sum[0];
    }

    @Override public void argReduce(boolean max, Tensor x, int axis, Tensor out) {
        KernelProfile.timed(Kind.OTHER, 0, label("argReduce", x), () -> ReferenceKernels.argReduce(max, x, axis, out));
    }

    @Override public void topk(Tensor x, int k, boolean largest, Tensor values, Tensor indices) {
        KernelProfile.timed(Kind.OTHER, 0, label("topk", x), () -> {
            if (fast(x)) TopkKernels.topk(x.isContiguous() ? x : x.contiguous(), k, largest, values, indices);
            else Backend.super.topk(x, k, largest, values, indices);
        });
    }

    @Override public void matmul(Tensor a, Tensor b, Tensor out) {
        KernelProfile.timed(out.rank() > 2 ? Kind.ATTENTION : Kind.GEMM, 2L * out.numel() * a.size(-1), label("matmul", a, b), () -> {
            if (!fast(a, b, out)) {
                ReferenceKernels.matmul(a, b, out);
                return;
            }
            if (FastKernels.matmul(a, b, out)) return;
            // Gemm needs a contiguous output and one unit stride per operand: work in such copies
            Tensor o = out.isContiguous() ? out : Tensor.empty(DType.F32, this, out.shape());
            if (!FastKernels.matmul(a, b, o) && !FastKernels.matmul(a.contiguous(), b.contiguous(), o))
                throw new IllegalStateException("matmul: Gemm declined contiguous operands " + a + " and " + b);
            if (o != out) copy(o, out);
        });
    }

    @Override public void matmulEpilogue(Tensor a, Tensor b, MatmulEpilogue e, Tensor out) {
        if (fast(a, b, out, e.bias, e.residual, e.act, e.h) && FastKernels.matmulEpilogueFits(a, b, e, out))
            KernelProfile.timed(Kind.GEMM, 2L * out.numel() * a.size(-1), label("matmul+epilogue", a, b),
                    () -> FastKernels.matmulEpilogue(a, b, e, out));
        else
            Backend.super.matmulEpilogue(a, b, e, out);
    }

    @Override public void softmax(Tensor x, int axis, boolean log, Tensor out) {
        KernelProfile.timed(Kind.ATTENTION, 0, label("softmax", x), () -> {
            if (!(fast(x, out) && FastKernels.softmax(x, axis, log, out))) ReferenceKernels.softmax(x, axis, log, out);
        });
    }

    @Override public void softmaxBackward(Tensor y, Tensor dy, int axis, boolean log, Tensor dx) {
        KernelProfile.timed(Kind.ATTENTION, 0, label("softmaxBackward", y), () -> {
            if (!(fast(y, dy, dx) && FastKernels.softmaxBackward(y, dy, axis, log, dx)))
                ReferenceKernels.softmaxBackward(y, dy, axis, log, dx);
        });
    }

    @Override public void attention(Tensor q, Tensor k, Tensor v, int heads, double scale, Tensor mask, Tensor out, Tensor probs) {
        KernelProfile.timed(Kind.ATTENTION, 4L * q.numel() * k.size(1), label("attention", q), () -> {
            if (!(fast(q, k, v, mask, out, probs) && AttentionKernels.forward(q, k, v, heads, scale, mask, out, probs)))
                Backend.super.attention(q, k, v, heads, scale, mask, out, probs);
        });
    }

    @Override public void attentionBackward(Tensor dOut, Tensor q, Tensor k, Tensor v, Tensor probs, int heads, double scale,
                                            Tensor dq, Tensor dk, Tensor dv) {
        KernelProfile.timed(Kind.ATTENTION, 8L * q.numel() * k.size(1), label("attentionBackward", q), () -> {
            if (!(fast(dOut, q, k, v, probs, dq, dk, dv) && AttentionKernels.backward(dOut, q, k, v, probs, heads, scale, dq, dk, dv)))
                Backend.super.attentionBackward(dOut, q, k, v, probs, heads, scale, dq, dk, dv);
        });
    }

    @Override public void layerNorm(Tensor x, Tensor w, Tensor b, double eps, Tensor out, Tensor mean, Tensor rstd) {
        KernelProfile.timed(Kind.NORM, 0, label("layerNorm", x), () -> {
            if (!(fast(x, w, b, out, mean, rstd) && FastKernels.layerNorm(x, w, b, eps, out, mean, rstd)))
                ReferenceKernels.layerNorm(x, w, b, eps, out, mean, rstd);
        });
    }

    @Override public void layerNormBackward(Tensor dy, Tensor x, Tensor w, Tensor mean, Tensor rstd, Tensor dx, Tensor dw, Tensor db) {
        KernelProfile.timed(Kind.NORM, 0, label("layerNormBackward", x), () -> {
            if (!(fast(dy, x, w, mean, rstd, dx, dw, db) && FastKernels.layerNormBackward(dy, x, w, mean, rstd, dx, dw, db)))
                ReferenceKernels.layerNormBackward(dy, x, w, mean, rstd, dx, dw, db);
        });
    }

    @Override public void indexSelect(Tensor x, int axis, Tensor index, Tensor out) {
        KernelProfile.timed(Kind.OTHER, 0, label("indexSelect", x, index), () -> ReferenceKernels.indexSelect(x, axis, index, out));
    }

    @Override public void indexAdd(Tensor out, int axis, Tensor index, Tensor src) {
        KernelProfile.timed(Kind.OTHER, 0, label("indexAdd", out, src), () -> ReferenceKernels.indexAdd(out, axis, index, src));
    }

    @Override public void gather(Tensor x, int axis, Tensor index, Tensor out) {
        KernelProfile.timed(Kind.OTHER, 0, label("gather", x, index), () -> ReferenceKernels.gather(x, axis, index, out));
    }

    @Override public void scatterAdd(Tensor out, int axis, Tensor index, Tensor src) {
        KernelProfile.timed(Kind.OTHER, 0, label("scatterAdd", out, src), () -> ReferenceKernels.scatterAdd(out, axis, index, src));
    }

    @Override public void depthwiseConv2d(Tensor x, Tensor w, int padding, Tensor out) {
        KernelProfile.timed(Kind.OTHER, 0, label("depthwiseConv2d", x, w), () -> {
            if (!(fast(x, w, out) && FastKernels.depthwiseConv2d(x, w, padding, out))) ReferenceKernels.depthwiseConv2d(x, w, padding, out);
        });
    }

    @Override public void random(Tensor out, RandomKind kind, long seed, long counter, double a, double b) {
        KernelProfile.timed(Kind.OTHER, 0, label("random", out), () -> {
            if (!(fast(out) && FastKernels.random(out, kind, seed, counter, a, b))) ReferenceKernels.random(out, kind, seed, counter, a, b);
        });
    }

    @Override public void adamw(Tensor p, Tensor g, Tensor m, Tensor v, double lr, double beta1, double beta2, double eps,
                                double weightDecay, double bc1, double bc2) {
        KernelProfile.timed(Kind.OPTIMIZER, 0, label("adamw", p), () -> {
            if (!(fast(p, g, m, v) && FastKernels.adamw(p, g, m, v, lr, beta1, beta2, eps, weightDecay, bc1, bc2)))
                ReferenceKernels.adamw(p, g, m, v, lr, beta1, beta2, eps, weightDecay, bc1, bc2);
        });
    }
}
