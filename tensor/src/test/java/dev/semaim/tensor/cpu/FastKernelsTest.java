package dev.semaim.tensor.cpu;

import dev.semaim.tensor.BinaryOp;
import dev.semaim.tensor.RandomKind;
import dev.semaim.tensor.DType;
import dev.semaim.tensor.ReduceOp;
import dev.semaim.tensor.Shape;
import dev.semaim.tensor.Tensor;
import dev.semaim.tensor.UnaryOp;
import dev.semaim.tensor.testing.Cases;
import dev.semaim.tensor.testing.Gen;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static dev.semaim.tensor.DType.F32;
import static dev.semaim.tensor.DType.F64;
import static dev.semaim.tensor.testing.Close.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every float32 fast kernel against the reference path: the same operation on float64 copies of the
 * inputs, which always runs {@link ReferenceKernels}. Each fast kernel is called directly so the test
 * knows it took the layout (a silent fallback would compare the reference with itself); the layouts
 * it declines are compared through {@link CpuBackend}. Row lengths are the awkward sizes around the
 * vector width and the parallel grain.
 */
class FastKernelsTest {
    static final int CASES = 30;
    static final int[] SIZES = {1, 7, 17, 63, 65, 1000};

    /** A (rows, n) or (a, b, n) shape with n from SIZES; sometimes big enough to run in parallel. */
    private static int[] rowsShape(Gen gen) {
        int n = gen.pick(SIZES);
        int rows = gen.pick(1, 2, 5, 65);
        return gen.nextBoolean() ? new int[] {rows, n} : new int[] {gen.pick(1, 3), rows, n};
    }

    /** Contiguous, or rows narrowed out of a NaN-padded buffer: the unit-inner-stride layouts the fast kernels take. */
    private static Tensor rowMajor(Gen gen, Tensor x) {
        return gen.layout(x, gen.nextBoolean() ? Gen.Layout.CONTIGUOUS : Gen.Layout.NARROWED);
    }

    private static Tensor values(Gen gen, int[] shape, double lo, double hi) {
        return Gen.tensor(gen.values(Shape.numel(shape), lo, hi), F32, shape);
    }

    private static Tensor empty32(int... shape) {
        return Tensor.empty(F32, shape);
    }

    // ------------------------------------------------------------------ copy

    @Test
    void sumOfSquaresMatchesTheReferenceInFloat64() {
        Cases.run("fast sum of squares", CASES, gen -> {
            int[] shape = gen.nextBoolean() ? rowsShape(gen) : new int[] {gen.pick(1, 3), FastKernels.SQUARES_CHUNK + gen.pick(0, 1, 77)};
            Tensor x = rowMajor(gen, values(gen, shape, -3, 3));
            double expected = ReferenceKernels.sumOfSquares(x);
            double got = x.isContiguous() ? FastKernels.sumOfSquares(x) : CpuBackend.INSTANCE.sumOfSquares(x);
            assertEquals(expected, got, 1e-12 * expected, "sum of squares of " + Gen.describe(x));
        });
    }

    /** The stream's values bit for bit, over sizes that run in one range and in parallel, and every kind. */
    @Test
    void randomIsTheReferenceStream() {
        Cases.run("fast random", CASES, gen -> {
            int[] shape = gen.nextBoolean() ? rowsShape(gen) : new int[] {gen.pick(3, 9), 1000 + gen.pick(0, 1, 77)};
            RandomKind kind = RandomKind.values()[gen.nextInt(0, RandomKind.values().length - 1)];
            long[] seeds = {0L, 42L, -7L, 1L << 40}, counters = {0L, 5L, (1L << 33) + 3};
            long seed = seeds[gen.nextInt(0, seeds.length - 1)], counter = counters[gen.nextInt(0, counters.length - 1)];
            double a = kind == RandomKind.TRUNC_NORMAL ? 0.02 : -0.5, b = kind == RandomKind.TRUNC_NORMAL ? 2.0 : 1.5;
            Tensor out = rowMajor(gen, values(gen, shape, -5, 5));
            boolean taken = FastKernels.random(out, kind, seed, counter, a, b);
            assertTrue(taken == out.isContiguous(), "random took " + Gen.describe(out));
            if (!taken) CpuBackend.INSTANCE.random(out, kind, seed, counter, a, b);
            Tensor expected = empty32(shape);
            ReferenceKernels.random(expected, kind, seed, counter, a, b);
            assertClose(kind + " random, seed " + seed + ", counter " + counter + ", " + Gen.describe(out), expected, out, 0, 0);
        });
    }

