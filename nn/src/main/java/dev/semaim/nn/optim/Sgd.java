package dev.semaim.nn.optim;

import dev.semaim.nn.Parameter;
import dev.semaim.tensor.Tensor;

import java.util.List;
import java.util.Map;

/**
 * SGD with momentum, PyTorch semantics with dampening 0 and no Nesterov (the linear-probe optimiser,
 * spec §8): d = g + wd·p; b ← μ·b + d (b = d at the first update); p ← p − lr·b. State slot
 * {@code momentum_buffer} (absent when μ = 0).
 */
public final class Sgd extends GroupedOptimizer {
    private final double momentum;

    public Sgd(List<ParamGroup> groups, double momentum) {
        super(groups, momentum == 0 ? new String[0] : new String[] {"momentum_buffer"});
        if (!(momentum >= 0)) throw new IllegalArgumentException("Sgd: momentum " + momentum + " must be >= 0");
        this.momentum = momentum;
    }

    @Override void update(Parameter p, Tensor grad, Map<String, Tensor> state, long step, double lr, double weightDecay) {
        Tensor data = p.data();
        Tensor d = weightDecay != 0 ? grad.add(data.mul(weightDecay)) : grad;
        if (momentum != 0) {
            // the buffer starts at zero, so the first update leaves b = 0·μ + d = d exactly, as PyTorch's clone
            d = state.get("momentum_buffer").mulInPlace(momentum).addInPlace(d);
        }
        data.subInPlace(d.mul(lr));
    }
}
