package dev.semaim.nn.optim;

import dev.semaim.nn.Parameter;
import dev.semaim.tensor.Tensor;

import java.util.List;
import java.util.Map;

/**
 * LARS as in MAE's linear probing: for parameters with more than one axis, d = g + wd·p is scaled by the
 * trust ratio q = η·‖p‖/‖d‖ (q = 1 when either norm is 0); 1-D parameters (biases, norms) take the
 * plain gradient with neither decay nor adaptation. Then μ ← m·μ + d; p ← p − lr·μ. State slot {@code mu}.
 */
public final class Lars extends GroupedOptimizer {
    private final double momentum, trustCoefficient;

    /** MAE's defaults: momentum 0.9, trust coefficient 0.001. */
    public Lars(List<ParamGroup> groups) {
        this(groups, 0.9, 0.001);
    }

    public Lars(List<ParamGroup> groups, double momentum, double trustCoefficient) {
        super(groups, "mu");
        if (!(momentum >= 0)) throw new IllegalArgumentException("Lars: momentum " + momentum + " must be >= 0");
        if (!(trustCoefficient > 0)) throw new IllegalArgumentException("Lars: trust coefficient " + trustCoefficient + " must be > 0");
        this.momentum = momentum;
        this.trustCoefficient = trustCoefficient;
    }

    @Override void update(Parameter p, Tensor grad, Map<String, Tensor> state, long step, double lr, double weightDecay) {
        Tensor data = p.data();
        Tensor d = grad;
        if (data.rank() > 1) {
            d = grad.add(data.mul(weightDecay));
            double pn = GradClip.norm(data), dn = GradClip.norm(d);
            if (pn > 0 && dn > 0) d = d.mul(trustCoefficient * pn / dn);
        }
        Tensor mu = state.get("mu").mulInPlace(momentum).addInPlace(d);
        data.subInPlace(mu.mul(lr));
    }
}