    @Test
    void fillContiguous() {
        Cases.run("fast fill", CASES, gen -> {
            int[] shape = rowsShape(gen);
            double v = gen.pick(0.0, -1.5, 1e-3, Double.NEGATIVE_INFINITY);
            Tensor out = rowMajor(gen, values(gen, shape, -5, 5));
            boolean taken = FastKernels.fill(out, v);
            assertTrue(taken == out.isContiguous(), "fill took " + Gen.describe(out));
            if (!taken) CpuBackend.INSTANCE.fill(out, v);
            Tensor expected = empty32(shape);
            ReferenceKernels.fill(expected, v);
            assertClose("fill " + Gen.describe(out), expected, out, 0, 0);
        });
    }

    @Test
    void copyAnyLayout() {
        Cases.run("fast copy", CASES, gen -> {
            int[] shape = rowsShape(gen);
            Tensor x = gen.layout(values(gen, shape, -5, 5));
            Tensor out = empty32(shape);
            assertTrue(FastKernels.copy(x, out));
            assertClose("copy " + Gen.describe(x), x.to(F64), out, 0, 0);
            // and into a strided destination
            Tensor dst = gen.layout(Tensor.zeros(F32, shape));
            assertTrue(FastKernels.copy(x, dst));
            assertClose("copy into " + Gen.describe(dst), x.to(F64), dst, 0, 0);
        });
    }

    // ------------------------------------------------------------------ unary

    private static final UnaryOp[] FAST_UNARY = {UnaryOp.NEG, UnaryOp.ABS, UnaryOp.SQUARE, UnaryOp.RELU, UnaryOp.EXP,
            UnaryOp.TANH, UnaryOp.GELU, UnaryOp.SQRT, UnaryOp.RSQRT, UnaryOp.RECIPROCAL, UnaryOp.CLAMP, UnaryOp.LOG};

    private static Tensor unaryInput(Gen gen, UnaryOp op, int[] shape) {
        switch (op) {
            case LOG: case SQRT: case RSQRT: return values(gen, shape, 0.05, 5);
            case RECIPROCAL: return Gen.tensor(gen.valuesAvoiding(Shape.numel(shape), -5, 5, 0.05, 0), F32, shape);
            default: return values(gen, shape, -6, 6);
        }
    }

    @Test
    void unary() {
        for (UnaryOp op : FAST_UNARY)
            Cases.run("fast unary " + op, CASES, gen -> {
                int[] shape = rowsShape(gen);
                Tensor x = rowMajor(gen, unaryInput(gen, op, shape));
                double lo = -0.5, hi = 1.5;
                Tensor out = empty32(shape), ref = Tensor.empty(F64, shape);
                assertTrue(FastKernels.unary(op, x, out, lo, hi), op + " declined " + Gen.describe(x));
                CpuBackend.INSTANCE.unary(op, x.to(F64), ref, lo, hi);
                // GELU's float erf is Abramowitz-Stegun 7.1.26 (absolute error 1.5e-7)
                assertClose(op + " on " + Gen.describe(x), ref, out, 2e-6, op == UnaryOp.GELU ? 2e-6 : 1e-7);
            });
    }

    @Test
    void unaryOtherLayoutsThroughTheBackend() {
        Cases.run("unary any layout", CASES, gen -> {
            UnaryOp op = UnaryOp.values()[gen.nextInt(0, UnaryOp.values().length - 1)];
            int[] shape = rowsShape(gen);
            Tensor x = gen.layout(unaryInput(gen, op, shape));
            Tensor out = empty32(shape), ref = Tensor.empty(F64, shape);
            CpuBackend.INSTANCE.unary(op, x, out, -1, 2);
            CpuBackend.INSTANCE.unary(op, x.to(F64), ref, -1, 2);
            assertClose(op + " on " + Gen.describe(x), ref, out, 2e-6, 2e-6);
        });
    }

    // ------------------------------------------------------------------ binary

    private static final BinaryOp[] FAST_BINARY = {BinaryOp.ADD, BinaryOp.SUB, BinaryOp.MUL, BinaryOp.DIV,
            BinaryOp.MAX, BinaryOp.MIN, BinaryOp.GELU_GRAD};

