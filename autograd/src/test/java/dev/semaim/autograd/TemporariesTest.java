package dev.semaim.autograd;

import dev.semaim.tensor.DType;
import dev.semaim.tensor.Rng;
import dev.semaim.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Temporaries releases only what it may: in the suite's poison mode a released buffer reads as NaN. */
class TemporariesTest {
    @BeforeAll
    static void poisonMode() {
        assumeTrue(Boolean.getBoolean("semaim.pool.poison"), "needs -Dsemaim.pool.poison=true (the test suite's setting)");
    }

    private static boolean poisoned(Tensor t) {
        return Float.isNaN(t.toFloatArray()[0]);
    }

    @Test
    void withoutGradientsAValueMadeAfterBeginIsReleased() {
        Var w = Var.leaf(Tensor.randn(new Rng(1), DType.F32, 4, 4), true);
        try (GradMode.Scope s = GradMode.noGrad()) {
            Temporaries tmp = Temporaries.begin();
            Var y = w.mul(2.0);
            Var z = y.add(1.0);
            tmp.drop(y);
            assertTrue(poisoned(y.data()), "the temporary went back to the backend");
            assertFalse(poisoned(z.data()) || poisoned(w.data()), "its consumer and its input are untouched");
        }
    }

    @Test
    void olderStoragesSharedOnesAndGradModeAreRespected() {
        Var w = Var.leaf(Tensor.randn(new Rng(2), DType.F32, 4, 4), true);
        try (GradMode.Scope s = GradMode.noGrad()) {
            Temporaries tmp = Temporaries.begin();
            Var view = w.reshape(16);        // a view of the parameter: its storage predates begin
            tmp.drop(view);
            assertFalse(poisoned(w.data()), "a view of an older storage is never released");
            Var y = w.mul(3.0), alias = y.reshape(16);
            tmp.drop(y, alias);
            assertFalse(poisoned(alias.data()), "a value sharing storage with a kept one stays");
        }
        Temporaries tmp = Temporaries.begin(); // grad mode on: a graph node may hold the value
        Var y = w.mul(2.0);
        Var loss = y.sum();
        tmp.drop(y);
        assertFalse(poisoned(y.data()));
        loss.backward();
        assertFalse(poisoned(w.grad()));
    }
}
