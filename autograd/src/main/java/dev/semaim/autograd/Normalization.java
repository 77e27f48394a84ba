package dev.semaim.autograd;

import dev.semaim.tensor.Tensor;

/** Fused layer normalisation over the last axis. */
public final class Normalization {
    private Normalization() {}

    /** (x - mean) / sqrt(var + eps) · w + b over the last axis (biased variance); w and b may be null. */
    public static Var layerNorm(Var x, Var w, Var b, double eps) {
        Tensor.LayerNormResult r = x.data().layerNorm(w == null ? null : w.data(), b == null ? null : b.data(), eps);
        Var[] inputs = w == null ? new Var[] {x} : b == null ? new Var[] {x, w} : new Var[] {x, w, b};
        return Var.of("layerNorm", r.out(), g -> {
            Tensor gc = g.contiguous(), xc = x.data().contiguous();
            Tensor dx = Tensor.empty(xc.dtype(), xc.backend(), xc.shape());
            Tensor dw = w != null && w.requiresGrad() ? Tensor.full(0, xc.dtype(), xc.backend(), w.shape()) : null;
            Tensor db = b != null && b.requiresGrad() ? Tensor.full(0, xc.dtype(), xc.backend(), b.shape()) : null;
            xc.backend().layerNormBackward(gc, xc, w == null ? null : w.data().contiguous(), r.mean(), r.rstd(), dx, dw, db);
            x.accumulate(dx);
            if (dw != null) w.accumulate(dw);
            if (db != null) b.accumulate(db);
        }, inputs);
    }
}
