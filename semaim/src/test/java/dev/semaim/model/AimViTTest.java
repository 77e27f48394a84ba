package dev.semaim.model;

import dev.semaim.autograd.GradMode;
import dev.semaim.nn.Parameter;
import dev.semaim.nn.layers.ModuleGradCheck;
import dev.semaim.tensor.DType;
import dev.semaim.tensor.Rng;
import dev.semaim.tensor.Tensor;
import dev.semaim.tensor.testing.Cases;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AimViTTest {
    /** A few-hundred-parameter model: 8×8 images, patch 4 (2×2 grid), width 8. */
    private static AimConfig small() {
        return AimConfig.aimTiny().toBuilder().imgSize(8).patchSize(4).inChans(3).embedDim(8).depth(2).numHeads(2).queryDepth(1)
                .gaussianKernelSize(3).gaussianSigma(1).build();
    }

    /**
     * Float64 finite differences of the whole model's loss on random entries of every trainable parameter,
     * over seeded random variants (head type, query depth / step, loss type with norm-pix on or off, blur on
     * or off, priorities with ties).
     */
    @Test
    void wholeModelGradientFloat64() {
        Cases.run("AimViT.grad", 4, gen -> {
            AimConfig c = small().toBuilder().predictionHead(gen.nextBoolean() ? PredictionHeadType.MLP : PredictionHeadType.LINEAR)
                    .queryDepth(gen.pick(1, 2)).normPixLoss(gen.nextBoolean()).gaussianKernelSize(gen.pick(0, 3)).gaussianSigma(1)
                    .build();
            AimViT m = new AimViT(c, new Rng(gen.seed));
            ModuleGradCheck.toF64(m);
            for (Parameter p : m.trainableParameters().values())      // move biases and norms off 0 and 1
                if (p.shape().length == 1) p.set(p.data().add(gen.uniform(DType.F64, p.shape(), -0.2, 0.2)));
            int b = gen.nextInt(1, 2);
            Tensor images = gen.uniform(DType.F64, new int[] {b, 3, 8, 8}, -1, 1);
            double[] pv = new double[b * 4];
            for (int i = 0; i < pv.length; i++) pv[i] = gen.nextInt(0, 2);  // ties on purpose
            Tensor priority = Tensor.of(pv, b, 4);
            ModuleGradCheck.check("AimViT " + c, gen, () -> m.forward(images, priority).loss(), ModuleGradCheck.parameters(m), 3);
        });
    }

    /** Changing one patch's pixels changes the prediction only for patches of strictly larger priority (§3). */
    @Test
    void predictionIsCausalInTheOrder() {
        AimConfig c = small().toBuilder().imgSize(16).patchSize(4).inChans(3).build();
        AimViT m = new AimViT(c, new Rng(1));
        Tensor images = Tensor.randn(new Rng(2), DType.F32, 1, 3, 16, 16);
        Tensor priority = Tensor.rand(new Rng(3), DType.F32, 1, 16);
        float[] before = m.forward(images, priority).pred().data().toFloatArray();
        int patch = 6;                                                       // row 1, col 2
        Tensor changed = images.copy();
        changed.narrow(2, 4, 4).narrow(3, 8, 4).fillInPlace(5);
        float[] after = m.forward(changed, priority).pred().data().toFloatArray();
        float[] p = priority.toFloatArray();
        int k = c.headOutDim();
        for (int t = 0; t < 17; t++) {
            boolean later = t > 0 && p[t - 1] > p[patch];
            double diff = 0;
            for (int j = 0; j < k; j++) diff = Math.max(diff, Math.abs(after[t * k + j] - before[t * k + j]));
            if (later) assertTrue(diff > 1e-6, "token " + t + " comes after the changed patch and must see it");
            else assertEquals(0.0, diff, "token " + t + " must not see the changed patch");
        }
    }

    /** The order pass records no graph, restores grad and train mode, and the order takes no gradient. */
    @Test
    void orderPassIsNoGradAndOrderIsConstant() {
        AimViT m = new AimViT(small(), new Rng(4));
        Tensor images = Tensor.randn(new Rng(5), DType.F32, 2, 3, 8, 8);
        Tensor priority = m.priority(images, new Rng(6));
        assertTrue(GradMode.isEnabled());
        assertTrue(m.isTraining());
        AimOutput out = m.forward(images, priority);
        out.loss().backward();
        assertNull(m.posEmbed.grad());
        for (Parameter p : m.trainableParameters().values()) assertTrue(p.grad() != null, "every trainable parameter gets a gradient");
        assertArrayEquals(new int[] {2, 4}, out.lossMap().shape());
        assertArrayEquals(new int[] {2, 5, 48}, out.pred().shape());
        // the SemAIM order starts at the argmax of the cls map
        Tensor a = m.orderPass(images);
        assertArrayEquals(a.argmax(1).toLongArray(), priority.argmin(1).toLongArray());
    }

    /** Priority noise comes from the Rng: same seed, same order; and the types that need no map skip the pass. */
    @Test
    void priorityIsSeeded() {
        AimViT m = new AimViT(small().toBuilder().permutationType(OrderType.STOCHASTIC).build(), new Rng(4));
        Tensor images = Tensor.randn(new Rng(5), DType.F32, 2, 3, 8, 8);
        assertArrayEquals(m.priority(images, new Rng(7)).toFloatArray(), m.priority(images, new Rng(7)).toFloatArray());
        assertArrayEquals(Orders.draw(new Rng(7), 2, 4).tieBreak().toFloatArray(), m.priority(images, new Rng(7)).toFloatArray());
    }

    @Test
    void fashionMnistSizeWithDropPath() {
        AimConfig c = AimConfig.aimTiny().toBuilder().imgSize(28).patchSize(4).inChans(1).embedDim(16).depth(2).numHeads(2)
                .queryDepth(2).dropPath(0.1).gaussianKernelSize(5).gaussianSigma(1).build();
        AimViT m = new AimViT(c, new Rng(8));
        Tensor images = Tensor.randn(new Rng(9), DType.F32, 2, 1, 28, 28);
        AimOutput out = m.forward(images, m.priority(images, new Rng(10)));
        assertArrayEquals(new int[] {2, 50, 16}, out.pred().shape());
        assertTrue(Double.isFinite(out.loss().item()));
        m.eval();
        Tensor pr = m.priority(images, new Rng(10));
        assertArrayEquals(m.forward(images, pr).pred().data().toFloatArray(), m.forward(images, pr).pred().data().toFloatArray());
    }

    /** §4.4 / §5.3 with a random teacher: order from its min-max similarity, loss = mean 2 − 2cos. */
    @Test
    void featureTargetWithATeacher() {
        AimConfig c = small().toBuilder().predictFeature(FeatureTarget.DINO).build();
        AimViT m = new AimViT(c, new Rng(11));
        assertNull(m.gaussianBlur, "no blur for feature targets");
        Tensor images = Tensor.randn(new Rng(12), DType.F32, 2, 3, 8, 8);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> m.priority(images, new Rng(1)));
        assertTrue(e.getMessage().contains("teacher"), e.getMessage());
        VisionTransformer teacher = VisionTransformer.of(c, 0, false, 0, new Rng(13));
        m.setTeacher(teacher::tokens);
        Tensor a = m.orderPass(images);
        assertEquals(0.0, a.min(false).item(), 1e-6);
        assertEquals(1.0, a.max(false).item(), 1e-5);
        AimOutput out = m.forward(images, m.priority(images, new Rng(14)));
        assertTrue(out.loss().item() >= 0 && out.loss().item() <= 4);
        out.loss().backward();
        assertFalse(teacher.trainableParameters().values().stream().anyMatch(p -> p.grad() != null), "no gradient into the teacher");

        AimViT self = new AimViT(small().toBuilder().predictFeature(FeatureTarget.INFERENCE).build(), new Rng(15));
        assertTrue(Double.isFinite(self.forward(images, self.priority(images, new Rng(16))).loss().item()));
    }

    @Test
    void clearErrors() {
        AimViT m = new AimViT(small(), new Rng(0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.forward(Tensor.zeros(1, 3, 16, 16), Tensor.zeros(1, 4)));
        assertTrue(e.getMessage().contains("(1, 3, 16, 16)") && e.getMessage().contains("(B, 3, 8, 8)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> m.forward(Tensor.zeros(1, 3, 8, 8), Tensor.zeros(1, 5)));
        assertTrue(e.getMessage().contains("priority (1, 5)"), e.getMessage());
    }
}
