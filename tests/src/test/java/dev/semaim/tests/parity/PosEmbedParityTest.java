package dev.semaim.tests.parity;

import dev.semaim.nn.layers.PosEmbed;
import dev.semaim.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Spec §2.2 sin-cos table against golden/pos_embed.safetensors and the §13.1 check values. */
class PosEmbedParityTest {
    private static final Golden G = Golden.load("pos_embed.safetensors");

    @Test
    void tablesMatchTorchExactly() {
        Golden.assertClose("d768_g14", G.get("d768_g14"), PosEmbed.sinCos(768, 14, true), 0, 0);
        Golden.assertClose("d32_g4", G.get("d32_g4"), PosEmbed.sinCos(32, 4, true), 0, 0);
    }

    @Test
    void specCheckValues() {
        Tensor t = PosEmbed.sinCos(768, 14, true);
        for (int d = 0; d < 768; d++) assertEquals(0.0, t.get(0, 0, d), "cls row dim " + d);
        int r0c1 = 1 + 1, r1c0 = 1 + 14, r3c5 = 1 + 3 * 14 + 5;
        float[][] dims0 = {{0.84147096f, 0.81525064f, 0.78859305f}};
        for (int k = 0; k < 3; k++) {
            assertEquals(dims0[0][k], (float) t.get(0, r0c1, k));
            assertEquals(new float[] {0.5403023f, 0.57910824f, 0.61491543f}[k], (float) t.get(0, r0c1, 192 + k), 1e-7);
            assertEquals(0f, (float) t.get(0, r0c1, 384 + k));
            assertEquals(1f, (float) t.get(0, r0c1, 576 + k));
            assertEquals(0f, (float) t.get(0, r1c0, k));
            assertEquals(dims0[0][k], (float) t.get(0, r1c0, 384 + k));
        }
        assertEquals(-0.9589243f, (float) t.get(0, r3c5, 0));
        assertEquals(-0.9985735f, (float) t.get(0, r3c5, 1));
        assertEquals(0.9999999f, (float) t.get(0, r3c5, 383));
        assertEquals(0.14112f, (float) t.get(0, r3c5, 384), 1e-6);
        // spec 371.09412 vs torch's f32 sum 371.09409: a summation-order difference (golden README)
        assertEquals(371.09412, t.select(1, r3c5).sum().item(), 1e-4);
    }
}
