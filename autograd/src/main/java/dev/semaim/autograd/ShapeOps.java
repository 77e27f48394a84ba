package dev.semaim.autograd;

import dev.semaim.tensor.Tensor;

/** View and layout operations: the gradient of a view is the inverse view of the gradient. */
public final class ShapeOps {
    private ShapeOps() {}

    public static Var reshape(Var x, int... shape) {
        int[] in = x.shape();
        return Var.of("reshape", x.data().reshape(shape), g -> x.accumulate(g.reshape(in)), x);
    }

    public static Var permute(Var x, int... axes) {
        int[] inverse = new int[axes.length];
        for (int i = 0; i < axes.length; i++) inverse[axes[i] < 0 ? axes[i] + axes.length : axes[i]] = i;
        return Var.of("permute", x.data().permute(axes), g -> x.accumulate(g.permute(inverse)), x);
    }

    public static Var transpose(Var x, int a, int b) {
        return Var.of("transpose", x.data().transpose(a, b), g -> x.accumulate(g.transpose(a, b)), x);
    }

    public static Var narrow(Var x, int axis, int start, int length) {
        int[] shape = x.shape();
        int ax = axis < 0 ? axis + shape.length : axis;
        return Var.of("narrow", x.data().narrow(ax, start, length), g -> {
            Tensor full = Tensor.full(0, g.dtype(), g.backend(), shape);
            full.narrow(ax, start, length).copyFrom(g);
            x.accumulate(full);
        }, x);
    }

    public static Var select(Var x, int axis, int index) {
        int ax = axis < 0 ? axis + x.rank() : axis;
        return squeeze(narrow(x, ax, index, 1), ax);
    }

    public static Var expand(Var x, int... shape) {
        return Var.of("expand", x.data().expand(shape), x::accumulate, x);
    }

    public static Var unsqueeze(Var x, int axis) {
        int[] in = x.shape();
        return Var.of("unsqueeze", x.data().unsqueeze(axis), g -> x.accumulate(g.reshape(in)), x);
    }

    public static Var squeeze(Var x, int axis) {
        int[] in = x.shape();
        return Var.of("squeeze", x.data().squeeze(axis), g -> x.accumulate(g.reshape(in)), x);
    }

    public static Var contiguous(Var x) {
        if (x.data().isContiguous()) return x;
        return Var.of("contiguous", x.data().contiguous(), x::accumulate, x);
    }

    public static Var cat(int axis, Var... xs) {
        Tensor[] ts = new Tensor[xs.length];
        for (int i = 0; i < xs.length; i++) ts[i] = xs[i].data();
        Tensor out = Tensor.cat(axis, ts);
        int ax = axis < 0 ? axis + out.rank() : axis;
        return Var.of("cat", out, g -> {
            int at = 0;
            for (Var x : xs) {
                int n = x.size(ax);
                if (x.requiresGrad()) x.accumulate(g.narrow(ax, at, n));
                at += n;
            }
        }, xs);
    }

    public static Var stack(int axis, Var... xs) {
        Var[] u = new Var[xs.length];
        for (int i = 0; i < xs.length; i++) u[i] = unsqueeze(xs[i], axis);
        return cat(axis, u);
    }

    public static Var[] split(Var x, int axis, int... sizes) {
        Var[] out = new Var[sizes.length];
        for (int i = 0, at = 0; i < sizes.length; at += sizes[i++]) out[i] = narrow(x, axis, at, sizes[i]);
        return out;
    }
}
