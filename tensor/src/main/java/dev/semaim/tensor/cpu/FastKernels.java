package dev.semaim.tensor.cpu;

import dev.semaim.tensor.BinaryOp;
import dev.semaim.tensor.MatmulEpilogue;
import dev.semaim.tensor.Philox;
import dev.semaim.tensor.RandomKind;
import dev.semaim.tensor.ReduceOp;
import dev.semaim.tensor.Tensor;
import dev.semaim.tensor.UnaryOp;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * float32 kernels on the Vector API. Each method handles the layouts it is written for and returns
 * false otherwise, so {@link CpuBackend} falls back to {@link ReferenceKernels}; tests compare the two.
 * Rows of a {@link Strided} iteration are spread over {@link CpuThreads}.
 */
final class FastKernels {
    private FastKernels() {}

    private static final VectorSpecies<Float> S = KernelConfig.SPECIES;
    private static final int V = S.length();
    /** Elements per parallel chunk: below this a hand-off to the pool costs more than it saves. */
    private static final int GRAIN = 1 << 15;

    static float[] f(Tensor t) {
        return ((CpuStorage) t.storage()).f;
    }

    /** Runs body over the rows of s, in parallel when the work is large enough. */
    private static void rows(Strided s, CpuThreads.RangeBody body) {
        int grainRows = Math.max(1, GRAIN / Math.max(1, s.n));
        CpuThreads.parallelRanges(s.rows, grainRows, body);
    }

    // ------------------------------------------------------------------ copy / fill

    /** dst = v for a contiguous dst (zeros for gradients, constants); the reference goes element by element. */
    static boolean fill(Tensor dst, double v) {
        if (!dst.isContiguous()) return false;
        java.util.Arrays.fill(f(dst), dst.offset(), dst.offset() + dst.numel(), (float) v);
        return true;
    }

