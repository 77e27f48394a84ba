package dev.semaim.model;

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
    void teacherLoadsFromAFileAndProjects(@TempDir Path dir) {
        VisionTransformer vit = new VisionTransformer(8, 4, 3, 8, 2, 2, 2.0, 0, false, 0, new Rng(1));
        Map<String, Tensor> weights = new LinkedHashMap<>(StateDict.of(vit));
        Tensor proj = Tensor.randn(new Rng(2), DType.F32, 8, 6);
        weights.put("proj", proj);
        Path file = dir.resolve("teacher.safetensors");
        Safetensors.write(file, weights, null);

        ViTTeacher t = ViTTeacher.load(file, 2);
        Tensor images = Tensor.randn(new Rng(3), DType.F32, 2, 3, 8, 8);
        Tensor expected = vit.tokens(images).matmul(proj);
        assertArrayEquals(new int[] {2, 5, 6}, t.features(images).shape());
        assertArrayEquals(expected.toFloatArray(), t.features(images).toFloatArray(), 1e-6f);

        AimViT student = new AimViT(AimConfig.aimTiny().toBuilder().imgSize(8).patchSize(4).inChans(3).embedDim(8).depth(2).numHeads(2)
                .queryDepth(1).predictFeature(FeatureTarget.CLIP).outDim(6).build(), new Rng(4));
        student.setTeacher(t);
        assertTrue(Double.isFinite(student.forward(images, student.priority(images, new Rng(5))).loss().item()));
        assertThrows(IllegalArgumentException.class, () -> ViTTeacher.load(file, 3));
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
