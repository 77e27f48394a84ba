package dev.semaim.model;

import dev.semaim.autograd.GradMode;
import dev.semaim.nn.Parameter;
import dev.semaim.nn.StateDict;
import dev.semaim.tensor.Rng;
import dev.semaim.tensor.Tensor;
import dev.semaim.tensor.TensorScope;

import java.util.Map;

/**
 * An exponential moving average of an AimViT (timm {@code ModelEma}, spec §4.2 {@code --use_ema_model}): after every
 * optimizer step each weight becomes e ← d·e + (1 − d)·online, with d from {@link #decayAt} of the epoch. Where the
 * reference uses it: the order map of the pixel target comes from this copy ({@code model.priority(images, rng,
 * ema.module())}), and the 'ema' feature target is its normed, unmasked encoder output ({@link #asTeacher()}).
 * A checkpoint keeps its weights under {@code ema.} ({@code run.Checkpoints.EMA_PREFIX}).
 */
public final class ModelEma {
    private final AimViT ema;

    /** Starts as a copy of the online model's weights (timm deep-copies the model when the EMA is made), in eval mode. */
    public ModelEma(AimViT online) {
        this.ema = new AimViT(online.config, new Rng(0));
        StateDict.load(ema, StateDict.of(online), true);
        ema.eval();
    }

    /**
     * The reference's schedule, set at the start of every epoch (integer {@code epoch}): d = 0.999 + epoch/100·0.0009 for
     * the first 100 epochs, 0.9999 after.
     */
    public static double decayAt(double epoch) {
        return epoch < 100 ? 0.999 + epoch / 100 * (0.9999 - 0.999) : 0.9999;
    }

    /** e ← e·d + (1 − d)·online for every weight, in place, in float32 as timm's {@code ema_v * d + (1 - d) * model_v}. */
    public void update(AimViT online, double decay) {
        if (online.config != ema.config && !online.config.equals(ema.config))
            throw new IllegalArgumentException("ModelEma: online model config " + online.config + " differs from " + ema.config);
        Map<String, Parameter> src = online.namedParameters();
        try (GradMode.Scope s = GradMode.noGrad(); TensorScope scope = TensorScope.open()) { // the products go at its end
            for (Map.Entry<String, Parameter> e : ema.namedParameters().entrySet()) {
                Tensor p = e.getValue().data();
                Tensor blend = src.get(e.getKey()).data().to(p.dtype()).mul(1 - decay); // (1 − d)·online
                p.mulInPlace(decay).addInPlace(blend);
            }
        }
    }

    /** The 'ema' feature target: the copy's unmasked encoder output after the shared norm, (B, C, H, W) → (B, T, D). */
    public FeatureTeacher asTeacher() {
        return images -> ema.orderMaps(images).z();
    }

    /** The averaged model (eval mode); use it for the order pass and the 'ema' target, not for training. */
    public AimViT module() {
        return ema;
    }
}
