package dev.semaim.run;

import dev.semaim.autograd.Var;
import dev.semaim.dist.GradientSync;
import dev.semaim.nn.Parameter;
import dev.semaim.nn.optim.GradClip;
import dev.semaim.nn.optim.GradScaler;
import dev.semaim.nn.optim.Optimizer;

import java.util.Collection;
import java.util.List;

/**
 * The second half of a training iteration that pre-training, fine-tuning and linear probing share: backward of
 * the loss scaled by 1/accum_iter, then on the last micro-batch of an accumulation group clip (if set) ->
 * optimizer step -> zero grad. A non-finite loss is neither back-propagated nor stepped. The backward releases the
 * graph's activations ({@link Var#backwardAndRelease}), the loss being the only value of the forward read afterwards,
 * and zero grad the gradients ({@link Optimizer#zeroGrad}), which nothing reads after the step.
 *
 * <p>The global gradient norm is measured on every optimizer step, clipped or not (as the official code's loss scaler
 * does): one pass over the gradients, small beside the backward that made them. It goes to log.txt
 * ({@code train_total_norm}) and TensorBoard ({@code grad_norm}).
 *
 * <p>With a {@link GradScaler} (float16 training) the backward starts from loss x scale / accum_iter; on the last
 * micro-batch the gradients are unscaled, the norm measured (infinite or NaN when they overflowed, as PyTorch's), the
 * step skipped when they overflowed, and the scale updated: PyTorch's {@code scaler.scale(loss).backward();
 * scaler.unscale_(optimizer); clip_grad_norm_; scaler.step(optimizer); scaler.update()}.
 */
public final class GradientUpdate {
    private final Optimizer optimizer;
    private final List<Parameter> trainable;
    private final double clipGrad;
    private final int accumIter;
    /** Null without loss scaling (float32 and bfloat16 runs). */
    private final GradScaler scaler;
    private double lastNorm = Double.NaN;
    private GradientSync sync = GradientSync.NONE;

    /**
     * @param trainable the parameters whose global gradient norm is measured and clipped
     * @param clipGrad  global gradient-norm limit, NaN = no clipping
     */
    public GradientUpdate(Optimizer optimizer, Collection<Parameter> trainable, double clipGrad, int accumIter) {
        this(optimizer, trainable, clipGrad, accumIter, null);
    }

    /** As above, with loss scaling by {@code scaler} (null = none). */
    public GradientUpdate(Optimizer optimizer, Collection<Parameter> trainable, double clipGrad, int accumIter, GradScaler scaler) {
        this.scaler = scaler;
        this.optimizer = optimizer;
        this.trainable = List.copyOf(trainable);
        this.clipGrad = clipGrad;
        this.accumIter = accumIter;
    }

    /** Makes the gradients the same on every process before each optimizer step (data-parallel runs). */
    public GradientUpdate syncGradients(GradientSync s) {
        this.sync = s;
        return this;
    }

    /**
     * Back-propagates {@code loss} and, when {@code update}, steps with {@code lr}.
     *
     * @return the batch loss (before the 1/accum_iter scaling; the mean over the processes in a data-parallel run)
     */
    public double apply(Var loss, double lr, boolean update) {
        double value = sync.loss(loss.item());
        if (!Double.isFinite(value)) {
            return value;
        }
        double factor = (scaler == null ? 1.0 : scaler.scale()) / accumIter;
        sync.beforeBackward(update);
        (factor == 1 ? loss : loss.mul(factor)).backwardAndRelease(loss);
        if (update) {
            sync.beforeStep();
            boolean overflow = scaler != null && scaler.unscale(trainable);
            lastNorm = Double.isNaN(clipGrad) ? GradClip.globalNorm(trainable) : GradClip.clipGlobalNorm(trainable, clipGrad);
            if (!overflow) {
                optimizer.step(lr);
            }
            if (scaler != null) {
                scaler.update(overflow);
            }
            optimizer.zeroGrad();
        }
        return value;
    }

    /** The loss scaler, or null without loss scaling. */
    public GradScaler scaler() {
        return scaler;
    }

    /** The global gradient norm (before clipping) of the last optimizer step; NaN before the first. */
    public double lastNorm() {
        return lastNorm;
    }
}
