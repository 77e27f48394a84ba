package dev.semaim.model;

import dev.semaim.autograd.Losses;
import dev.semaim.nn.Parameter;
import dev.semaim.nn.layers.ModuleGradCheck;
import dev.semaim.tensor.DType;
import dev.semaim.tensor.Rng;
import dev.semaim.tensor.Tensor;
import dev.semaim.tensor.testing.Cases;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VisionTransformerTest {
    /** Float64 finite differences of the cross-entropy on random entries of every parameter, both poolings. */
    @Test
    void gradientFloat64() {
        Cases.run("VisionTransformer.grad", 4, gen -> {
            boolean pool = gen.nextBoolean();
            VisionTransformer m = new VisionTransformer(8, 4, gen.pick(1, 3), 8, gen.pick(1, 2), 2, 2.0, 5, pool, 0, new Rng(gen.seed));
            ModuleGradCheck.toF64(m);
            for (Parameter p : m.trainableParameters().values()) p.set(p.data().add(gen.uniform(DType.F64, p.shape(), -0.1, 0.1)));
            int b = gen.nextInt(1, 3);
            Tensor images = gen.uniform(DType.F64, new int[] {b, m.patchEmbed.inChans, 8, 8}, -1, 1);
            long[] labels = new long[b];
            for (int i = 0; i < b; i++) labels[i] = gen.nextInt(0, 4);
            Tensor y = Tensor.of(labels, b);
            ModuleGradCheck.check("ViT pool=" + pool, gen, () -> Losses.crossEntropy(m.forward(images), y), ModuleGradCheck.parameters(m), 3);
        });
    }

    @Test
    void keysFeaturesAndEncoderCompatibility() {
        AimConfig c = AimConfig.aimTiny().toBuilder().imgSize(8).patchSize(4).inChans(3).embedDim(8).depth(2).numHeads(2).queryDepth(1)
                .build();
        VisionTransformer pool = VisionTransformer.of(c, 10, true, 0.1, new Rng(1));
        List<String> keys = List.copyOf(pool.namedParameters().keySet());
        assertEquals(List.of("cls_token", "pos_embed", "patch_embed.proj.weight", "patch_embed.proj.bias"), keys.subList(0, 4));
        assertEquals(List.of("fc_norm.weight", "fc_norm.bias", "head.weight", "head.bias"), keys.subList(keys.size() - 4, keys.size()));
        assertTrue(pool.namedParameters().get("pos_embed").trainable(), "pos_embed is learnable when fine-tuning");
        assertTrue(pool.head.weight.data().abs().max(false).item() < 2e-4, "head init trunc-normal std 2e-5");
        VisionTransformer cls = VisionTransformer.of(c, 0, false, 0, new Rng(1));
        assertTrue(cls.namedParameters().containsKey("norm.weight"));
        assertTrue(cls.head == null);
        // every encoder key of the classifier exists in the pre-training model with the same shape
        AimViT aim = new AimViT(c, new Rng(2));
        cls.namedParameters().forEach((k, p) -> {
            if (k.equals("norm.weight") || k.equals("norm.bias")) return;
            assertArrayEquals(p.shape(), aim.namedParameters().get(k).shape(), k);
        });
        Tensor images = Tensor.randn(new Rng(3), DType.F32, 2, 3, 8, 8);
        assertArrayEquals(new int[] {2, 8}, cls.features(images).shape());
        assertArrayEquals(new int[] {2, 10}, pool.forward(images).shape());
        assertArrayEquals(new int[] {2, 5, 8}, cls.tokens(images).shape());
        // drop path acts in training only; features() runs in eval mode
        assertArrayEquals(pool.features(images).toFloatArray(), pool.features(images).toFloatArray());
        assertTrue(pool.isTraining());
    }
}
