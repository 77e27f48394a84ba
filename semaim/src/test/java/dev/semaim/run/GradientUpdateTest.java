package dev.semaim.run;

import dev.semaim.autograd.Arithmetic;
import dev.semaim.autograd.Var;
import dev.semaim.nn.Parameter;
import dev.semaim.nn.optim.GradScaler;
import dev.semaim.nn.optim.ParamGroup;
import dev.semaim.nn.optim.Sgd;
import dev.semaim.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link GradientUpdate} with a {@link GradScaler}: scaled backward, unscaled step, an overflowing step skipped. */
class GradientUpdateTest {
    @Test
    void scaledStepsEqualPlainOnesAndAnOverflowSkipsTheStep() {
        Parameter p = new Parameter(Tensor.of(new float[] {1, 2}, 2), Parameter.Kind.TRAINABLE);
        GradScaler scaler = new GradScaler();
        GradientUpdate update = new GradientUpdate(new Sgd(List.of(new ParamGroup("all", List.of(p), 1, 0)), 0), List.of(p), Double.NaN, 1, scaler);
        // loss = Σ p·c; the gradient c is scaled by 65536 in the backward and unscaled before the step
        update.apply(Arithmetic.mul(p.var(), Var.constant(Tensor.of(new float[] {0.5f, -1}, 2))).sum(), 0.1, true);
        assertArrayEquals(new float[] {0.95f, 2.1f}, p.data().toFloatArray(), 1e-6f);
        assertEquals(Math.sqrt(1.25), update.lastNorm(), 1e-6);
        // 1e35 x 65536 overflows float32: the step is skipped, the scale halves, the norm is infinite (as PyTorch's)
        update.apply(Arithmetic.mul(p.var(), Var.constant(Tensor.of(new float[] {1e35f, 0}, 2))).sum(), 0.1, true);
        assertArrayEquals(new float[] {0.95f, 2.1f}, p.data().toFloatArray(), 0f, "the overflowing step was skipped");
        assertEquals(32768.0, scaler.scale());
        assertTrue(Double.isInfinite(update.lastNorm()) || Double.isNaN(update.lastNorm()));
        assertEquals(null, p.grad(), "the gradients are zeroed after a skipped step too");
    }
}
