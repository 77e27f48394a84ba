package dev.semaim.train;

import dev.semaim.dist.GradientSync;
import dev.semaim.model.AimOutput;
import dev.semaim.model.AimViT;
import dev.semaim.nn.optim.Optimizer;
import dev.semaim.run.GradientUpdate;
import dev.semaim.tensor.Rng;
import dev.semaim.tensor.Tensor;

/**
 * One pre-training iteration in the reference's order (spec section 4.2): order pass without gradients
 * (inside {@link AimViT#priority}) -> masked training forward -> loss -> {@link GradientUpdate} (backward scaled by
 * 1/accum_iter; on the last micro-batch of an accumulation group: clip (if set) -> optimizer step -> zero grad).
 * The caller sets the learning rate per iteration and owns the loop, the data and the checkpoints.
 */
public final class PretrainStep {
    private final AimViT model;
    private final GradientUpdate gradientUpdate;

    /** @param clipGrad global gradient-norm limit, NaN = no clipping */
    public PretrainStep(AimViT model, Optimizer optimizer, double clipGrad, int accumIter) {
        this.model = model;
        this.gradientUpdate = new GradientUpdate(optimizer, model.trainableParameters().values(), clipGrad, accumIter);
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
        return gradientUpdate.apply(out.loss(), lr, update);
    }

    /** Averages the gradients over the processes before each optimizer step (data-parallel runs). */
    public PretrainStep syncGradients(GradientSync s) {
        gradientUpdate.syncGradients(s);
        return this;
    }

    /** The global gradient norm (before clipping) of the last optimizer step; NaN before the first. */
    public double lastGradientNorm() {
        return gradientUpdate.lastNorm();
    }
}
