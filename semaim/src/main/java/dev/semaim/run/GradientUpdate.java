package dev.semaim.run;

import dev.semaim.autograd.Var;
import dev.semaim.dist.GradientSync;
import dev.semaim.nn.Parameter;
import dev.semaim.nn.optim.GradClip;
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
 */
public final class GradientUpdate {
    private final Optimizer optimizer;
    private final List<Parameter> trainable;
    private final double clipGrad;
    private final int accumIter;
    private double lastNorm = Double.NaN;
    private GradientSync sync = GradientSync.NONE;

    /**
     * @param trainable the parameters whose global gradient norm is measured and clipped
     * @param clipGrad  global gradient-norm limit, NaN = no clipping
     */
    public GradientUpdate(Optimizer optimizer, Collection<Parameter> trainable, double clipGrad, int accumIter) {
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
        (accumIter == 1 ? loss : loss.mul(1.0 / accumIter)).backwardAndRelease(loss);
        if (update) {
            sync.beforeStep();
            lastNorm = Double.isNaN(clipGrad) ? GradClip.globalNorm(trainable) : GradClip.clipGlobalNorm(trainable, clipGrad);
            optimizer.step(lr);
            optimizer.zeroGrad();
        }
        return value;
    }

    /** The global gradient norm (before clipping) of the last optimizer step; NaN before the first. */
    public double lastNorm() {
        return lastNorm;
    }
}
