package dev.semaim.bench;

import dev.semaim.cuda.CudaBackend;
import dev.semaim.tensor.DType;
import dev.semaim.tensor.RandomKind;
import dev.semaim.tensor.Tensor;

import java.util.Arrays;

/**
 * GFLOP/s of the GPU GEMM on the matrix products of an aim_base step at batch 64 (tokens 64 x 197):
 * qkv, attention scores, MLP, and a weight gradient (transposed operand), FP32 then TF32, through cuBLAS (when found)
 * and through our own kernels, in one run. Median of 10 timed runs. Run by scripts/gpu/run.sh on the GPU machine (see
 * bench/README.md); scripts/torch/bench_gemm.py times the same products in PyTorch.
 */
public final class CudaGemmBenchmark {
    private CudaGemmBenchmark() {}

    public static void main(String[] args) {
        CudaBackend gpu = CudaBackend.get();
        System.out.println("device " + gpu.deviceName());
        int t = 64 * 197;
        // {batch, M, K, N, a transposed, b transposed}
        int[][] cases = {{1, t, 768, 2304, 0, 1}, {768, 197, 64, 197, 0, 1}, {1, t, 768, 3072, 0, 1}, {1, t, 3072, 768, 0, 1}, {1, 768, t, 3072, 1, 0}};
        String[] names = {"qkv x·Wᵀ", "scores q·kᵀ", "fc1 x·Wᵀ", "fc2 x·Wᵀ", "dW gᵀ·x"};
        System.out.println("GEMM: " + gpu.gemm());
        for (boolean cublas : gpu.cublas() ? new boolean[] {true, false} : new boolean[] {false}) {
            gpu.setCublas(cublas);
            for (boolean tf32 : new boolean[] {false, true})
                for (int c = 0; c < cases.length; c++) {
                    gpu.setTf32(tf32);
                    time(gpu, (cublas ? "cuBLAS " : "own ") + (tf32 ? "TF32 " : "FP32 ") + names[c], cases[c]);
                }
        }
        gpu.setCublas(true);
        System.out.println("allocator: " + gpu.allocatorStats());
    }

    private static void time(CudaBackend gpu, String name, int[] cs) {
        int b = cs[0], m = cs[1], k = cs[2], n = cs[3];
        Tensor a = rand(gpu, cs[4] == 1, b, m, k), w = rand(gpu, cs[5] == 1, b, k, n);
        Tensor out = Tensor.empty(DType.F32, gpu, b, m, n);
        double[] s = new double[10];
        for (int i = -2; i < s.length; i++) {
            gpu.synchronize();
            long t0 = System.nanoTime();
            gpu.matmul(a, w, out);
            gpu.synchronize();
            if (i >= 0) s[i] = (System.nanoTime() - t0) / 1e9;
        }
        Arrays.sort(s);
        double flops = 2.0 * b * m * n * k;
        System.out.printf("RESULT gemm %-24s batch %4d M %5d K %5d N %5d: %.3f ms, %.0f GFLOP/s%n", name, b, m, k, n, s[5] * 1e3, flops / s[5] / 1e9);
    }

    /** A (batch, rows, cols) operand, stored transposed (as a weight's Wᵀ view) when asked. */
    private static Tensor rand(CudaBackend gpu, boolean transposed, int batch, int rows, int cols) {
        Tensor t = Tensor.empty(DType.F32, gpu, batch, transposed ? cols : rows, transposed ? rows : cols);
        gpu.random(t, RandomKind.NORMAL, 1, 0, 0, 1);
        return transposed ? t.transpose(1, 2) : t;
    }
}
