package dev.semaim.train;

import dev.semaim.model.AimOutput;
import dev.semaim.model.AimViT;
import dev.semaim.model.FeatureTarget;
import dev.semaim.model.ModelEma;
import dev.semaim.nn.optim.Optimizer;
import dev.semaim.run.GradientUpdate;
import dev.semaim.tensor.Rng;
import dev.semaim.tensor.Tensor;

/**
 * One pre-training iteration in the reference's order (spec section 4.2): order pass without gradients
 * (inside {@link AimViT#priority}) -> masked training forward -> loss -> {@link GradientUpdate} (backward scaled by
 * 1/accum_iter; on the last micro-batch of an accumulation group: clip (if set) -> optimizer step -> zero grad)
 * -> EMA update (with --use_ema_model, after every optimizer step, decay {@link ModelEma#decayAt} of the epoch).
 * The caller sets the learning rate per iteration and owns the loop, the data and the checkpoints.
 *
 * <p>With an EMA the order map comes from the EMA copy for the pixel target and for the 'ema' target (whose map the
 * reference leaves unset, so that its attention orders fail there; here the EMA pass that gives the target gives the
 * map too); 'inference' keeps the model's own map and 'clip'/'dino' the teacher's (spec section 4.4).
 */
public final class PretrainStep {
    private final AimViT model;
    private final GradientUpdate gradientUpdate;
    private final ModelEma ema;
    private final AimViT mapModel;

    /** @param clipGrad global gradient-norm limit, NaN = no clipping */
    public PretrainStep(AimViT model, Optimizer optimizer, double clipGrad, int accumIter) {
        this(model, optimizer, clipGrad, accumIter, null);
    }

    /** @param ema the EMA copy (--use_ema_model), updated after every optimizer step; null = none */
    public PretrainStep(AimViT model, Optimizer optimizer, double clipGrad, int accumIter, ModelEma ema) {
        this.model = model;
        this.gradientUpdate = new GradientUpdate(optimizer, model.trainableParameters().values(), clipGrad, accumIter);
        this.ema = ema;
        FeatureTarget target = model.config.predictFeature();
        this.mapModel = ema != null && (target == FeatureTarget.NONE || target == FeatureTarget.EMA) ? ema.module() : model;
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
        return run(images, rng, lr, update, 0);
    }

    /** As {@link #run(Tensor, Rng, double, boolean)} in {@code epoch} (which sets the EMA decay). */
    public double run(Tensor images, Rng rng, double lr, boolean update, int epoch) {
        Tensor priority = model.priority(images, rng, mapModel); // (B, L), no gradient
        AimOutput out = model.forward(images, priority);
        double loss = gradientUpdate.apply(out.loss(), lr, update);
        if (ema != null && update && Double.isFinite(loss)) ema.update(model, ModelEma.decayAt(epoch));
        return loss;
    }

    /** The global gradient norm (before clipping) of the last optimizer step; NaN before the first. */
    public double lastGradientNorm() {
        return gradientUpdate.lastNorm();
    }
}
