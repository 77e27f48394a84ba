package dev.semaim.nn.optim;

import dev.semaim.nn.Parameter;
import dev.semaim.tensor.Tensor;

import java.util.Collection;

/** Gradient-norm clipping, as PyTorch's {@code clip_grad_norm_} (spec §6: max norm 3.0). */
public final class GradClip {
    private GradClip() {}

    /** ‖(‖g_i‖₂)_i‖₂ over the parameters that have a gradient (0 when none has). */
    public static double globalNorm(Collection<Parameter> params) {
        double sum = 0;
        for (Parameter p : params) {
            Tensor g = p.grad();
            if (g == null) continue;
            double n = norm(g);
            sum += n * n;
        }
        return Math.sqrt(sum);
    }

    /**
     * Scales every gradient by min(1, maxNorm / (total + 1e-6)) and returns the total norm before
     * clipping. Like PyTorch (error_if_nonfinite off) a NaN or infinite total is returned, not thrown,
     * so that a loss scaler can skip the step.
     */
    public static double clipGlobalNorm(Collection<Parameter> params, double maxNorm) {
        if (!(maxNorm > 0)) throw new IllegalArgumentException("clipGlobalNorm: maxNorm " + maxNorm + " must be > 0");
        double total = globalNorm(params);
        double coef = maxNorm / (total + 1e-6);
        if (coef < 1 || Double.isNaN(coef)) {
            for (Parameter p : params) {
                Tensor g = p.grad();
                // a new tensor, not in place: the gradient may share storage with a graph intermediate
                if (g != null) p.var().setGrad(g.mul(coef));
            }
        }
        return total;
    }

    /** L2 norm of all elements, accumulated in float64 (no float64 copy of the gradient: {@link Tensor#sumOfSquares}). */
    static double norm(Tensor t) {
        return Math.sqrt(t.sumOfSquares());
    }
}
