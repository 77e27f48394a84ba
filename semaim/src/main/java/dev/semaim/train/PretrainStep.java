package dev.semaim.train;

import dev.semaim.autograd.Var;
import dev.semaim.model.AimOutput;
import dev.semaim.model.AimViT;
import dev.semaim.nn.Parameter;
import dev.semaim.nn.optim.GradClip;
import dev.semaim.nn.optim.Optimizer;
import dev.semaim.tensor.Rng;
import dev.semaim.tensor.Tensor;

import java.util.List;

/**
 * One pre-training iteration in the reference's order (spec section 4.2): order pass without gradients
 * (inside {@link AimViT#priority}) -> masked training forward -> loss -> backward (scaled by 1/accum_iter)
 * -> on the last micro-batch of an accumulation group: clip (if set) -> optimizer step -> zero grad.
 * The caller sets the learning rate per iteration and owns the loop, the data and the checkpoints.
 */
public final class PretrainStep {
    private final AimViT model;
    private final Optimizer optimizer;
    private final List<Parameter> trainable;
    private final double clipGrad;
    private final int accumIter;

    /** @param clipGrad global gradient-norm limit, NaN = no clipping */
    public PretrainStep(AimViT model, Optimizer optimizer, double clipGrad, int accumIter) {
        this.model = model;
        this.optimizer = optimizer;
        this.trainable = List.copyOf(model.trainableParameters().values());
        this.clipGrad = clipGrad;
        this.accumIter = accumIter;
    }

    /**
     * Trains on one batch.
     *
     * @param images (B, C, H, W) normalised images
     * @param rng    the iteration's stream (order noise)
     * @param update true on the last micro-batch of an accumulation group: clip, step, zero grad
     * @return the batch loss; when it is not finite nothing is back-propagated or stepped
     */
    public double run(Tensor images, Rng rng, double lr, boolean update) {
        Tensor priority = model.priority(images, rng); // (B, L), no gradient
        AimOutput out = model.forward(images, priority);
        double loss = out.loss().item();
        if (!Double.isFinite(loss)) {
            return loss;
        }
        Var scaled = accumIter == 1 ? out.loss() : out.loss().mul(1.0 / accumIter);
        scaled.backward();
        if (update) {
            if (!Double.isNaN(clipGrad)) {
                GradClip.clipGlobalNorm(trainable, clipGrad);
            }
            optimizer.step(lr);
            optimizer.zeroGrad();
        }
        return loss;
    }
}
