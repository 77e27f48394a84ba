package dev.semaim.autograd;

import dev.semaim.tensor.Tensor;

/** Fused layer normalisation over the last axis. */
public final class Normalization {
    private Normalization() {}

    /**
     * (x - mean) / sqrt(var + eps) · w + b over the last axis (biased variance); w and b may be null. In F32 under
     * {@link Autocast}.
     */
    public static Var layerNorm(Var input, Var weight, Var bias, double eps) {
        Var x = Autocast.forFloat32(input), w = Autocast.forFloat32(weight), b = Autocast.forFloat32(bias);
        // a view (the query stream's positions broadcast over the batch) is copied once, this op's own: the fast
        // kernels want each row in one run, and the backward reads the same copy
        Tensor xd = x.data().isContiguous() ? x.data() : x.data().contiguous();
        Tensor.LayerNormResult r = xd.layerNorm(w == null ? null : w.data(), b == null ? null : b.data(), eps);
        Var[] inputs = w == null ? new Var[] {x} : b == null ? new Var[] {x, w} : new Var[] {x, w, b};
        return Var.of("layerNorm", r.out(), Var.saved(xd, r.mean(), r.rstd()), g -> {
            Tensor gc = g.contiguous();
            Tensor dx = Tensor.empty(xd.dtype(), xd.backend(), xd.shape());
            Tensor dw = w != null && w.requiresGrad() ? Tensor.full(0, xd.dtype(), xd.backend(), w.shape()) : null;
            Tensor db = b != null && b.requiresGrad() ? Tensor.full(0, xd.dtype(), xd.backend(), b.shape()) : null;
            xd.backend().layerNormBackward(gc, xd, w == null ? null : w.data().contiguous(), r.mean(), r.rstd(), dx, dw, db);
            if (x.requiresGrad()) x.accumulate(dx);
            if (dw != null) w.accumulate(dw);
            if (db != null) b.accumulate(db);
        }, inputs);
    }
}
