package dev.semaim.autograd;

import dev.semaim.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** The graph itself: recording, no-grad scopes, accumulation into leaves, release after backward. */
class GraphTest {
    private static Var leaf(double... v) {
        return Var.leaf(Tensor.of(v, v.length), true);
    }

    @Test
    void leafGradientsAccumulateAcrossBackwardPasses() {
        Var x = leaf(1, 2);
        x.mul(3.0).sum().backward();
        x.square().sum().backward();
        assertArrayEquals(new double[] {3 + 2, 3 + 4}, x.grad().toDoubleArray(), 1e-12);
        x.zeroGrad();
        assertNull(x.grad());
    }

    @Test
    void aValueUsedTwiceGetsBothGradients() {
        Var x = leaf(1, 2);
        Var y = x.mul(2.0);
        y.add(y.square()).sum().backward();
        // d/dx (2x + 4x²) = 2 + 8x
        assertArrayEquals(new double[] {10, 18}, x.grad().toDoubleArray(), 1e-12);
    }

    @Test
    void noGradScopeRecordsNothingAndRestores() {
        Var x = leaf(1, 2);
        try (GradMode.Scope outer = GradMode.noGrad()) {
            assertFalse(x.mul(2.0).requiresGrad());
            try (GradMode.Scope inner = GradMode.enableGrad()) {
                assertTrue(x.mul(2.0).requiresGrad());
            }
            assertFalse(GradMode.isEnabled());
        }
        assertTrue(GradMode.isEnabled());
        assertTrue(x.mul(2.0).requiresGrad());
        assertFalse(x.detach().mul(2.0).requiresGrad());
        assertFalse(Var.constant(x.data()).exp().requiresGrad());
    }

    @Test
    void backwardReleasesTheGraph() {
        Var x = leaf(1, 2);
        Var loss = x.exp().sum();
        loss.backward();
        IllegalStateException e = assertThrows(IllegalStateException.class, loss::backward);
        assertTrue(e.getMessage().contains("twice") && e.getMessage().contains("sum"), e.getMessage());
    }

    @Test
    void backwardArgumentErrors() {
        Var x = leaf(1, 2);
        Var y = x.exp();
        assertTrue(assertThrows(IllegalStateException.class, y::backward).getMessage().contains("(2)"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> y.backward(Tensor.of(new double[] {1, 1, 1}, 3)))
                .getMessage().contains("(3)"));
        assertThrows(IllegalStateException.class, () -> Var.constant(x.data()).sum().backward());
    }

    @Test
    void broadcastGradientsAreSummedBackToTheInputShape() {
        Var a = Var.leaf(Tensor.of(new double[] {1, 2, 3}, 3, 1), true);
        Var b = Var.leaf(Tensor.of(new double[] {10, 20}, 2), true);
        a.mul(b).sum().backward();
        assertArrayEquals(new int[] {3, 1}, a.grad().shape());
        assertArrayEquals(new double[] {30, 30, 30}, a.grad().toDoubleArray(), 1e-12);
        assertArrayEquals(new double[] {6, 6}, b.grad().toDoubleArray(), 1e-12);
    }
}
