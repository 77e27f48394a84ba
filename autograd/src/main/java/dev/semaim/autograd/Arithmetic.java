package dev.semaim.autograd;

import dev.semaim.tensor.Tensor;

/** Broadcasting arithmetic. Gradients are reduced back to each input's shape by {@link Var#accumulate}. */
public final class Arithmetic {
    private Arithmetic() {}

    public static Var add(Var a, Var b) {
        return Var.of("add", a.data().add(b.data()), g -> {
            a.accumulate(g);
            b.accumulate(g);
        }, a, b);
    }

    public static Var sub(Var a, Var b) {
        return Var.of("sub", a.data().sub(b.data()), g -> {
            a.accumulate(g);
            if (b.requiresGrad()) b.accumulate(g.neg());
        }, a, b);
    }

    public static Var mul(Var a, Var b) {
        return Var.of("mul", a.data().mul(b.data()), g -> {
            if (a.requiresGrad()) a.accumulate(g.mul(b.data()));
            if (b.requiresGrad()) b.accumulate(g.mul(a.data()));
        }, a, b);
    }

    public static Var div(Var a, Var b) {
        Tensor out = a.data().div(b.data());
        return Var.of("div", out, g -> {
            if (a.requiresGrad()) a.accumulate(g.div(b.data()));
            // d(a/b)/db = -a/b² = -out/b
            if (b.requiresGrad()) b.accumulate(g.mul(out).div(b.data()).neg());
        }, a, b);
    }

    public static Var addScalar(Var a, double c) {
        return Var.of("add", a.data().add(c), a::accumulate, a);
    }

    public static Var mulScalar(Var a, double c) {
        return Var.of("mul", a.data().mul(c), g -> a.accumulate(g.mul(c)), a);
    }

    /** a^p for a constant exponent; in F32 under {@link Autocast}. */
    public static Var pow(Var input, double p) {
        Var a = Autocast.forFloat32(input);
        return Var.of("pow", a.data().pow(p), g -> a.accumulate(g.mul(a.data().pow(p - 1)).mul(p)), a);
    }
}