    /** b as a full operand, a broadcast row (1, n), a broadcast column (rows, 1) or a scalar. */
    private static Tensor operand(Gen gen, int[] shape, int kind, boolean divisor) {
        int[] s = shape.clone();
        if (kind == 1) Arrays.fill(s, 0, s.length - 1, 1);
        if (kind == 2) s[s.length - 1] = 1;
        if (kind == 3) s = new int[0];
        Tensor v = divisor ? Gen.tensor(gen.valuesAvoiding(Shape.numel(s), -3, 3, 0.2, 0), F32, s) : values(gen, s, -3, 3);
        return rowMajor(gen, v).expand(shape);
    }

    @Test
    void binary() {
        for (BinaryOp op : FAST_BINARY)
            Cases.run("fast binary " + op, CASES, gen -> {
                int[] shape = rowsShape(gen);
                int kindA = gen.nextInt(0, 3) == 0 ? gen.nextInt(1, 3) : 0, kindB = gen.nextInt(0, 3);
                Tensor a = operand(gen, shape, kindA, false), b = operand(gen, shape, kindB, op == BinaryOp.DIV);
                Tensor out = empty32(shape), ref = Tensor.empty(F64, shape);
                assertTrue(FastKernels.binary(op, a, b, out), op + " declined " + Gen.describe(a) + ", " + Gen.describe(b));
                CpuBackend.INSTANCE.binary(op, a.to(F64), b.to(F64), ref);
                assertClose(op + " on " + Gen.describe(a) + " and " + Gen.describe(b), ref, out, 2e-6, op == BinaryOp.GELU_GRAD ? 2e-6 : 1e-7);
            });
    }

    @Test
    void binaryInPlace() {
        Cases.run("fast binary in place", CASES, gen -> {
            int[] shape = rowsShape(gen);
            Tensor a = rowMajor(gen, values(gen, shape, -3, 3)), b = operand(gen, shape, gen.nextInt(0, 3), false);
            Tensor expected = a.to(F64).add(b.to(F64));
            assertTrue(FastKernels.binary(BinaryOp.ADD, a, b, a));
            assertClose("a += b on " + Gen.describe(a), expected, a, 1e-6, 1e-7);
        });
    }

    @Test
    void binaryAnyLayoutThroughTheBackend() {
        Cases.run("binary any layout", CASES, gen -> {
            BinaryOp op = BinaryOp.values()[gen.nextInt(0, BinaryOp.values().length - 1)];
            int[][] s = gen.broadcastPair(3, 5);
            Tensor a = gen.uniform(F32, s[0], 0.5, 2), b = gen.uniform(F32, s[1], 0.5, 2);
            Tensor got;
            switch (op) {
                case GELU_GRAD: got = a.geluGrad(b); break;
                default: got = binaryByName(op, a, b);
            }
            Tensor ref = op == BinaryOp.GELU_GRAD ? a.to(F64).geluGrad(b.to(F64)) : binaryByName(op, a.to(F64), b.to(F64));
            assertClose(op + " on " + Gen.describe(a) + " and " + Gen.describe(b), ref, got, 2e-6, 2e-6);
        });
    }

    private static Tensor binaryByName(BinaryOp op, Tensor a, Tensor b) {
        switch (op) {
            case ADD: return a.add(b);
            case SUB: return a.sub(b);
            case MUL: return a.mul(b);
            case DIV: return a.div(b);
            case POW: return a.pow(b);
            case MAX: return a.maximum(b);
            case MIN: return a.minimum(b);
            case EQ: return a.eq(b);
            case NE: return a.ne(b);
            case LT: return a.lt(b);
            case LE: return a.le(b);
            case GT: return a.gt(b);
            case GE: return a.ge(b);
            default: throw new AssertionError(op);
        }
    }

    // ------------------------------------------------------------------ reduce

    @Test
    void reduceOverTrailingAxes() {
        for (ReduceOp op : ReduceOp.values())
            Cases.run("fast reduce " + op, CASES, gen -> {
                int[] shape = rowsShape(gen);
                Tensor x = rowMajor(gen, values(gen, shape, -3, 3));
                // the last axis, the last two, or all
                int from = gen.nextInt(0, shape.length - 1);
                int[] kept = shape.clone();
                for (int a = from; a < shape.length; a++) kept[a] = 1;
                Tensor out = empty32(kept), ref = Tensor.empty(F64, kept);
                // with a last axis of size 1 the padded layout leaves no unit-stride run: the backend falls back
                if (shape[shape.length - 1] == 1) CpuBackend.INSTANCE.reduce(op, x, out.expand(shape));
                else assertTrue(FastKernels.reduce(op, x, out.expand(shape)), op + " declined " + Gen.describe(x));
                CpuBackend.INSTANCE.reduce(op, x.to(F64), ref.expand(shape));
                Tensor scale = op == ReduceOp.SUM ? x.to(F64).abs().sum(true, range(from, shape.length)) : ref.abs();
                assertClose(op + " over axes " + from + ".. of " + Gen.describe(x), ref, out, scale, 1e-6, 1e-7);
            });
    }

