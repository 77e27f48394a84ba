package dev.semaim.train;

import dev.semaim.io.Convert;
import dev.semaim.io.TorchCheckpoint;
import dev.semaim.model.FeatureTarget;
import dev.semaim.model.VisionTransformer;
import dev.semaim.nn.StateDict;
import dev.semaim.nn.io.Safetensors;
import dev.semaim.run.Checkpoints;
import dev.semaim.tensor.DType;
import dev.semaim.tensor.Rng;
import dev.semaim.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 18 items 1 and 2 end to end: a tiny pre-training run with each --predict_feature value and with --use_ema_model,
 * killed after iteration 7 and auto-resumed, continues as the uninterrupted run does (losses to 1e-5 relative, as
 * PretrainerTest's resume test; the final weights and the EMA copy too). The teachers are small random towers written
 * in the official layouts: OpenAI CLIP as a .pth state dict, DINO with timm names (head width 64, as TeacherFile
 * assumes).
 */
class FeatureTargetRunsTest {
    @TempDir
    Path dir;

    @Test
    void pixelTargetWithTheEmaOrderResumesExactly() throws Exception {
        Path run = resumesExactly(o -> o.useEmaModel = true);
        Map<String, Tensor> ck = Safetensors.read(run.resolve(Checkpoints.LATEST)).tensors();
        assertTrue(ck.containsKey(Checkpoints.EMA_PREFIX + "blocks.0.attn.qkv.weight"), ck.keySet().toString());
        assertFalse(ck.get("norm.weight").equals(ck.get(Checkpoints.EMA_PREFIX + "norm.weight")));
    }

    @Test
    void inferenceTargetResumesExactly() throws Exception {
        resumesExactly(o -> o.predictFeature = FeatureTarget.INFERENCE);
    }

    @Test
    void emaTargetResumesExactly() throws Exception {
        resumesExactly(o -> {
            o.predictFeature = FeatureTarget.EMA;
            o.useEmaModel = true;
        });
    }

    @Test
    void clipTargetResumesExactlyWithTheTeachersWidth() throws Exception {
        Path teacher = clipTeacher(dir.resolve("clip.pth"), 8);
        Path run = resumesExactly(o -> {
            o.predictFeature = FeatureTarget.CLIP;
            o.teacher = teacher;
        });
        // the head predicts the teacher's 8-wide projection; the checkpoint's config records --out_dim 8
        Safetensors.File f = Safetensors.read(run.resolve(Checkpoints.LATEST));
        assertArrayEquals(new int[] {8, 4 * 32}, f.get("prediction_head.fc2.weight").shape());
        assertTrue(f.metadata().get("config").contains("\"out_dim\": 8") && f.metadata().get("config").contains("\"predict_feature\": \"clip\""),
                f.metadata().get("config"));
        assertFalse(f.tensors().containsKey("gaussian_blur.weight"), "no blur for a feature target");
    }

    @Test
    void dinoTargetResumesExactly() throws Exception {
        Path teacher = dir.resolve("dino.pth");
        VisionTransformer vit = new VisionTransformer(16, 4, 1, 64, 1, 1, 4.0, 0, false, 0, new Rng(7));
        TorchCheckpoint.write(teacher, StateDict.of(vit));
        resumesExactly(o -> {
            o.predictFeature = FeatureTarget.DINO;
            o.teacher = teacher;
            o.embedDim = 64; // a DINO target is as wide as the model
        });
    }

    /** The EMA in a checkpoint goes to a .pth as the official 'ema_state_dict' beside 'state_dict'. */
    @Test
    void convertWritesTheEmaAsTheOfficialEmaStateDict() throws Exception {
        PretrainOptions o = TinyRun.options(dir.resolve("run"));
        o.epochs = 1;
        o.maxStepsPerEpoch = 2;
        o.useEmaModel = true;
        TinyRun.run(o, -1);
        Path pth = dir.resolve("official.pth");
        Convert.Result r = Convert.convert(o.outputDir.resolve(Checkpoints.LATEST), pth, new Convert.Request(false, "state_dict", null, null));
        Object loaded = TorchCheckpoint.load(pth);
        Map<?, ?> top = (Map<?, ?>) loaded;
        assertEquals(List.of("state_dict", Convert.EMA_STATE_DICT), List.copyOf(top.keySet()));
        assertEquals(((Map<?, ?>) top.get("state_dict")).size(), ((Map<?, ?>) top.get(Convert.EMA_STATE_DICT)).size());
        assertTrue(r.droppedText().contains("optimizer.*"), r.droppedText());
        Convert.Result plain = Convert.convert(o.outputDir.resolve(Checkpoints.LATEST), dir.resolve("plain.pth"), Convert.Request.PLAIN);
        assertTrue(plain.droppedText().contains("ema.* (kept as ema_state_dict by a .pth --under)"), plain.droppedText());
    }

    /**
     * --use_ema_model switched off or on since the checkpoint: refused, as the order map (and an 'ema' target) come from
     * the EMA copy, so the switch changes what the run trains for. (Resumed, it only noted what happened to the EMA.)
     */
    @Test
    void aResumeCannotSwitchTheEmaOnOrOff() throws Exception {
        PretrainOptions o = TinyRun.options(dir);
        o.epochs = 1;
        o.maxStepsPerEpoch = 1;
        o.useEmaModel = true;
        TinyRun.run(o, -1);
        o.epochs = 2;
        o.useEmaModel = false;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TinyRun.run(o, -1));
        assertTrue(e.getMessage().startsWith("--use_ema_model off (the checkpoint's: on): a resumed run keeps the model, its training target"),
                e.getMessage());
        PretrainOptions without = TinyRun.options(dir.resolve("without"));
        without.epochs = 1;
        without.maxStepsPerEpoch = 1;
        TinyRun.run(without, -1);
        without.epochs = 2;
        without.useEmaModel = true;
        e = assertThrows(IllegalArgumentException.class, () -> TinyRun.run(without, -1));
        assertTrue(e.getMessage().startsWith("--use_ema_model on (the checkpoint's: off): "), e.getMessage());
    }

    /** What a user gets for the flag combinations that cannot run. */
    @Test
    void flagCombinationsThatCannotRunNameTheFlags() throws Exception {
        PretrainOptions o = TinyRun.options(dir);
        o.predictFeature = FeatureTarget.CLIP;
        assertEquals("--predict_feature clip needs --teacher FILE (the OpenAI CLIP ViT-B/16 weights, which the official code loads "
                + "from a hard-coded path)", assertThrows(IllegalArgumentException.class, o::validate).getMessage());
        o.predictFeature = FeatureTarget.EMA;
        assertEquals("--predict_feature ema needs --use_ema_model (the EMA copy is the target encoder)",
                assertThrows(IllegalArgumentException.class, o::validate).getMessage());
        o.predictFeature = FeatureTarget.NONE;
        o.teacher = dir.resolve("t.pth");
        assertTrue(assertThrows(IllegalArgumentException.class, o::validate).getMessage().startsWith("--teacher "));
        o.predictFeature = FeatureTarget.DINO;
        o.useEmaModel = true;
        assertTrue(assertThrows(IllegalArgumentException.class, o::validate).getMessage().startsWith("--use_ema_model with --predict_feature dino"));

        // a teacher whose tokens are not the model's
        PretrainOptions wrong = TinyRun.options(dir.resolve("wrong"));
        wrong.predictFeature = FeatureTarget.CLIP;
        wrong.teacher = clipTeacher(dir.resolve("clip.pth"), 8);
        wrong.inputSize = 32;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TinyRun.run(wrong, -1));
        assertTrue(e.getMessage().contains("does not fit the run's --input_size 32 --patch_size 4 --in_chans 1"), e.getMessage());
    }

    /**
     * Runs the resume experiment with {@code tweak}: the resumed run's two last losses equal the uninterrupted run's, and
     * both runs end with the same weights (model and EMA). Returns the uninterrupted run's folder.
     */
    private Path resumesExactly(Consumer<PretrainOptions> tweak) throws Exception {
        List<List<Double>> r = TinyRun.resumeExperiment(dir, tweak);
        List<Double> reference = r.get(0), resumed = r.get(1);
        assertEquals(8, reference.size());
        assertEquals(2, resumed.size());
        for (int i = 0; i < 2; i++) {
            assertEquals(reference.get(6 + i), resumed.get(i), 1e-5 * Math.abs(reference.get(6 + i)),
                    "losses after resume differ from the uninterrupted run " + reference + ": " + resumed);
        }
        Map<String, Tensor> full = Safetensors.read(dir.resolve("full").resolve(Checkpoints.LATEST)).tensors();
        Map<String, Tensor> killed = Safetensors.read(dir.resolve("killed").resolve(Checkpoints.LATEST)).tensors();
        assertEquals(full.keySet(), killed.keySet());
        for (Map.Entry<String, Tensor> e : full.entrySet()) {
            if (e.getKey().startsWith(Checkpoints.OPTIMIZER_PREFIX) || !e.getValue().dtype().floating) continue;
            float[] a = e.getValue().toFloatArray(), b = killed.get(e.getKey()).toFloatArray();
            for (int i = 0; i < a.length; i++) {
                assertEquals(a[i], b[i], 1e-4 * Math.max(1, Math.abs(a[i])), e.getKey() + "[" + i + "] after resume");
            }
        }
        return dir.resolve("full");
    }

    /** A random one-block OpenAI CLIP visual tower (width 64, one head, 1 channel, 16 px, patch 4) as a .pth state dict. */
    static Path clipTeacher(Path file, int outDim) throws Exception {
        Rng rng = new Rng(11);
        int d = 64, t = 17;
        Map<String, Tensor> w = new LinkedHashMap<>();
        w.put("visual.conv1.weight", Tensor.randn(rng.fork(1), DType.F32, d, 1, 4, 4).mul(0.2));
        w.put("visual.class_embedding", Tensor.randn(rng.fork(2), DType.F32, d).mul(0.1));
        w.put("visual.positional_embedding", Tensor.randn(rng.fork(3), DType.F32, t, d).mul(0.1));
        w.put("visual.ln_pre.weight", Tensor.ones(DType.F32, d));
        w.put("visual.ln_pre.bias", Tensor.zeros(d));
        String p = "visual.transformer.resblocks.0.";
        w.put(p + "ln_1.weight", Tensor.ones(DType.F32, d));
        w.put(p + "ln_1.bias", Tensor.zeros(d));
        w.put(p + "attn.in_proj_weight", Tensor.randn(rng.fork(4), DType.F32, 3 * d, d).mul(0.1));
        w.put(p + "attn.in_proj_bias", Tensor.zeros(3 * d));
        w.put(p + "attn.out_proj.weight", Tensor.randn(rng.fork(5), DType.F32, d, d).mul(0.1));
        w.put(p + "attn.out_proj.bias", Tensor.zeros(d));
        w.put(p + "ln_2.weight", Tensor.ones(DType.F32, d));
        w.put(p + "ln_2.bias", Tensor.zeros(d));
        w.put(p + "mlp.c_fc.weight", Tensor.randn(rng.fork(6), DType.F32, 4 * d, d).mul(0.1));
        w.put(p + "mlp.c_fc.bias", Tensor.zeros(4 * d));
        w.put(p + "mlp.c_proj.weight", Tensor.randn(rng.fork(7), DType.F32, d, 4 * d).mul(0.05));
        w.put(p + "mlp.c_proj.bias", Tensor.zeros(d));
        w.put("visual.ln_post.weight", Tensor.ones(DType.F32, d));
        w.put("visual.ln_post.bias", Tensor.zeros(d));
        w.put("visual.proj", Tensor.randn(rng.fork(8), DType.F32, d, outDim).mul(0.1));
        w.put("logit_scale", Tensor.ones(DType.F32, 1)); // the text side, which the loader ignores
        TorchCheckpoint.write(file, w);
        return file;
    }
}
