package dev.semaim.run;

/**
 * What makes the accumulated gradients the same on every process before the optimizer step (data-parallel training:
 * the average over the processes, {@code dev.semaim.dist.GradientAllReduce}); one process needs nothing.
 */
@FunctionalInterface
public interface GradientSync {
    /** Nothing to do: a run of one process. */
    GradientSync NONE = () -> { };

    /** Called after the backward of the last micro-batch of an accumulation group, before clipping and the step. */
    void beforeStep();
}
