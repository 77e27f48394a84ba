package dev.semaim.cuda;

import dev.semaim.tensor.DType;
import dev.semaim.tensor.Rng;
import dev.semaim.tensor.Shape;
import dev.semaim.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static dev.semaim.cuda.GpuTestSupport.CPU;
import static dev.semaim.cuda.GpuTestSupport.randn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The row-major-to-column-major mapping, proven without a GPU: every product's {@link GemmPlan} calls, run by a
 * Java model of cuBLAS's GEMM ({@link CublasGemmModel}) on the operands' flat storages, give the CPU backend's
 * product, and write nothing outside out's view.
 */
class GemmPlanTest {
    /** a·b through the plan and the model, compared with the CPU product (float64, so 1e-12). */
    private static void check(String what, long seed, Tensor a, Tensor b, Tensor out) {
        // as CudaBackend does: inputs with no unit stride in their matrix axes are copied first
        Tensor ac = GemmPlan.inputFits(a) ? a : a.contiguous();
        Tensor bc = GemmPlan.inputFits(b) ? b : b.contiguous();
        assertTrue(GemmPlan.inputFits(ac) && GemmPlan.inputFits(bc));
        assertTrue(GemmPlan.outputFits(out), what + ": output " + out + " should fit");
        double[] fa = flat(ac), fb = flat(bc), fo = new double[out.storage().size()];
        Arrays.fill(fo, Double.NaN);
        List<GemmPlan.Call> calls = GemmPlan.plan(ac, bc, out);
        for (GemmPlan.Call c : calls) CublasGemmModel.run(c, fb, fa, fo);          // cuBLAS's A is our b, its B our a
        Tensor written = Tensor.of(fo, fo.length);
        Tensor got = new Tensor(written.storage(), out.shape(), out.strides(), out.offset());
        double[] want = a.matmul(b).toDoubleArray(), have = got.toDoubleArray();
        for (int i = 0; i < want.length; i++)
            if (!(Math.abs(want[i] - have[i]) <= 1e-12 * (1 + Math.abs(want[i]))))
                fail(what + " (seed " + seed + ", a " + a + ", b " + b + ", out " + out + ", calls " + calls + "): element " + i
                        + " is " + have[i] + ", the CPU gives " + want[i]);
        int inside = 0;
        for (double v : fo) if (!Double.isNaN(v)) inside++;
        assertEquals(out.numel(), inside, what + " (seed " + seed + "): the calls wrote outside out's view " + out);
    }

    private static double[] flat(Tensor t) {
        return new Tensor(t.storage(), new int[] {t.storage().size()}, new int[] {1}, 0).toDoubleArray();
    }

    /** An input (batch..., rows, cols) in one of the layouts the engine produces. */
    private static Tensor input(Rng rng, int layout, int[] batch, int rows, int cols) {
        int r = batch.length;
        int[] shape = Arrays.copyOf(batch, r + 2);
        shape[r] = rows;
        shape[r + 1] = cols;
        switch (layout) {
            case 1: { // stored transposed (kᵀ in attention, a weight's transpose)
                int[] s = shape.clone();
                s[r] = cols;
                s[r + 1] = rows;
                return randn(rng, DType.F64, s).transpose(r, r + 1);
            }
            case 2: { // rows padded apart (a narrowed slice, e.g. q out of a packed qkv)
                int[] s = shape.clone();
                s[r + 1] = cols + 3;
                return randn(rng, DType.F64, s).narrow(r + 1, 2, cols);
            }
            case 3: { // broadcast over the batch (stride 0)
                int[] s = shape.clone();
                for (int i = 0; i < r; i++) s[i] = 1;
                return randn(rng, DType.F64, s).expand(shape);
            }
            case 4: { // batch axes stored in the other order
                if (r < 2) return randn(rng, DType.F64, shape);
                int[] s = shape.clone();
                s[0] = shape[1];
                s[1] = shape[0];
                return randn(rng, DType.F64, s).transpose(0, 1);
            }
            case 5: { // neither matrix axis has stride 1: a column-strided slice, copied before cuBLAS
                int[] s = shape.clone();
                s[r + 1] = cols * 2;
                Tensor t = randn(rng, DType.F64, s);
                int[] st = t.strides().clone();
                st[r + 1] = 2;
                return new Tensor(t.storage(), shape, st, 0);
            }
            default: return randn(rng, DType.F64, shape);
        }
    }

