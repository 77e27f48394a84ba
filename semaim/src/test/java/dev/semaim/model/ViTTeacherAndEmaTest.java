package dev.semaim.model;

import dev.semaim.io.TeacherFile;
import dev.semaim.nn.StateDict;
import dev.semaim.nn.io.Safetensors;
import dev.semaim.tensor.DType;
import dev.semaim.tensor.Rng;
import dev.semaim.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ViTTeacherAndEmaTest {
    @Test
    void teacherLoadsFromAFileAndProjects(@TempDir Path dir) throws Exception {
        VisionTransformer vit = new VisionTransformer(8, 4, 3, 8, 2, 2, 2.0, 0, false, 0, new Rng(1));
        Map<String, Tensor> weights = new LinkedHashMap<>(StateDict.of(vit));
        Tensor proj = Tensor.randn(new Rng(2), DType.F32, 8, 6);
        weights.put("proj", proj);
        Path file = dir.resolve("teacher.safetensors");
        Safetensors.write(file, weights, null);

        ViTTeacher t = TeacherFile.read(file, 4);
        Tensor images = Tensor.randn(new Rng(3), DType.F32, 2, 3, 8, 8);
        Tensor expected = vit.tokens(images).matmul(proj);
        assertArrayEquals(new int[] {2, 5, 6}, t.features(images).shape());
        assertArrayEquals(expected.toFloatArray(), t.features(images).toFloatArray(), 1e-5f);

        AimViT student = new AimViT(AimConfig.aimTiny().toBuilder().imgSize(8).patchSize(4).inChans(3).embedDim(8).depth(2).numHeads(2)
                .queryDepth(1).predictFeature(FeatureTarget.CLIP).outDim(6).build(), new Rng(4));
        student.setTeacher(t);
        assertTrue(Double.isFinite(student.forward(images, student.priority(images, new Rng(5))).loss().item()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TeacherFile.read(file, 3));
        assertTrue(e.getMessage().contains("width 8 is not a multiple of the head width 3"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> t.features(Tensor.zeros(1, 3, 16, 16)));
        assertTrue(e.getMessage().contains("(1, 3, 16, 16) are not (B, 3, 8, 8)"), e.getMessage());
    }

    /** An unknown layout names the keys of every layout it could have been; a known one with a key missing names that key. */
    @Test
    void teacherLayoutErrorsNameTheExpectedKeys(@TempDir Path dir) throws Exception {
        Path odd = dir.resolve("odd.safetensors");
        Safetensors.write(odd, Map.of("encoder.weight", Tensor.zeros(2, 2)), null);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TeacherFile.read(odd));
        assertTrue(e.getMessage().startsWith("--teacher " + odd + ": not a teacher layout this program reads; expected OpenAI CLIP keys "
                + "[visual.conv1.weight, visual.class_embedding,"), e.getMessage());
        assertTrue(e.getMessage().contains("Hugging Face CLIPVisionModel keys [vision_model.embeddings.patch_embedding.weight")
                && e.getMessage().contains("timm/DINO ViT keys [cls_token, pos_embed") && e.getMessage().endsWith("first [encoder.weight]"), e.getMessage());

        Path clip = dir.resolve("clip.safetensors");
        Safetensors.write(clip, Map.of("visual.conv1.weight", Tensor.zeros(64, 3, 4, 4), "visual.class_embedding", Tensor.zeros(64)), null);
        e = assertThrows(IllegalArgumentException.class, () -> TeacherFile.read(clip));
        assertEquals("--teacher " + clip + ": incomplete teacher: no 'visual.positional_embedding'", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TeacherFile.read(dir.resolve("none.pth")));
        assertEquals("--teacher " + dir.resolve("none.pth") + " does not exist", e.getMessage());
    }

    @Test
    void emaScheduleAndUpdate() {
        assertEquals(0.999, ModelEma.decayAt(0), 1e-15);
        assertEquals(0.99945, ModelEma.decayAt(50), 1e-15);
        assertEquals(0.9999, ModelEma.decayAt(100), 1e-15);
        assertEquals(0.9999, ModelEma.decayAt(400), 1e-15);

        AimConfig c = AimConfig.aimTiny().toBuilder().imgSize(8).patchSize(4).inChans(3).embedDim(8).depth(2).numHeads(2).queryDepth(1)
                .build();
        AimViT online = new AimViT(c, new Rng(6));
        ModelEma ema = new ModelEma(online);
        Tensor w0 = online.norm.weight.data().copy();
        online.norm.weight.set(w0.add(1.0));
        ema.update(online, 0.75);
        assertArrayEquals(w0.add(0.25).toFloatArray(), ema.module().norm.weight.data().toFloatArray(), 1e-6f);
        Tensor images = Tensor.randn(new Rng(7), DType.F32, 2, 3, 8, 8);
        Tensor p = online.priority(images, new Rng(8), ema.module());
        assertArrayEquals(ema.module().orderPass(images).argmax(1).toLongArray(), p.argmin(1).toLongArray());
    }
}
