package dev.semaim.bench;

import dev.semaim.cuda.CudaBackend;
import dev.semaim.tensor.DType;
import dev.semaim.tensor.OrderMask;
import dev.semaim.tensor.RandomKind;
import dev.semaim.tensor.Tensor;

import java.util.Arrays;

/**
 * The masked attention of one aim_base encoder block at batch 64 (T = 197, D = 768, 12 heads), forward and backward:
 * unfused (Backend.attention with the materialised (B, 1, T, T) content mask and the (B, H, T, T) probabilities kept)
 * against fused (Backend.flashAttention with the order mask built from the priorities, lse kept), FP32. Prints the
 * median of 10 timed runs and the bytes each keeps for its backward. Run by scripts/gpu/run.sh on the GPU machine.
 */
public final class CudaAttentionBenchmark {
    private CudaAttentionBenchmark() {}

    public static void main(String[] args) {
        CudaBackend gpu = CudaBackend.get();
        int b = 64, t = 197, d = 768, h = 12;
        double scale = Math.pow(d / h, -0.5);
        System.out.println("device " + gpu.deviceName() + "; GEMM: " + gpu.gemm());
        Tensor qkv = rand(gpu, b, t, 3 * d), g = rand(gpu, b, t, d), pri = rand(gpu, b, t - 1);
        Tensor q = qkv.narrow(2, 0, d), k = qkv.narrow(2, d, d), v = qkv.narrow(2, 2 * d, d);
        OrderMask order = OrderMask.content(pri);
        Tensor mask = dense(gpu, pri);                                                    // (B, 1, T, T)
        Tensor out = Tensor.empty(DType.F32, gpu, b, t, d), probs = Tensor.empty(DType.F32, gpu, b, h, t, t);
        Tensor lse = Tensor.empty(DType.F32, gpu, b, h, t), dqkv = Tensor.empty(DType.F32, gpu, b, t, 3 * d);
        Tensor dq = dqkv.narrow(2, 0, d), dk = dqkv.narrow(2, d, d), dv = dqkv.narrow(2, 2 * d, d);
        time(gpu, "unfused forward", () -> gpu.attention(q, k, v, h, scale, mask, out, probs));
        time(gpu, "unfused backward", () -> gpu.attentionBackward(g, q, k, v, probs, h, scale, dq, dk, dv));
        time(gpu, "fused forward", () -> gpu.flashAttention(q, k, v, h, scale, order, out, lse));
        time(gpu, "fused backward", () -> gpu.flashAttentionBackward(g, q, k, v, out, lse, h, scale, order, dq, dk, dv));
        System.out.printf("RESULT attention kept for the backward: unfused %d MB (mask + probs), fused %d MB (lse)%n",
                (mask.numel() + probs.numel()) * 4L >> 20, lse.numel() * 4L >> 20);
    }

    /** The content mask as Masks.content builds it: 0 where π[j] ≤ π[i] (and cls column), −inf elsewhere. */
    private static Tensor dense(CudaBackend gpu, Tensor pri) {
        int b = pri.size(0), l = pri.size(1), t = l + 1;
        float[] p = pri.toFloatArray(), m = new float[b * t * t];
        for (int bi = 0; bi < b; bi++)
            for (int i = 0; i < t; i++)
                for (int j = 0; j < t; j++) {
                    boolean visible = j == 0 || (i > 0 && p[bi * l + j - 1] <= p[bi * l + i - 1]);
                    m[(bi * t + i) * t + j] = visible ? 0 : Float.NEGATIVE_INFINITY;
                }
        return Tensor.of(gpu, m, b, 1, t, t);
    }

    private static void time(CudaBackend gpu, String name, Runnable r) {
        double[] s = new double[10];
        for (int i = -2; i < s.length; i++) {
            gpu.synchronize();
            long t0 = System.nanoTime();
            r.run();
            gpu.synchronize();
            if (i >= 0) s[i] = (System.nanoTime() - t0) / 1e9;
        }
        Arrays.sort(s);
        System.out.printf("RESULT attention %-16s B 64 T 197 D 768 H 12: %.3f ms%n", name, s[5] * 1e3);
    }

    private static Tensor rand(CudaBackend gpu, int... shape) {
        Tensor t = Tensor.empty(DType.F32, gpu, shape);
        gpu.random(t, RandomKind.NORMAL, 3, 0, 0, 1);
        return t;
    }
}
