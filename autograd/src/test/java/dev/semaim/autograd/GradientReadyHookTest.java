package dev.semaim.autograd;

import dev.semaim.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * {@link Var#onGradientReady}: when each leaf's hook runs in a backward pass (order and timing against the ops'
 * backwards), and that the gradient it sees is the pass's final one, on a small float64 graph.
 */
class GradientReadyHookTest {
    private final List<String> events = new ArrayList<>();
    /** The gradient each hook saw, in the order the hooks ran. */
    private final List<double[]> seen = new ArrayList<>();

    private static Var leaf(int rows, int cols, double... v) {
        return Var.leaf(Tensor.of(v, rows, cols), true);
    }

    private void hook(String name, Var leaf) {
        leaf.onGradientReady(() -> {
            events.add(name);
            seen.add(leaf.grad().toDoubleArray());
        });
    }

    /** Identity whose backward records {@code name} when it runs. */
    private Var probe(String name, Var x) {
        return Var.of(name, x.data().copy(), g -> {
            events.add(name);
            x.accumulate(g);
        }, x);
    }

    /** loss = sum(probe1(x W1) W2) + sum(W2 * W2) + sum(probe2(b)): W2 read by a matmul and twice by one mul. */
    private Var loss(Var x, Var w1, Var w2, Var b) {
        Var h = probe("probe1", x.matmul(w1)).matmul(w2);
        return h.sum().add(w2.mul(w2).sum()).add(probe("probe2", b).sum());
    }

    @Test
    void eachLeafIsReadyOnceRightAfterItsLastReaderWithItsFinalGradient() {
        Var x = Var.constant(Tensor.of(new double[] {1, 2, 3, 4}, 2, 2));
        Var w1 = leaf(2, 2, 0.5, -1, 2, 0.25), w2 = leaf(2, 1, 3, -2), b = leaf(1, 2, 7, 8), unused = leaf(1, 1, 9);
        hook("w1", w1);
        hook("w2", w2);
        hook("b", b);
        hook("unused", unused);
        loss(x, w1, w2, b).backwardAndRelease();

        // the pass runs probe2 first (the last term), then the W2 terms, then probe1 and the matmul reading W1: each
        // leaf's hook comes right after its last reader, W2's after all three of its reads, the unused leaf's never
        assertEquals(List.of("probe2", "b", "w2", "probe1", "w1"), events);
        // x W1 = [[4.5, -0.5], [9.5, -2]]; dW2 = (x W1)^T 1 + 2 W2; dW1 = x^T (1 W2^T); db = 1
        double[] dw2 = {14 + 6, -2.5 - 4}, dw1 = {12, -8, 18, -12}, db = {1, 1};
        assertArrayEquals(db, seen.get(0), 1e-12);
        assertArrayEquals(dw2, seen.get(1), 1e-12);
        assertArrayEquals(dw1, seen.get(2), 1e-12);
        assertArrayEquals(dw2, w2.grad().toDoubleArray(), 1e-12);

        // a second pass without zeroing (gradient accumulation): the hooks run again, on the accumulated gradients
        events.clear();
        seen.clear();
        loss(x, w1, w2, b).backward();
        assertEquals(List.of("probe2", "b", "w2", "probe1", "w1"), events);
        assertArrayEquals(new double[] {2, 2}, seen.get(0), 1e-12);
        assertArrayEquals(new double[] {2 * dw2[0], 2 * dw2[1]}, seen.get(1), 1e-12);
        assertArrayEquals(new double[] {24, -16, 36, -24}, seen.get(2), 1e-12);
    }

    @Test
    void aLeafBackwardFromItselfIsReadyOnce() {
        Var w = leaf(1, 1, 2);
        hook("w", w);
        w.backward();
        assertEquals(List.of("w"), events);
        assertArrayEquals(new double[] {1}, seen.get(0), 1e-12);
    }

    @Test
    void onlyGradientLeavesTakeAHook() {
        Var c = Var.constant(Tensor.of(new double[] {1}, 1));
        assertThrows(IllegalStateException.class, () -> c.onGradientReady(() -> { }));
        Var x = Var.leaf(Tensor.of(new double[] {1}, 1), true);
        assertThrows(IllegalStateException.class, () -> x.mul(2.0).onGradientReady(() -> { }));
    }
}
