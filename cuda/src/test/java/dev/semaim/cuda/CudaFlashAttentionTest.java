package dev.semaim.cuda;

import dev.semaim.tensor.DType;
import dev.semaim.tensor.FlashAttentionReference;
import dev.semaim.tensor.OrderMask;
import dev.semaim.tensor.Rng;
import dev.semaim.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static dev.semaim.cuda.GpuTestSupport.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * attention.cu against its CPU oracle ({@link FlashAttentionReference}): forward (out, lse) and backward (dq, dk,
 * dv written into slices of one packed gradient), content and query order masks with tied priorities and no mask,
 * T = 197 (aim_base's tokens, not a multiple of the 64-row tile) and T = 5, head widths 16 and 64, float32 and
 * float64; q, k, v slices of one packed qkv as in the encoder blocks.
 */
class CudaFlashAttentionTest {
    /**
     * Without a GPU: the kernels CudaBackend names exist in the committed PTX, and each block's tile (its shared
     * priority array kp holds ROWS doubles) has the row count CudaBackend launches threads for.
     */
    @Test
    void theKernelsTheBackendNamesAreInThePtxWithItsTileRows() {
        String ptx = new String(Kernels.ptx("attention"), java.nio.charset.StandardCharsets.US_ASCII);
        Object[][] cases = {{DType.F32, 16, "ff"}, {DType.F32, 32, "ff"}, {DType.F32, 64, "ff"}, {DType.F64, 16, "dd"}};
        for (Object[] c : cases) {
            DType dt = (DType) c[0];
            int hd = (Integer) c[1];
            Tensor x = Tensor.empty(dt, CPU, 1, 2, hd), lse = Tensor.empty(dt == DType.F64 ? DType.F64 : DType.F32, CPU, 1, 1, 2);
            String fn = CudaBackend.flashKernel(lse, hd, x, x);
            for (String k : new String[] {"flash_forward_", "flash_backward_dq_", "flash_backward_dkdv_"})
                assertTrue(ptx.contains(".entry " + k + fn + "("), k + fn + " is not in attention.ptx: run scripts/gpu/compile-ptx.sh");
            var m = java.util.regex.Pattern.compile("_ZZ13flash_forwardI" + c[2] + "Li" + hd + "E\\S*E2kp\\[(\\d+)\\]").matcher(ptx);
            assertTrue(m.find(), "flash_forward<" + c[2] + ", " + hd + ">'s kp array in the PTX");
            assertEquals(CudaBackend.flashRows(dt, hd) * 8, Integer.parseInt(m.group(1)), dt + " hd " + hd + ": tile rows");
        }
        for (String k : new String[] {"b_hd64", "h_hd64"}) assertTrue(ptx.contains(".entry flash_forward_" + k + "("), k);
        Tensor x = Tensor.empty(DType.F32, CPU, 1, 2, 48), lse = Tensor.empty(DType.F32, CPU, 1, 1, 2);
        assertNull(CudaBackend.flashKernel(lse, 48, x, x), "head width 48 has no kernel: the reference serves");
        assertNull(CudaBackend.flashKernel(Tensor.empty(DType.F64, CPU, 1, 1, 2), 64, Tensor.empty(DType.F32, CPU, 1, 2, 64)), "lse of another dtype");
    }

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
