package dev.semaim.nn.optim;

import dev.semaim.nn.Parameter;
import dev.semaim.tensor.Tensor;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Dynamic loss scaling for float16 training, as PyTorch's {@code torch.cuda.amp.GradScaler} with its defaults: the
 * loss is multiplied by the scale (65536 at first) before the backward, so that small float16 gradients do not flush
 * to zero; before the optimizer step the gradients are multiplied by 1/scale ({@link #unscale}), and a step whose
 * gradients hold an infinity or a NaN is skipped. {@link #update} then halves the scale after a skipped step (backoff
 * 0.5) and doubles it after 2000 finite steps in a row (growth 2, interval 2000). The state (scale and the count of
 * finite steps) travels in checkpoints under PyTorch's {@code state_dict} keys.
 */
public final class GradScaler {
    public static final double INIT_SCALE = 65536.0;
    public static final double GROWTH_FACTOR = 2.0;
    public static final double BACKOFF_FACTOR = 0.5;
    public static final int GROWTH_INTERVAL = 2000;

    private double growthFactor;
    private double backoffFactor;
    private int growthInterval;
    private double scale;
    /** Finite steps since the last change of the scale (PyTorch's {@code _growth_tracker}). */
    private int growthTracker;

    /** PyTorch's defaults. */
    public GradScaler() {
        this(INIT_SCALE, GROWTH_FACTOR, BACKOFF_FACTOR, GROWTH_INTERVAL);
    }

    public GradScaler(double initScale, double growthFactor, double backoffFactor, int growthInterval) {
        if (!(initScale > 0) || !(growthFactor > 1) || !(backoffFactor > 0 && backoffFactor < 1) || growthInterval < 1)
            throw new IllegalArgumentException("GradScaler: scale " + initScale + ", growth " + growthFactor + ", backoff "
                    + backoffFactor + ", interval " + growthInterval + " (want scale > 0, growth > 1, 0 < backoff < 1, interval >= 1)");
        this.scale = initScale;
        this.growthFactor = growthFactor;
        this.backoffFactor = backoffFactor;
        this.growthInterval = growthInterval;
    }

    /** The factor the loss is multiplied by before the backward. */
    public double scale() {
        return scale;
    }

    /**
     * Multiplies every gradient by 1/scale (new tensors, as {@link GradClip} does: a gradient may share storage with a
     * graph intermediate). Returns whether a gradient holds an infinity or a NaN: the step must then be skipped.
     */
    public boolean unscale(Collection<Parameter> params) {
        double inverse = 1.0 / scale;
        boolean foundInf = false;
        for (Parameter p : params) {
            Tensor g = p.grad();
            if (g == null) continue;
            Tensor unscaled = g.mul(inverse);
            foundInf |= !Double.isFinite(unscaled.sumOfSquares()); // float values squared in float64 cannot overflow
            p.var().setGrad(unscaled);
        }
        return foundInf;
    }

    /** After an optimizer step (taken, or skipped because {@code foundInf}): backoff, or growth after the interval. */
    public void update(boolean foundInf) {
        if (foundInf) {
            scale *= backoffFactor;
            growthTracker = 0;
        } else if (++growthTracker == growthInterval) {
            scale *= growthFactor;
            growthTracker = 0;
        }
    }

    /** PyTorch's {@code GradScaler.state_dict()}: scale, growth_factor, backoff_factor, growth_interval, _growth_tracker. */
    public Map<String, Object> state() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("scale", scale);
        m.put("growth_factor", growthFactor);
        m.put("backoff_factor", backoffFactor);
        m.put("growth_interval", growthInterval);
        m.put("_growth_tracker", growthTracker);
        return m;
    }

    /**
     * Takes the state {@link #state} wrote (PyTorch's {@code load_state_dict}); a missing or malformed key is an
     * {@link IllegalArgumentException} naming it, and leaves this scaler as it was.
     */
    public void load(Map<String, ?> state) {
        GradScaler s = new GradScaler(number(state, "scale"), number(state, "growth_factor"), number(state, "backoff_factor"),
                (int) number(state, "growth_interval")); // checks the values
        scale = s.scale;
        growthFactor = s.growthFactor;
        backoffFactor = s.backoffFactor;
        growthInterval = s.growthInterval;
        growthTracker = (int) number(state, "_growth_tracker");
    }

    private static double number(Map<String, ?> state, String key) {
        if (!(state.get(key) instanceof Number n))
            throw new IllegalArgumentException("loss scaler state has no number '" + key + "' (got " + state.get(key) + ")");
        return n.doubleValue();
    }
}
