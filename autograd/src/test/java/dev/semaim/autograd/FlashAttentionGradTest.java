package dev.semaim.autograd;

import dev.semaim.autograd.testing.GradCheck;
import dev.semaim.tensor.OrderMask;
import dev.semaim.tensor.Tensor;
import dev.semaim.tensor.testing.Cases;
import dev.semaim.tensor.testing.Gen;
import org.junit.jupiter.api.Test;

import static dev.semaim.tensor.DType.F64;

/**
 * Float64 finite-difference gradients of {@link FlashAttention} for q, k and v: no mask (cross-attention, Tq ≠ Tk) or
 * a content or query order mask from priorities with ties; packed qkv slices or separate inputs.
 */
class FlashAttentionGradTest {
    @Test
    void gradients() {
        Cases.run("flash attention", 20, gen -> {
            int b = gen.pick(1, 2), l = gen.pick(1, 2, 4), heads = gen.pick(1, 2), hd = gen.pick(1, 2, 3), d = heads * hd;
            double scale = Math.pow(hd, -0.5);
            int kind = gen.pick(0, 1, 2);
            OrderMask mask = null;
            if (kind > 0) {
                double[] p = new double[b * l];
                for (int i = 0; i < p.length; i++) p[i] = gen.nextInt(0, 2);              // ties on purpose
                mask = new OrderMask(Gen.tensor(p, F64, b, l), kind == 2);
            }
            OrderMask m = mask;
            int tq = l + 1, tk = mask == null ? gen.pick(1, 3) : tq;
            if (gen.nextBoolean() && tq == tk) {
                GradCheck.check("flash attention (packed qkv)", gen, x -> FlashAttention.attendPacked(x[0], heads, scale, m),
                        gen.uniform(F64, new int[] {b, tq, 3 * d}, -2, 2));
            } else {
                GradCheck.check("flash attention", gen, x -> FlashAttention.attend(x[0], x[1], x[2], heads, scale, m),
                        gen.uniform(F64, new int[] {b, tq, d}, -2, 2), gen.uniform(F64, new int[] {b, tk, d}, -2, 2),
                        gen.uniform(F64, new int[] {b, tk, d}, -2, 2));
            }
        });
    }
}