    @Test
    void reduceOverLeadingAxes() {
        for (ReduceOp op : ReduceOp.values())
            Cases.run("fast reduce leading " + op, CASES, gen -> {
                int[] shape = rowsShape(gen);
                Tensor x = rowMajor(gen, values(gen, shape, -3, 3));
                // reduce the first axis, or the first two of three (a bias gradient over (B, L, C))
                int upTo = shape.length == 3 && gen.nextBoolean() ? 2 : 1;
                int[] kept = shape.clone();
                for (int a = 0; a < upTo; a++) kept[a] = 1;
                Tensor out = empty32(kept), ref = Tensor.empty(F64, kept);
                if (shape[shape.length - 1] == 1) CpuBackend.INSTANCE.reduce(op, x, out.expand(shape));
                else assertTrue(FastKernels.reduce(op, x, out.expand(shape)), op + " declined " + Gen.describe(x));
                CpuBackend.INSTANCE.reduce(op, x.to(F64), ref.expand(shape));
                Tensor scale = op == ReduceOp.SUM ? x.to(F64).abs().sum(true, range(0, upTo)) : ref.abs();
                assertClose(op + " over the first " + upTo + " axes of " + Gen.describe(x), ref, out, scale, 1e-6, 1e-7);
            });
    }

    /** A bias gradient large enough for the threads to split its columns: every column summed in row order, as on one thread. */
    @Test
    void biasGradientSumsEachColumnInRowOrder() {
        int rows = 3000, cols = 203; // 12 full vectors of 16 and a tail of 11
        Tensor x = Tensor.randn(new dev.semaim.tensor.Rng(21), F32, rows, cols);
        Tensor out = empty32(1, cols);
        assertTrue(FastKernels.reduce(ReduceOp.SUM, x, out.expand(rows, cols)));
        float[] xs = x.toFloatArray(), got = out.toFloatArray();
        for (int j = 0; j < cols; j++) {
            float acc = 0f;
            for (int r = 0; r < rows; r++) acc += xs[r * cols + j];
            assertEquals(acc, got[j], "column " + j + ": the serial row-order sum, bit for bit");
        }
    }

    @Test
    void sumOverAnEmptyAxisIsZero() {
        for (DType dt : new DType[] {F32, F64}) {
            assertArrayEquals(new double[16], Tensor.zeros(dt, 0, 16).sum(false, 0).toDoubleArray(), dt.toString());
            assertEquals(0.0, Tensor.zeros(dt, 3, 0).sum().item(), dt.toString());
        }
    }

    @Test
    void reduceAnyAxesThroughTheBackend() {
        Cases.run("reduce any axes", CASES, gen -> {
            int[] shape = gen.shape(1, 4, 9);
            Tensor x = gen.uniform(F32, shape, -3, 3);
            int[] axes = gen.axes(shape.length);
            boolean keep = gen.nextBoolean();
            Tensor x64 = x.to(F64);
            assertClose("sum " + Arrays.toString(axes) + " of " + Gen.describe(x), x64.sum(keep, axes), x.sum(keep, axes),
                    x64.abs().sum(keep, axes), 1e-6, 1e-7);
            assertClose("max " + Arrays.toString(axes), x64.max(keep, axes), x.max(keep, axes), 0, 0);
            assertClose("min " + Arrays.toString(axes), x64.min(keep, axes), x.min(keep, axes), 0, 0);
        });
    }

    private static int[] range(int from, int to) {
        int[] r = new int[to - from];
        for (int i = 0; i < r.length; i++) r[i] = from + i;
        return r;
    }

    // ------------------------------------------------------------------ softmax

