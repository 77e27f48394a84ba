package dev.semaim.train;

import dev.semaim.autograd.Autocast;
import dev.semaim.dist.GradientSync;
import dev.semaim.model.AimOutput;
import dev.semaim.model.AimViT;
import dev.semaim.model.FeatureTarget;
import dev.semaim.model.ModelEma;
import dev.semaim.nn.optim.GradScaler;
import dev.semaim.nn.optim.Optimizer;
import dev.semaim.run.GradientUpdate;
import dev.semaim.tensor.DType;
import dev.semaim.tensor.Rng;
import dev.semaim.tensor.Tensor;

/**
 * One pre-training iteration in the reference's order (spec section 4.2): order pass without gradients, in float32
 * (inside {@link AimViT#priority}) -> masked training forward and loss, under {@link Autocast} when the run is in mixed
 * precision -> {@link GradientUpdate} (backward scaled by 1/accum_iter, and by the loss scale in float16; on the last
 * micro-batch of an accumulation group: unscale -> clip (if set) -> optimizer step (skipped on an overflow) -> zero grad)
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
    /** BF16 or F16 for a mixed-precision forward, null for float32. */
    private final DType autocast;

    /** A float32 step. @param clipGrad global gradient-norm limit, NaN = no clipping */
    public PretrainStep(AimViT model, Optimizer optimizer, double clipGrad, int accumIter) {
        this(model, optimizer, clipGrad, accumIter, null, null, null);
    }

    /**
     * A step whose training forward autocasts to {@code autocast} (BF16, F16, or null for float32), with loss scaling
     * by {@code scaler} (null = none; float16 wants one).
     *
     * @param ema the EMA copy (--use_ema_model), updated after every optimizer step; null = none
     */
    public PretrainStep(AimViT model, Optimizer optimizer, double clipGrad, int accumIter, ModelEma ema, DType autocast,
                        GradScaler scaler) {
        this.model = model;
        this.autocast = autocast;
        this.gradientUpdate = new GradientUpdate(optimizer, model.trainableParameters().values(), clipGrad, accumIter, scaler);
        this.ema = ema;
        FeatureTarget target = model.config.predictFeature();
        this.mapModel = ema != null && (target == FeatureTarget.NONE || target == FeatureTarget.EMA) ? ema.module() : model;
    }

    /** The 16-bit type of the training forward (null = float32): what a feature teacher runs in, inside {@link Autocast#enable}. */
    public DType autocast() {
        return autocast;
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
        Tensor priority = model.priority(images, rng, mapModel); // (B, L), no gradient, float32 (outside autocast, spec 4.2)
        AimOutput out;
        try (Autocast.Scope s = Autocast.enable(autocast)) {
            out = model.forward(images, priority);
        }
        double loss = gradientUpdate.apply(out.loss(), lr, update);
        if (ema != null && update && Double.isFinite(loss)) ema.update(model, ModelEma.decayAt(epoch));
        return loss;
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
