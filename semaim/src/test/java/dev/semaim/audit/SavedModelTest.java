package dev.semaim.audit;

import dev.semaim.cli.Main;
import dev.semaim.model.AimConfig;
import dev.semaim.model.AimViT;
import dev.semaim.model.AttentionType;
import dev.semaim.model.LossType;
import dev.semaim.model.OrderType;
import dev.semaim.model.Orders;
import dev.semaim.model.PredictionHeadType;
import dev.semaim.nn.StateDict;
import dev.semaim.nn.io.Safetensors;
import dev.semaim.nn.optim.AdamW;
import dev.semaim.nn.optim.ParamGroups;
import dev.semaim.run.Checkpoints;
import dev.semaim.nn.io.Json;
import dev.semaim.run.TrainingState;
import dev.semaim.settings.Device;
import dev.semaim.tensor.Rng;
import dev.semaim.tensor.Tensor;
import dev.semaim.train.PretrainOptions;
import dev.semaim.train.Pretrainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Models rebuilt from pretrain checkpoints and from weights files, and the audit's own checks. */
class SavedModelTest {
    static PretrainOptions tinyRun() {
        PretrainOptions o = new PretrainOptions();
        o.model = "aim_tiny";
        o.embedDim = 32;
        o.depth = 2;
        o.numHeads = 2;
        o.queryDepth = 1;
        o.inputSize = 16;
        o.patchSize = 4;
        o.inChans = 1;
        o.gaussianKernelSize = 3;
        o.normPixLoss = true;
        o.permutationType = OrderType.STOCHASTIC_CENTER;
        o.attentionType = AttentionType.GAP;
        o.dataPath = "embedded";
        return o;
    }

    static void assertSameWeights(AimViT expected, AimViT actual) {
        Map<String, Tensor> e = StateDict.of(expected), a = StateDict.of(actual);
        assertEquals(e.keySet(), a.keySet());
        e.forEach((k, t) -> assertArrayEquals(t.contiguous().toFloatArray(), a.get(k).contiguous().toFloatArray(), k));
    }

    @Test
    void pretrainCheckpointRebuildsTheRunsModel(@TempDir Path dir) {
        PretrainOptions o = tinyRun();
        AimConfig config = o.modelConfig();
        AimViT model = new AimViT(config, new Rng(5));
        Path file = dir.resolve("checkpoint-latest.safetensors");
        Checkpoints.save(file, model, new AdamW(ParamGroups.weightDecay(model, 0.05)), TrainingState.start(0),
                Map.of("model", o.model, "config", Json.object(o.asMap())));
        SavedModel loaded = SavedModel.load(file, "--checkpoint");
        assertEquals(config, loaded.model().config);
        assertSameWeights(model, loaded.model());
    }

    /**
     * A checkpoint of a --use_ema_model run holds a second model under ema.*: it was refused ("unexpected 67 (ema.* (67))");
     * now the model's weights load, and --ema loads the EMA copy instead (visualize and audit both take the flag).
     */
    @Test
    void aCheckpointWithAnEmaCopyGivesTheModelOrWithEmaTheCopy(@TempDir Path dir) {
        PretrainOptions o = tinyRun();
        AimViT model = new AimViT(o.modelConfig(), new Rng(5)), ema = new AimViT(o.modelConfig(), new Rng(6));
        Path file = dir.resolve("checkpoint-latest.safetensors");
        Checkpoints.save(file, model, new AdamW(ParamGroups.weightDecay(model, 0.05)), TrainingState.start(0),
                Map.of("model", o.model, "config", Json.object(o.asMap())), ema);
        assertSameWeights(model, SavedModel.load(file, "--checkpoint").model());
        assertSameWeights(ema, SavedModel.load(file, "--checkpoint", false, null, true).model());
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        java.io.PrintStream errs = new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, Main.run(new String[] {"audit", "--checkpoint", file.toString(), "--ema", "--out", dir.resolve("a.safetensors").toString()},
                new java.io.PrintStream(java.io.OutputStream.nullOutputStream()), errs), err.toString());

