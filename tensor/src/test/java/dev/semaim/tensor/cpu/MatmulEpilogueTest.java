package dev.semaim.tensor.cpu;

import dev.semaim.tensor.MatmulEpilogue;
import dev.semaim.tensor.Tensor;
import dev.semaim.tensor.testing.Gen;
import org.junit.jupiter.api.Test;

import static dev.semaim.tensor.DType.F32;
import static dev.semaim.tensor.DType.F64;
import static dev.semaim.tensor.testing.Close.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The fused epilogues of {@link Gemm} ({@link FastKernels#matmulEpilogue}) against the same steps done
 * one by one ({@link MatmulEpilogue#compose} after a plain product): bit for bit, since the fused path
 * promises the same values; and the float32 result against the float64 reference path.
 */
class MatmulEpilogueTest {
    static final int CASES = 25;

    private enum Form { ADD, GELU, GELU_IN_PLACE, GELU_BACKWARD }

    @Test
    void fusedEqualsComposedBitForBit() {
        for (int c = 0; c < CASES; c++) {
            Gen gen = new Gen(7100 + c);
            // Sizes around the vector width, the 6x32 register tile and the MC = 144 row block.
            int m = gen.pick(1, 5, 7, 50, 145, 300), k = gen.pick(1, 3, 64, 257), n = gen.pick(1, 17, 32, 50, 100);
            Form form = Form.values()[gen.pick(0, 1, 2, 3)];
            boolean useBias = gen.nextBoolean(), useResidual = gen.nextBoolean();
            Tensor a = gen.layout(gen.uniform(F32, new int[] {m, k}, -2, 2), gen.nextBoolean() ? Gen.Layout.CONTIGUOUS : Gen.Layout.NARROWED);
            Tensor b = gen.nextBoolean() ? gen.uniform(F32, new int[] {k, n}, -2, 2) : gen.uniform(F32, new int[] {n, k}, -2, 2).transpose(0, 1);
            Tensor bias = useBias && form != Form.GELU_BACKWARD ? gen.uniform(F32, new int[] {n}, -1, 1) : null;
            Tensor residual = useResidual && form == Form.ADD
                    ? gen.layout(gen.uniform(F32, new int[] {m, n}, -1, 1), gen.nextBoolean() ? Gen.Layout.CONTIGUOUS : Gen.Layout.NARROWED) : null;
            Tensor h = form == Form.GELU_BACKWARD ? gen.uniform(F32, new int[] {m, n}, -6, 6) : null;
            String where = "seed " + gen.seed + ", " + form + ", a " + Gen.describe(a) + ", b " + Gen.describe(b)
                    + (bias != null ? ", bias" : "") + (residual != null ? ", residual " + Gen.describe(residual) : "");

            boolean hasAct = form == Form.GELU || form == Form.GELU_BACKWARD;
            Tensor actFused = hasAct ? Tensor.empty(F32, m, n) : null;
            Tensor fused = a.matmul(b, epilogue(form, bias, residual, h, actFused));
            Tensor actComposed = hasAct ? Tensor.empty(F32, m, n) : null;
            Tensor composed = a.matmul(b);
            epilogue(form, bias, residual, h, actComposed).compose(CpuBackend.INSTANCE, a, composed);
            assertArrayEquals(composed.toFloatArray(), fused.toFloatArray(), where + ": out");
            if (actFused != null) assertArrayEquals(actComposed.toFloatArray(), actFused.toFloatArray(), where + ": act");

            // float64 reference (the default path: a plain product and the separate reference kernels)
            Tensor out64 = a.to(F64).matmul(b.to(F64), epilogue(form, to64(bias), to64(residual), to64(h),
                    actFused == null ? null : Tensor.empty(F64, m, n)));
            assertClose(where + ": against float64", out64, fused.to(F64), 1e-4, 1e-4 * Math.sqrt(k));
        }
    }

    @Test
    void rowSumsOfTransposedAEqualTheSerialSumBitForBit() {
        for (int c = 0; c < CASES; c++) {
            Gen gen = new Gen(7300 + c);
            // g (K, M) as in a weight gradient gᵀ·x: K around the KC = 512 slice, M around the vector width and
            // the row block, N small (row slabs) or wide (column slabs, only the first computes the sums)
            int kk = gen.pick(0, 1, 7, 512, 513, 1100), m = gen.pick(1, 15, 16, 17, 72, 200), n = gen.pick(1, 33, 300);
            Tensor g = gen.layout(gen.uniform(F32, new int[] {kk, m}, -2, 2), gen.nextBoolean() ? Gen.Layout.CONTIGUOUS : Gen.Layout.NARROWED);
            Tensor x = gen.uniform(F32, new int[] {kk, n}, -2, 2);
            String where = "seed " + gen.seed + ", g " + Gen.describe(g) + ", x " + Gen.describe(x);
            Tensor sums = Tensor.full(Float.NaN, F32, CpuBackend.INSTANCE, m);
            Tensor fused = g.transpose(0, 1).matmul(x, MatmulEpilogue.rowSumsOfA(sums));
            assertArrayEquals(g.transpose(0, 1).matmul(x).toFloatArray(), fused.toFloatArray(), where + ": the product");
            float[] gs = g.toFloatArray(), got = sums.toFloatArray();
            for (int i = 0; i < m; i++) {
                float serial = 0f;
                for (int k = 0; k < kk; k++) serial += gs[k * m + i];
                org.junit.jupiter.api.Assertions.assertEquals(serial, got[i], where + ": row " + i + ", the serial sum from zero");
            }
            assertArrayEquals(g.sum(0).toFloatArray(), got, where + ": the separate column sum of g");
        }
    }

    @Test
    void operandsOfTheWrongShapeAreNamed() {
        Tensor a = Tensor.zeros(F32, 4, 3), b = Tensor.zeros(F32, 3, 5);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> a.matmul(b, MatmulEpilogue.add(Tensor.zeros(F32, 4), null)));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("bias"), e.getMessage());
    }

    private static MatmulEpilogue epilogue(Form form, Tensor bias, Tensor residual, Tensor h, Tensor act) {
        switch (form) {
            case ADD: return MatmulEpilogue.add(bias, residual);
            case GELU: return MatmulEpilogue.gelu(bias, act);
            case GELU_IN_PLACE: return MatmulEpilogue.geluInPlace(bias);
            default: return MatmulEpilogue.geluBackward(h, act);
        }
    }

    private static Tensor to64(Tensor t) {
        return t == null ? null : t.to(F64);
    }
}
