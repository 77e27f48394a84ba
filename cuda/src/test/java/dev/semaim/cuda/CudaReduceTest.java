package dev.semaim.cuda;

import dev.semaim.tensor.Backend;
import dev.semaim.tensor.DType;
import dev.semaim.tensor.ReduceOp;
import dev.semaim.tensor.Rng;
import dev.semaim.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static dev.semaim.cuda.GpuTestSupport.*;

/** reduce (every subset of axes, row and column layouts, big columns) and argReduce against the CPU. */
class CudaReduceTest {
    private static void check(Backend gpu, ReduceOp op, long seed, Tensor x, int mask, int viewKind) {
        int[] keep = x.shape();
        for (int a = 0; a < keep.length; a++) if ((mask >> a & 1) != 0) keep[a] = 1;
        Tensor oc = Tensor.empty(x.dtype(), CPU, keep), og = Tensor.empty(x.dtype(), gpu, keep);
        CPU.reduce(op, view(x, viewKind), oc.expand(x.shape()));
        gpu.reduce(op, view(x.to(gpu), viewKind), og.expand(x.shape()));
        double t = op == ReduceOp.SUM ? 1e-4 : 0;
        assertClose("reduce " + op + " axes mask " + mask + " view " + viewKind, seed, oc, og, x.dtype() == DType.F64 ? 1e-10 : t, t);
    }

    @Test
    void everyAxisSubsetMatchesCpu() {
        Backend gpu = gpu();
        for (long seed = 1; seed <= 6; seed++) {
            Rng rng = new Rng(seed);
            DType dt = seed % 3 == 0 ? DType.F64 : DType.F32;
            Tensor x = randn(rng, dt, awkwardShape(rng, 3));
            for (ReduceOp op : ReduceOp.values())
                for (int mask = 1; mask < 8; mask++) check(gpu, op, seed, x, mask, (int) (seed + mask) % 3);
        }
    }

    @Test
    void largeRowsAndColumnsMatchCpu() {
        Backend gpu = gpu();
        Rng rng = new Rng(77);
        Tensor x = randn(rng, DType.F32, 3001, 769);  // columns: many chunks then a second pass; rows: long rows
        Tensor y = randn(rng, DType.F32, 3, 70001);   // few long rows: chunked rows then a second pass
        for (ReduceOp op : ReduceOp.values()) {
            check(gpu, op, 77, x, 1, 0);
            check(gpu, op, 77, x, 2, 0);
            check(gpu, op, 77, x, 3, 0);
            check(gpu, op, 77, y, 2, 0);
            check(gpu, op, 77, y, 3, 1);
        }
    }

    @Test
    void chunkingCoversEveryElementOnce() {  // pure arithmetic: runs without a GPU
        long[][] cases = {{1, 1, 64}, {70001, 1, 8192}, {12608, 24, 64}, {5, 5000, 64}, {9_633_792, 1, 8192}};
        for (long[] c : cases) {
            long[] k = CudaBackend.chunking(c[0], c[1], c[2]);
            org.junit.jupiter.api.Assertions.assertTrue(k[0] >= 1 && k[0] * k[1] >= c[0] && (k[0] - 1) * k[1] < c[0],
                    java.util.Arrays.toString(c) + " -> " + java.util.Arrays.toString(k));
            org.junit.jupiter.api.Assertions.assertTrue(k[0] == 1 || k[0] * Math.max(1, c[1]) <= 1024 + c[1], java.util.Arrays.toString(k));
        }
    }

    @Test
    void nanPropagatesThroughMaxAndMin() {
        Backend gpu = gpu();
        float[] v = new float[300];
        v[123] = Float.NaN;
        Tensor x = Tensor.of(CPU, v, 3, 100);
        check(gpu, ReduceOp.MAX, 0, x, 2, 0);
        check(gpu, ReduceOp.MIN, 0, x, 3, 0);
    }

    @Test
    void argReduceMatchesCpuIncludingTies() {
        Backend gpu = gpu();
        for (long seed = 1; seed <= 6; seed++) {
            Rng rng = new Rng(seed);
            int[] shape = awkwardShape(rng, 3);
            Tensor x = randn(rng, DType.F32, shape).mul(2).to(DType.I32).to(DType.F32);  // small integers: many ties
            for (int axis = 0; axis < 3; axis++)
                for (boolean max : new boolean[] {true, false}) {
                    int[] os = TensorDesc.drop(shape, axis);
                    Tensor oc = Tensor.empty(DType.I64, CPU, os), og = Tensor.empty(DType.I64, gpu, os);
                    CPU.argReduce(max, view(x, 1), axis, oc);
                    gpu.argReduce(max, view(x.to(gpu), 1), axis, og);
                    assertClose("argReduce max=" + max + " axis " + axis, seed, oc, og, 0, 0);
                }
        }
    }
}
