package dev.semaim.autograd;

import dev.semaim.tensor.DType;
import dev.semaim.tensor.HalfFloats;
import dev.semaim.tensor.Rng;
import dev.semaim.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * {@link Autocast}: which ops run in the 16-bit type and which in F32, values equal to the float64 computation on the
 * rounded operands rounded once, and F32 gradients for F32 parameters ({@link Conversion}).
 */
class AutocastTest {
    private static final long SEED = 20;

    private static Var param(Rng rng, int... shape) {
        return Var.leaf(Tensor.randn(rng, DType.F32, shape), true);
    }

    /** v rounded to dt, as float64 (the oracle's operands). */
    private static Tensor rounded64(Tensor v, DType dt) {
        return v.to(dt).to(DType.F64);
    }

    private static void assertValues(String what, DType dt, Tensor expected64, Tensor actual) {
        double[] e = expected64.toDoubleArray(), a = actual.toDoubleArray();
        for (int i = 0; i < e.length; i++) {
            final int k = i;
            assertEquals(HalfFloats.round(dt, e[i]), a[i], 0, () -> what + " " + dt + " element " + k + " (seed " + SEED + ")");
        }
    }

    @Test
    void productsRunInTheLowTypeAndRoundOnce() {
        for (DType dt : new DType[] {DType.BF16, DType.F16}) {
            Rng rng = new Rng(SEED);
            Var x = param(rng, 2, 5, 8), w = param(rng, 6, 8), b = param(rng, 6);
            Var y;
            try (Autocast.Scope s = Autocast.enable(dt)) {
                y = LinearAlgebra.linear(x, w, b);
            }
            assertEquals(dt, y.dtype(), "linear under autocast");
            Tensor expected = rounded64(x.data(), dt).matmul(rounded64(w.data(), dt).transpose(0, 1));
            // the product is rounded on store, then the bias added and rounded again (the reference's epilogue is
            // the product, then an elementwise add; a fused kernel may round once, within one unit of this)
            assertValues("linear", dt, rounded64(expected, dt).add(rounded64(b.data(), dt)), y.data());
            y.sum().backward();
            assertEquals(DType.F32, w.grad().dtype(), "the F32 parameter's gradient is F32");
            assertEquals(DType.F32, x.grad().dtype());
            // dW = Σ_rows g·x with g = 1: the column sums of x rounded to dt, accumulated wide and rounded once
            Tensor dw = rounded64(x.data(), dt).reshape(10, 8).sum(0).unsqueeze(0).expand(6, 8);
            assertValues("dW", dt, dw, w.grad());
        }
    }

    @Test
    void float32OpsWidenAndWiderResidualsAreAddedAfterTheProduct() {
        Rng rng = new Rng(SEED);
        Var x = param(rng, 3, 4, 8), w = param(rng, 8, 8), gamma = param(rng, 8), beta = param(rng, 8);
        try (Autocast.Scope s = Autocast.enable(DType.BF16)) {
            Var h = LinearAlgebra.linear(x, w, null);
            assertEquals(DType.BF16, h.dtype());
            assertEquals(DType.F32, Softmax.softmax(h, 2).dtype(), "softmax");
            assertEquals(DType.F32, Normalization.layerNorm(h, gamma, beta, 1e-6).dtype(), "layer norm");
            assertEquals(DType.F32, Reductions.sum(h, false).dtype(), "sum");
            assertEquals(DType.BF16, Elementwise.gelu(h).dtype(), "gelu keeps its input's type");
            assertEquals(DType.F32, Arithmetic.add(x, h).dtype(), "F32 + BF16 promotes");
            Var r = LinearAlgebra.linear(h, w, null, x);
            assertEquals(DType.F32, r.dtype(), "a residual wider than the product");
            Tensor product = h.data().to(DType.F64).matmul(rounded64(w.data(), DType.BF16).transpose(0, 1));
            Tensor expected = product.to(DType.BF16).to(DType.F64).add(x.data().to(DType.F64)); // round, then add in F32
            double[] e = expected.toDoubleArray(), a = r.data().toDoubleArray();
            for (int i = 0; i < e.length; i++) assertEquals((float) e[i], a[i], 0, "residual + product element " + i);
            Var m = FusedMlp.apply(h, w, null, w, null, x);
            assertEquals(DType.F32, m.dtype(), "mlp with a wider residual");
            ScaledAttention.Result att = ScaledAttention.attend(h, h, h, 2, 0.5, null);
            assertEquals(DType.BF16, att.out().dtype(), "attention");
            assertEquals(DType.BF16, att.probs().dtype());
            try (Autocast.Scope off = Autocast.disable()) {
                assertEquals(DType.F32, LinearAlgebra.linear(x, w, null).dtype(), "disabled inside a scope");
            }
            assertEquals(DType.BF16, Autocast.lowPrecision());
        }
        assertNull(Autocast.lowPrecision());
        assertEquals(DType.F32, LinearAlgebra.linear(x, w, null).dtype(), "outside autocast");
        assertThrows(IllegalArgumentException.class, () -> Autocast.enable(DType.F32));
    }

    @Test
    void conversionPassesTheGradientBackInTheInputsType() {
        Rng rng = new Rng(SEED);
        Var x = param(rng, 4, 3);
        Tensor w = Tensor.randn(rng, DType.F32, 4, 3);
        Var y = Conversion.to(x, DType.F16);
        assertEquals(DType.F16, y.dtype());
        Arithmetic.mul(y, Var.constant(w.to(DType.F16))).sum().backward();
        assertEquals(DType.F32, x.grad().dtype());
        // d/dx Σ w·to(x) = w (in F16, as the product's gradient is), then widened exactly
        float[] expected = w.to(DType.F16).toFloatArray(), actual = x.grad().toFloatArray();
        for (int i = 0; i < expected.length; i++) assertEquals(expected[i], actual[i], 0, "element " + i);
        assertEquals(x, Conversion.to(x, DType.F32), "a conversion to the same type is the input itself");
    }

    /**
     * Finite differences in float64 through a widening conversion: L(x) = Σ w·to(x, F64)² for float32 x, perturbed by
     * h = 2^-8 in float64 (the central difference of a quadratic is exact), equals the
     * autograd gradient 2·w·x converted back to float32.
     */
    @Test
    void wideningConversionPassesAFloat64FiniteDifferenceCheck() {
        Rng rng = new Rng(SEED);
        float[] x0 = Tensor.randn(rng, DType.F32, 6).toFloatArray();
        double[] w = Tensor.randn(rng, DType.F64, 6).toDoubleArray();
        Var x = Var.leaf(Tensor.of(x0, 6), true);
        Var wide = Conversion.to(x, DType.F64);
        Arithmetic.mul(Arithmetic.mul(wide, wide), Var.constant(Tensor.of(w, 6))).sum().backward();
        float[] analytic = x.grad().toFloatArray();
        float h = 0x1p-8f;
        for (int i = 0; i < 6; i++) {
            double up = 0, down = 0;
            for (int j = 0; j < 6; j++) {
                double xu = j == i ? (double) x0[j] + h : x0[j], xd = j == i ? (double) x0[j] - h : x0[j];
                up += w[j] * xu * xu;
                down += w[j] * xd * xd;
            }
            double numeric = (up - down) / (2 * h);
            assertEquals((float) numeric, analytic[i], 1e-6 * (1 + Math.abs(numeric)), "element " + i + " (seed " + SEED + ")");
        }
    }
}
