package dev.semaim.eval;

import dev.semaim.model.VisionTransformer;
import dev.semaim.nn.optim.ParamGroup;
import dev.semaim.tensor.Rng;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class FinetuneGroupsTest {
    /** Depth 2 -> 3 layers + 1: scales 0.65^3, 0.65^2, 0.65, 1 by layer id; no decay for 1-D, pos_embed, cls_token. */
    @Test
    void layerDecayGroupsOfTheClassifier() {
        VisionTransformer vit = new VisionTransformer(8, 4, 1, 8, 2, 2, 4.0, 3, true, 0.1, new Rng(1));
        EvalOptions o = new EvalOptions();
        o.weightDecay = 0.05;
        o.layerDecay = 0.65;
        List<ParamGroup> groups = Finetune.paramGroups(vit, o);
        Map<String, double[]> byParam = new HashMap<>(); // name -> {lrScale, wd}
        for (ParamGroup g : groups) {
            for (String n : g.paramNames()) {
                byParam.put(n, new double[] {g.lrScale(), g.weightDecay()});
            }
        }
        assertEquals(vit.trainableParameters().keySet(), byParam.keySet());
        double l0 = Math.pow(0.65, 3), l1 = Math.pow(0.65, 2), l2 = 0.65;
        check(byParam, "cls_token", l0, 0);
        check(byParam, "pos_embed", l0, 0);
        check(byParam, "patch_embed.proj.weight", l0, 0.05);
        check(byParam, "patch_embed.proj.bias", l0, 0);
        check(byParam, "blocks.0.attn.qkv.weight", l1, 0.05);
        check(byParam, "blocks.0.norm1.weight", l1, 0);
        check(byParam, "blocks.1.mlp.fc1.weight", l2, 0.05);
        check(byParam, "blocks.1.mlp.fc1.bias", l2, 0);
        check(byParam, "fc_norm.weight", 1, 0);
        check(byParam, "head.weight", 1, 0.05);
        check(byParam, "head.bias", 1, 0);
    }

    private static void check(Map<String, double[]> byParam, String name, double scale, double wd) {
        assertEquals(scale, byParam.get(name)[0], 1e-12, name + " lr scale");
        assertEquals(wd, byParam.get(name)[1], 0, name + " weight decay");
    }

    @Test
    void subsetsAreSeededDistinctAndOrdered() {
        dev.semaim.data.Dataset ds = dev.semaim.data.EmbeddedFashionMnist.test();
        Subset a = (Subset) Subset.random(ds, 50, 3), b = (Subset) Subset.random(ds, 50, 3), c = (Subset) Subset.random(ds, 50, 4);
        assertEquals(java.util.Arrays.toString(a.indices()), java.util.Arrays.toString(b.indices()));
        assertEquals(false, java.util.Arrays.equals(a.indices(), c.indices()));
        assertEquals(50, java.util.Arrays.stream(a.indices()).distinct().count());
        for (int i = 1; i < 50; i++) {
            assertEquals(true, a.indices()[i - 1] < a.indices()[i]);
        }
        assertEquals(ds, Subset.random(ds, 0, 3));
        assertEquals(ds.get(a.indices()[7]).label(), a.get(7).label());
    }

    @Test
    void modelNamesAndOverrides() {
        VitSpec s = VitSpec.parse("vit_base_patch16", 224, 0, 3, 0, 0, 0);
        assertEquals(List.of(16, 768, 12, 12), List.of(s.patchSize(), s.embedDim(), s.depth(), s.numHeads()));
        VitSpec t = VitSpec.parse("vit_tiny_patch4", 28, 0, 1, 96, 4, 3);
        assertEquals(List.of(4, 96, 4, 3, 7), List.of(t.patchSize(), t.embedDim(), t.depth(), t.numHeads(), t.grid()));
        assertEquals(true, org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> VitSpec.parse("resnet50", 224, 0, 3, 0, 0, 0)).getMessage().contains("--model 'resnet50'"));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> VitSpec.parse("vit_tiny_patch16", 28, 0, 1, 0, 0, 0));
    }
}