    @Test
    void softmaxAndBackward() {
        for (boolean log : new boolean[] {false, true})
            Cases.run("fast softmax log=" + log, CASES, gen -> {
                int[] shape = rowsShape(gen);
                Tensor x = values(gen, shape, -8, 8), dy = values(gen, shape, -1, 1);
                int last = shape.length - 1;
                Tensor y = empty32(shape), yRef = Tensor.empty(F64, shape);
                assertTrue(FastKernels.softmax(x, last, log, y));
                CpuBackend.INSTANCE.softmax(x.to(F64), last, log, yRef);
                // log-softmax is x - logsumexp(x): its float error is absolute, about ulp(|x|)
                assertClose("softmax log=" + log + " " + Gen.describe(x), yRef, y, 1e-5, log ? 4e-6 : 1e-7);
                // backward from the same (float64-exact) y, so only the backward kernel differs
                Tensor y32 = yRef.to(F32), dx = empty32(shape), dxRef = Tensor.empty(F64, shape);
                assertTrue(FastKernels.softmaxBackward(y32, dy, last, log, dx));
                CpuBackend.INSTANCE.softmaxBackward(y32.to(F64), dy.to(F64), last, log, dxRef);
                double scale = log ? shape[last] : 1;
                assertClose("softmax backward log=" + log, dxRef, dx, 1e-5, 1e-6 * scale);
            });
    }

    @Test
    void logSoftmaxKeepsTheLogSumAtLargeLogits() {
        // x - (max + log Σ) rounds log Σ = log 2 away once ulp(max) > log 2 (|x| >= 2^24): the loss of a confident
        // classifier then reads 0 where it is log 2. (x - max) - log Σ is exact at every scale, as the reference is.
        for (float big : new float[] {1e3f, 1e6f, 3e7f, 3e38f}) {
            float[] row = {big, big, 0, -big, Float.NEGATIVE_INFINITY};
            Tensor x = Tensor.of(row, 1, row.length), y = empty32(1, row.length);
            assertTrue(FastKernels.softmax(x, 1, true, y));
            float[] got = y.toFloatArray();
            assertEquals(-(float) Math.log(2), got[0], 0f, "log-softmax of " + Arrays.toString(row));
            assertEquals(-(float) Math.log(2), got[1], 0f, "log-softmax of " + Arrays.toString(row));
            assertEquals(-big - (float) Math.log(2), got[2], Math.ulp(big), "log-softmax of " + Arrays.toString(row));
            assertEquals(Float.NEGATIVE_INFINITY, got[4], "log-softmax of " + Arrays.toString(row));
        }
    }

    @Test
    void softmaxOtherAxesThroughTheBackend() {
        Cases.run("softmax any axis", CASES, gen -> {
            int[] shape = gen.shape(1, 4, 9);
            int axis = gen.nextInt(0, shape.length - 1);
            Tensor x = gen.uniform(F32, shape, -5, 5), dy = gen.uniform(F32, shape, -1, 1);
            boolean log = gen.nextBoolean();
            Tensor y = log ? x.logSoftmax(axis) : x.softmax(axis), yRef = log ? x.to(F64).logSoftmax(axis) : x.to(F64).softmax(axis);
            assertClose("softmax axis " + axis + " of " + Gen.describe(x), yRef, y, 1e-5, log ? 4e-6 : 1e-7);
            assertClose("softmax backward axis " + axis, yRef.softmaxBackward(dy.to(F64), axis, log),
                    yRef.to(F32).softmaxBackward(dy, axis, log), 1e-5, 1e-5);
        });
    }

    // ------------------------------------------------------------------ layer norm

    @Test
    void layerNormAndBackward() {
        Cases.run("fast layerNorm", CASES, gen -> {
            int[] shape = rowsShape(gen);
            int d = shape[shape.length - 1];
            int[] rows = Arrays.copyOf(shape, shape.length - 1);
            Tensor x = values(gen, shape, -3, 3).add(gen.uniform(-2, 2)), dy = values(gen, shape, -1, 1);
            boolean affine = gen.nextBoolean();
            Tensor w = affine ? values(gen, new int[] {d}, 0.5, 1.5) : null, b = affine ? values(gen, new int[] {d}, -1, 1) : null;
            Tensor out = empty32(shape), mean = empty32(rows), rstd = empty32(rows);
            Tensor outR = Tensor.empty(F64, shape), meanR = Tensor.empty(F64, rows), rstdR = Tensor.empty(F64, rows);
            assertTrue(FastKernels.layerNorm(x, w, b, 1e-5, out, mean, rstd));
            CpuBackend.INSTANCE.layerNorm(x.to(F64), to64(w), to64(b), 1e-5, outR, meanR, rstdR);
            String what = "layerNorm affine=" + affine + " " + Gen.describe(x);
            assertClose(what + " mean", meanR, mean, 1e-5, 1e-6);
            assertClose(what + " rstd", rstdR, rstd, 1e-4, 1e-6);
            assertClose(what + " out", outR, out, 1e-4, 1e-5);

            Tensor dx = empty32(shape), dw = affine ? Tensor.zeros(F32, d).add(1) : null, db = affine ? Tensor.zeros(F32, d).add(1) : null;
            Tensor dxR = Tensor.empty(F64, shape), dwR = affine ? Tensor.zeros(F64, d).add(1) : null, dbR = affine ? Tensor.zeros(F64, d).add(1) : null;
            assertTrue(FastKernels.layerNormBackward(dy, x, w, meanR.to(F32), rstdR.to(F32), dx, dw, db));
            CpuBackend.INSTANCE.layerNormBackward(dy.to(F64), x.to(F64), to64(w), meanR.to(F32).to(F64), rstdR.to(F32).to(F64), dxR, dwR, dbR);
            assertClose(what + " dx", dxR, dx, 1e-4, 1e-5);
            if (affine) {
                // dw and db are accumulated (+=) over all rows
                double rowsN = Shape.numel(rows);
                assertClose(what + " dw", dwR, dw, 1e-4, 1e-5 * rowsN);
                assertClose(what + " db", dbR, db, 1e-4, 1e-5 * rowsN);
            }
        });
    }

