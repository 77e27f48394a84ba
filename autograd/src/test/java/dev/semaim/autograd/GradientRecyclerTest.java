package dev.semaim.autograd;

import dev.semaim.tensor.DType;
import dev.semaim.tensor.Rng;
import dev.semaim.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The backward pass releases intermediate gradients, and only those; {@link Var#backwardAndRelease} also the graph's
 * activations, and only those, without changing a gradient. Runs in the test suite's poison mode
 * (-Dsemaim.pool.poison=true), where a released buffer reads as NaN: a buffer released while a pending node still
 * needed it turns a gradient into NaN, and one that was not the pass's to release shows NaN where its holder reads it.
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
    void aTemporaryGoesAfterItsLastReaderAndAConstantStays() {
        Rng rng = new Rng(8);
        Var w = Var.leaf(Tensor.randn(rng, DType.F32, 3, 4), true);
        Tensor own = Tensor.randn(rng, DType.F32, 5, 4), callers = Tensor.randn(rng, DType.F32, 5, 4);
        Tensor expect = own.sum(true, 0).mul(3.0).add(callers.sum(true, 0)).expand(3, 4); // dW rows: 3·Σ own + Σ callers
        Var x = Var.temporary(own), c = Var.constant(callers);
        // two nodes read the temporary (dW needs it in both backwards); it must outlive the first of them
        Var loss = LinearAlgebra.linear(x, w, null).sum()
                .add(LinearAlgebra.linear(x, w, null).mul(2.0).sum())
                .add(LinearAlgebra.linear(c, w, null).sum());
        loss.backwardAndRelease();
        assertTrue(anyNaN(own), "the temporary went back once its last reader had run");
        assertFalse(anyNaN(callers), "a constant is the caller's: it stays");
        assertFalse(anyNaN(w.grad()), "no reader saw the temporary released");
        assertTrue(w.grad().sub(expect).abs().max(false, 0, 1).item() < 1e-4, "dW = Σ_rows of the inputs");

        Tensor kept = Tensor.randn(rng, DType.F32, 5, 4);
        LinearAlgebra.linear(Var.temporary(kept), w, null).sum().backward();
        assertFalse(anyNaN(kept), "a plain backward releases no activation, temporaries included");
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

    // ------------------------------------------------------------------ activations (backwardAndRelease)

    /** The leaves of a small pre-norm transformer block: B 2, T 5, D 8, 2 heads, hidden 16. */
    private record BlockParams(Var x, List<Var> params) {
        static BlockParams random(long seed) {
            Rng rng = new Rng(seed);
            Var x = Var.leaf(Tensor.randn(rng, DType.F32, 2, 5, 8), true);
            List<Var> p = List.of(
                    Var.leaf(Tensor.randn(rng, DType.F32, 8), true), Var.leaf(Tensor.randn(rng, DType.F32, 8), true),     // ln1
                    Var.leaf(Tensor.randn(rng, DType.F32, 24, 8), true), Var.leaf(Tensor.randn(rng, DType.F32, 24), true), // qkv
                    Var.leaf(Tensor.randn(rng, DType.F32, 8, 8), true), Var.leaf(Tensor.randn(rng, DType.F32, 8), true),   // proj
                    Var.leaf(Tensor.randn(rng, DType.F32, 8), true), Var.leaf(Tensor.randn(rng, DType.F32, 8), true),     // ln2
                    Var.leaf(Tensor.randn(rng, DType.F32, 16, 8), true), Var.leaf(Tensor.randn(rng, DType.F32, 16), true), // fc1
                    Var.leaf(Tensor.randn(rng, DType.F32, 8, 16), true), Var.leaf(Tensor.randn(rng, DType.F32, 8), true)); // fc2
            return new BlockParams(x, p);
        }

        /** The block's activations in forward order; the last is the scalar loss. */
        List<Var> forward() {
            Var h = Normalization.layerNorm(x, params.get(0), params.get(1), 1e-6);
            Var qkv = LinearAlgebra.linear(h, params.get(2), params.get(3));                            // (B, T, 3D)
            Var att = ScaledAttention.attendPacked(qkv, 2, 0.5, null).out();
            Var y = LinearAlgebra.linear(att, params.get(4), params.get(5), x);                         // + residual
            Var z = FusedMlp.apply(Normalization.layerNorm(y, params.get(6), params.get(7), 1e-6),
                    params.get(8), params.get(9), params.get(10), params.get(11), y);
            Var cls = ShapeOps.narrow(z, 1, 0, 1);                                                      // a view of z
            Var loss = z.mul(z).sum().add(cls.mul(y.detach().narrow(1, 0, 1)).sum());
            return List.of(h, qkv, att, y, z, cls, loss);
        }

        List<Var> leaves() {
            List<Var> all = new ArrayList<>(params);
            all.add(x);
            return all;
        }
    }

    @Test
    void activationsAreReleasedAndGradientsAreUnchanged() {
        BlockParams plain = BlockParams.random(11), releasing = BlockParams.random(11);
        List<Var> a = plain.forward();
        a.get(a.size() - 1).backward();
        List<Var> b = releasing.forward();
        Var loss = b.get(b.size() - 1);
        Tensor lossValue = loss.data();
        loss.backwardAndRelease();

        for (int i = 0; i < plain.leaves().size(); i++) {
            Tensor ga = plain.leaves().get(i).grad(), gb = releasing.leaves().get(i).grad();
            assertFalse(anyNaN(gb), "leaf " + i + ": no gradient read a released activation");
            assertArrayEquals(ga.toFloatArray(), gb.toFloatArray(), "leaf " + i + ": the same gradient, bit for bit");
            assertFalse(anyNaN(releasing.leaves().get(i).data()), "leaf " + i + " is never released");
        }
        assertFalse(anyNaN(lossValue), "the root stays");
        for (int i : new int[] {0, 1, 2, 4}) assertTrue(anyNaN(b.get(i).data()), "activation " + i + " was released");
        assertFalse(anyNaN(b.get(3).data()), "y stays: a detached copy of it was captured as a constant");
    }

    @Test
    void keptValuesStay() {
        BlockParams p = BlockParams.random(12);
        List<Var> acts = p.forward();
        Var z = acts.get(4), qkv = acts.get(1);
        acts.get(acts.size() - 1).backwardAndRelease(z, qkv);
        assertFalse(anyNaN(z.data()), "kept");
        assertFalse(anyNaN(acts.get(5).data()), "a view of a kept value shares its storage");
        assertFalse(anyNaN(qkv.data()), "kept");
        assertTrue(anyNaN(acts.get(0).data()), "not kept: released");
    }

    @Test
    void viewsOfLeavesLeaveTheLeafAlone() {
        Rng rng = new Rng(13);
        Var w = Var.leaf(Tensor.randn(rng, DType.F32, 4, 6), true);
        Var v = ShapeOps.reshape(w, 6, 4);                       // an op node on the leaf's storage
        Var loss = v.mul(v).sum();
        loss.backwardAndRelease();
        assertFalse(anyNaN(w.data()), "the leaf's storage is never released through a view");
        assertArrayEquals(w.data().mul(2.0).toFloatArray(), w.grad().toFloatArray(), "d/dw sum(w²) = 2w");
    }
}
