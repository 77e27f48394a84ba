package dev.semaim.nn.optim;

import dev.semaim.nn.Parameter;
import dev.semaim.nn.io.Safetensors;
import dev.semaim.tensor.DType;
import dev.semaim.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static dev.semaim.nn.optim.AdamWTest.grad;
import static dev.semaim.nn.optim.AdamWTest.param;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

class GradClipTest {
    @Test
    void clipsToMaxNormWithTorchsEpsilonAndReturnsThePreClipNorm() {
        Parameter a = param(DType.F64, 0, 0), b = param(DType.F64, 0), none = param(DType.F64, 0);
        grad(a, 3, 4);
        grad(b, 12);
        Tensor original = a.grad();
        double total = GradClip.clipGlobalNorm(List.of(a, b, none), 6.5);
        assertEquals(13, total, 1e-12);
        double coef = 6.5 / (13 + 1e-6);
        assertArrayEquals(new double[] {3 * coef, 4 * coef}, a.grad().toDoubleArray(), 1e-15);
        assertArrayEquals(new double[] {12 * coef}, b.grad().toDoubleArray(), 1e-15);
        assertNull(none.grad());
        assertArrayEquals(new double[] {3, 4}, original.toDoubleArray(), 0, "the old gradient tensor is not written in place");
    }

    @Test
    void belowTheLimitNothingChanges() {
        Parameter a = param(DType.F32, 0, 0);
        grad(a, 3, 4);
        Tensor g = a.grad();
        assertEquals(5, GradClip.clipGlobalNorm(List.of(a), 5.1), 1e-12);
        assertSame(g, a.grad());
    }

    /** The fixture's 89 gradients: norm 1.3110562 (float64 over the float32 values, computed with NumPy). */
    @Test
    void goldenGradientsOfTheTinyModel() {
        Safetensors.File f = Safetensors.read(Path.of("..", "tests", "src", "test", "resources", "golden", "tiny_model.safetensors"));
        List<Parameter> params = new ArrayList<>();
        f.tensors().forEach((k, t) -> {
            if (!k.startsWith("grad.")) return;
            Parameter p = new Parameter(Tensor.zeros(DType.F32, t.shape()), Parameter.Kind.TRAINABLE);
            p.var().setGrad(t);
            params.add(p);
        });
        assertEquals(89, params.size());
        assertEquals(1.3110562356352737, GradClip.clipGlobalNorm(params, 0.5), 1e-9);
        assertEquals(0.5, GradClip.globalNorm(params), 1e-6);
    }
}
