package dev.semaim.nn.optim;

import dev.semaim.nn.Parameter;
import dev.semaim.tensor.Tensor;

import java.util.List;
import java.util.Map;

/**
 * AdamW with PyTorch 1.13 semantics (decoupled weight decay, bias-corrected moments). Per parameter,
 * at its update t: p ← p·(1 − lr·wd); m ← β1·m + (1−β1)·g; v ← β2·v + (1−β2)·g²;
 * p ← p − (lr / (1−β1^t)) · m / (sqrt(v) / sqrt(1−β2^t) + eps). State slots {@code exp_avg} (m) and
 * {@code exp_avg_sq} (v). The update itself is the backend's fused {@code adamw} kernel.
 */
public final class AdamW extends GroupedOptimizer {
    private final double beta1, beta2, eps;

    /** PyTorch's defaults: β (0.9, 0.999), eps 1e-8. */
    public AdamW(List<ParamGroup> groups) {
        this(groups, 0.9, 0.999, 1e-8);
    }

    public AdamW(List<ParamGroup> groups, double beta1, double beta2, double eps) {
        super(groups, "exp_avg", "exp_avg_sq");
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1))
            throw new IllegalArgumentException("AdamW: betas (" + beta1 + ", " + beta2 + ") must lie in [0, 1)");
        if (!(eps >= 0)) throw new IllegalArgumentException("AdamW: eps " + eps + " must be >= 0");
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
    }

    @Override void update(Parameter p, Tensor grad, Map<String, Tensor> state, long step, double lr, double weightDecay) {
        double bc1 = 1 - Math.pow(beta1, step), bc2 = 1 - Math.pow(beta2, step);
        Tensor data = p.data();
        data.backend().adamw(data, grad, state.get("exp_avg"), state.get("exp_avg_sq"), lr, beta1, beta2, eps, weightDecay, bc1, bc2);
    }
}
