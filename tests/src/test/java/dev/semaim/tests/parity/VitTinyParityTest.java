package dev.semaim.tests.parity;

import dev.semaim.autograd.Losses;
import dev.semaim.autograd.Var;
import dev.semaim.model.VisionTransformer;
import dev.semaim.nn.Parameter;
import dev.semaim.tensor.Rng;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The fine-tune classifier (global pool and cls-token variants) against golden/vit_tiny.safetensors. */
class VitTinyParityTest {
    private static final Golden G = Golden.load("vit_tiny.safetensors");
    private static final double RTOL = 1e-5, ATOL = 5e-6, GRAD_ATOL = 1e-6;

    private static VisionTransformer vit(boolean globalPool) {
        return new VisionTransformer(16, 4, 3, 32, 2, 2, 4.0, 10, globalPool, 0.0, new Rng(2));
    }

    @Test
    void globalPoolLogitsLossAndGrads() {
        VisionTransformer m = vit(true);
        G.loadInto(m, "param.");
        Var logits = m.forward(G.get("input"));
        Golden.assertClose("logits", G.get("logits"), logits.data(), RTOL, ATOL);
        Var loss = Losses.crossEntropy(logits, G.get("labels"));
        Golden.assertClose("loss", G.get("loss"), loss.data(), RTOL, 0);
        loss.backward();
        int n = 0;
        for (Map.Entry<String, Parameter> e : m.namedParameters().entrySet()) {
            Golden.assertClose("grad." + e.getKey(), G.get("grad." + e.getKey()), e.getValue().grad(), RTOL, GRAD_ATOL);
            n++;
        }
        assertEquals(32, n);
    }

    @Test
    void clsTokenVariant() {
        VisionTransformer m = vit(false);
        for (Map.Entry<String, Parameter> e : m.namedParameters().entrySet()) {
            String src = e.getKey().startsWith("norm.") ? "cls.param." + e.getKey() : "param." + e.getKey();
            e.getValue().set(G.get(src).copy());
        }
        Var logits = m.forward(G.get("input"));
        Golden.assertClose("cls.logits", G.get("cls.logits"), logits.data(), RTOL, ATOL);
        Golden.assertClose("cls.loss", G.get("cls.loss"), Losses.crossEntropy(logits, G.get("labels")).data(), RTOL, 0);
    }
}
