package dev.semaim.autograd;

import dev.semaim.autograd.testing.GradCheck;
import dev.semaim.tensor.Tensor;
import dev.semaim.tensor.testing.Cases;
import dev.semaim.tensor.testing.Gen;
import org.junit.jupiter.api.Test;

import static dev.semaim.tensor.DType.F64;

/**
 * Float64 finite-difference gradients of {@link ScaledAttention} for q, k and v: random sizes with size-1 axes
 * (one item, one token, one head, head width 1), inputs in random layouts or as slices of one fused projection,
 * masks per item or broadcast over the batch with −inf entries.
 */
class ScaledAttentionGradTest {
    static final int CASES = 30;

    @Test
    void gradients() {
        Cases.run("scaled attention", CASES, gen -> {
            int b = gen.pick(1, 2), tq = gen.pick(1, 2, 4), tk = gen.pick(1, 3, 4), heads = gen.pick(1, 2), hd = gen.pick(1, 2, 3);
            int d = heads * hd;
            double scale = Math.pow(hd, -0.5);
            Tensor mask = null;
            if (gen.nextBoolean()) {
                int mb = gen.nextBoolean() ? b : 1;
                double[] m = new double[mb * tq * tk];
                for (int i = 0; i < m.length; i++) m[i] = i % tk == 0 || gen.nextBoolean() ? gen.uniform(-1, 0) : Double.NEGATIVE_INFINITY;
                mask = Gen.tensor(m, F64, mb, 1, tq, tk);
            }
            Tensor finalMask = mask;
            if (gen.nextBoolean() && tq == tk) {
                // self-attention on slices of one fused (B, T, 3D) input, as Attention feeds it
                GradCheck.check("scaled attention (packed qkv)", gen, x -> ScaledAttention.attendPacked(x[0], heads, scale, finalMask).out(),
                        gen.uniform(F64, new int[] {b, tq, 3 * d}, -2, 2));
            } else {
                GradCheck.check("scaled attention", gen, x -> ScaledAttention.attend(x[0], x[1], x[2], heads, scale, finalMask).out(),
                        gen.uniform(F64, new int[] {b, tq, d}, -2, 2), gen.uniform(F64, new int[] {b, tk, d}, -2, 2),
                        gen.uniform(F64, new int[] {b, tk, d}, -2, 2));
            }
        });
    }

    @Test
    void sameValuesAsTheComposition() {
        Cases.run("scaled attention values", 10, gen -> {
            int b = 2, tq = 3, tk = 4, heads = 2, hd = 3, d = heads * hd;
            Tensor q = gen.uniform(F64, new int[] {b, tq, d}, -2, 2), k = gen.uniform(F64, new int[] {b, tk, d}, -2, 2);
            Tensor v = gen.uniform(F64, new int[] {b, tk, d}, -2, 2);
            Tensor expected = q.reshape(b, tq, heads, hd).transpose(1, 2).matmul(k.reshape(b, tk, heads, hd).permute(0, 2, 3, 1))
                    .mul(Math.pow(hd, -0.5)).softmax(3).matmul(v.reshape(b, tk, heads, hd).transpose(1, 2)).transpose(1, 2).reshape(b, tq, d);
            Var out = ScaledAttention.attend(Var.constant(q), Var.constant(k), Var.constant(v), heads, Math.pow(hd, -0.5), null).out();
            dev.semaim.tensor.testing.Close.assertClose("attention", expected, out.data(), 1e-12, 1e-12);
            Tensor qkv = Tensor.cat(2, q, k.narrow(1, 0, tq), v.narrow(1, 0, tq));
            Var packed = ScaledAttention.attendPacked(Var.constant(qkv), heads, Math.pow(hd, -0.5), null).out();
            Var split = ScaledAttention.attend(Var.constant(q), Var.constant(k.narrow(1, 0, tq)), Var.constant(v.narrow(1, 0, tq)), heads,
                    Math.pow(hd, -0.5), null).out();
            dev.semaim.tensor.testing.Close.assertClose("packed attention", split.data(), packed.data(), 0, 0);
        });
    }
}
