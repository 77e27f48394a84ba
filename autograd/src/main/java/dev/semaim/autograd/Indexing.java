package dev.semaim.autograd;

import dev.semaim.tensor.Tensor;

/** Gathers and selections by integer index tensors (the indices are constants). */
public final class Indexing {
    private Indexing() {}

    /** Rows (or slices along axis) picked by a 1-D index; the gradient is added back with indexAdd. */
    public static Var indexSelect(Var x, int axis, Tensor index) {
        int[] shape = x.shape();
        int ax = axis < 0 ? axis + shape.length : axis;
        return Var.of("indexSelect", x.data().indexSelect(ax, index), Var.saved(index), g -> {
            Tensor full = Tensor.full(0, g.dtype(), g.backend(), shape);
            full.backend().indexAdd(full, ax, index, g);
            x.accumulate(full);
        }, x);
    }

    /** torch.gather; the gradient is the scatter-add of g at the same indices. */
    public static Var gather(Var x, int axis, Tensor index) {
        int[] shape = x.shape();
        int ax = axis < 0 ? axis + shape.length : axis;
        return Var.of("gather", x.data().gather(ax, index), Var.saved(index), g -> {
            Tensor zeros = Tensor.full(0, g.dtype(), g.backend(), shape);
            x.accumulate(zeros.scatterAdd(ax, index, g));
        }, x);
    }

    /** A copy of base with src added at index along axis (torch.scatter_add); differentiable in both. */
    public static Var scatterAdd(Var base, int axis, Tensor index, Var src) {
        int ax = axis < 0 ? axis + base.rank() : axis;
        return Var.of("scatterAdd", base.data().scatterAdd(ax, index, src.data()), Var.saved(index), g -> {
            base.accumulate(g);
            if (!src.requiresGrad()) return;
            // only src's leading corner of index's shape was read; the rest gets a zero gradient
            Tensor picked = g.gather(ax, index);
            if (picked.sameShape(src.data())) {
                src.accumulate(picked);
            } else {
                Tensor full = Tensor.full(0, g.dtype(), g.backend(), src.shape());
                Tensor corner = full;
                for (int a = 0; a < picked.rank(); a++) corner = corner.narrow(a, 0, picked.size(a));
                corner.copyFrom(picked);
                src.accumulate(full);
            }
        }, base, src);
    }
}