    private static Tensor to64(Tensor t) {
        return t == null ? null : t.to(F64);
    }

    // ------------------------------------------------------------------ matmul

    private static int[] matrixShape(int[] batch, int r, int c) {
        int[] s = Arrays.copyOf(batch, batch.length + 2);
        s[batch.length] = r;
        s[batch.length + 1] = c;
        return s;
    }

    /** A (batch..., r, c) operand, maybe stored transposed, maybe narrowed from a padded buffer. */
    private static Tensor matrix(Gen gen, int[] batch, int r, int c) {
        boolean transposed = gen.nextBoolean();
        Tensor m = values(gen, transposed ? matrixShape(batch, c, r) : matrixShape(batch, r, c), -1, 1);
        if (gen.nextBoolean()) m = gen.layout(m, Gen.Layout.NARROWED);
        return transposed ? m.transpose(-1, -2) : m;
    }

    @Test
    void matmulThroughGemm() {
        Cases.run("fast matmul", CASES, gen -> {
            int m = gen.pick(1, 7, 17, 63, 65), k = gen.pick(1, 7, 17, 63, 65, 300), n = gen.pick(1, 7, 17, 63, 65);
            int[][] batch = gen.nextInt(0, 2) == 0 ? new int[][] {{}, {}} : gen.broadcastPair(2, 3);
            int[] full = Shape.broadcast("matmul", batch[0], batch[1]);
            Tensor a = matrix(gen, batch[0], m, k).expand(matrixShape(full, m, k)), b = matrix(gen, batch[1], k, n).expand(matrixShape(full, k, n));
            Tensor out = empty32(matrixShape(full, m, n));
            assertTrue(FastKernels.matmul(a, b, out), "matmul declined " + Gen.describe(a) + " · " + Gen.describe(b));
            checkMatmul(a, b, out);
        });
    }

    @Test
    void matmulLargeBlocks() {
        // sizes past the GEMM's cache blocks (MC 144, KC 256) and the parallel split
        Gen gen = new Gen(11);
        for (int[] mkn : new int[][] {{150, 1000, 65}, {300, 17, 260}, {1, 1000, 1}}) {
            Tensor a = matrix(gen, new int[0], mkn[0], mkn[1]), b = matrix(gen, new int[0], mkn[1], mkn[2]);
            Tensor out = empty32(mkn[0], mkn[2]);
            assertTrue(FastKernels.matmul(a, b, out));
            checkMatmul(a, b, out);
        }
    }

    @Test
    void matmulWithAnEmptyAxis() {
        // K = 0 gives zeros and M or N = 0 an empty result, batched or not: float32 through Gemm, float64 through
        // the reference kernel
        for (DType dt : new DType[] {F32, F64}) {
            Tensor zeros = Tensor.full(5, dt, CpuBackend.INSTANCE, 2, 3, 0).matmul(Tensor.zeros(dt, 2, 0, 4));
            assertArrayEquals(new int[] {2, 3, 4}, zeros.shape(), dt.toString());
            assertArrayEquals(new double[24], zeros.toDoubleArray(), dt + ": (2, 3, 0)·(2, 0, 4) is zeros");
            assertArrayEquals(new double[12], Tensor.zeros(dt, 3, 0).matmul(Tensor.zeros(dt, 0, 4)).toDoubleArray(), dt.toString());
            assertEquals(0, Tensor.zeros(dt, 0, 5).matmul(Tensor.zeros(dt, 5, 4)).numel(), dt.toString());
        }
    }

