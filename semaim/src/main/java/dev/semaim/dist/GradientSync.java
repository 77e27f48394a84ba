package dev.semaim.dist;

/**
 * What makes the accumulated gradients the same on every process before the optimizer step (data-parallel training:
 * the average over the processes, {@code dev.semaim.dist.GradientAllReduce}); one process needs nothing.
 */
@FunctionalInterface
public interface GradientSync {
    /** Nothing to do: a run of one process. */
    GradientSync NONE = () -> { };

    /**
     * The batch loss as every process sees it: the mean over the processes of each one's {@code local} loss, so that a
     * non-finite loss on any process is non-finite on all and every process skips the same step (identity here).
     * Called on every micro-batch, before its backward.
     */
    default double loss(double local) {
        return local;
    }

    /**
     * Called before each micro-batch's backward (after {@link #loss}, only when the loss is finite); {@code last}: the
     * accumulation group's last micro-batch, whose backward finishes the gradients the step uses.
     */
    default void beforeBackward(boolean last) {
    }

    /** Called after the backward of the last micro-batch of an accumulation group, before clipping and the step. */
    void beforeStep();
}
