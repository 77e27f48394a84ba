package dev.semaim.autograd.testing;

import dev.semaim.autograd.Var;
import dev.semaim.tensor.Tensor;
import dev.semaim.tensor.testing.Gen;
import org.junit.jupiter.api.Test;

import static dev.semaim.tensor.DType.F64;
import static org.junit.jupiter.api.Assertions.*;

/** The checker itself: it must reject a wrong backward and say where. */
class GradCheckTest {
    @Test
    void catchesAWrongGradientAndNamesSeedShapeAndIndex() {
        Gen gen = new Gen(42);
        Tensor x = gen.uniform(F64, new int[] {2, 3}, 1, 2);
        // claims d(x²)/dx = x instead of 2x
        AssertionError e = assertThrows(AssertionError.class, () -> GradCheck.check("badSquare", gen,
                v -> Var.of("badSquare", v[0].data().square(), g -> v[0].accumulate(g.mul(v[0].data())), v[0]), x));
        assertTrue(e.getMessage().contains("seed 42"), e.getMessage());
        assertTrue(e.getMessage().contains("shape (2, 3)"), e.getMessage());
        assertTrue(e.getMessage().contains("largest difference"), e.getMessage());
    }

    @Test
    void acceptsACorrectGradient() {
        Gen gen = new Gen(7);
        GradCheck.check("square", gen, v -> v[0].square(), gen.uniform(F64, new int[] {3, 2}, -1, 1));
    }

    @Test
    void rejectsExpandedInputs() {
        Gen gen = new Gen(1);
        Tensor x = Tensor.zeros(F64, 1, 3).expand(2, 3);
        assertThrows(IllegalArgumentException.class, () -> GradCheck.check("id", gen, v -> v[0].mul(1.0), x));
    }
}