    static boolean copy(Tensor src, Tensor dst) {
        Strided s = Strided.elementwise(src, dst);
        float[] a = f(src), o = f(dst);
        rows(s, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int ia = s.rowBase[0][r], io = s.rowBase[1][r];
                if (s.inner[0] == 1 && s.inner[1] == 1) System.arraycopy(a, ia, o, io, s.n);
                else for (int j = 0; j < s.n; j++, ia += s.inner[0], io += s.inner[1]) o[io] = a[ia];
            }
        });
        return true;
    }

    // ------------------------------------------------------------------ random

    /** Random elements per parallel range: one costs about 50-100 ns (Philox's ten rounds, a log, a cosine). */
    private static final int RANDOM_GRAIN = 1 << 11;

    /**
     * out = elements counter .. counter + n of the stream, for a contiguous out: the reference's values (each a pure
     * function of seed and index), written straight into the array from parallel ranges instead of through
     * {@code CpuStorage.set}, one element at a time on the calling thread. The pre-training step draws its order
     * noise here: about 2% of a single-thread aim-t1 step went to the reference loop.
     */
    static boolean random(Tensor out, RandomKind kind, long seed, long counter, double a, double b) {
        if (!out.isContiguous()) return false;
        float[] o = f(out);
        int base = out.offset();
        CpuThreads.parallelRanges(out.numel(), RANDOM_GRAIN, (k0, k1) -> {
            int[] words = new int[4];
            for (int k = k0; k < k1; k++) o[base + k] = (float) Philox.sample(kind, seed, counter + k, a, b, words);
        });
        return true;
    }

    // ------------------------------------------------------------------ elementwise

    /*
     * Vector values must not meet at a control-flow merge (a ternary, or a variable assigned in
     * several switch cases inside the loop): C2 then boxes every vector on the heap, which costs
     * more than the arithmetic and allocates ~1.5 output-sized buffers of garbage per call. So the
     * op switch sits outside each loop, and every case runs its own one-line loop.
     */

    static boolean binary(BinaryOp op, Tensor x, Tensor y, Tensor out) {
        switch (op) {
            case ADD: case SUB: case MUL: case DIV: case MAX: case MIN: case GELU_GRAD: break;
            default: return false;
        }
        Strided s = Strided.elementwise(x, y, out);
        if (s.inner[2] != 1 || (s.inner[0] | 1) != 1 || (s.inner[1] | 1) != 1) return false;
        float[] a = f(x), b = f(y), o = f(out);
        if (op == BinaryOp.GELU_GRAD && s.inner[0] == 1 && s.inner[1] == 1) {
            // Its own loop and call site, so C2 compiles it apart from the other ops (see VectorMath)
            rows(s, (r0, r1) -> {
                for (int r = r0; r < r1; r++) geluGradRow(a, s.rowBase[0][r], b, s.rowBase[1][r], o, s.rowBase[2][r], s.n);
            });
            return true;
        }
        rows(s, (r0, r1) -> {
            for (int r = r0; r < r1; r++)
                binaryRow(op, a, s.rowBase[0][r], s.inner[0], b, s.rowBase[1][r], s.inner[1], o, s.rowBase[2][r], s.n);
        });
        return true;
    }

    /** One row: a and b each either unit-stride (sa/sb = 1) or a broadcast scalar (0). */
    private static void binaryRow(BinaryOp op, float[] a, int ia, int sa, float[] b, int ib, int sb, float[] o, int io, int n) {
        int j = sa == 1 && sb == 1 ? rowRow(op, a, ia, b, ib, o, io, n)
                : sa == 1 ? rowScalar(op, a, ia, b[ib], o, io, n)
                : sb == 1 ? scalarRow(op, a[ia], b, ib, o, io, n) : 0;
        for (; j < n; j++) {
            float va = a[ia + j * sa], vb = b[ib + j * sb];
            float r;
            switch (op) {
                case ADD: r = va + vb; break;
                case SUB: r = va - vb; break;
                case MUL: r = va * vb; break;
                case DIV: r = va / vb; break;
                case MAX: r = Math.max(va, vb); break;
                case MIN: r = Math.min(va, vb); break;
                default: r = VectorMath.geluGrad(va, vb); break; // GELU_GRAD, the only other op let in
            }
            o[io + j] = r;
        }
    }

    /** o = a op b over whole vectors of a row; returns where the scalar tail starts. */
    private static int rowRow(BinaryOp op, float[] a, int ia, float[] b, int ib, float[] o, int io, int n) {
        int j = 0, end = n - V;
        switch (op) {
            case ADD: for (; j <= end; j += V) FloatVector.fromArray(S, a, ia + j).add(FloatVector.fromArray(S, b, ib + j)).intoArray(o, io + j); break;
            case SUB: for (; j <= end; j += V) FloatVector.fromArray(S, a, ia + j).sub(FloatVector.fromArray(S, b, ib + j)).intoArray(o, io + j); break;
            case MUL: for (; j <= end; j += V) FloatVector.fromArray(S, a, ia + j).mul(FloatVector.fromArray(S, b, ib + j)).intoArray(o, io + j); break;
            case DIV: for (; j <= end; j += V) FloatVector.fromArray(S, a, ia + j).div(FloatVector.fromArray(S, b, ib + j)).intoArray(o, io + j); break;
            case MAX: for (; j <= end; j += V) FloatVector.fromArray(S, a, ia + j).max(FloatVector.fromArray(S, b, ib + j)).intoArray(o, io + j); break;
            case MIN: for (; j <= end; j += V) FloatVector.fromArray(S, a, ia + j).min(FloatVector.fromArray(S, b, ib + j)).intoArray(o, io + j); break;
            default: return 0; // not reached: binary() gives GELU_GRAD on unit-stride rows its own loop
        }
        return j;
    }

    /** GELU_GRAD over a row of unit-stride operands. */
    private static void geluGradRow(float[] a, int ia, float[] b, int ib, float[] o, int io, int n) {
        int j = 0;
        for (; j <= n - V; j += V)
            VectorMath.geluGrad(FloatVector.fromArray(S, a, ia + j), FloatVector.fromArray(S, b, ib + j)).intoArray(o, io + j);
        for (; j < n; j++) o[io + j] = VectorMath.geluGrad(a[ia + j], b[ib + j]);
    }

    /** o = a op s with a broadcast scalar s. */
    private static int rowScalar(BinaryOp op, float[] a, int ia, float s, float[] o, int io, int n) {
        int j = 0, end = n - V;
        FloatVector vs = FloatVector.broadcast(S, s);
        switch (op) {
            case ADD: for (; j <= end; j += V) FloatVector.fromArray(S, a, ia + j).add(vs).intoArray(o, io + j); break;
            case SUB: for (; j <= end; j += V) FloatVector.fromArray(S, a, ia + j).sub(vs).intoArray(o, io + j); break;
            case MUL: for (; j <= end; j += V) FloatVector.fromArray(S, a, ia + j).mul(vs).intoArray(o, io + j); break;
            case DIV: for (; j <= end; j += V) FloatVector.fromArray(S, a, ia + j).div(vs).intoArray(o, io + j); break;
            case MAX: for (; j <= end; j += V) FloatVector.fromArray(S, a, ia + j).max(vs).intoArray(o, io + j); break;
            case MIN: for (; j <= end; j += V) FloatVector.fromArray(S, a, ia + j).min(vs).intoArray(o, io + j); break;
            default: return 0; // GELU_GRAD with a broadcast operand (rare): the scalar loop
        }
        return j;
    }

    /** o = s op b with a broadcast scalar s. */
    private static int scalarRow(BinaryOp op, float s, float[] b, int ib, float[] o, int io, int n) {
        int j = 0, end = n - V;
        FloatVector vs = FloatVector.broadcast(S, s);
        switch (op) {
            case ADD: for (; j <= end; j += V) vs.add(FloatVector.fromArray(S, b, ib + j)).intoArray(o, io + j); break;
            case SUB: for (; j <= end; j += V) vs.sub(FloatVector.fromArray(S, b, ib + j)).intoArray(o, io + j); break;
            case MUL: for (; j <= end; j += V) vs.mul(FloatVector.fromArray(S, b, ib + j)).intoArray(o, io + j); break;
            case DIV: for (; j <= end; j += V) vs.div(FloatVector.fromArray(S, b, ib + j)).intoArray(o, io + j); break;
            case MAX: for (; j <= end; j += V) vs.max(FloatVector.fromArray(S, b, ib + j)).intoArray(o, io + j); break;
            case MIN: for (; j <= end; j += V) vs.min(FloatVector.fromArray(S, b, ib + j)).intoArray(o, io + j); break;
            default: return 0; // GELU_GRAD with a broadcast operand (rare): the scalar loop
        }
        return j;
    }

    static boolean unary(UnaryOp op, Tensor x, Tensor out, double lo, double hi) {
        switch (op) {
            case NEG: case ABS: case SQUARE: case RELU: case EXP: case TANH: case GELU: case SQRT: case RSQRT:
            case RECIPROCAL: case CLAMP: case LOG: break;
            default: return false;
        }
        Strided s = Strided.elementwise(x, out);
        if (s.inner[0] != 1 || s.inner[1] != 1) return false;
        float[] a = f(x), o = f(out);
        // GELU and EXP get their own loops and call sites, so C2 compiles each apart from the other ops (see VectorMath)
        if (op == UnaryOp.GELU) {
            rows(s, (r0, r1) -> {
                for (int r = r0; r < r1; r++) geluRow(a, s.rowBase[0][r], o, s.rowBase[1][r], s.n);
            });
            return true;
        }
        if (op == UnaryOp.EXP) {
            rows(s, (r0, r1) -> {
                for (int r = r0; r < r1; r++) expRow(a, s.rowBase[0][r], o, s.rowBase[1][r], s.n);
            });
            return true;
        }
        rows(s, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int ia = s.rowBase[0][r], io = s.rowBase[1][r];
                for (int j = unaryRow(op, a, ia, o, io, s.n, (float) lo, (float) hi); j < s.n; j++)
                    o[io + j] = (float) op.apply(a[ia + j], lo, hi);
            }
        });
        return true;
    }

    /** GELU over a unit-stride row. */
    private static void geluRow(float[] a, int ia, float[] o, int io, int n) {
        int j = 0;
        for (; j <= n - V; j += V) VectorMath.gelu(FloatVector.fromArray(S, a, ia + j)).intoArray(o, io + j);
        for (; j < n; j++) o[io + j] = VectorMath.gelu(a[ia + j]);
    }

    /** EXP over a unit-stride row, the tail by the scalar twin (so every element gets the same function). */
    private static void expRow(float[] a, int ia, float[] o, int io, int n) {
        int j = 0;
        for (; j <= n - V; j += V) VectorMath.exp(FloatVector.fromArray(S, a, ia + j)).intoArray(o, io + j);
        for (; j < n; j++) o[io + j] = VectorMath.exp(a[ia + j]);
    }

    /** o = op(a) over whole vectors of a row; returns where the scalar tail starts. */
    private static int unaryRow(UnaryOp op, float[] a, int ia, float[] o, int io, int n, float lo, float hi) {
        int j = 0, end = n - V;
        FloatVector one = FloatVector.broadcast(S, 1f);
        switch (op) {
            case NEG: for (; j <= end; j += V) FloatVector.fromArray(S, a, ia + j).neg().intoArray(o, io + j); break;
            case ABS: for (; j <= end; j += V) FloatVector.fromArray(S, a, ia + j).abs().intoArray(o, io + j); break;
            case SQUARE: for (; j <= end; j += V) { FloatVector v = FloatVector.fromArray(S, a, ia + j); v.mul(v).intoArray(o, io + j); } break;
            case RELU: for (; j <= end; j += V) FloatVector.fromArray(S, a, ia + j).max(0f).intoArray(o, io + j); break;
            case LOG: for (; j <= end; j += V) FloatVector.fromArray(S, a, ia + j).lanewise(VectorOperators.LOG).intoArray(o, io + j); break;
            case TANH: for (; j <= end; j += V) FloatVector.fromArray(S, a, ia + j).lanewise(VectorOperators.TANH).intoArray(o, io + j); break;
            case SQRT: for (; j <= end; j += V) FloatVector.fromArray(S, a, ia + j).sqrt().intoArray(o, io + j); break;
            case RSQRT: for (; j <= end; j += V) one.div(FloatVector.fromArray(S, a, ia + j).sqrt()).intoArray(o, io + j); break;
            case RECIPROCAL: for (; j <= end; j += V) one.div(FloatVector.fromArray(S, a, ia + j)).intoArray(o, io + j); break;
            default: for (; j <= end; j += V) FloatVector.fromArray(S, a, ia + j).max(lo).min(hi).intoArray(o, io + j); break;
        }
        return j;
    }

    // ------------------------------------------------------------------ reductions

    /**
     * Reductions whose reduced elements are unit-stride runs (e.g. the last axis), summed in float
     * lanes; and reductions over outer axes that keep a unit-stride inner run (e.g. a bias gradient,
     * (B·L, C) → C), accumulated row by row into the output row.
     */
    /** Elements per chunk of {@link #sumOfSquares}: the chunks are fixed, so the sum does not depend on the threads. */
    static final int SQUARES_CHUNK = 1 << 16;

    /**
     * Σ x² of a contiguous float32 tensor in float64, without a float64 copy: each chunk sums its squares in four
     * float64 accumulators (independent chains the CPU overlaps), the chunks' sums are added in order.
     */
    static double sumOfSquares(Tensor x) {
        float[] a = f(x);
        int n = x.numel(), at = x.offset(), chunks = (n + SQUARES_CHUNK - 1) / SQUARES_CHUNK;
        double[] partial = new double[chunks];
        CpuThreads.parallelFor(chunks, c -> {
            int from = at + c * SQUARES_CHUNK, to = at + Math.min(n, (c + 1) * SQUARES_CHUNK), j = from;
            double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
            for (; j + 3 < to; j += 4) {
                double v0 = a[j], v1 = a[j + 1], v2 = a[j + 2], v3 = a[j + 3];
                s0 += v0 * v0;
                s1 += v1 * v1;
                s2 += v2 * v2;
                s3 += v3 * v3;
            }
            for (; j < to; j++) s0 += (double) a[j] * a[j];
            partial[c] = (s0 + s1) + (s2 + s3);
        });
        double sum = 0;
        for (double p : partial) sum += p;
        return sum;
    }

    static boolean reduce(ReduceOp op, Tensor x, Tensor outExpanded) {
        Strided s = new Strided(x, outExpanded);
        if (s.inner[0] == 1 && s.inner[1] == 1) return reduceKeptRuns(op, s, f(x), f(outExpanded));
        if (s.inner[0] != 1 || s.inner[1] != 0) return false;
        float[] a = f(x), o = f(outExpanded);
        // rows that map to the same output element are adjacent only when the row axis is reduced too;
        // accumulate each row, then combine rows per output (from the identity) serially to keep it race-free
        float[] partial = new float[s.rows];
        rows(s, (r0, r1) -> {
            for (int r = r0; r < r1; r++) partial[r] = reduceRow(op, a, s.rowBase[0][r], s.n);
        });
        float identity = (float) op.identity();
        for (int r = 0; r < s.rows; r++) o[s.rowBase[1][r]] = identity;
        for (int r = 0; r < s.rows; r++) {
            int io = s.rowBase[1][r];
            o[io] = (float) op.combine(o[io], partial[r]);
        }
        return true;
    }

    /**
     * Every row of x is combined elementwise into the output row it maps to, which starts at the
     * identity (as in the reference). Serial over rows (rows that share an output row would race);
     * vectorised along the row.
     */
    private static boolean reduceKeptRuns(ReduceOp op, Strided s, float[] a, float[] o) {
        float identity = (float) op.identity();
        for (int r = 0; r < s.rows; r++) java.util.Arrays.fill(o, s.rowBase[1][r], s.rowBase[1][r] + s.n, identity);
        for (int r = 0; r < s.rows; r++) {
            int ia = s.rowBase[0][r], io = s.rowBase[1][r], n = s.n;
            int j = 0, end = n - V;
            switch (op) {
                case SUM: for (; j <= end; j += V) FloatVector.fromArray(S, o, io + j).add(FloatVector.fromArray(S, a, ia + j)).intoArray(o, io + j); break;
                case MAX: for (; j <= end; j += V) FloatVector.fromArray(S, o, io + j).max(FloatVector.fromArray(S, a, ia + j)).intoArray(o, io + j); break;
                default: for (; j <= end; j += V) FloatVector.fromArray(S, o, io + j).min(FloatVector.fromArray(S, a, ia + j)).intoArray(o, io + j); break;
            }
            for (; j < n; j++) o[io + j] = (float) op.combine(o[io + j], a[ia + j]);
        }
        return true;
    }

    private static float reduceRow(ReduceOp op, float[] a, int ia, int n) {
        int j = 0;
        float acc;
        if (op == ReduceOp.SUM) {
            FloatVector v = FloatVector.zero(S);
            for (; j <= n - V; j += V) v = v.add(FloatVector.fromArray(S, a, ia + j));
            acc = v.reduceLanes(VectorOperators.ADD);
            for (; j < n; j++) acc += a[ia + j];
            return acc;
        }
        acc = (float) op.identity();
        for (; j < n; j++) acc = (float) op.combine(acc, a[ia + j]);
        return acc;
    }

    // ------------------------------------------------------------------ softmax and layer norm

    static boolean softmax(Tensor x, int axis, boolean log, Tensor out) {
        if (axis != x.rank() - 1 || !x.isContiguous() || !out.isContiguous()) return false;
        int n = x.size(-1), rowsN = x.numel() / Math.max(1, n);
        float[] a = f(x), o = f(out);
        int xo = x.offset(), oo = out.offset();
        CpuThreads.parallelRanges(rowsN, Math.max(1, GRAIN / Math.max(1, n)), (r0, r1) -> {
            for (int r = r0; r < r1; r++) softmaxRow(a, xo + r * n, o, oo + r * n, n, log);
        });
        return true;
    }

    /** o[io, io+n) = softmax (or log-softmax) of a[ia, ia+n); o may be a (same offsets). */
    static void softmaxRow(float[] a, int ia, float[] o, int io, int n, boolean log) {
        int j = 0;
        float max = Float.NEGATIVE_INFINITY;
        FloatVector vm = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        for (; j <= n - V; j += V) vm = vm.max(FloatVector.fromArray(S, a, ia + j));
        max = vm.reduceLanes(VectorOperators.MAX);
        for (; j < n; j++) max = Math.max(max, a[ia + j]);
        FloatVector vs = FloatVector.zero(S);
        j = 0;
        for (; j <= n - V; j += V) {
            FloatVector e = VectorMath.exp(FloatVector.fromArray(S, a, ia + j).sub(max));
            if (!log) e.intoArray(o, io + j);
            vs = vs.add(e);
        }
        float sum = vs.reduceLanes(VectorOperators.ADD);
        for (; j < n; j++) {
            float e = VectorMath.exp(a[ia + j] - max);
            if (!log) o[io + j] = e;
            sum += e;
        }
        if (log) {
            // (x - max) - log Σ, never x - (max + log Σ): at |x| ~ 1e7 the sum max + log Σ rounds log Σ away
            float logSum = (float) Math.log(sum);
            for (j = 0; j < n; j++) o[io + j] = (a[ia + j] - max) - logSum;
        } else {
            float inv = 1f / sum;
            j = 0;
            for (; j <= n - V; j += V) FloatVector.fromArray(S, o, io + j).mul(inv).intoArray(o, io + j);
            for (; j < n; j++) o[io + j] *= inv;
        }
    }

    static boolean softmaxBackward(Tensor y, Tensor dy, int axis, boolean log, Tensor dx) {
        if (axis != y.rank() - 1 || !y.isContiguous() || !dy.isContiguous() || !dx.isContiguous()) return false;
        int n = y.size(-1), rowsN = y.numel() / Math.max(1, n);
        float[] ya = f(y), ga = f(dy), da = f(dx);
        int yo = y.offset(), go = dy.offset(), dO = dx.offset();
        CpuThreads.parallelRanges(rowsN, Math.max(1, GRAIN / Math.max(1, n)), (r0, r1) -> {
            for (int r = r0; r < r1; r++) softmaxBackwardRow(ya, yo + r * n, ga, go + r * n, da, dO + r * n, n, log);
        });
        return true;
    }

    /** dx[id, id+n) from y = softmax (or log-softmax) at ya[iy..] and dy at ga[ig..]; dx may be dy (same offsets). */
    static void softmaxBackwardRow(float[] ya, int iy, float[] ga, int ig, float[] da, int id, int n, boolean log) {
        if (log) {
            float dot = 0;
            for (int j = 0; j < n; j++) dot += ga[ig + j];
            for (int j = 0; j < n; j++) da[id + j] = ga[ig + j] - (float) Math.exp(ya[iy + j]) * dot;
            return;
        }
        // dot = Σ g·y: lane-wise FMAs over whole vectors, their lanes summed, then the tail in order
        FloatVector vd = FloatVector.zero(S);
        int j = 0;
        for (; j <= n - V; j += V) vd = FloatVector.fromArray(S, ga, ig + j).fma(FloatVector.fromArray(S, ya, iy + j), vd);
        float dot = vd.reduceLanes(VectorOperators.ADD);
        for (; j < n; j++) dot += ga[ig + j] * ya[iy + j];
        FloatVector vDot = FloatVector.broadcast(S, dot);
        j = 0;
        for (; j <= n - V; j += V)
            FloatVector.fromArray(S, ya, iy + j).mul(FloatVector.fromArray(S, ga, ig + j).sub(vDot)).intoArray(da, id + j);
        for (; j < n; j++) da[id + j] = ya[iy + j] * (ga[ig + j] - dot);
    }

    static boolean layerNorm(Tensor x, Tensor w, Tensor b, double eps, Tensor out, Tensor mean, Tensor rstd) {
        if (!x.isContiguous() || !out.isContiguous() || !mean.isContiguous() || !rstd.isContiguous()
                || (w != null && !w.isContiguous()) || (b != null && !b.isContiguous())) return false;
        int d = x.size(-1), rowsN = mean.numel();
        float[] xa = f(x), oa = f(out), ma = f(mean), ra = f(rstd);
        float[] wa = w == null ? null : f(w), ba = b == null ? null : f(b);
        int xo = x.offset(), oo = out.offset(), wo = w == null ? 0 : w.offset(), bo = b == null ? 0 : b.offset();
        CpuThreads.parallelRanges(rowsN, Math.max(1, GRAIN / Math.max(1, d)), (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int ix = xo + r * d, io = oo + r * d, j = 0;
                FloatVector vs = FloatVector.zero(S);
                for (; j <= d - V; j += V) vs = vs.add(FloatVector.fromArray(S, xa, ix + j));
                float sum = vs.reduceLanes(VectorOperators.ADD);
                for (; j < d; j++) sum += xa[ix + j];
                float mu = sum / d;
                FloatVector vq = FloatVector.zero(S);
                j = 0;
                for (; j <= d - V; j += V) {
                    FloatVector c = FloatVector.fromArray(S, xa, ix + j).sub(mu);
                    vq = c.fma(c, vq);
                }
                float sq = vq.reduceLanes(VectorOperators.ADD);
                for (; j < d; j++) sq += (xa[ix + j] - mu) * (xa[ix + j] - mu);
                float inv = (float) (1.0 / Math.sqrt(sq / d + eps));
                ma[mean.offset() + r] = mu;
                ra[rstd.offset() + r] = inv;
                j = 0;
                for (; j <= d - V; j += V) {
                    FloatVector v = FloatVector.fromArray(S, xa, ix + j).sub(mu).mul(inv);
                    if (wa != null) v = v.mul(FloatVector.fromArray(S, wa, wo + j));
                    if (ba != null) v = v.add(FloatVector.fromArray(S, ba, bo + j));
                    v.intoArray(oa, io + j);
                }
                for (; j < d; j++) {
                    float v = (xa[ix + j] - mu) * inv;
                    if (wa != null) v *= wa[wo + j];
                    if (ba != null) v += ba[bo + j];
                    oa[io + j] = v;
                }
            }
        });
        return true;
    }

    static boolean layerNormBackward(Tensor dy, Tensor x, Tensor w, Tensor mean, Tensor rstd, Tensor dx, Tensor dw, Tensor db) {
        for (Tensor t : new Tensor[] {dy, x, w, mean, rstd, dx, dw, db})
            if (t != null && !t.isContiguous()) return false;
        int d = x.size(-1), rowsN = mean.numel();
        float[] ga = f(dy), xa = f(x), ma = f(mean), ra = f(rstd), da = f(dx);
        // No weight reads as a weight of ones (one loop for both, no vector chosen at a branch)
        float[] wa = w == null ? ones(d) : f(w);
        int wo = w == null ? 0 : w.offset();
        int threads = CpuThreads.threads();
        // per-thread partial dw/db, summed at the end: no two threads write the same accumulator
        float[][] pdw = new float[threads][d], pdb = new float[threads][d];
        int chunks = Math.max(1, Math.min(threads, rowsN));
        CpuThreads.parallelFor(chunks, t -> {
            int r0 = (int) ((long) rowsN * t / chunks), r1 = (int) ((long) rowsN * (t + 1) / chunks);
            float[] myDw = pdw[t], myDb = pdb[t];
            for (int r = r0; r < r1; r++) {
                int ig = dy.offset() + r * d, ix = x.offset() + r * d, id = dx.offset() + r * d;
                float mu = ma[mean.offset() + r], inv = ra[rstd.offset() + r];
                // pass 1: Σ g and Σ g·x̂ over the row (g = dy·w, x̂ = (x - μ)·rstd), and dw += dy·x̂, db += dy
                FloatVector vg = FloatVector.zero(S), vgx = FloatVector.zero(S);
                int j = 0;
                for (; j <= d - V; j += V) {
                    FloatVector gy = FloatVector.fromArray(S, ga, ig + j);
                    FloatVector xh = FloatVector.fromArray(S, xa, ix + j).sub(mu).mul(inv);
                    FloatVector g = gy.mul(FloatVector.fromArray(S, wa, wo + j));
                    vg = vg.add(g);
                    vgx = g.fma(xh, vgx);
                    gy.fma(xh, FloatVector.fromArray(S, myDw, j)).intoArray(myDw, j);
                    gy.add(FloatVector.fromArray(S, myDb, j)).intoArray(myDb, j);
                }
                float sumG = vg.reduceLanes(VectorOperators.ADD), sumGX = vgx.reduceLanes(VectorOperators.ADD);
                for (; j < d; j++) {
                    float xh = (xa[ix + j] - mu) * inv, g = ga[ig + j] * wa[wo + j];
                    sumG += g;
                    sumGX += g * xh;
                    myDw[j] += ga[ig + j] * xh;
                    myDb[j] += ga[ig + j];
                }
                float mg = sumG / d, mgx = sumGX / d;
                // pass 2: dx = rstd·(g - mean(g) - x̂·mean(g·x̂))
                j = 0;
                for (; j <= d - V; j += V) {
                    FloatVector xh = FloatVector.fromArray(S, xa, ix + j).sub(mu).mul(inv);
                    FloatVector g = FloatVector.fromArray(S, ga, ig + j).mul(FloatVector.fromArray(S, wa, wo + j));
                    g.sub(mg).sub(xh.mul(mgx)).mul(inv).intoArray(da, id + j);
                }
                for (; j < d; j++) {
                    float xh = (xa[ix + j] - mu) * inv, g = ga[ig + j] * wa[wo + j];
                    da[id + j] = inv * (g - mg - xh * mgx);
                }
            }
        });
        if (dw != null) accumulate(pdw, f(dw), dw.offset(), d);
        if (db != null) accumulate(pdb, f(db), db.offset(), d);
        return true;
    }

    private static float[] ones(int n) {
        float[] a = new float[n];
        java.util.Arrays.fill(a, 1f);
        return a;
    }

    private static void accumulate(float[][] partials, float[] out, int off, int d) {
        for (float[] p : partials)
            for (int j = 0; j < d; j++) out[off + j] += p[j];
    }

    // ------------------------------------------------------------------ matmul

    /** Batched matmul through {@link Gemm}: each matrix operand needs one unit stride (plain or transposed). */
    static boolean matmul(Tensor a, Tensor b, Tensor out) {
        if (out.stride(-1) != 1 || !out.isContiguous()) return false;
        int m = a.size(-2), k = a.size(-1), n = b.size(-1);
        int[] la = layout(a), lb = layout(b);
        if (la == null || lb == null) return false;
        boolean transA = la[0] == 1, transB = lb[0] == 1;
        int lda = la[1], ldb = lb[1];
        int[] ab = ReferenceKernels.batchOffsets(a), bb = ReferenceKernels.batchOffsets(b);
        int batch = ab.length;
        float[] fa = f(a), fb = f(b), fo = f(out);
        long strideA = batch > 1 ? ab[1] - ab[0] : 0, strideB = batch > 1 ? bb[1] - bb[0] : 0;
        boolean uniform = true;
        for (int i = 1; i < batch && uniform; i++)
            uniform = ab[i] - ab[i - 1] == strideA && bb[i] - bb[i - 1] == strideB;
        if (uniform && batch > 1) {
            Gemm.sgemmBatched(transA, transB, batch, m, n, k, fa, ab[0], lda, strideA, fb, bb[0], ldb, strideB,
                    0f, fo, out.offset(), n, (long) m * n);
        } else {
            for (int i = 0; i < batch; i++)
                Gemm.sgemm(transA, transB, m, n, k, fa, ab[i], lda, fb, bb[i], ldb, 0f, fo, out.offset() + i * m * n, n);
        }
        return true;
    }

    /**
     * 2-D out = a·b with the epilogue run by {@link Gemm} on each finished block of out while it is in
     * cache, by the same row kernels as the separate element-wise ops (so the same values). Needs out
     * contiguous and the epilogue's operands with unit-stride rows ({@link #matmulEpilogueFits}).
     */
    static void matmulEpilogue(Tensor a, Tensor b, MatmulEpilogue e, Tensor out) {
        int[] la = layout(a), lb = layout(b);
        int m = a.size(0), k = a.size(1), n = b.size(1), oc = out.offset();
        float[] c = f(out);
        float[] bias = e.bias == null ? null : f(e.bias), res = e.residual == null ? null : f(e.residual);
        // GELU in place writes its "act" over the product itself
        float[] act = e.geluInPlace ? c : e.act == null ? null : f(e.act), h = e.h == null ? null : f(e.h);
        int ob = e.bias == null ? 0 : e.bias.offset();
        int or = e.residual == null ? 0 : e.residual.offset(), rr = e.residual == null ? 0 : e.residual.stride(0);
        int oa = e.geluInPlace ? oc : e.act == null ? 0 : e.act.offset(), ra = e.geluInPlace ? n : e.act == null ? 0 : e.act.stride(0);
        int oh = e.h == null ? 0 : e.h.offset(), rh = e.h == null ? 0 : e.h.stride(0);
        // One lambda per form, each calling only small row loops: C2 inlines the Vector API math into a
        // compilation unit only up to a node budget, and a call it leaves out of line boxes its vectors.
        Gemm.Epilogue epilogue;
        if (h != null) {
            epilogue = (i0, i1, j0, j1) -> {
                for (int i = i0; i < i1; i++)
                    geluBackwardRow(h, oh + i * rh + j0, c, oc + i * n + j0, act, oa + i * ra + j0, j1 - j0);
            };
        } else if (act != null) {
            epilogue = (i0, i1, j0, j1) -> {
                for (int i = i0; i < i1; i++) {
                    int ci = oc + i * n + j0;
                    if (bias != null) addRow(c, ci, bias, ob + j0, j1 - j0);
                    geluRow(c, ci, act, oa + i * ra + j0, j1 - j0);
                }
            };
        } else if (bias != null || res != null) {
            epilogue = (i0, i1, j0, j1) -> {
                for (int i = i0; i < i1; i++) {
                    int ci = oc + i * n + j0;
                    if (bias != null) addRow(c, ci, bias, ob + j0, j1 - j0);
                    if (res != null) addRow(c, ci, res, or + i * rr + j0, j1 - j0);
                }
            };
        } else {
            epilogue = null;
        }
        if (e.aRowSums == null)
            Gemm.sgemm(la[0] == 1, lb[0] == 1, m, n, k, f(a), a.offset(), la[1], f(b), b.offset(), lb[1], 0f, c, oc, n, epilogue);
        else
            Gemm.sgemm(la[0] == 1, lb[0] == 1, m, n, k, f(a), a.offset(), la[1], f(b), b.offset(), lb[1], 0f, c, oc, n, epilogue,
                    f(e.aRowSums), e.aRowSums.offset());
    }

    /** c[ic, ic+n) += x[ix, ix+n): the same float sums as the ADD kernel. */
    private static void addRow(float[] c, int ic, float[] x, int ix, int n) {
        int j = 0;
        for (; j <= n - V; j += V) FloatVector.fromArray(S, c, ic + j).add(FloatVector.fromArray(S, x, ix + j)).intoArray(c, ic + j);
        for (; j < n; j++) c[ic + j] += x[ix + j];
    }

    /**
     * act = GELU(h) and g = g·GELU'(h) over a row, sharing one exp and Φ per element; each value is
     * exactly what the GELU and GELU_GRAD kernels give (the same operations in VectorMath).
     */
    private static void geluBackwardRow(float[] h, int ih, float[] g, int ig, float[] act, int ia, int n) {
        int j = 0;
        for (; j <= n - V; j += V) {
            FloatVector x = FloatVector.fromArray(S, h, ih + j), e = VectorMath.gaussian(x), cdf = VectorMath.normalCdf(x, e);
            x.mul(cdf).intoArray(act, ia + j);
            VectorMath.geluGrad(x, FloatVector.fromArray(S, g, ig + j), e, cdf).intoArray(g, ig + j);
        }
        if (j < n) geluBackwardTail(h, ih, g, ig, act, ia, j, n);
    }

    /** The scalar tail of {@link #geluBackwardRow}, apart so its inlined math does not crowd the vector loop's compilation. */
    private static void geluBackwardTail(float[] h, int ih, float[] g, int ig, float[] act, int ia, int j, int n) {
        for (; j < n; j++) {
            float x = h[ih + j], e = VectorMath.gaussian(x), cdf = VectorMath.normalCdf(x, e);
            act[ia + j] = x * cdf;
            g[ig + j] = VectorMath.geluGrad(x, g[ig + j], e, cdf);
        }
    }

    /** Whether {@link #matmulEpilogue} takes these operands. */
    static boolean matmulEpilogueFits(Tensor a, Tensor b, MatmulEpilogue e, Tensor out) {
        int[] la = layout(a);
        return out.isContiguous() && la != null && layout(b) != null
                && unitRows(e.bias) && unitRows(e.residual) && unitRows(e.act) && unitRows(e.h)
                && (e.aRowSums == null || la[0] == 1 && unitRows(e.aRowSums)); // row sums: a stored transposed (gᵀ)
    }

    /** Null, or a 1-D tensor or matrix whose last axis is unit-stride. */
    private static boolean unitRows(Tensor t) {
        return t == null || t.stride(-1) == 1 || t.size(-1) == 1;
    }

    /**
     * How Gemm reads a (R, C) matrix view: {0, ld} when rows are unit-stride runs (element (i, j) at
     * i·ld + j), {1, ld} when columns are (element at j·ld + i), null when neither axis is unit-stride.
     */
    private static int[] layout(Tensor t) {
        int r = t.size(-2), c = t.size(-1), sr = t.stride(-2), sc = t.stride(-1);
        if (sc == 1 || c == 1) return new int[] {0, r == 1 ? c : sr};
        if (sr == 1 || r == 1) return new int[] {1, c == 1 ? r : sc};
        return null;
    }

    // ------------------------------------------------------------------ depthwise convolution

    /**
     * out (B, C, Ho, Wo) = x (B, C, H, W) convolved plane by plane with w (C, 1, k, k), zero padding {@code pad}, for
     * contiguous operands. The reference's sums exactly (double, taps in (u, v) order, taps on the padding left out),
     * with each output's tap ranges worked out once instead of tested per tap, and the planes spread over the pool.
     */
    static boolean depthwiseConv2d(Tensor x, Tensor w, int pad, Tensor out) {
        if (!x.isContiguous() || !w.isContiguous() || !out.isContiguous()) return false;
        int c = x.size(1), h = x.size(2), wd = x.size(3), k = w.size(2), ho = out.size(2), wo = out.size(3);
        float[] xa = f(x), wa = f(w), oa = f(out);
        int xo = x.offset(), wOff = w.offset(), oo = out.offset();
        CpuThreads.parallelFor(x.size(0) * c, plane -> {
            int xp = xo + plane * h * wd, wp = wOff + plane % c * k * k, op = oo + plane * ho * wo;
            for (int i = 0; i < ho; i++) {
                int u0 = Math.max(0, pad - i), u1 = Math.min(k, h + pad - i);     // taps on rows inside the image
                for (int j = 0; j < wo; j++) {
                    int v0 = Math.max(0, pad - j), v1 = Math.min(k, wd + pad - j); // and on columns inside it
                    double sum = 0;
                    for (int u = u0; u < u1; u++) {
                        int xr = xp + (i + u - pad) * wd + j - pad, wr = wp + u * k;
                        for (int v = v0; v < v1; v++) sum += (double) xa[xr + v] * wa[wr + v];
                    }
                    oa[op + i * wo + j] = (float) sum;
                }
            }
        });
        return true;
    }

    // ------------------------------------------------------------------ optimiser

    static boolean adamw(Tensor p, Tensor g, Tensor m, Tensor v, double lr, double b1, double b2, double eps,
                         double wd, double bc1, double bc2) {
        if (!p.isContiguous() || !g.isContiguous() || !m.isContiguous() || !v.isContiguous()) return false;
        float[] pa = f(p), ga = f(g), ma = f(m), va = f(v);
        int po = p.offset(), go = g.offset(), mo = m.offset(), vo = v.offset();
        // PyTorch 1.13's float32 operation order, each scalar rounded to float as torch does:
        // p *= 1-lr*wd; m = m*b1 + (1-b1)*g; v = v*b2 + (1-b2)*g*g; p += (-lr/bc1) * m / (sqrt(v)/sqrt(bc2) + eps)
        float decay = (float) (1 - lr * wd), fb1 = (float) b1, fb2 = (float) b2, c1 = (float) (1 - b1), c2 = (float) (1 - b2);
        float negStep = (float) (-lr / bc1), sqrtBc2 = (float) Math.sqrt(bc2), feps = (float) eps;
        CpuThreads.parallelRanges(p.numel(), GRAIN, (i0, i1) -> {
            int i = i0;
            // the same float operations, lane by lane (a float's sqrt through double, as below, rounds as the float sqrt)
            for (; i <= i1 - V; i += V) {
                FloatVector gv = FloatVector.fromArray(S, ga, go + i);
                FloatVector mv = FloatVector.fromArray(S, ma, mo + i).mul(fb1).add(gv.mul(c1));
                FloatVector vv = FloatVector.fromArray(S, va, vo + i).mul(fb2).add(gv.mul(c2).mul(gv));
                mv.intoArray(ma, mo + i);
                vv.intoArray(va, vo + i);
                FloatVector step = mv.mul(negStep).div(vv.lanewise(VectorOperators.SQRT).div(sqrtBc2).add(feps));
                FloatVector.fromArray(S, pa, po + i).mul(decay).add(step).intoArray(pa, po + i);
            }
            for (; i < i1; i++) {
                float gv = ga[go + i];
                float mv = ma[mo + i] * fb1 + c1 * gv;
                float vv = va[vo + i] * fb2 + c2 * gv * gv;
                ma[mo + i] = mv;
                va[vo + i] = vv;
                pa[po + i] = pa[po + i] * decay + negStep * mv / ((float) Math.sqrt(vv) / sqrtBc2 + feps);
            }
        });
        return true;
    }
}
