package dev.semaim.model;

import dev.semaim.nn.Parameter;
import dev.semaim.tensor.Rng;
import dev.semaim.tensor.Shape;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Spec §2.1 / §10 / §13.8: aim_base's state-dict keys, shapes, order, kinds and parameter count. */
class AimViTStructureTest {
    /** The §10 key list of aim_base with an MLP head, in state-dict order, with shapes. */
    private static Map<String, String> expectedAimBase() {
        Map<String, String> k = new LinkedHashMap<>();
        k.put("cls_token", "(1, 1, 768)");
        k.put("pos_embed", "(1, 197, 768)");
        k.put("patch_embed.proj.weight", "(768, 3, 16, 16)");
        k.put("patch_embed.proj.bias", "(768)");
        for (int i = 0; i < 12; i++) {
            String b = "blocks." + i + ".";
            k.put(b + "norm1.weight", "(768)");
            k.put(b + "norm1.bias", "(768)");
            k.put(b + "attn.qkv.weight", "(2304, 768)");
            k.put(b + "attn.qkv.bias", "(2304)");
            k.put(b + "attn.proj.weight", "(768, 768)");
            k.put(b + "attn.proj.bias", "(768)");
            k.put(b + "norm2.weight", "(768)");
            k.put(b + "norm2.bias", "(768)");
            k.put(b + "mlp.fc1.weight", "(3072, 768)");
            k.put(b + "mlp.fc1.bias", "(3072)");
            k.put(b + "mlp.fc2.weight", "(768, 3072)");
            k.put(b + "mlp.fc2.bias", "(768)");
        }
        for (int i = 0; i < 12; i++) {
            String b = "query_blocks." + i + ".";
            k.put(b + "norm1.weight", "(768)");
            k.put(b + "norm1.bias", "(768)");
            for (String x : new String[] {"q", "k", "v", "proj"}) {
                k.put(b + "attn." + x + ".weight", "(768, 768)");
                k.put(b + "attn." + x + ".bias", "(768)");
            }
            k.put(b + "norm2.weight", "(768)");
            k.put(b + "norm2.bias", "(768)");
            k.put(b + "mlp.fc1.weight", "(3072, 768)");
            k.put(b + "mlp.fc1.bias", "(3072)");
            k.put(b + "mlp.fc2.weight", "(768, 3072)");
            k.put(b + "mlp.fc2.bias", "(768)");
        }
        k.put("norm.weight", "(768)");
        k.put("norm.bias", "(768)");
        k.put("prediction_head.fc1.weight", "(3072, 768)");
        k.put("prediction_head.fc1.bias", "(3072)");
        k.put("prediction_head.fc2.weight", "(768, 3072)");
        k.put("prediction_head.fc2.bias", "(768)");
        k.put("gaussian_blur.weight", "(3, 1, 9, 9)");
        return k;
    }

    @Test
    void aimBaseKeysShapesAndCount() {
        AimViT m = new AimViT(AimConfig.aimBase(), new Rng(0));
        Map<String, String> actual = new LinkedHashMap<>();
        m.namedParameters().forEach((k, p) -> actual.put(k, Shape.str(p.shape())));
        assertEquals(new ArrayList<>(expectedAimBase().entrySet()), new ArrayList<>(actual.entrySet()));
        assertEquals(175_424_256L, m.parameterCount(true));
        assertEquals(175_424_256L + 151_296 + 243, m.parameterCount(false));
        Map<String, Parameter> p = m.namedParameters();
        assertEquals(Parameter.Kind.FROZEN, p.get("pos_embed").kind());
        assertEquals(Parameter.Kind.BUFFER, p.get("gaussian_blur.weight").kind());
        assertFalse(m.trainableParameters().containsKey("pos_embed"));
        // §2.7: xavier bounds of the fused qkv (0.0442) and the D×D proj (0.0625); zero biases; unit norms
        assertTrue(p.get("blocks.0.attn.qkv.weight").data().abs().max(false).item() <= Math.sqrt(6.0 / (4 * 768)));
        assertTrue(p.get("blocks.0.attn.proj.weight").data().abs().max(false).item() <= 0.0625);
        assertEquals(0.0, p.get("blocks.3.mlp.fc1.bias").data().abs().max(false).item());
        assertEquals(1.0, p.get("query_blocks.5.norm2.weight").data().min(false).item());
    }

    @Test
    void linearHeadKeysAndSizes() {
        AimConfig c = AimConfig.aimTiny().toBuilder().imgSize(32).predictionHead(PredictionHeadType.LINEAR).gaussianKernelSize(0)
                .gaussianSigma(1).build();
        AimViT m = new AimViT(c, new Rng(0));
        List<String> keys = new ArrayList<>(m.namedParameters().keySet());
        assertEquals("prediction_head.bias", keys.get(keys.size() - 1));
        assertEquals("prediction_head.weight", keys.get(keys.size() - 2));
        assertEquals("(768, 192)", Shape.str(m.namedParameters().get("prediction_head.weight").shape()));
        assertFalse(keys.contains("gaussian_blur.weight"));
        assertEquals(12, m.queryBlocks.size());
    }
}
