package dev.semaim.tests.parity;

import dev.semaim.io.TeacherFile;
import dev.semaim.model.AimConfig;
import dev.semaim.model.AimOutput;
import dev.semaim.model.AimViT;
import dev.semaim.model.FeatureTarget;
import dev.semaim.model.ModelEma;
import dev.semaim.model.ViTTeacher;
import dev.semaim.nn.Parameter;
import dev.semaim.tensor.Rng;
import dev.semaim.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * SemAIM* against golden/semaim_star.safetensors (scripts/torch/make_golden.py, spec 4.4 and 5.3): a small CLIP-shaped
 * visual tower read from its OpenAI state dict, from its float16 TorchScript archive and from Hugging Face safetensors,
 * and a small DINO ViT with timm names, give the teacher features; one step per target (clip, dino, inference, ema)
 * gives the order map, priority, prediction, loss map, loss and every gradient; and the EMA update after the step.
 * Tolerances as TinyModelParityTest: 1e-5 relative (plus 5e-6 absolute for values, 1e-6 for gradients).
 */
class SemaimStarParityTest {
    static final Golden G = Golden.load("semaim_star.safetensors");
    static final double RTOL = 1e-5, ATOL = 5e-6, GRAD_ATOL = 1e-6;
    /** The fixture towers' head widths: CLIP width 24 / 2 heads, DINO width 32 / 2 heads. */
    static final int CLIP_HEAD_DIM = 12, DINO_HEAD_DIM = 16;

    static AimConfig config(FeatureTarget target, int outDim) {
        return AimConfig.builder().imgSize(16).patchSize(4).embedDim(32).depth(2).numHeads(2).queryDepth(2).gaussianKernelSize(0)
                .predictFeature(target).outDim(outDim).build();
    }

    static ViTTeacher clip(String file) throws IOException {
        return TeacherFile.read(Golden.DIR.resolve(file), CLIP_HEAD_DIM);
    }

    @Test
    void clipTeacherFromItsStateDictItsTorchScriptArchiveAndHuggingFace() throws IOException {
        Tensor input = G.get("input");
        for (String file : new String[] {"clip_tiny.pth", "clip_tiny_jit.pt", "clip_tiny_hf.safetensors"}) {
            ViTTeacher t = clip(file);
            assertEquals(ViTTeacher.Style.CLIP, t.style, file);
            assertEquals(16, t.outDim, file);
            Golden.assertClose(file + ": clip.features", G.get("clip.features"), t.features(input), RTOL, ATOL);
        }
    }

    @Test
    void dinoTeacherWithTimmNames() throws IOException {
        ViTTeacher t = TeacherFile.read(Golden.DIR.resolve("dino_tiny.pth"), DINO_HEAD_DIM);
        assertEquals(ViTTeacher.Style.TIMM, t.style);
        Golden.assertClose("dino.features", G.get("dino.features"), t.features(G.get("input")), RTOL, ATOL);
    }

    @Test
    void clipStep() throws IOException {
        AimViT m = student(config(FeatureTarget.CLIP, 16), "clip.");
        m.setTeacher(clip("clip_tiny_jit.pt"));
        check(m, m, "clip.");
    }

    @Test
    void dinoStep() throws IOException {
        AimViT m = student(config(FeatureTarget.DINO, 0), "dino.");
        m.setTeacher(TeacherFile.read(Golden.DIR.resolve("dino_tiny.pth"), DINO_HEAD_DIM));
        check(m, m, "dino.");
    }

    @Test
    void inferenceStep() {
        AimViT m = student(config(FeatureTarget.INFERENCE, 0), "dino."); // the same student weights (seed 25)
        check(m, m, "inference.");
    }

    /** 'ema': target and order map from the EMA copy, then the EMA update e = 0.999 e + 0.001 online after the step. */
    @Test
    void emaStepAndUpdate() {
        AimViT m = student(config(FeatureTarget.EMA, 0), "dino.");
        ModelEma ema = new ModelEma(m);
        G.loadInto(ema.module(), "ema.ema_param.");
        m.setTeacher(ema.asTeacher());
        check(m, ema.module(), "ema.");
        ema.update(m, ModelEma.decayAt(0));
        for (Map.Entry<String, Parameter> e : ema.module().namedParameters().entrySet()) {
            Golden.assertClose("ema.updated." + e.getKey(), G.get("ema.updated." + e.getKey()), e.getValue().data(), RTOL, 1e-7);
        }
    }

    private static AimViT student(AimConfig c, String prefix) {
        AimViT m = new AimViT(c, new Rng(0));
        G.loadInto(m, prefix + "param.");
        return m;
    }

    private static void check(AimViT model, AimViT mapModel, String p) {
        Tensor input = G.get("input");
        Golden.assertClose(p + "map", G.get(p + "map"), model.config.predictFeature().usesTeacher() ? model.orderPass(input)
                : mapModel.orderPass(input), RTOL, ATOL);
        Tensor priority = model.priority(input, G.get("noise"), null, mapModel);
        Golden.assertClose(p + "priority", G.get(p + "priority"), priority, 0, 0);
        AimOutput out = model.forward(input, priority);
        G.assertStep(p, model, out, RTOL, ATOL, RTOL, GRAD_ATOL);
    }
}
