package dev.semaim.model;

import dev.semaim.autograd.Arithmetic;
import dev.semaim.autograd.Var;
import dev.semaim.tensor.Shape;
import dev.semaim.tensor.Tensor;

/** The pre-training losses (spec §5.2, §5.3) with their per-patch maps. */
public final class ReconstructionLoss {
    private ReconstructionLoss() {}

    /** The scalar loss and the per-patch loss map (B, L) (logging only). */
    public record Result(Var loss, Tensor lossMap) {}

    /**
     * Pixel loss: mean over all B·L·K elements of (pred − target)² ('L2') or |pred − target| ('L1');
     * the map is the mean over K. pred: (B, L, K) (cls slot already dropped), target: (B, L, K) constant.
     */
    public static Result pixel(Var pred, Tensor target, LossType lossType) {
        check(pred, target);
        Var err = Arithmetic.sub(pred, Var.constant(target));          // err: (B, L, K)
        Var e = switch (lossType) {
            case L2 -> err.square();
            case L1 -> err.abs();
        };
        return new Result(e.mean(), e.data().mean(false, 2));
    }

    /**
     * Feature loss: with t = L2normalise(target) and y = L2normalise(pred) per patch, the mean over B·L
     * of ‖y − t‖² (= 2 − 2·cos); the map is the per-patch value. pred, target: (B, L, K).
     */
    public static Result feature(Var pred, Tensor target) {
        check(pred, target);
        Var y = l2Normalise(pred);                                      // y: (B, L, K)
        Tensor t = OrderMaps.l2Normalise(target);                       // t: (B, L, K)
        Var perPatch = Arithmetic.sub(y, Var.constant(t)).square().sum(false, 2); // (B, L)
        return new Result(perPatch.mean(), perPatch.data());
    }

    /** x / max(‖x‖₂, 1e-12) over the last axis (F.normalize), differentiable. */
    static Var l2Normalise(Var x) {
        Var n = x.norm(true, -1).clamp(OrderMaps.NORMALISE_EPS, Double.MAX_VALUE); // n: (..., 1)
        return Arithmetic.div(x, n);
    }

    private static void check(Var pred, Tensor target) {
        if (pred.rank() != 3 || !java.util.Arrays.equals(pred.shape(), target.shape()))
            throw new IllegalArgumentException("ReconstructionLoss: prediction " + Shape.str(pred.shape()) + " and target " + Shape.str(target.shape()) + " are not the same (B, L, K)");
    }
}
