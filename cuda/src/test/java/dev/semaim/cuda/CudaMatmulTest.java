package dev.semaim.cuda;

import dev.semaim.tensor.Backend;
import dev.semaim.tensor.DType;
import dev.semaim.tensor.Rng;
import dev.semaim.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static dev.semaim.cuda.GpuTestSupport.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The tiled GEMM against the CPU: awkward M, N, K (tile edges), transposed operands, broadcast batches. */
class CudaMatmulTest {
    @Test
    void awkwardSizesAndLayoutsMatchCpu() {
        Backend gpu = gpu();
        int[][] mnk = {{1, 1, 1}, {7, 13, 5}, {128, 128, 8}, {129, 127, 9}, {33, 257, 64}, {300, 70, 200}};
        long seed = 0;
        for (int[] s : mnk)
            for (DType dt : new DType[] {DType.F32, DType.F64})
                for (int layout = 0; layout < 4; layout++) {
                    seed++;
                    Rng rng = new Rng(seed);
                    int m = s[0], n = s[1], k = s[2];
                    // layout bit 0: a stored transposed; bit 1: b stored transposed
                    Tensor a = (layout & 1) == 0 ? randn(rng, dt, 3, m, k) : randn(rng, dt, 3, k, m).transpose(1, 2);
                    Tensor b = (layout & 2) == 0 ? randn(rng, dt, 3, k, n) : randn(rng, dt, 3, n, k).transpose(1, 2);
                    Tensor ag = (layout & 1) == 0 ? a.to(gpu) : a.transpose(1, 2).contiguous().to(gpu).transpose(1, 2);
                    Tensor bg = (layout & 2) == 0 ? b.to(gpu) : b.transpose(1, 2).contiguous().to(gpu).transpose(1, 2);
                    Tensor oc = Tensor.empty(dt, CPU, 3, m, n), og = Tensor.empty(dt, gpu, 3, m, n);
                    CPU.matmul(a, b, oc);
                    gpu.matmul(ag, bg, og);
                    double t = dt == DType.F64 ? 1e-10 : 1e-4;
                    assertClose("matmul " + m + "x" + n + "x" + k + " layout " + layout, seed, oc, og, t * Math.sqrt(k), t);
                }
    }

    @Test
    void tf32TensorCoresStayWithinTf32Rounding() {
        CudaBackend gpu = (CudaBackend) gpu();
        boolean was = gpu.tf32();
        gpu.setTf32(true);
        try {
            int[][] mnk = {{1, 1, 1}, {129, 127, 9}, {197, 197, 64}, {300, 70, 200}};
            long seed = 100;
            for (int[] s : mnk)
                for (int layout = 0; layout < 4; layout++) {
                    seed++;
                    Rng rng = new Rng(seed);
                    int m = s[0], n = s[1], k = s[2];
                    Tensor a = (layout & 1) == 0 ? randn(rng, DType.F32, 2, m, k) : randn(rng, DType.F32, 2, k, m).transpose(1, 2);
                    Tensor b = (layout & 2) == 0 ? randn(rng, DType.F32, 2, k, n) : randn(rng, DType.F32, 2, n, k).transpose(1, 2);
                    Tensor oc = Tensor.empty(DType.F32, CPU, 2, m, n), og = Tensor.empty(DType.F32, gpu, 2, m, n);
                    CPU.matmul(a, b, oc);
                    Tensor ag = (layout & 1) == 0 ? a.to(gpu) : a.transpose(1, 2).contiguous().to(gpu).transpose(1, 2);
                    Tensor bg = (layout & 2) == 0 ? b.to(gpu) : b.transpose(1, 2).contiguous().to(gpu).transpose(1, 2);
                    gpu.matmul(ag, bg, og);
                    // operands keep 10 mantissa bits: each product is off by up to ~2^-10 relative
                    assertClose("tf32 matmul " + m + "x" + n + "x" + k + " layout " + layout, seed, oc, og, 3e-3 * Math.sqrt(k), 1e-2);
                }
        } finally {
            gpu.setTf32(was);
        }
    }

    @Test
    void splitKForFewTilesAndLongKMatchesCpu() {
        CudaBackend gpu = (CudaBackend) gpu();
        assertEquals(4, CudaBackend.splitsFor(1, 2500));
        boolean was = gpu.tf32();
        try {
            for (boolean tf32 : new boolean[] {false, true})
                for (DType dt : new DType[] {DType.F32, DType.F64}) {
                    if (tf32 && dt == DType.F64) continue;
                    gpu.setTf32(tf32);
                    Rng rng = new Rng(7);
                    int m = 200, n = 150, k = 3001;
                    Tensor a = randn(rng, dt, 1, k, m).transpose(1, 2), b = randn(rng, dt, 1, k, n);  // a as gᵀ of a weight gradient
                    Tensor oc = Tensor.empty(dt, CPU, 1, n, m).transpose(1, 2), og = Tensor.empty(dt, gpu, 1, n, m).transpose(1, 2);
                    CPU.matmul(a, b, oc);
                    gpu.matmul(a.transpose(1, 2).contiguous().to(gpu).transpose(1, 2), b.to(gpu), og);
                    double t = tf32 ? 3e-3 * Math.sqrt(k) : dt == DType.F64 ? 1e-10 : 1e-4 * Math.sqrt(k);
                    assertClose("split-K matmul tf32=" + tf32 + " into a transposed output", 7, oc, og, t, tf32 ? 1e-2 : 1e-4);
                }
        } finally {
            gpu.setTf32(was);
        }
    }

    @Test
    void linearLayerProductFoldsItsBatchIntoRows() {
        Backend gpu = gpu();
        Rng rng = new Rng(8);
        Tensor x = randn(rng, DType.F32, 5, 197, 33), w = randn(rng, DType.F32, 70, 33);
        int[] ws = {5, 33, 70};
        for (boolean transposedOut : new boolean[] {false, true}) {  // a transposed output cannot fold: batched path
            Tensor oc = transposedOut ? Tensor.empty(DType.F32, CPU, 5, 70, 197).transpose(1, 2) : Tensor.empty(DType.F32, CPU, 5, 197, 70);
            Tensor og = transposedOut ? Tensor.empty(DType.F32, gpu, 5, 70, 197).transpose(1, 2) : Tensor.empty(DType.F32, gpu, 5, 197, 70);
            CPU.matmul(x, w.transpose(0, 1).unsqueeze(0).expand(ws), oc);
            gpu.matmul(x.to(gpu), w.to(gpu).transpose(0, 1).unsqueeze(0).expand(ws), og);
            assertClose("x · Wᵀ with W broadcast, transposed output " + transposedOut, 8, oc, og, 1e-4, 1e-4);
        }
    }

    @Test
    void broadcastBatchAndStridedOutput() {
        Backend gpu = gpu();
        Rng rng = new Rng(42);
        Tensor a = randn(rng, DType.F32, 2, 1, 19, 23), b = randn(rng, DType.F32, 1, 4, 23, 11);
        int[] as = {2, 4, 19, 23}, bs = {2, 4, 23, 11};
        Tensor oc = Tensor.empty(DType.F32, CPU, 2, 4, 11, 19).transpose(2, 3), og = Tensor.empty(DType.F32, gpu, 2, 4, 11, 19).transpose(2, 3);
        CPU.matmul(a.expand(as), b.expand(bs), oc);
        gpu.matmul(a.to(gpu).expand(as), b.to(gpu).expand(bs), og);
        assertClose("broadcast batch matmul into a transposed output", 42, oc, og, 1e-4, 1e-4);
    }
}
