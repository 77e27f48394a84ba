package dev.semaim.autograd;

import dev.semaim.tensor.Tensor;

/** One-input elementwise functions. */
public final class Elementwise {
    private Elementwise() {}

    /** e^x; in F32 under {@link Autocast}. */
    public static Var exp(Var input) {
        Var x = Autocast.forFloat32(input);
        Tensor y = x.data().exp();
        return Var.of("exp", y, g -> x.accumulate(g.mul(y)), x);
    }

    /** ln x; in F32 under {@link Autocast}. */
    public static Var log(Var input) {
        Var x = Autocast.forFloat32(input);
        return Var.of("log", x.data().log(), g -> x.accumulate(g.div(x.data())), x);
    }

    public static Var sqrt(Var x) {
        Tensor y = x.data().sqrt();
        return Var.of("sqrt", y, g -> x.accumulate(g.div(y).mul(0.5)), x);
    }

    /** 1/sqrt(x); in F32 under {@link Autocast}. */
    public static Var rsqrt(Var input) {
        Var x = Autocast.forFloat32(input);
        Tensor y = x.data().rsqrt();
        // d x^-1/2 = -1/2 x^-3/2 = -1/2 y³
        return Var.of("rsqrt", y, g -> x.accumulate(g.mul(y.mul(y).mul(y)).mul(-0.5)), x);
    }

    public static Var abs(Var x) {
        return Var.of("abs", x.data().abs(), g -> x.accumulate(g.mul(x.data().sign())), x);
    }

    public static Var tanh(Var x) {
        Tensor y = x.data().tanh();
        return Var.of("tanh", y, g -> x.accumulate(g.mul(y.square().neg().add(1))), x);
    }

    public static Var erf(Var x) {
        // d erf(x) = 2/√π exp(-x²)
        return Var.of("erf", x.data().erf(), g -> x.accumulate(g.mul(x.data().square().neg().exp().mul(2 / Math.sqrt(Math.PI)))), x);
    }

    /** Exact (erf) GELU, as torch.nn.GELU(). */
    public static Var gelu(Var x) {
        return Var.of("gelu", x.data().gelu(), g -> x.accumulate(x.data().geluGrad(g)), x);
    }

    public static Var relu(Var x) {
        return Var.of("relu", x.data().relu(), g -> x.accumulate(g.mul(x.data().gt(0))), x);
    }

    public static Var square(Var x) {
        return Var.of("square", x.data().square(), g -> x.accumulate(g.mul(x.data()).mul(2)), x);
    }

    /** Clamp to [lo, hi]; the gradient passes where lo ≤ x ≤ hi (torch's convention). */
    public static Var clamp(Var x, double lo, double hi) {
        return Var.of("clamp", x.data().clamp(lo, hi), g -> x.accumulate(g.mul(x.data().ge(lo).mul(x.data().le(hi)))), x);
    }

    /** cond != 0 ? a : b; cond is a constant. */
    public static Var where(Tensor cond, Var a, Var b) {
        return Var.of("where", Tensor.where(cond, a.data(), b.data()), Var.saved(cond), g -> {
            Tensor zero = Tensor.full(0, g.dtype(), g.backend());
            if (a.requiresGrad()) a.accumulate(Tensor.where(cond, g, zero));
            if (b.requiresGrad()) b.accumulate(Tensor.where(cond, zero, g));
        }, a, b);
    }
}
