package dev.semaim.autograd;

import dev.semaim.tensor.DType;
import dev.semaim.tensor.Rng;
import dev.semaim.tensor.Tensor;
import dev.semaim.tensor.TensorScope;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The graph's side of buffer ownership: what a node holds outlives the scopes it was made in, a releasing backward
 * ends it after its last reader, and a leaf owns its gradient until zero grad. Poison mode shows what was released.
 */
class GraphOwnershipTest {
    @BeforeAll
    static void poisonMode() {
        assumeTrue(Boolean.getBoolean("semaim.pool.poison"), "needs -Dsemaim.pool.poison=true (the test suite's setting)");
    }

    private static boolean released(Tensor t) {
        return Float.isNaN(t.toFloatArray()[0]);
    }

    private static Var leaf(long seed, int... shape) {
        return Var.leaf(Tensor.randn(new Rng(seed), DType.F32, shape), true);
    }

    /** layerNorm of a transposed (non-contiguous) input: the op's own copy and statistics are saved buffers. */
    private static Var normOfTranspose(Var x, Var w, Var b) {
        return Normalization.layerNorm(x.transpose(0, 1), w, b, 1e-6).square().sum();
    }

    @Test
    void whatANodeHoldsOutlivesTheScopeItWasMadeIn() {
        Var x = leaf(1, 6, 5), w = leaf(2, 6), b = leaf(3, 6);
        Var expected = normOfTranspose(x, w, b);
        expected.backward();
        float[] gx = x.grad().toFloatArray(), gw = w.grad().toFloatArray();
        x.zeroGrad();
        w.zeroGrad();
        b.zeroGrad();
        Var loss;
        try (TensorScope scope = TensorScope.open()) {
            loss = normOfTranspose(x, w, b);                 // every value, copy and statistic made in this scope ...
        }
        loss.backward();                                       // ... is read after it closed
        assertArrayEquals(gx, x.grad().toFloatArray(), 0f);
        assertArrayEquals(gw, w.grad().toFloatArray(), 0f);
    }

    @Test
    void aReleasingBackwardEndsSavedBuffersAfterTheirLastReader() {
        Var q = leaf(4, 2, 3, 4), k = leaf(5, 2, 3, 4), v = leaf(6, 2, 3, 4);
        ScaledAttention.Result r = ScaledAttention.attend(q, k, v, 2, 0.5, null);
        Var loss = r.out().square().sum();
        loss.backwardAndRelease();
        assertTrue(released(r.probs()), "the probabilities went after the attention backward read them");
        assertFalse(released(q.grad()) || released(q.data()), "gradients and leaves stay");
    }

    @Test
    void aLeafOwnsItsGradientAcrossScopesUntilZeroGrad() {
        Var w = leaf(7, 3, 3);
        Tensor x = Tensor.randn(new Rng(8), DType.F32, 3, 3);
        for (int micro = 0; micro < 2; micro++) {           // two micro-batches of one accumulation group
            try (TensorScope step = TensorScope.open()) {
                Var.constant(x).matmul(w).sum().backwardAndRelease();
            }
        }
        Tensor g = w.grad();
        float[] expected = Tensor.full(2, DType.F32, x.backend(), 3).toFloatArray();
        Tensor columnSums = x.sum(0);                      // d/dW Σ xW = xᵀ·1: row i of the gradient is Σ_r x[r, i]
        for (int i = 0; i < 3; i++) expected[i] *= columnSums.toFloatArray()[i];
        assertArrayEquals(expected, g.narrow(1, 0, 1).reshape(3).toFloatArray(), 1e-5f, "accumulated over both scopes");
        w.zeroGrad();
        assertNull(w.grad());
        assertTrue(released(g), "zero grad hands the leaf's own buffer back");
    }

    @Test
    void twoLeavesGivenOneGradientEachOwnABuffer() {
        Var a = leaf(9, 4), b = leaf(10, 4);
        a.add(b).mul(3.0).sum().backward();                  // add passes one gradient to both leaves
        Tensor ga = a.grad(), gb = b.grad();
        assertFalse(ga.storage() == gb.storage(), "the second leaf keeps a copy");
        a.zeroGrad();
        assertTrue(released(ga));
        assertArrayEquals(new float[] {3, 3, 3, 3}, gb.toFloatArray(), 0f, "the other leaf's gradient is untouched");
        b.zeroGrad();
    }
}
