package dev.semaim.nn.optim;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ParamGroupsTest {
    /** §6: biases and 1-D params undecayed, cls_token (1,1,D) decayed; frozen pos_embed and the buffer left out. */
    @Test
    void weightDecaySplit() {
        List<ParamGroup> g = ParamGroups.weightDecay(TestModule.tinyVit(1), 0.05);
        assertEquals(2, g.size());
        assertEquals("no_decay", g.get(0).name());
        assertEquals(0, g.get(0).weightDecay());
        assertEquals(List.of("patch_embed.proj.bias", "blocks.0.norm1.weight", "blocks.0.norm1.bias", "blocks.0.attn.qkv.bias",
                "blocks.1.norm1.weight", "blocks.1.norm1.bias", "blocks.1.attn.qkv.bias", "norm.weight", "norm.bias", "head.bias"),
                g.get(0).paramNames());
        assertEquals("decay", g.get(1).name());
        assertEquals(0.05, g.get(1).weightDecay());
        assertEquals(List.of("cls_token", "patch_embed.proj.weight", "blocks.0.attn.qkv.weight", "blocks.1.attn.qkv.weight", "head.weight"),
                g.get(1).paramNames());
        assertEquals(1, g.get(1).lrScale());
    }

    /** §7 scale list: 0.65^(13 − id), id 0..13. */
    @Test
    void layerScalesOfVitBase() {
        double[] want = {0.003697, 0.005688, 0.008751, 0.013463, 0.020712, 0.031864, 0.049022, 0.075419, 0.116029, 0.178506,
                0.274625, 0.4225, 0.65, 1.0};
        assertArrayEquals(want, ParamGroups.layerScales(0.65, 13), 5e-7);
        assertEquals(0, ParamGroups.layerId("cls_token", 13));
        assertEquals(0, ParamGroups.layerId("pos_embed", 13));
        assertEquals(0, ParamGroups.layerId("patch_embed.proj.weight", 13));
        assertEquals(1, ParamGroups.layerId("blocks.0.attn.qkv.weight", 13));
        assertEquals(12, ParamGroups.layerId("blocks.11.mlp.fc2.bias", 13));
        assertEquals(13, ParamGroups.layerId("fc_norm.weight", 13));
        assertEquals(13, ParamGroups.layerId("head.weight", 13));
        assertThrows(IllegalArgumentException.class, () -> ParamGroups.layerId("blocks.12.norm1.weight", 12));
    }

    @Test
    void layerDecayGroupsOfATwoBlockVit() {
        List<ParamGroup> groups = ParamGroups.layerDecay(TestModule.tinyVit(1), 0.05, 0.5, 3, ParamGroups.VIT_NO_DECAY);
        Map<String, String> summary = new LinkedHashMap<>();
        for (ParamGroup g : groups) summary.put(g.name(), g.lrScale() + "/" + g.weightDecay() + " " + g.paramNames());
        Map<String, String> want = new LinkedHashMap<>();
        want.put("layer_0_no_decay", "0.125/0.0 [cls_token, patch_embed.proj.bias]");
        want.put("layer_0_decay", "0.125/0.05 [patch_embed.proj.weight]");
        want.put("layer_1_no_decay", "0.25/0.0 [blocks.0.norm1.weight, blocks.0.norm1.bias, blocks.0.attn.qkv.bias]");
        want.put("layer_1_decay", "0.25/0.05 [blocks.0.attn.qkv.weight]");
        want.put("layer_2_no_decay", "0.5/0.0 [blocks.1.norm1.weight, blocks.1.norm1.bias, blocks.1.attn.qkv.bias]");
        want.put("layer_2_decay", "0.5/0.05 [blocks.1.attn.qkv.weight]");
        want.put("layer_3_no_decay", "1.0/0.0 [norm.weight, norm.bias, head.bias]");
        want.put("layer_3_decay", "1.0/0.05 [head.weight]");
        assertEquals(want, summary);
    }
}
