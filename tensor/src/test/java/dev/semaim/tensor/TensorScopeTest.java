package dev.semaim.tensor;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** What a scope releases at close and what it leaves: in the suite's poison mode a released buffer reads as NaN. */
class TensorScopeTest {
    @BeforeAll
    static void poisonMode() {
        assumeTrue(Boolean.getBoolean("semaim.pool.poison"), "needs -Dsemaim.pool.poison=true (the test suite's setting)");
    }

    private static boolean released(Tensor t) {
        return Float.isNaN(t.toFloatArray()[0]);
    }

    private static Tensor fresh() {
        return Tensor.full(1, DType.F32, Backends.defaultBackend(), 4, 4);
    }

    @Test
    void closeReleasesWhatTheScopeMadeButWhatItKept() {
        Tensor made, kept, keptView;
        try (TensorScope scope = TensorScope.open()) {
            made = fresh();
            kept = fresh();
            keptView = scope.keep(kept.reshape(16).narrow(0, 2, 4));   // a view keeps its whole storage
        }
        assertTrue(released(made));
        assertFalse(released(kept) || released(keptView));
    }

    @Test
    void aKeptResultMovesToTheEnclosingScope() {
        Tensor inner;
        try (TensorScope outer = TensorScope.open()) {
            try (TensorScope scope = TensorScope.open()) {
                inner = scope.keep(fresh());
            }
            assertFalse(released(inner), "kept past the inner scope");
        }
        assertTrue(released(inner), "the outer scope owned it and did not keep it");
    }

    @Test
    void storagesMadeOutsideHeldAndDetachedOnesStay() {
        Tensor before = fresh(), held, detached;
        try (TensorScope outer = TensorScope.open()) {
            try (TensorScope scope = TensorScope.open()) {
                before.mul(2);                               // reading an older tensor does not adopt it
                held = fresh();
                TensorScope.hold(held.reshape(16));
                detached = TensorScope.detach(fresh());
            }
        }
        assertFalse(released(before), "made before any scope");
        assertFalse(released(held), "a graph node holds it: no scope ends it");
        assertFalse(released(detached), "adopted by a long-lived owner");
    }

    @Test
    void aLoopStepAdoptsTheStateItReplaces() {
        Tensor first, second, held, outside = fresh();
        try (TensorScope pass = TensorScope.open()) {
            Tensor state = first = fresh();
            held = fresh();
            TensorScope.hold(held);
            try (TensorScope step = TensorScope.open()) {
                step.adopt(state);
                step.adopt(held);
                step.adopt(outside);
                state = second = step.keep(state.add(1));
            }
            assertTrue(released(first), "the replaced state went with its step");
            assertFalse(released(second) || released(held) || released(outside), "the new state, a held one and an unowned one stay");
        }
        assertTrue(released(second));
        assertFalse(released(held));
    }

    @Test
    void returningKeepsOnlyTheResult() {
        Tensor[] temporary = new Tensor[1];
        Tensor result = TensorScope.returning(() -> {
            temporary[0] = fresh();
            return temporary[0].add(1);
        });
        assertTrue(released(temporary[0]));
        assertFalse(released(result));
    }

    @Test
    void scopesCloseInnermostFirst() {
        TensorScope outer = TensorScope.open();
        TensorScope inner = TensorScope.open();
        IllegalStateException e = assertThrows(IllegalStateException.class, outer::close);
        assertTrue(e.getMessage().contains("innermost first"), e.getMessage());
        inner.close();
        outer.close();
        assertFalse(TensorScope.active());
    }

    @Test
    void withoutAScopeNothingIsTracked() {
        assertFalse(TensorScope.active());
        Tensor t = fresh();
        assertSame(t, TensorScope.detach(t));
        assertFalse(released(t));
    }
}
