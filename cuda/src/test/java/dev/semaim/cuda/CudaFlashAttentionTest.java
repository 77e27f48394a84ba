package dev.semaim.cuda;

import dev.semaim.tensor.DType;
import dev.semaim.tensor.FlashAttentionReference;
import dev.semaim.tensor.OrderMask;
import dev.semaim.tensor.Rng;
import dev.semaim.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static dev.semaim.cuda.GpuTestSupport.*;

/**
 * attention.cu against its CPU oracle ({@link FlashAttentionReference}): forward (out, lse) and backward (dq, dk,
 * dv written into slices of one packed gradient), content and query order masks with tied priorities and no mask,
 * T = 197 (aim_base's tokens, not a multiple of the 64-row tile) and T = 5, head widths 16 and 64, float32 and
 * float64; q, k, v slices of one packed qkv as in the encoder blocks.
 */
class CudaFlashAttentionTest {
    @Test
    void forwardAndBackwardMatchTheOracle() {
        CudaBackend gpu = (CudaBackend) gpu();
        long seed = 0;
        for (DType dt : new DType[] {DType.F32, DType.F64})
            for (int hd : dt == DType.F32 ? new int[] {16, 64} : new int[] {16})
                for (int t : new int[] {5, 197})
                    for (int kind = 0; kind < 3; kind++) {
                        seed++;
                        Rng rng = new Rng(seed);
                        int b = 2, heads = 3, d = heads * hd, l = t - 1;
                        Tensor qkv = randn(rng, dt, b, t, 3 * d), g = randn(rng, dt, b, t, d);
                        float[] p = new float[b * l];
                        for (int i = 0; i < p.length; i++) p[i] = rng.nextInt(5) * 0.25f;           // few distinct values: ties
                        Tensor pri = Tensor.of(p, b, l);
                        OrderMask mask = kind == 0 ? null : new OrderMask(pri, kind == 2);
                        double scale = Math.pow(hd, -0.5);
                        DType lt = dt == DType.F64 ? DType.F64 : DType.F32;
                        String what = dt + " hd " + hd + " T " + t + (mask == null ? " no mask" : mask.strict() ? " query mask" : " content mask");

                        Tensor[] cpu = run(qkv, g, mask, heads, scale, lt, d);
                        Tensor qkvG = qkv.to(gpu), gG = g.to(gpu);
                        OrderMask maskG = mask == null ? null : new OrderMask(pri.to(gpu), mask.strict());
                        Tensor[] dev = run(qkvG, gG, maskG, heads, scale, lt, d);
                        double tol = dt == DType.F64 ? 1e-10 : 2e-4;
                        String[] names = {"out", "lse", "dqkv"};
                        for (int i = 0; i < 3; i++) assertClose(what + ": " + names[i], seed, cpu[i], dev[i].to(CPU), tol, tol);
                    }
    }

    /** out, lse, and dqkv (the three gradients written into one packed tensor) on qkv's backend. */
    private static Tensor[] run(Tensor qkv, Tensor g, OrderMask mask, int heads, double scale, DType lt, int d) {
        int b = qkv.size(0), t = qkv.size(1);
        Tensor q = qkv.narrow(2, 0, d), k = qkv.narrow(2, d, d), v = qkv.narrow(2, 2 * d, d);
        Tensor out = Tensor.empty(qkv.dtype(), qkv.backend(), b, t, d), lse = Tensor.empty(lt, qkv.backend(), b, heads, t);
        qkv.backend().flashAttention(q, k, v, heads, scale, mask, out, lse);
        Tensor dqkv = Tensor.empty(qkv.dtype(), qkv.backend(), b, t, 3 * d);
        qkv.backend().flashAttentionBackward(g, q, k, v, out, lse, heads, scale, mask, dqkv.narrow(2, 0, d), dqkv.narrow(2, d, d),
                dqkv.narrow(2, 2 * d, d));
        return new Tensor[] {out, lse, dqkv};
    }
}