    @Test
    void everyLayoutOfRandomProductsMatchesTheCpu() {
        int[] sizes = {1, 2, 3, 5, 7};
        for (long seed = 1; seed <= 400; seed++) {
            Rng rng = new Rng(seed);
            int[] batch = new int[rng.nextInt(3)];
            for (int i = 0; i < batch.length; i++) batch[i] = 1 + rng.nextInt(3);
            int m = sizes[rng.nextInt(5)], n = sizes[rng.nextInt(5)], k = sizes[rng.nextInt(5)];
            int la = rng.nextInt(6), lb = rng.nextInt(6), lo = rng.nextInt(2);
            Tensor a = input(rng, la, batch, m, k), b = input(rng, lb, batch, k, n);
            int[] os = Arrays.copyOf(batch, batch.length + 2);
            os[batch.length] = m;
            os[batch.length + 1] = n + (lo == 1 ? 4 : 0);
            Tensor out = Tensor.empty(DType.F64, CPU, os);
            if (lo == 1) out = out.narrow(batch.length + 1, 1, n);            // padded output rows
            check("batch " + Shape.str(batch) + " m" + m + " n" + n + " k" + k + " layouts a" + la + " b" + lb + " out" + lo, seed, a, b, out);
        }
    }

    /** (B, T, D) → (B, H, T, hd): the heads view of AttentionReference. */
    private static Tensor heads(Tensor x, int h) {
        return x.reshape(x.size(0), x.size(1), h, x.size(2) / h).transpose(1, 2);
    }

    @Test
    void theAttentionProductsMapToStridedBatches() {
        int b = 2, t = 5, h = 3, hd = 4, d = h * hd;
        Rng rng = new Rng(7);
        Tensor qkv = randn(rng, DType.F64, b, t, 3 * d);                    // packed projection: q, k, v are narrowed views
        Tensor q = heads(qkv.narrow(2, 0, d), h), k = heads(qkv.narrow(2, d, d), h), v = heads(qkv.narrow(2, 2 * d, d), h);
        Tensor p = randn(rng, DType.F64, b, h, t, t), g = heads(randn(rng, DType.F64, b, t, d), h);
        check("scores q·kᵀ", 7, q, k.transpose(2, 3), Tensor.empty(DType.F64, CPU, b, h, t, t));
        check("probs·v", 7, p, v, Tensor.empty(DType.F64, CPU, b, h, t, hd));
        check("dv = probsᵀ·g", 7, p.transpose(2, 3), g, Tensor.empty(DType.F64, CPU, b, h, t, hd));
        check("dq = ds·k", 7, p, k, Tensor.empty(DType.F64, CPU, b, h, t, hd));
        check("dk = (qᵀ·ds)ᵀ", 7, q.transpose(2, 3), p, Tensor.empty(DType.F64, CPU, b, h, hd, t));
        // (B, H) do not merge for heads views (B's stride T·D is not H·hd): one strided batch of H per image
        List<GemmPlan.Call> calls = GemmPlan.plan(q, k.transpose(2, 3), Tensor.empty(DType.F64, CPU, b, h, t, t));
        assertEquals(b, calls.size());
        assertEquals(h, calls.get(0).batch());
        assertEquals(GemmPlan.OP_T, calls.get(0).transA(), "kᵀ has unit row stride: passed as k with CUBLAS_OP_T");
        // contiguous probs·v: (B, H) merge into one strided batch of B·H
        calls = GemmPlan.plan(p, p.contiguous(), Tensor.empty(DType.F64, CPU, b, h, t, t));
        assertEquals(1, calls.size());
        assertEquals(b * h, calls.get(0).batch());
    }

    @Test
    void aLinearLayerIsOneCallWithSwappedOperands() {
        Tensor x = randn(new Rng(3), DType.F64, 6, 4), w = randn(new Rng(4), DType.F64, 5, 4).transpose(0, 1); // x·Wᵀ
        List<GemmPlan.Call> calls = GemmPlan.plan(x, w, Tensor.empty(DType.F64, CPU, 6, 5));
        GemmPlan.Call c = calls.get(0);
        assertEquals(List.of(5, 6, 4, 1), List.of(c.m(), c.n(), c.k(), c.batch()), "m = N, n = M, k = K");
        assertEquals(GemmPlan.OP_T, c.transA());
        assertEquals(4, c.lda());
        assertEquals(GemmPlan.OP_N, c.transB());
        assertEquals(4, c.ldb());
        assertEquals(5, c.ldc());
        check("x·Wᵀ", 3, x, w, Tensor.empty(DType.F64, CPU, 6, 5));
    }

    @Test
    void layoutsCuBlasCannotTakeAreRefusedForACopy() {
        Tensor t = randn(new Rng(5), DType.F64, 4, 6);
        assertFalse(GemmPlan.inputFits(new Tensor(t.storage(), new int[] {4, 3}, new int[] {6, 2}, 0)), "no unit stride");
        assertFalse(GemmPlan.inputFits(randn(new Rng(6), DType.F64, 1, 3).expand(4, 3)), "broadcast rows (row stride 0)");
        assertFalse(GemmPlan.outputFits(Tensor.empty(DType.F64, CPU, 3, 4).transpose(0, 1)), "a transposed output");
        assertTrue(GemmPlan.outputFits(Tensor.empty(DType.F64, CPU, 4, 1)), "a column: any column stride");
    }
}
