package dev.semaim.tensor.cpu;

import dev.semaim.tensor.DType;
import dev.semaim.tensor.HalfFloats;
import dev.semaim.tensor.Rng;
import dev.semaim.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The CPU kernels on BF16 and F16 operands are the reference kernels computing in float64 from the widened values and
 * rounding once on store: each result equals the float64 result of the same op on the widened inputs, rounded to the
 * 16-bit type (the oracle every low-precision kernel, the GPU's included, is held to).
 */
class HalfKernelsTest {
    private static final long SEED = 2026_12_06L;

    /** Seeded normal values of the given shape, rounded to dtype. */
    private static Tensor values(Rng rng, DType dtype, int... shape) {
        return Tensor.randn(rng, DType.F32, shape).to(dtype);
    }

    private static void assertRoundedFromF64(String what, DType dtype, Tensor expected64, Tensor actual) {
        assertEquals(dtype, actual.dtype(), what);
        double[] e = expected64.toDoubleArray(), a = actual.toDoubleArray();
        for (int i = 0; i < e.length; i++) {
            final int k = i;
            assertEquals(HalfFloats.round(dtype, e[i]), a[i], 0,
                    () -> what + " " + dtype + " element " + k + " (seed " + SEED + "): float64 result " + e[k]);
        }
    }

    @Test
    void elementwiseMatmulSoftmaxAndLayerNormRoundOnceOnStore() {
        for (DType dt : new DType[] {DType.BF16, DType.F16}) {
            Rng rng = new Rng(SEED);
            Tensor a = values(rng, dt, 3, 5, 7), b = values(rng, dt, 3, 7, 4), c = values(rng, dt, 3, 5, 7);
            Tensor a64 = a.to(DType.F64), b64 = b.to(DType.F64), c64 = c.to(DType.F64);
            assertRoundedFromF64("add", dt, a64.add(c64), a.add(c));
            assertRoundedFromF64("mul of a transposed view", dt, a64.transpose(1, 2).mul(c64.transpose(1, 2)),
                    a.transpose(1, 2).mul(c.transpose(1, 2)));
            assertRoundedFromF64("gelu", dt, a64.gelu(), a.gelu());
            assertRoundedFromF64("matmul", dt, a64.matmul(b64), a.matmul(b));
            assertRoundedFromF64("softmax", dt, a64.softmax(2), a.softmax(2));
            assertRoundedFromF64("sum", dt, a64.sum(1), a.sum(1));
            Tensor w = values(rng, dt, 7), bias = values(rng, dt, 7);
            assertRoundedFromF64("layerNorm", dt, a64.layerNorm(w.to(DType.F64), bias.to(DType.F64), 1e-6).out(),
                    a.layerNorm(w, bias, 1e-6).out());
        }
    }
}