    @Test
    void matmulAnyViewThroughTheBackend() {
        Cases.run("matmul any view", CASES, gen -> {
            int m = gen.nextInt(1, 9), k = gen.nextInt(1, 9), n = gen.nextInt(1, 9);
            int[][] batch = gen.broadcastPair(2, 3);
            // a is sometimes every other column of a wider matrix: neither axis unit-stride, which Gemm cannot read
            Tensor a = gen.nextBoolean() ? stepTwo(gen.uniform(F32, matrixShape(batch[0], m, 2 * k), -1, 1), k)
                    : gen.uniform(F32, matrixShape(batch[0], m, k), -1, 1);
            Tensor b = gen.uniform(F32, matrixShape(batch[1], k, n), -1, 1);
            Tensor out = a.matmul(b);
            checkMatmul(a, b, out);
        });
    }

    @Test
    void matmulIntoStridedOutputAndFromExpandedRows() {
        Cases.run("matmul strided out", CASES, gen -> {
            int m = gen.pick(1, 7, 17), k = gen.pick(1, 7, 17), n = gen.pick(1, 7, 17);
            // rows of a repeated by expand (row stride 0), b any layout, out a view inside a padded buffer
            Tensor a = gen.nextBoolean() ? values(gen, new int[] {1, k}, -1, 1).expand(m, k) : matrix(gen, new int[0], m, k);
            Tensor b = matrix(gen, new int[0], k, n);
            Tensor out = gen.layout(Tensor.zeros(F32, m, n), gen.nextBoolean() ? Gen.Layout.NARROWED : Gen.Layout.PERMUTED);
            CpuBackend.INSTANCE.matmul(a, b, out);
            checkMatmul(a, b, out);
        });
    }

    @Test
    void backendWritesIntoStridedOutputs() {
        Cases.run("strided outputs", CASES, gen -> {
            int[] shape = rowsShape(gen);
            int last = shape.length - 1;
            Tensor x = values(gen, shape, -3, 3), y = values(gen, shape, -3, 3);
            Tensor x64 = x.to(F64), y64 = y.to(F64);
            Tensor out = gen.layout(Tensor.zeros(F32, shape));
            CpuBackend.INSTANCE.unary(UnaryOp.TANH, x, out, 0, 0);
            assertClose("tanh into " + Gen.describe(out), x64.tanh(), out, 2e-6, 1e-7);
            CpuBackend.INSTANCE.binary(BinaryOp.MUL, x, y, out);
            assertClose("mul into " + Gen.describe(out), x64.mul(y64), out, 2e-6, 1e-7);
            CpuBackend.INSTANCE.softmax(x, last, false, out);
            assertClose("softmax into " + Gen.describe(out), x64.softmax(last), out, 1e-5, 1e-7);
            int[] rows = Arrays.copyOf(shape, last);
            Tensor mean = gen.layout(Tensor.zeros(F32, rows)), rstd = gen.layout(Tensor.zeros(F32, rows));
            CpuBackend.INSTANCE.layerNorm(x, null, null, 1e-5, out, mean, rstd);
            assertClose("layerNorm into " + Gen.describe(out), x64.layerNorm(null, null, 1e-5).out(), out, 1e-4, 1e-5);
        });
    }

    @Test
    void depthwiseConv2dEqualsTheReference() {
        Cases.run("depthwiseConv2d", CASES, gen -> {
            int b = gen.pick(1, 3), c = gen.pick(1, 2, 3), h = gen.pick(1, 5, 28), w = gen.pick(1, 6, 28), k = gen.pick(1, 3, 9);
            int pad = gen.pick(0, k / 2, k);
            if (h + 2 * pad < k || w + 2 * pad < k) return;
            Tensor x = values(gen, new int[] {b, c, h, w}, -2, 2), weight = values(gen, new int[] {c, 1, k, k}, -1, 1);
            Tensor expected = empty32(b, c, h + 2 * pad - k + 1, w + 2 * pad - k + 1), out = empty32(expected.shape());
            ReferenceKernels.depthwiseConv2d(x, weight, pad, expected);
            assertTrue(FastKernels.depthwiseConv2d(x, weight, pad, out));
            assertClose("depthwiseConv2d " + Gen.describe(x) + " k " + k + " pad " + pad, expected, out, 0, 0); // the same sums
        });
    }

