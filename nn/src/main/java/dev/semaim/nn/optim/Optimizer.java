package dev.semaim.nn.optim;

import dev.semaim.tensor.Tensor;

import java.util.List;
import java.util.Map;

/**
 * Updates the parameters of its {@link ParamGroup}s from their gradients. Parameters whose gradient
 * is null (unused this step) are skipped and keep their state, as in PyTorch.
 */
public interface Optimizer {
    /** One update; the learning rate of a group is {@code lr * group.lrScale()}. */
    void step(double lr);

    /**
     * Drops the gradient of every optimised parameter; the buffers a backward pass made for them go back to their
     * backend ({@code Var.zeroGrad}), so the next backward reuses them.
     */
    void zeroGrad();

    List<ParamGroup> groups();

    /**
     * The state for a checkpoint, keyed {@code <param name>.<slot>}: {@code step} (I64 scalar, the
     * number of updates the parameter has had) and the optimiser's buffers (e.g. {@code exp_avg}). Parameters
     * not yet updated have no entries. The buffers are the live tensors: write them out before the next step.
     */
    Map<String, Tensor> state();

    /** Replaces the state with one from {@link #state()}; unknown keys, partial or misshapen entries are errors. */
    void loadState(Map<String, Tensor> state);
}
