package dev.semaim.model;

import dev.semaim.autograd.GradMode;
import dev.semaim.nn.Parameter;
import dev.semaim.nn.StateDict;
import dev.semaim.tensor.Rng;

import java.util.Map;

/**
 * An exponential moving average of an AimViT (timm ModelEma, spec §4.2 --use_ema_model): after every
 * optimiser step each state-dict tensor becomes e ← d·e + (1 − d)·online. When used, the order map
 * comes from this copy ({@code model.priority(images, rng, ema.module())}).
 */
public final class ModelEma {
    private final AimViT ema;

    /** Starts as a copy of the online model's weights, in eval mode. */
    public ModelEma(AimViT online) {
        this.ema = new AimViT(online.config, new Rng(0));
        StateDict.load(ema, StateDict.of(online), true);
        ema.eval();
    }

    /** The reference schedule: d = 0.999 + epoch/100·0.0009 for the first 100 epochs, then 0.9999. */
    public static double decayAt(double epoch) {
        return epoch < 100 ? 0.999 + epoch / 100 * 0.0009 : 0.9999;
    }

    public void update(AimViT online, double decay) {
        if (online.config != ema.config && !online.config.equals(ema.config))
            throw new IllegalArgumentException("ModelEma: online model config " + online.config + " differs from " + ema.config);
        Map<String, Parameter> src = online.namedParameters();
        try (GradMode.Scope s = GradMode.noGrad()) {
            for (Map.Entry<String, Parameter> e : ema.namedParameters().entrySet()) {
                Parameter p = e.getValue();
                p.set(p.data().mul(decay).add(src.get(e.getKey()).data().to(p.data().dtype()).mul(1 - decay)));
            }
        }
    }

    /** The averaged model (eval mode); use it for the order pass, not for training. */
    public AimViT module() {
        return ema;
    }
}
