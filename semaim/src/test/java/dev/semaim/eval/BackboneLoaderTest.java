package dev.semaim.eval;

import dev.semaim.io.TorchCheckpoint;
import dev.semaim.model.AimConfig;
import dev.semaim.model.AimViT;
import dev.semaim.model.OrderType;
import dev.semaim.model.VisionTransformer;
import dev.semaim.nn.StateDict;
import dev.semaim.nn.io.Safetensors;
import dev.semaim.tensor.Rng;
import dev.semaim.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BackboneLoaderTest {
    @TempDir
    Path dir;

    /** A tiny pre-training model: 8x8x1, patch 4 (grid 2), width 8, depth 2, heads 2, query depth 2, blur on. */
    private static AimViT pretrained(int img) {
        AimConfig c = AimConfig.builder().imgSize(img).patchSize(4).inChans(1).embedDim(8).depth(2).numHeads(2).queryDepth(2)
                .gaussianKernelSize(3).permutationType(OrderType.RASTER).build();
        return new AimViT(c, new Rng(7));
    }

    private static VisionTransformer classifier(int img, int classes, boolean globalPool) {
        return new VisionTransformer(img, 4, 1, 8, 2, 2, 4.0, classes, globalPool, 0, new Rng(3));
    }

    /** The state dict as a DDP run saves it: every key under "module.". */
    private static Map<String, Tensor> ddp(Map<String, Tensor> sd) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        sd.forEach((k, v) -> out.put("module." + k, v));
        return out;
    }

    @Test
    void globalPoolDropsPretrainOnlyTensorsAndTheNormAndReportsTheFreshOnes() {
        AimViT src = pretrained(8);
        VisionTransformer vit = classifier(8, 5, true);
        BackboneLoader.Result r = BackboneLoader.load(vit, ddp(StateDict.of(src)), Path.of("x.pth"));
        assertEquals(List.of("fc_norm.weight", "fc_norm.bias", "head.weight", "head.bias"), r.report().missing());
        assertTrue(r.report().unexpected().isEmpty(), r.report().toString());
        assertTrue(r.dropped().contains("norm.weight") && r.dropped().contains("gaussian_blur.weight")
                && r.dropped().stream().anyMatch(k -> k.startsWith("query_blocks.")) && r.dropped().stream().anyMatch(k -> k.startsWith("prediction_head.")));
        Map<String, Tensor> a = StateDict.of(src), b = StateDict.of(vit);
        for (String k : List.of("cls_token", "pos_embed", "patch_embed.proj.weight", "blocks.1.attn.qkv.weight", "blocks.0.mlp.fc2.bias")) {
            assertArrayEquals(a.get(k).toFloatArray(), b.get(k).toFloatArray(), k);
        }
        assertTrue(r.lines().get(0).contains("missing 4"), r.lines().toString());
    }

    @Test
    void clsTokenKeepsTheNormAndAMismatchedHeadIsDropped() {
        VisionTransformer other = classifier(8, 3, false);
        Map<String, Tensor> sd = new LinkedHashMap<>(StateDict.of(other));
        VisionTransformer vit = classifier(8, 5, false);
        float[] headBefore = vit.head.weight.data().toFloatArray();
        BackboneLoader.Result r = BackboneLoader.load(vit, ddp(sd), Path.of("x.pth"));
        assertEquals(List.of("head.weight", "head.bias"), r.report().missing());
        assertTrue(r.dropped().containsAll(List.of("head.weight", "head.bias")));
        assertArrayEquals(headBefore, vit.head.weight.data().toFloatArray());
        assertArrayEquals(other.finalNorm.weight.data().toFloatArray(), vit.finalNorm.weight.data().toFloatArray());

        VisionTransformer same = classifier(8, 3, false);
        BackboneLoader.Result full = BackboneLoader.load(same, sd, Path.of("y.pth"));
        assertTrue(full.report().clean(), full.report().toString());
        assertArrayEquals(other.head.weight.data().toFloatArray(), same.head.weight.data().toFloatArray());
    }

    @Test
    void posEmbedIsResizedToTheClassifiersGrid() {
        AimViT src = pretrained(8); // grid 2
        VisionTransformer vit = classifier(16, 0, true); // grid 4
        BackboneLoader.Result r = BackboneLoader.load(vit, StateDict.of(src), Path.of("x.safetensors"));
        assertTrue(r.report().shapeMismatches().isEmpty(), r.report().toString());
        assertTrue(r.posEmbedNote().contains("2x2 to a 4x4"), r.posEmbedNote());
        assertArrayEquals(PosEmbedResize.resize(src.posEmbed.data(), 1, 4).toFloatArray(), vit.posEmbed.data().toFloatArray());
    }

    @Test
    void readsThisProjectsCheckpointsAndTorchFilesUnderModel() throws Exception {
        AimViT src = pretrained(8);
        Map<String, Tensor> withOptimizer = new LinkedHashMap<>(StateDict.of(src));
        withOptimizer.put("optimizer.cls_token.exp_avg", Tensor.zeros(1, 1, 8));
        Path st = dir.resolve("ck.safetensors");
        Safetensors.write(st, withOptimizer, Map.of("format", "semaim-pretrain-1"));
        Map<String, Tensor> read = BackboneLoader.read(st);
        assertFalse(read.keySet().stream().anyMatch(k -> k.startsWith("optimizer.")));
        assertEquals(StateDict.of(src).keySet(), read.keySet());

        Path pth = dir.resolve("ck.pth");
        TorchCheckpoint.write(pth, ddp(StateDict.of(src)), "model");
        VisionTransformer vit = classifier(8, 0, false);
        List<String> log = new java.util.ArrayList<>();
        BackboneLoader.Result r = BackboneLoader.load(vit, pth, log::add);
        assertTrue(r.report().clean(), r.report().toString()); // cls-token ViT without head: every key matches
        assertArrayEquals(src.blocks.get(1).attn.qkv.weight.data().toFloatArray(),
                StateDict.of(vit).get("blocks.1.attn.qkv.weight").toFloatArray());
        assertTrue(log.get(0).startsWith("loaded pre-trained weights from " + pth), log.toString());

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BackboneLoader.read(dir.resolve("none.pth")));
        assertTrue(e.getMessage().contains("--finetune") && e.getMessage().contains("none.pth"), e.getMessage());
    }
}
