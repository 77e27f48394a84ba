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

    /** k-NN options asking for {@link #classifier}'s architecture (width 8, depth 2, heads 2, patch 4, one channel). */
    private static EvalOptions options(int width) {
        EvalOptions o = new EvalOptions(EvalOptions.KNN);
        o.model = "vit_tiny_patch4";
        o.inputSize = 8;
        o.inChans = 1;
        o.embedDim = width;
        o.depth = 2;
        o.numHeads = 2;
        return o;
    }

    @Test
    void globalPoolDropsPretrainOnlyTensorsAndTheNormAndReportsTheFreshOnes() {
        AimViT src = pretrained(8);
        VisionTransformer vit = classifier(8, 5, true);
        BackboneLoader.Result r = BackboneLoader.load(vit, ddp(StateDict.of(src)), Path.of("x.pth"), false, false);
        assertEquals(List.of("fc_norm.weight", "fc_norm.bias", "head.weight", "head.bias"), r.report().missing());
        assertTrue(r.report().unexpected().isEmpty(), r.report().toString());
        assertTrue(r.dropped().contains("norm.weight") && r.dropped().contains("gaussian_blur.weight")
                && r.dropped().stream().anyMatch(k -> k.startsWith("query_blocks.")) && r.dropped().stream().anyMatch(k -> k.startsWith("prediction_head.")));
        Map<String, Tensor> a = StateDict.of(src), b = StateDict.of(vit);
        for (String k : List.of("cls_token", "pos_embed", "patch_embed.proj.weight", "blocks.1.attn.qkv.weight", "blocks.0.mlp.fc2.bias")) {
            assertArrayEquals(a.get(k).toFloatArray(), b.get(k).toFloatArray(), k);
        }
        assertEquals("loaded pre-trained weights from x.pth: missing 4 (fc_norm.* (2), head.* (2)) (fresh, as the protocol re-creates them)",
                r.lines().get(0));
    }

    @Test
    void clsTokenKeepsTheNormAndAMismatchedHeadIsDropped() {
        VisionTransformer other = classifier(8, 3, false);
        Map<String, Tensor> sd = new LinkedHashMap<>(StateDict.of(other));
        VisionTransformer vit = classifier(8, 5, false);
        float[] headBefore = vit.head.weight.data().toFloatArray();
        BackboneLoader.Result r = BackboneLoader.load(vit, ddp(sd), Path.of("x.pth"), false, false);
        assertEquals(List.of("head.weight", "head.bias"), r.report().missing());
        assertTrue(r.dropped().containsAll(List.of("head.weight", "head.bias")));
        assertArrayEquals(headBefore, vit.head.weight.data().toFloatArray());
        assertArrayEquals(other.finalNorm.weight.data().toFloatArray(), vit.finalNorm.weight.data().toFloatArray());

        VisionTransformer same = classifier(8, 3, false);
        BackboneLoader.Result full = BackboneLoader.load(same, sd, Path.of("y.pth"), false, false);
        assertTrue(full.report().clean(), full.report().toString());
        assertArrayEquals(other.head.weight.data().toFloatArray(), same.head.weight.data().toFloatArray());
    }

    @Test
    void posEmbedIsResizedToTheClassifiersGrid() {
        AimViT src = pretrained(8); // grid 2
        VisionTransformer vit = classifier(16, 0, true); // grid 4
        BackboneLoader.Result r = BackboneLoader.load(vit, StateDict.of(src), Path.of("x.safetensors"), false, false);
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
        EvalOptions o = options(8);
        o.finetune = pth;
        BackboneLoader.Result r = BackboneLoader.load(vit, o, log::add);
        assertTrue(r.report().clean(), r.report().toString()); // cls-token ViT without head: every key matches
        assertArrayEquals(src.blocks.get(1).attn.qkv.weight.data().toFloatArray(),
                StateDict.of(vit).get("blocks.1.attn.qkv.weight").toFloatArray());
        assertTrue(log.get(0).startsWith("loaded pre-trained weights from " + pth), log.toString());

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BackboneLoader.read(dir.resolve("none.pth")));
        assertTrue(e.getMessage().contains("--finetune") && e.getMessage().contains("none.pth"), e.getMessage());
    }

    // ---------------------------------------------------------------- issue 17: weights that do not fit are errors

    /** Item 2: a checkpoint of another width loaded non-strictly, kept random weights for every tensor and went on. */
    @Test
    void aCheckpointOfAnotherWidthIsAShortError() {
        AimViT src = pretrained(8); // width 8
        VisionTransformer wide = new VisionTransformer(8, 4, 1, 16, 2, 2, 4.0, 0, true, 0, new Rng(3));
        float[] before = wide.clsToken.data().toFloatArray();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BackboneLoader.load(wide, StateDict.of(src), Path.of("narrow.pth"), false, false));
        assertTrue(e.getMessage().startsWith("--finetune narrow.pth: state-dict load into VisionTransformer failed: "), e.getMessage());
        assertTrue(e.getMessage().contains("cls_token: module (1, 1, 16), loaded (1, 1, 8)"), e.getMessage());
        assertTrue(e.getMessage().endsWith("; and 23 more"), e.getMessage());
        assertTrue(e.getMessage().length() < 600 && !e.getMessage().contains("\n"), "one short line: " + e.getMessage());
        assertArrayEquals(before, wide.clsToken.data().toFloatArray(), "nothing loaded");
    }

    /** Item 2: the architecture in the checkpoint's metadata is checked before any work, naming both. */
    @Test
    void theCheckpointsConfigMustBeTheRequestedArchitecture() {
        Path ck = dir.resolve("aim.safetensors");
        Safetensors.write(ck, StateDict.of(pretrained(8)), Map.of("format", "semaim-pretrain-1", "model", "aim_tiny",
                "config", "{\"model\": \"aim_tiny\", \"input_size\": 8, \"patch_size\": 4, \"in_chans\": 1, \"embed_dim\": 8, "
                        + "\"depth\": 2, \"num_heads\": 2}"));
        EvalOptions o = options(16);
        o.finetune = ck;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BackboneLoader.checkArchitecture(o));
        assertEquals("--finetune " + ck + " holds a ViT patch 4, 1 channel(s), width 8, depth 2, heads 2 (its metadata 'config') but "
                + "--model vit_tiny_patch4 asks for a ViT patch 4, 1 channel(s), width 16, depth 2, heads 2: pass the architecture it "
                + "was trained with (--model, --patch_size, --in_chans, --embed_dim, --depth, --num_heads)", e.getMessage());
        EvalOptions same = options(8);
        same.finetune = ck;
        same.inputSize = 16; // the input size may differ: pos_embed is resized
        BackboneLoader.checkArchitecture(same);
        BackboneLoader.checkArchitecture(options(16)); // no --finetune: nothing to check
    }

    /** Item 2: encoder tensors absent from the file kept their random initialisation silently. */
    @Test
    void missingEncoderTensorsNeedAnExplicitFlag() {
        AimViT src = pretrained(8);
        Map<String, Tensor> sd = new LinkedHashMap<>(StateDict.of(src));
        sd.keySet().removeIf(k -> k.startsWith("blocks.1."));
        VisionTransformer vit = classifier(8, 0, true);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BackboneLoader.load(vit, sd, Path.of("part.pth"), false, false));
        assertEquals("--finetune part.pth lacks 12 encoder tensor(s) the model needs (blocks.* (12)): is it a checkpoint of this "
                + "architecture? Pass --allow_missing_keys to keep their random initialisation", e.getMessage());
        BackboneLoader.Result r = BackboneLoader.load(vit, sd, Path.of("part.pth"), true, false);
        assertEquals(14, r.report().missing().size());
        assertTrue(r.lines().get(0).contains("missing 14 (blocks.* (12), fc_norm.* (2))")
                && !r.lines().get(0).contains("fresh, as"), r.lines().get(0));
    }

    /** Item 3: a NaN in cls_token loaded silently and k-NN scored chance level. */
    @Test
    void nonFiniteWeightsNeedAnExplicitFlag() {
        AimViT src = pretrained(8);
        Map<String, Tensor> sd = new LinkedHashMap<>(StateDict.of(src));
        float[] cls = sd.get("cls_token").toFloatArray();
        cls[3] = Float.NaN;
        sd.put("cls_token", Tensor.of(cls, 1, 1, 8));
        VisionTransformer vit = classifier(8, 0, true);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BackboneLoader.load(vit, sd, Path.of("nan.pth"), false, false));
        assertEquals("--finetune nan.pth: non-finite weights: cls_token has 1 of 8 values NaN or infinite; pass --allow_non_finite to "
                + "load them anyway", e.getMessage());
        BackboneLoader.load(vit, sd, Path.of("nan.pth"), false, true);
        assertTrue(Float.isNaN(vit.clsToken.data().toFloatArray()[3]));
    }

    /** Item 4: cls_token declared I32 in the file loaded as +-1e9 floats. */
    @Test
    void anIntegerTensorForAFloatParameterNamesTensorFileAndDtypes() throws Exception {
        AimViT src = pretrained(8);
        Map<String, Tensor> sd = new LinkedHashMap<>(StateDict.of(src));
        sd.put("cls_token", Tensor.of(new int[8], 1, 1, 8));
        Path file = dir.resolve("i32.safetensors");
        Safetensors.write(file, sd, Map.of());
        EvalOptions o = options(8);
        o.finetune = file;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BackboneLoader.load(classifier(8, 0, true), o, line -> { }));
        assertTrue(e.getMessage().startsWith("--finetune " + file + ": ")
                && e.getMessage().contains("cls_token: stored as I32 but the parameter is F32"), e.getMessage());

        Path pth = dir.resolve("i64.pth"); // the same through PyTorch's pickle: a LongStorage where a FloatStorage belongs
        sd.put("cls_token", Tensor.of(new long[8], 1, 1, 8));
        TorchCheckpoint.write(pth, sd, "model");
        o.finetune = pth;
        e = assertThrows(IllegalArgumentException.class, () -> BackboneLoader.load(classifier(8, 0, true), o, line -> { }));
        assertTrue(e.getMessage().startsWith("--finetune " + pth + ": ")
                && e.getMessage().contains("cls_token: stored as I64 but the parameter is F32"), e.getMessage());
    }
}
