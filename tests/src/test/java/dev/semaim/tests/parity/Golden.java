package dev.semaim.tests.parity;

import dev.semaim.model.AimOutput;
import dev.semaim.model.AimViT;
import dev.semaim.nn.LoadReport;
import dev.semaim.nn.Module;
import dev.semaim.nn.Parameter;
import dev.semaim.nn.StateDict;
import dev.semaim.nn.io.Safetensors;
import dev.semaim.tensor.Shape;
import dev.semaim.tensor.Tensor;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The golden fixtures of tests/src/test/resources/golden (see README.md there), read with
 * {@link Safetensors}, plus float comparisons that report the largest difference and where it is.
 */
public final class Golden {
    public static final Path DIR = Path.of("src", "test", "resources", "golden");
    public final Map<String, Tensor> tensors;
    public final Map<String, String> metadata;
    private final String file;

    private Golden(String file, Safetensors.File f) {
        this.file = file;
        this.tensors = f.tensors();
        this.metadata = f.metadata();
    }

    /** Reads golden/<name> (tests run in the tests module directory). */
    public static Golden load(String name) {
        return new Golden(name, Safetensors.read(DIR.resolve(name)));
    }

    public Tensor get(String key) {
        Tensor t = tensors.get(key);
        assertNotNull(t, file + " has no tensor '" + key + "'");
        return t;
    }

    /** Loads every "<prefix><key>" tensor into the module strictly (no key missing or left over, shapes equal). */
    public void loadInto(Module m, String prefix) {
        Map<String, Tensor> source = new LinkedHashMap<>();
        tensors.forEach((k, t) -> { if (k.startsWith(prefix)) source.put(k.substring(prefix.length()), t); });
        LoadReport r = StateDict.load(m, source, true);
        assertTrue(r.clean(), file + ": " + r);
    }

    /**
     * One AimViT training step against the tensors under {@code p}: its prediction, loss map and loss ({@code rtol},
     * {@code atol}), then, after back-propagating the loss, the gradient of every trainable parameter
     * ({@code p + "grad." + name}; {@code gradRtol}, {@code gradAtol}), and no gradient in the fixture that the model lacks.
     */
    public void assertStep(String p, AimViT model, AimOutput out, double rtol, double atol, double gradRtol, double gradAtol) {
        assertClose(p + "pred", get(p + "pred"), out.pred().data(), rtol, atol);
        assertClose(p + "loss_map", get(p + "loss_map"), out.lossMap(), rtol, atol);
        assertClose(p + "loss", get(p + "loss"), out.loss().data(), rtol, 0);
        out.loss().backward();
        int grads = 0;
        for (Map.Entry<String, Parameter> e : model.namedParameters().entrySet()) {
            if (!e.getValue().trainable()) continue;
            assertClose(p + "grad." + e.getKey(), get(p + "grad." + e.getKey()), e.getValue().grad(), gradRtol, gradAtol);
            grads++;
        }
        assertEquals(tensors.keySet().stream().filter(k -> k.startsWith(p + "grad.")).count(), grads, file + ": gradients under " + p);
    }

    /** |a − e| ≤ atol + rtol·|e| elementwise; a failure names the tensor, its shape, the worst index and values. */
    public static void assertClose(String what, Tensor expected, Tensor actual, double rtol, double atol) {
        assertEquals(Shape.str(expected.shape()), Shape.str(actual.shape()), what + ": shape");
        double[] e = expected.contiguous().toDoubleArray(), a = actual.contiguous().toDoubleArray();
        int worst = -1;
        double worstExcess = 0, maxAbs = 0;
        for (int i = 0; i < e.length; i++) {
            if (Double.isInfinite(e[i]) && e[i] == a[i]) continue;
            double d = Math.abs(a[i] - e[i]);
            if (Double.isNaN(d)) d = Double.POSITIVE_INFINITY;
            maxAbs = Math.max(maxAbs, d);
            double excess = d - (atol + rtol * Math.abs(e[i]));
            if (excess > worstExcess) {
                worstExcess = excess;
                worst = i;
            }
        }
        if (worst >= 0)
            fail(what + " " + Shape.str(expected.shape()) + ": largest difference " + maxAbs + "; at flat index " + worst
                    + " expected " + e[worst] + " got " + a[worst] + " (rtol " + rtol + ", atol " + atol + ")");
    }
}
