package dev.semaim.nn.optim;

import dev.semaim.nn.Parameter;
import dev.semaim.tensor.DType;
import dev.semaim.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.semaim.nn.optim.AdamWTest.grad;
import static dev.semaim.nn.optim.AdamWTest.param;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SgdLarsTest {
    /** torch.optim.SGD(momentum 0.9, weight_decay 0.01), lr 0.1, by hand: d = g + 0.01p; b = d, then 0.9b + d; p -= 0.1b. */
    @Test
    void sgdMomentumTwoStepsByHand() {
        Parameter p = param(DType.F64, 1.0, -2.0, 0.5);
        Sgd opt = new Sgd(List.of(new ParamGroup("g", List.of(p), 1, 0.01)), 0.9);
        grad(p, 0.5, -1.0, 0.0);
        opt.step(0.1);
        assertArrayEquals(new double[] {0.949, -1.898, 0.4995}, p.data().toDoubleArray(), 1e-12);
        grad(p, 0.1, 0.3, -0.2);
        opt.step(0.1);
        assertArrayEquals(new double[] {0.892151, -1.834302, 0.5185505}, p.data().toDoubleArray(), 1e-12);
        assertArrayEquals(new double[] {0.56849, -0.63698, -0.190505}, opt.state().get("g.0.momentum_buffer").toDoubleArray(), 1e-12);
    }

    @Test
    void zeroGradDropsTheGradientsAndHandsTheBuffersABackwardMadeBack() {
        Parameter a = param(DType.F32, 1.0, -2.0), b = param(DType.F32, 3.0);
        Sgd opt = new Sgd(List.of(new ParamGroup("g", List.of(a, b), 1, 0)), 0.9);
        a.var().mul(a.var()).mul(0.25).sum().backward(); // d(Σ a²/4) = a/2 = [0.5, -1]: the pass made it, a owns it
        Tensor g = a.var().grad();
        opt.step(0.1);
        opt.zeroGrad();
        assertNull(a.var().grad(), "dropped");
        assertNull(b.var().grad(), "a parameter without a gradient is fine");
        if (Boolean.getBoolean("semaim.pool.poison")) {
            assertTrue(Float.isNaN(g.toFloatArray()[0]), "released: poisoned in the test suite's mode");
        }
        assertArrayEquals(new float[] {0.5f, -1.0f}, opt.state().get("g.0.momentum_buffer").toFloatArray(), "the state keeps its own copy");
    }

    @Test
    void sgdWithoutMomentumIsPlainGradientDescent() {
        Parameter p = param(DType.F32, 1.0, -2.0);
        Sgd opt = new Sgd(List.of(new ParamGroup("g", List.of(p), 0.5, 0)), 0);
        grad(p, 0.5, -1.0);
        opt.step(0.2);
        assertArrayEquals(new float[] {0.95f, -1.9f}, p.data().toFloatArray(), 1e-7f);
        assertEquals(1, opt.state().size(), "only the step count");
    }

    /**
     * MAE's LARS, lr 1, momentum 0.9, η 0.001, wd 0.1. Matrix w = [[3, 4]], g = [[0.6, 0.8]]:
     * d = g + 0.1w = [0.9, 1.2] (‖d‖ 1.5), ‖w‖ 5, q = 0.001·5/1.5, so d = [0.003, 0.004] and w = [2.997, 3.996].
     * Step 2 (same g): d = [0.8997, 1.1996] (‖d‖ 1.4995), ‖w‖ 4.995, q·d = [0.002997, 0.003996];
     * μ = 0.9·[0.003, 0.004] + that = [0.005697, 0.007596]. The vector b = [1, 2] gets neither decay nor scaling.
     */
    @Test
    void larsTrustRatioByHandAndVectorsUnadapted() {
        Parameter w = new Parameter(Tensor.of(new double[] {3, 4}, 1, 2), Parameter.Kind.TRAINABLE);
        Parameter b = param(DType.F64, 1, 2);
        Lars opt = new Lars(List.of(new ParamGroup("g", List.of(w, b), 1, 0.1)), 0.9, 0.001);
        for (int step = 0; step < 2; step++) {
            w.var().setGrad(Tensor.of(new double[] {0.6, 0.8}, 1, 2));
            grad(b, 0.5, 0.5);
            opt.step(1);
        }
        assertArrayEquals(new double[] {2.997 - 0.005697, 3.996 - 0.007596}, w.data().toDoubleArray(), 1e-12);
        assertArrayEquals(new double[] {1 - 0.5 - 0.95, 2 - 0.5 - 0.95}, b.data().toDoubleArray(), 1e-12);
    }
}