    /** Every other column of a (.., m, 2k) view: k columns with stride 2. */
    private static Tensor stepTwo(Tensor a, int k) {
        int[] shape = a.shape(), strides = a.strides();
        shape[shape.length - 1] = k;
        strides[strides.length - 1] *= 2;
        return new Tensor(a.storage(), shape, strides, a.offset());
    }

    /** out against the float64 product, with the tolerance scaled by |A|·|B| (what float rounding is relative to). */
    private static void checkMatmul(Tensor a, Tensor b, Tensor out) {
        Tensor a64 = a.to(F64), b64 = b.to(F64);
        Tensor ref = a64.matmul(b64), scale = a64.abs().matmul(b64.abs());
        assertClose("matmul " + Gen.describe(a) + " · " + Gen.describe(b), ref, out, scale, 1e-5, 1e-7);
    }

    // ------------------------------------------------------------------ adamw

    @Test
    void adamw() {
        Cases.run("fast adamw", CASES, gen -> {
            int n = gen.pick(SIZES) * gen.pick(1, 40);
            Tensor p = values(gen, new int[] {n}, -1, 1), g = values(gen, new int[] {n}, -1, 1);
            Tensor m = values(gen, new int[] {n}, -0.1, 0.1), v = values(gen, new int[] {n}, 0, 0.01);
            Tensor p64 = p.to(F64), m64 = m.to(F64), v64 = v.to(F64);
            int t = gen.nextInt(1, 100);
            double lr = 1e-3, b1 = 0.9, b2 = 0.95, eps = 1e-8, wd = 0.05, bc1 = 1 - Math.pow(b1, t), bc2 = 1 - Math.pow(b2, t);
            Tensor p0 = p64.copy(), m0 = m64.copy(), v0 = v64.copy(), g64 = g.to(F64);
            assertTrue(FastKernels.adamw(p, g, m, v, lr, b1, b2, eps, wd, bc1, bc2));
            CpuBackend.INSTANCE.adamw(p64, g64, m64, v64, lr, b1, b2, eps, wd, bc1, bc2);
            // each new value is a sum of two terms that may cancel: float error is relative to the terms
            Tensor mScale = m0.abs().mul(b1).add(g64.abs().mul(1 - b1)), vScale = v0.mul(b2).add(g64.square().mul(1 - b2));
            Tensor pScale = p0.abs().add(p64.sub(p0.mul(1 - lr * wd)).abs());
            assertClose("adamw p (step " + t + ", n " + n + ")", p64, p, pScale, 1e-5, 1e-9);
            assertClose("adamw m", m64, m, mScale, 1e-6, 1e-12);
            assertClose("adamw v", v64, v, vScale, 1e-6, 1e-14);
        });
    }

    private static float[] floats(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
        return f;
    }

    @Test
    void adamwVectorLanesEqualTheScalarLoop() {
        Cases.run("adamw lanes", 10, gen -> {
            int n = gen.pick(17, 65, 1000);
            float[][] whole = {floats(gen.values(n, -1, 1)), floats(gen.values(n, -1, 1)), floats(gen.values(n, -0.1, 0.1)),
                    floats(gen.values(n, 0, 0.01))};
            double bc1 = 1 - Math.pow(0.9, 7), bc2 = 1 - Math.pow(0.95, 7);
            float[][] one = new float[4][1], each = new float[3][n];
            for (int i = 0; i < n; i++) { // element by element: every value through the scalar loop
                for (int t = 0; t < 4; t++) one[t][0] = whole[t][i];
                Tensor[] ts = {Tensor.of(one[0], 1), Tensor.of(one[1], 1), Tensor.of(one[2], 1), Tensor.of(one[3], 1)};
                FastKernels.adamw(ts[0], ts[1], ts[2], ts[3], 1e-3, 0.9, 0.95, 1e-8, 0.05, bc1, bc2);
                each[0][i] = ts[0].toFloatArray()[0];
                each[1][i] = ts[2].toFloatArray()[0];
                each[2][i] = ts[3].toFloatArray()[0];
            }
            Tensor p = Tensor.of(whole[0], n), g = Tensor.of(whole[1], n), m = Tensor.of(whole[2], n), v = Tensor.of(whole[3], n);
            FastKernels.adamw(p, g, m, v, 1e-3, 0.9, 0.95, 1e-8, 0.05, bc1, bc2);
            assertArrayEquals(each[0], p.toFloatArray(), "p, n " + n);
            assertArrayEquals(each[1], m.toFloatArray(), "m, n " + n);
            assertArrayEquals(each[2], v.toFloatArray(), "v, n " + n);
        });
    }
}
