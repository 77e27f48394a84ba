package dev.semaim.autograd;

import dev.semaim.autograd.testing.GradCheck;
import dev.semaim.tensor.Tensor;
import dev.semaim.tensor.testing.Cases;
import dev.semaim.tensor.testing.Gen;
import org.junit.jupiter.api.Test;

import static dev.semaim.tensor.DType.F32;
import static dev.semaim.tensor.DType.F64;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * {@link FusedMlp} and the residual-fused {@link LinearAlgebra#linear(Var, Var, Var, Var)}: float64
 * finite-difference gradients for x, both weights, both biases and the residual (random layouts, size-1 axes,
 * biases absent), and, in float32, the same values and gradients as the unfused composition
 * residual + linear(gelu(linear(x))) (same kernels, same order: bit for bit).
 */
class FusedMlpGradTest {
    static final int CASES = 30;

    private static int[] inputShape(Gen gen, int in) {
        return gen.nextBoolean() ? new int[] {gen.pick(1, 3), in} : new int[] {gen.pick(1, 2), gen.pick(1, 3), in};
    }

    @Test
    void gradients() {
        Cases.run("fused mlp", CASES, gen -> {
            int in = gen.pick(1, 2, 3), hidden = gen.pick(1, 4), out = gen.pick(1, 2);
            boolean bias1 = gen.nextBoolean(), bias2 = gen.nextBoolean();
            Tensor x = gen.uniform(F64, inputShape(gen, in), -2, 2);
            Tensor w1 = gen.uniform(F64, new int[] {hidden, in}, -1, 1), w2 = gen.uniform(F64, new int[] {out, hidden}, -1, 1);
            Tensor b1 = gen.uniform(F64, new int[] {hidden}, -1, 1), b2 = gen.uniform(F64, new int[] {out}, -1, 1);
            GradCheck.check("fused mlp", gen, v -> FusedMlp.apply(v[0], v[1], bias1 ? v[3] : null, v[2], bias2 ? v[4] : null),
                    x, w1, w2, b1, b2);
            // with a residual (an input of the output's shape, in its own layout)
            int[] rs = outShape(x.shape(), out);
            GradCheck.check("fused mlp + residual", gen, v -> FusedMlp.apply(v[0], v[1], v[3], v[2], v[4], v[5]),
                    x, w1, w2, b1, b2, gen.uniform(F64, rs, -2, 2));
            GradCheck.check("linear + residual", gen, v -> LinearAlgebra.linear(v[0], v[1], bias1 ? v[2] : null, v[3]),
                    x, w1, b1, gen.uniform(F64, outShape(x.shape(), hidden), -2, 2));
        });
    }

    @Test
    void sameAsTheComposition() {
        Cases.run("fused mlp values", 10, gen -> {
            int in = gen.pick(5, 17), hidden = gen.pick(20, 68), out = gen.pick(5, 17);
            Tensor x = gen.uniform(F32, inputShape(gen, in), -2, 2), w1 = gen.uniform(F32, new int[] {hidden, in}, -1, 1);
            Tensor b1 = gen.uniform(F32, new int[] {hidden}, -1, 1), w2 = gen.uniform(F32, new int[] {out, hidden}, -1, 1);
            Tensor b2 = gen.uniform(F32, new int[] {out}, -1, 1);
            Tensor g = Gen.tensor(gen.values(x.numel() / in * out, -1, 1), F32, outShape(x.shape(), out));
            Tensor r = gen.uniform(F32, outShape(x.shape(), out), -2, 2);
            Var[] fused = leaves(x, w1, b1, w2, b2, r), plain = leaves(x, w1, b1, w2, b2, r);
            Var yf = FusedMlp.apply(fused[0], fused[1], fused[2], fused[3], fused[4], fused[5]);
            Var yp = Arithmetic.add(plain[5],
                    LinearAlgebra.linear(Elementwise.gelu(LinearAlgebra.linear(plain[0], plain[1], plain[2])), plain[3], plain[4]));
            assertArrayEquals(yp.data().toFloatArray(), yf.data().toFloatArray(), "output, seed " + gen.seed);
            try (GradMode.Scope s = GradMode.noGrad()) { // no graph: GELU in place, the same values
                Var yn = FusedMlp.apply(fused[0], fused[1], fused[2], fused[3], fused[4], fused[5]);
                assertArrayEquals(yp.data().toFloatArray(), yn.data().toFloatArray(), "output without a graph, seed " + gen.seed);
            }
            yf.backward(g);
            yp.backward(g);
            for (int i = 0; i < fused.length; i++)
                assertArrayEquals(plain[i].grad().toFloatArray(), fused[i].grad().toFloatArray(), "gradient of input " + i + ", seed " + gen.seed);
        });
    }

    private static int[] outShape(int[] xs, int out) {
        int[] s = xs.clone();
        s[s.length - 1] = out;
        return s;
    }

    private static Var[] leaves(Tensor... ts) {
        Var[] v = new Var[ts.length];
        for (int i = 0; i < ts.length; i++) v[i] = Var.leaf(ts[i], true);
        return v;
    }
}
