package dev.semaim.autograd;

import dev.semaim.autograd.testing.GradCheck;
import dev.semaim.tensor.Tensor;
import dev.semaim.tensor.testing.Cases;
import dev.semaim.tensor.testing.Gen;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static dev.semaim.tensor.DType.F64;

/** Gradient properties of {@link LinearAlgebra}: batched matmul with broadcast batch axes and transposed operands, linear. */
class LinearAlgebraGradTest {
    static final int CASES = 50;

    private static int[] concat(int[] batch, int r, int c) {
        int[] s = Arrays.copyOf(batch, batch.length + 2);
        s[batch.length] = r;
        s[batch.length + 1] = c;
        return s;
    }

    @Test
    void matmul() {
        Cases.run("matmul", CASES, gen -> {
            int m = gen.nextInt(1, 4), k = gen.nextInt(1, 4), n = gen.nextInt(1, 4);
            int[][] batch = gen.broadcastPair(2, 3);
            // an operand is sometimes built as its transpose and viewed back (the Aᵀ·B of attention backward)
            boolean ta = gen.nextBoolean(), tb = gen.nextBoolean();
            Tensor a = gen.uniform(F64, ta ? concat(batch[0], k, m) : concat(batch[0], m, k), -2, 2);
            Tensor b = gen.uniform(F64, tb ? concat(batch[1], n, k) : concat(batch[1], k, n), -2, 2);
            GradCheck.check("matmul", gen, x -> LinearAlgebra.matmul(ta ? x[0].transpose(-1, -2) : x[0],
                    tb ? x[1].transpose(-1, -2) : x[1]), a, b);
        });
    }

    @Test
    void linear() {
        Cases.run("linear", CASES, gen -> {
            int in = gen.nextInt(1, 4), out = gen.nextInt(1, 4);
            int[] lead = gen.shape(0, 2, 3);
            Tensor x = gen.uniform(F64, concat(lead, 1, in), -2, 2).squeeze(-2);
            Tensor w = gen.uniform(F64, new int[] {out, in}, -1, 1);
            if (gen.nextBoolean()) {
                GradCheck.check("linear", gen, v -> LinearAlgebra.linear(v[0], v[1], null), x, w);
            } else {
                Tensor b = gen.uniform(F64, new int[] {out}, -1, 1);
                GradCheck.check("linear+bias", gen, v -> LinearAlgebra.linear(v[0], v[1], v[2]), x, w, b);
            }
        });
    }
}