        Path plain = dir.resolve("checkpoint-plain.safetensors");
        Checkpoints.save(plain, model, new AdamW(ParamGroups.weightDecay(model, 0.05)), TrainingState.start(0),
                Map.of("model", o.model, "config", Json.object(o.asMap())));
        err.reset();
        assertEquals(2, Main.run(new String[] {"visualize", "--checkpoint", plain.toString(), "--ema", "--out", dir.resolve("v.png").toString()},
                System.out, errs));
        assertEquals("semaim visualize: --ema: --checkpoint " + plain + " holds no EMA copy (no ema.* tensors: a pretrain run keeps one "
                + "with --use_ema_model)" + System.lineSeparator(), err.toString());
    }

    /** The {@code config} metadata exactly as the checkpoints of the first format (string settings, December 2026) wrote it. */
    @Test
    @SuppressWarnings("unchecked")
    void checkpointOfTheFirstFormatStillLoads(@TempDir Path dir) {
        AimViT model = new AimViT(tinyRun().modelConfig(), new Rng(8));
        String written = "{\"model\": \"aim_tiny\", \"batch_size\": 64, \"epochs\": 400, \"accum_iter\": 1, \"blr\": 2.0E-4, "
                + "\"lr\": 5.0E-5, \"min_lr\": 0.0, \"warmup_epochs\": 30.0, \"weight_decay\": 0.05, \"clip_grad\": null, "
                + "\"query_depth\": 1, \"prediction_head_type\": \"MLP\", \"gaussian_kernel_size\": 3, \"gaussian_sigma\": 1.0, "
                + "\"norm_pix_loss\": true, \"permutation_type\": \"stochastic_center\", \"attention_type\": \"gap\", "
                + "\"loss_type\": \"L2\", \"input_size\": 16, \"patch_size\": 4, \"in_chans\": 1, \"embed_dim\": 32, \"depth\": 2, "
                + "\"num_heads\": 2, \"data_path\": \"embedded\", \"seed\": 0, \"max_steps_per_epoch\": 0, \"device\": \"cpu\"}";
        Path file = dir.resolve("checkpoint-0400.safetensors");
        Checkpoints.save(file, model, new AdamW(ParamGroups.weightDecay(model, 0.05)), TrainingState.start(0),
                Map.of("model", "aim_tiny", "config", written));
        SavedModel loaded = SavedModel.load(file, "--checkpoint");
        assertEquals(tinyRun().modelConfig(), loaded.model().config);
        assertSameWeights(model, loaded.model());
        PretrainOptions back = PretrainOptions.fromMap((Map<String, Object>) dev.semaim.nn.io.Json.parse(written));
        assertEquals(5.0E-5, back.lr);
        assertTrue(Double.isNaN(back.clipGrad));
        assertEquals(Device.CPU, back.device);
    }

    @Test
    void weightsFileWithArgumentsRebuildsTheModel(@TempDir Path dir) {
        AimConfig c = AimConfig.builder().imgSize(16).patchSize(4).embedDim(32).depth(2).numHeads(2).queryDepth(2).mlpRatio(2.0)
                .predictionHead(PredictionHeadType.LINEAR).gaussianKernelSize(0).normPixLoss(false).lossType(LossType.L1)
                .permutationType(OrderType.RASTER).attentionType(AttentionType.SELF).build();
        AimViT model = new AimViT(c, new Rng(6));
        Path file = dir.resolve("w.safetensors");
        Safetensors.write(file, StateDict.of(model), Map.of("config", "{\"img_size\": 16, \"patch_size\": 4, \"in_chans\": 3, \"embed_dim\": 32, "
                + "\"depth\": 2, \"num_heads\": 2, \"query_depth\": 2, \"mlp_ratio\": 2.0, \"prediction_head_type\": \"LINEAR\", "
                + "\"gaussian_kernel_size\": 0, \"norm_pix_loss\": false, \"loss_type\": \"L1\", \"permutation_type\": \"raster\", \"attention_type\": \"self\"}"));
        AimViT loaded = SavedModel.load(file, "--checkpoint").model();
        assertEquals(c, loaded.config);
        assertSameWeights(model, loaded);
    }

    /**
     * Issue 17 items 3 and 4 for visualize/audit: a weight declared I32 loaded as its integers; a NaN loaded silently
     * (now refused unless --allow_non_finite: inspecting a diverged run is a reason to insist).
     */
    @Test
    void integerAndNonFiniteWeightsAreNamed(@TempDir Path dir) {
        PretrainOptions o = tinyRun();
        AimViT model = new AimViT(o.modelConfig(), new Rng(5));
        Map<String, String> meta = Map.of("format", "semaim-pretrain-1", "model", o.model, "config", Json.object(o.asMap()));
        Path file = dir.resolve("i32.safetensors");
        Map<String, Tensor> weights = new java.util.LinkedHashMap<>(StateDict.of(model));
        weights.put("cls_token", Tensor.of(new int[32], 1, 1, 32));
        Safetensors.write(file, weights, meta);
        String m = assertThrows(IllegalArgumentException.class, () -> SavedModel.load(file, "--checkpoint")).getMessage();
        assertTrue(m.startsWith("--checkpoint " + file + ": the weights do not fit the model of its config: ")
                && m.contains("cls_token: stored as I32 but the parameter is F32"), m);

        Path nan = dir.resolve("nan.safetensors");
        float[] cls = new float[32];
        cls[7] = Float.POSITIVE_INFINITY;
        weights.put("cls_token", Tensor.of(cls, 1, 1, 32));
        Safetensors.write(nan, weights, meta);
        assertEquals("--checkpoint " + nan + ": non-finite weights: cls_token has 1 of 32 values NaN or infinite; pass "
                + "--allow_non_finite to load them anyway",
                assertThrows(IllegalArgumentException.class, () -> SavedModel.load(nan, "--checkpoint")).getMessage());
        assertEquals(Float.POSITIVE_INFINITY, SavedModel.load(nan, "--checkpoint", true, null, false).model().clsToken.data().toFloatArray()[7]);
    }

    @Test
    void badFilesAreNamed(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("none.safetensors");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SavedModel.load(missing, "--checkpoint")).getMessage()
                .contains("--checkpoint " + missing + " does not exist"));
        Path noConfig = dir.resolve("plain.safetensors");
        Safetensors.write(noConfig, Map.of("x", Tensor.zeros(2)), Map.of());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SavedModel.load(noConfig, "--checkpoint")).getMessage()
                .contains("no 'config' metadata"));
        Path wrong = dir.resolve("wrong.safetensors");
        Safetensors.write(wrong, Map.of("x", Tensor.zeros(2)), Map.of("config", "{\"img_size\": 16, \"patch_size\": 4, \"embed_dim\": 32, \"depth\": 2, \"num_heads\": 2, \"query_depth\": 2}"));
        String m = assertThrows(IllegalArgumentException.class, () -> SavedModel.load(wrong, "--checkpoint")).getMessage();
        assertTrue(m.contains("do not fit") && m.contains(wrong.toString()), m);
        Path garbage = dir.resolve("garbage.safetensors");
        Files.writeString(garbage, "not a safetensors file");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SavedModel.load(garbage, "--checkpoint")).getMessage()
                .contains("not a readable safetensors file"));
    }

    @Test
    void auditWithAGivenPriorityUsesIt() {
        AimViT model = new AimViT(tinyRun().modelConfig(), new Rng(7));
        Tensor x = Tensor.randn(new Rng(8), dev.semaim.tensor.DType.F32, 2, 1, 16, 16);
        Tensor pi = Orders.raster(2, 4);
        Map<String, Tensor> dump = StepAudit.run(model, x, pi, null);
        assertArrayEquals(pi.toFloatArray(), dump.get("priority").toFloatArray());
        assertNull(dump.get("noise"));
        assertEquals(2, dump.keySet().stream().filter(k -> k.startsWith("blocks.")).count());
        assertEquals(1, dump.keySet().stream().filter(k -> k.startsWith("query_blocks.")).count());
        assertEquals(model.trainableParameters().size(), dump.keySet().stream().filter(k -> k.startsWith("grad.")).count());
        assertThrows(IllegalArgumentException.class, () -> StepAudit.run(model, x, null, null));
        assertThrows(IllegalArgumentException.class, () -> StepAudit.run(model, x, Orders.raster(2, 5), null));
    }
}
