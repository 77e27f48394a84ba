package dev.semaim.autograd;

import dev.semaim.tensor.DType;
import dev.semaim.tensor.Rng;
import dev.semaim.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The backward pass releases intermediate gradients, and only those. Runs in the test suite's poison mode
 * (-Dsemaim.pool.poison=true), where a released buffer reads as NaN: a gradient released too early, or one that
 * was not the pass's to release, shows up as NaN.
 */
class GradientRecyclerTest {
    @BeforeAll
    static void poisonMode() {
        assumeTrue(Boolean.getBoolean("semaim.pool.poison"), "needs -Dsemaim.pool.poison=true (the test suite's setting)");
    }

    private static boolean anyNaN(Tensor t) {
        for (float v : t.toFloatArray()) if (Float.isNaN(v)) return true;
        return false;
    }

    /** An op that hands its output gradient on unchanged (as add does) and lets the test see it. */
    private static Var spy(Var x, AtomicReference<Tensor> seen) {
        return Var.of("spy", x.data().mul(1.0), g -> {
            seen.set(g);
            x.accumulate(g);
        }, x);
    }

    @Test
    void intermediateGradientIsReleasedOnceItsNodeHasRun() {
        Rng rng = new Rng(3);
        Var w = Var.leaf(Tensor.randn(rng, DType.F32, 4, 5), true);
        AtomicReference<Tensor> seen = new AtomicReference<>();
        // loss = sum(2·(w·3)⊙(w·3)): the gradient reaching the spy is made in the pass (by the scaling's backward;
        // sum's is a view of the caller's scalar), passed on to the product's node, then dead
        Var y = w.mul(3.0);
        Var loss = spy(y.mul(y), seen).mul(2.0).sum();
        loss.backward();
        assertTrue(anyNaN(seen.get()), "the spy's incoming gradient was released (poisoned)");
        Tensor expect = w.data().mul(36.0);
        assertFalse(anyNaN(w.grad()), "the leaf gradient is intact");
        assertTrue(w.grad().sub(expect).abs().max(false, 0, 1).item() < 1e-5, "d/dw sum(18 w²) = 36 w");
    }

    @Test
    void gradientSharedWithALeafIsKept() {
        Rng rng = new Rng(4);
        Var a = Var.leaf(Tensor.randn(rng, DType.F32, 3, 6), true);
        Var b = Var.leaf(Tensor.randn(rng, DType.F32, 3, 6), true);
        Var c = Var.leaf(Tensor.randn(rng, DType.F32, 3, 6), true);
        // add hands one gradient tensor to both inputs: a's gradient is that tensor, still shared with the pending (b·c) node
        Var loss = a.add(b.mul(c)).mul(2.0).sum();
        loss.backward();
        assertFalse(anyNaN(a.grad()) || anyNaN(b.grad()) || anyNaN(c.grad()), "no gradient a node or leaf holds was released");
        assertTrue(a.grad().sub(Tensor.full(2, DType.F32, a.data().backend(), 3, 6)).abs().max(false, 0, 1).item() == 0);
        assertTrue(b.grad().sub(c.data().mul(2.0)).abs().max(false, 0, 1).item() < 1e-6);
    }

    @Test
    void tensorsMadeBeforeThePassAreNeverReleased() {
        Rng rng = new Rng(5);
        Var x = Var.leaf(Tensor.randn(rng, DType.F32, 2, 8), true);
        Tensor saved = Tensor.randn(rng, DType.F32, 2, 8);
        Tensor callersGradient = Tensor.full(1, DType.F32, saved.backend(), 2, 8);
        // an op whose backward passes a forward-time tensor on as the gradient
        Var y = Var.of("passes-saved", x.data().mul(1.0), g -> x.accumulate(saved), x);
        Var z = y.mul(1.0);
        z.backward(callersGradient);
        assertFalse(anyNaN(saved), "a tensor from before the pass is not the pass's to release");
        assertFalse(anyNaN(callersGradient), "nor is the caller's output gradient");
        assertFalse(anyNaN(x.grad()));
    }
}
