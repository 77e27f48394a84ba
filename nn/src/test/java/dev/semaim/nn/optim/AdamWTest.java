package dev.semaim.nn.optim;

import dev.semaim.nn.Parameter;
import dev.semaim.nn.io.Safetensors;
import dev.semaim.tensor.DType;
import dev.semaim.tensor.Rng;
import dev.semaim.tensor.Shape;
import dev.semaim.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class AdamWTest {
    @TempDir Path dir;

    static Parameter param(DType dtype, double... v) {
        return new Parameter(Tensor.of(v, v.length).to(dtype), Parameter.Kind.TRAINABLE);
    }

    static void grad(Parameter p, double... g) {
        p.var().setGrad(Tensor.of(g, g.length).to(p.data().dtype()));
    }

    /**
     * Two steps of torch's formula worked out by hand in float64 (lr 0.1, β 0.9/0.95, eps 1e-8, wd 0.05).
     * Step 1, p = 1, g = 0.5: p·(1 − 0.005) = 0.995; m = 0.05, v = 0.0125; m/bc1 = 0.5 and
     * sqrt(v)/sqrt(bc2) = 0.5, so p = 0.995 − 0.1·0.5/(0.5 + 1e-8) = 0.895000002. A zero gradient only decays.
     */
    @Test
    void twoStepsMatchHandComputedValues() {
        for (DType dtype : new DType[] {DType.F64, DType.F32}) {
            double tol = dtype == DType.F64 ? 1e-12 : 1e-6;
            Parameter p = param(dtype, 1.0, -2.0, 0.5);
            AdamW opt = new AdamW(List.of(new ParamGroup("all", List.of(p), 1, 0.05)), 0.9, 0.95, 1e-8);
            grad(p, 0.5, -1.0, 0.0);
            opt.step(0.1);
            assertArrayEquals(new double[] {0.895000002, -1.890000001, 0.4975}, p.data().toDoubleArray(), tol, dtype + " step 1");
            grad(p, 0.1, 0.3, -0.2);
            opt.step(0.1);
            assertArrayEquals(new double[] {0.8092721188187058, -1.8373087470472238, 0.5685084950987843}, p.data().toDoubleArray(), tol, dtype + " step 2");
            Map<String, Tensor> s = opt.state();
            assertEquals(2, s.get("all.0.step").toLongArray()[0]);
            assertArrayEquals(new double[] {0.055, -0.06, -0.02}, s.get("all.0.exp_avg").toDoubleArray(), tol);
            assertArrayEquals(new double[] {0.012375, 0.052, 0.002}, s.get("all.0.exp_avg_sq").toDoubleArray(), tol);
        }
    }

    @Test
    void groupLrScaleMultipliesTheLearningRate() {
        Parameter a = param(DType.F64, 1, 2), b = param(DType.F64, 1, 2);
        AdamW halfScale = new AdamW(List.of(new ParamGroup("g", List.of(a), 0.5, 0.1)));
        AdamW full = new AdamW(List.of(new ParamGroup("g", List.of(b), 1, 0.1)));
        for (int i = 0; i < 3; i++) {
            grad(a, 0.3, -0.7);
            grad(b, 0.3, -0.7);
            halfScale.step(0.02);
            full.step(0.01);
        }
        assertArrayEquals(b.data().toDoubleArray(), a.data().toDoubleArray(), 1e-15);
    }

    @Test
    void parametersWithoutGradientAreSkippedAndKeepTheirOwnStepCount() {
        Parameter used = param(DType.F64, 1), unused = param(DType.F64, 1);
        AdamW opt = new AdamW(List.of(new ParamGroup("g", List.of(used, unused), 1, 0.5)));
        grad(used, 1);
        opt.step(0.1);
        assertEquals(1.0, unused.data().item(), 0, "no gradient: no decay, no update");
        assertFalse(opt.state().containsKey("g.1.step"));
        // the first update of 'unused' is bias-corrected as step 1: exactly lr·sign(g) plus the decay
        grad(unused, 3);
        opt.zeroGrad();
        assertEquals(null, unused.grad());
        grad(unused, 3);
        opt.step(0.1);
        assertEquals(1 * (1 - 0.05) - 0.1 * 3 / (3 + 1e-8), unused.data().item(), 1e-12);
        assertEquals(1, opt.state().get("g.1.step").toLongArray()[0]);
        assertEquals(1, opt.state().get("g.0.step").toLongArray()[0]);
    }

    /** The float32 fast kernel against the float64 reference kernel, over seeded random shapes and views. */
    @Test
    void fastFloat32KernelMatchesFloat64Reference() {
        long seed = 20261127;
        Rng rng = new Rng(seed);
        int[][] shapes = {{7}, {3, 5}, {1, 1, 33}, {4, 1}, {2, 3, 4}, {257}};
        for (int[] shape : shapes) {
            for (boolean transposed : new boolean[] {false, true}) {
                if (transposed && shape.length < 2) continue;
                Tensor init = Tensor.randn(rng, DType.F64, shape);
                Tensor p32 = init.to(DType.F32), p64 = init.copy();
                if (transposed) { // non-contiguous parameters (the float32 path falls back to the reference kernel)
                    p32 = p32.transpose(0, 1).contiguous().transpose(0, 1);
                    p64 = p64.transpose(0, 1).contiguous().transpose(0, 1);
                }
                Parameter a = new Parameter(p32, Parameter.Kind.TRAINABLE), b = new Parameter(p64, Parameter.Kind.TRAINABLE);
                AdamW fa = new AdamW(List.of(new ParamGroup("g", List.of(a), 1, 0.05)), 0.9, 0.95, 1e-8);
                AdamW fb = new AdamW(List.of(new ParamGroup("g", List.of(b), 1, 0.05)), 0.9, 0.95, 1e-8);
                for (int step = 0; step < 4; step++) {
                    Tensor g = Tensor.randn(rng, DType.F64, shape).mul(step == 2 ? 1e-4 : 1);
                    a.var().setGrad(g.to(DType.F32));
                    b.var().setGrad(g.to(DType.F32).to(DType.F64)); // the same float32 gradient values
                    fa.step(1e-2);
                    fb.step(1e-2);
                }
                double[] x = a.data().toDoubleArray(), y = b.data().toDoubleArray();
                double worst = 0;
                for (int i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i] - y[i]) / (1e-6 + Math.abs(y[i])));
                if (worst > 1e-5)
                    fail("seed " + seed + " shape " + Shape.str(shape) + (transposed ? " transposed" : "") + ": largest relative difference " + worst);
            }
        }
    }

    @Test
    void stateRoundTripThroughSafetensorsResumesExactly() {
        TestModule m1 = TestModule.tinyVit(3), m2 = TestModule.tinyVit(3);
        AdamW o1 = new AdamW(ParamGroups.weightDecay(m1, 0.05), 0.9, 0.95, 1e-8);
        Rng rng = new Rng(11);
        for (int step = 0; step < 2; step++) {
            for (Parameter p : m1.trainableParameters().values()) p.var().setGrad(Tensor.randn(rng, DType.F32, p.shape()));
            o1.step(1e-3);
        }
        Path file = dir.resolve("opt.safetensors");
        Safetensors.write(file, o1.state(), null);
        m1.namedParameters().forEach((k, p) -> m2.namedParameters().get(k).set(p.data().copy()));
        AdamW o2 = new AdamW(ParamGroups.weightDecay(m2, 0.05), 0.9, 0.95, 1e-8);
        o2.loadState(Safetensors.read(file).tensors());
        assertTrue(o2.state().containsKey("blocks.1.attn.qkv.weight.exp_avg_sq"));
        for (String k : m1.trainableParameters().keySet()) {
            Tensor g = Tensor.randn(rng, DType.F32, m1.namedParameters().get(k).shape());
            m1.namedParameters().get(k).var().setGrad(g);
            m2.namedParameters().get(k).var().setGrad(g.copy());
        }
        o1.step(1e-3);
        o2.step(1e-3);
        m1.namedParameters().forEach((k, p) -> assertArrayEquals(p.data().toFloatArray(), m2.namedParameters().get(k).data().toFloatArray(), k));
    }

    @Test
    void loadStateRejectsBadEntries() {
        Parameter p = param(DType.F32, 1, 2);
        AdamW opt = new AdamW(List.of(new ParamGroup("g", List.of(p), 1, 0)));
        Tensor two = Tensor.zeros(2), step = Tensor.of(new long[] {3});
        expect(opt, Map.of("h.0.step", step), "key 'h.0.step' names no optimised parameter");
        expect(opt, Map.of("g.0.step", step, "g.0.exp_avg", two, "g.0.momentum", two), "unknown slot 'momentum'");
        expect(opt, Map.of("g.0.step", step, "g.0.exp_avg", two), "'g.0.exp_avg_sq' is missing");
        expect(opt, Map.of("g.0.step", step, "g.0.exp_avg", two, "g.0.exp_avg_sq", Tensor.zeros(3)), "'g.0.exp_avg_sq' has shape (3), the parameter (2)");
        expect(opt, Map.of("g.0.step", Tensor.zeros(1), "g.0.exp_avg", two, "g.0.exp_avg_sq", two), "must be a positive integer scalar");
    }

    @Test
    void aParameterMayBeOptimisedOnlyOnce() {
        Parameter p = param(DType.F32, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new AdamW(List.of(new ParamGroup("a", List.of(p), 1, 0), new ParamGroup("b", List.of(p), 1, 0))));
        assertTrue(e.getMessage().contains("parameter 'b.0' (group 'b') is already optimised as 'a.0'"), e.getMessage());
        Parameter frozen = new Parameter(Tensor.zeros(1), Parameter.Kind.FROZEN);
        e = assertThrows(IllegalArgumentException.class, () -> new ParamGroup("f", List.of(frozen), 1, 0));
        assertTrue(e.getMessage().contains("is FROZEN"), e.getMessage());
    }

    private static void expect(Optimizer opt, Map<String, Tensor> state, String fragment) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> opt.loadState(state));
        assertTrue(e.getMessage().contains(fragment), "message: " + e.getMessage() + "\nwanted: " + fragment);
    }
}
