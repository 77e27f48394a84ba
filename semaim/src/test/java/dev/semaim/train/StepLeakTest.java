package dev.semaim.train;

import dev.semaim.autograd.Losses;
import dev.semaim.model.AimConfig;
import dev.semaim.model.AimViT;
import dev.semaim.model.VisionTransformer;
import dev.semaim.nn.optim.AdamW;
import dev.semaim.nn.optim.GradScaler;
import dev.semaim.nn.optim.ParamGroups;
import dev.semaim.run.GradientUpdate;
import dev.semaim.tensor.DType;
import dev.semaim.tensor.Rng;
import dev.semaim.tensor.Tensor;
import dev.semaim.tensor.TensorScope;
import dev.semaim.tensor.cpu.LeakTracer;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every pooled buffer a step makes is released, by the step's scope or by the backward pass, and none is left to the
 * collector: a forgotten owner shows up here as a leak with its allocation site, not as a GC spike in a benchmark.
 * The steps run as the training loops run them (a scope per step, the batch made inside it).
 */
class StepLeakTest {
    private static final int BATCH = 8;

    /** 28x28x1 images, patch 4: 50 tokens of width 64, so activations and probabilities are of pooled sizes. */
    private static Tensor images(Rng rng) {
        return Tensor.randn(rng, DType.F32, BATCH, 1, 28, 28);
    }

    private static void assertNoLeaks(String what, Consumer<Rng> step) throws InterruptedException {
        Rng data = new Rng(7);
        for (int i = 0; i < 2; i++) runInScope(step, data); // warm-up: optimizer state, lazily made buffers
        LeakTracer.start();
        for (int i = 0; i < 2; i++) runInScope(step, data);
        List<LeakTracer.Leak> leaks = LeakTracer.stop();
        assertTrue(leaks.isEmpty(), what + ": " + leaks.size() + " pooled buffers were neither released nor reachable; the first:\n"
                + (leaks.isEmpty() ? "" : leaks.get(0)));
    }

    private static void runInScope(Consumer<Rng> step, Rng data) {
        try (TensorScope scope = TensorScope.open()) {
            step.accept(data);
        }
    }

    @Test
    void aPretrainingStepLeavesNothingToTheCollector() throws InterruptedException {
        AimConfig c = AimConfig.aimTiny().toBuilder().imgSize(28).patchSize(4).inChans(1).embedDim(64).depth(4).numHeads(2)
                .queryDepth(2).gaussianKernelSize(5).gaussianSigma(1).build();
        AimViT model = new AimViT(c, new Rng(1));
        PretrainStep step = new PretrainStep(model, new AdamW(ParamGroups.weightDecay(model, 0.05), 0.9, 0.95, 1e-8), 3.0, 1);
        Rng order = new Rng(2);
        assertNoLeaks("pre-training (attention_center order)", data -> step.run(images(data), order.fork(1), 1e-4, true));
    }

    @Test
    void aMixedPrecisionStepLeavesNothingToTheCollector() throws InterruptedException {
        AimConfig c = AimConfig.aimTiny().toBuilder().imgSize(28).patchSize(4).inChans(1).embedDim(64).depth(2).numHeads(2)
                .queryDepth(1).gaussianKernelSize(5).gaussianSigma(1).build();
        AimViT model = new AimViT(c, new Rng(6));
        PretrainStep step = new PretrainStep(model, new AdamW(ParamGroups.weightDecay(model, 0.05), 0.9, 0.95, 1e-8), 3.0, 1, null,
                DType.F16, new GradScaler());
        Rng order = new Rng(7);
        assertNoLeaks("pre-training under fp16 autocast with loss scaling", data -> step.run(images(data), order.fork(3), 1e-4, true));
    }

    @Test
    void accumulatedMicroBatchesLeaveNothingToTheCollector() throws InterruptedException {
        AimConfig c = AimConfig.aimTiny().toBuilder().imgSize(28).patchSize(4).inChans(1).embedDim(64).depth(2).numHeads(2)
                .queryDepth(1).gaussianKernelSize(0).build();
        AimViT model = new AimViT(c, new Rng(3));
        PretrainStep step = new PretrainStep(model, new AdamW(ParamGroups.weightDecay(model, 0.05), 0.9, 0.95, 1e-8), Double.NaN, 2);
        Rng order = new Rng(4);
        boolean[] update = {false};
        assertNoLeaks("pre-training with accum_iter 2", data -> {
            update[0] = !update[0];
            step.run(images(data), order.fork(2), 1e-4, !update[0]);
        });
    }

    @Test
    void aClassifierStepAndAFeaturePassLeaveNothingToTheCollector() throws InterruptedException {
        VisionTransformer vit = new VisionTransformer(28, 4, 1, 64, 2, 2, 4.0, 10, true, 0.1, new Rng(5));
        GradientUpdate update = new GradientUpdate(new AdamW(ParamGroups.weightDecay(vit, 0.05), 0.9, 0.999, 1e-8),
                vit.trainableParameters().values(), 1.0, 1);
        Tensor labels = Tensor.of(new long[] {0, 1, 2, 3, 4, 5, 6, 7}, BATCH);
        assertNoLeaks("fine-tuning", data -> update.apply(Losses.crossEntropy(vit.forward(images(data)), labels), 1e-4, true));
        assertNoLeaks("k-NN features", data -> vit.features(images(data)));
    }
}
