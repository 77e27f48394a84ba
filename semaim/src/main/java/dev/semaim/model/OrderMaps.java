package dev.semaim.model;

import dev.semaim.tensor.Tensor;
import dev.semaim.tensor.TensorScope;

/**
 * The maps of the order pass (spec §4.2) from the unmasked encoder: Z = norm(encoder output) (B, T, D)
 * and the last block's attention probabilities. cls map = softmax_p cos(Z[0], Z[1+p]); gap map = the
 * same with the mean of the normed patch tokens as reference; self map = head-averaged probabilities
 * of the cls query over the patches (not renormalised). lastProbs (B, H, T, T) is kept for inspection
 * (per-head pictures).
 */
public record OrderMaps(Tensor z, Tensor cosCls, Tensor cosGap, Tensor selfMap, Tensor lastProbs) {
    /** torch F.normalize's eps. */
    public static final double NORMALISE_EPS = 1e-12;

    /** z: (B, T, D); lastProbs: (B, H, T, T). */
    public static OrderMaps of(Tensor z, Tensor lastProbs) {
        int t = z.size(1), l = t - 1;
        try (TensorScope scope = TensorScope.open()) {                         // the temporaries go, the maps stay
            Tensor zn = l2Normalise(z);                                         // zn: (B, T, D)
            Tensor patches = zn.narrow(1, 1, l);                                // patches: (B, L, D)
            Tensor cosCls = patches.mul(zn.narrow(1, 0, 1)).sum(false, 2);      // (B, L)
            Tensor gap = l2Normalise(z.narrow(1, 1, l).mean(true, 1));          // gap: (B, 1, D)
            Tensor cosGap = patches.mul(gap).sum(false, 2);                     // (B, L)
            Tensor self = lastProbs.mean(false, 1).select(1, 0).narrow(1, 1, l).copy(); // (B, L), its own storage
            scope.keep(cosCls, cosGap, self);
            return new OrderMaps(z, cosCls, cosGap, self, lastProbs);
        }
    }

    /** The map A (B, L) of an attention type. */
    public Tensor map(AttentionType attentionType) {
        switch (attentionType) {
            case CLS: return cosCls.softmax(1);
            case GAP: return cosGap.softmax(1);
            case SELF: return selfMap;
        }
        throw new IllegalStateException("OrderMaps: no map for " + attentionType);
    }

    /** The cosine similarities (B, L) the map of {@code attentionType} is a softmax of (cls for self, which has none). */
    public Tensor cos(AttentionType attentionType) {
        return attentionType == AttentionType.GAP ? cosGap : cosCls;
    }

    /**
     * The order map of a feature teacher (§4.4): min-max normalised cos(F[0], F[1+p]),
     * (s − min)/(max − min + 1e-6). features: (B, T, K) → (B, L).
     */
    public static Tensor teacherMap(Tensor features) {
        int l = features.size(1) - 1;
        return TensorScope.returning(() -> {
            Tensor fn = l2Normalise(features);
            Tensor s = fn.narrow(1, 1, l).mul(fn.narrow(1, 0, 1)).sum(false, 2); // s: (B, L)
            Tensor min = s.min(true, 1), max = s.max(true, 1);
            return s.sub(min).div(max.sub(min).add(1e-6));
        });
    }

    /** x / max(‖x‖₂, 1e-12) over the last axis. */
    public static Tensor l2Normalise(Tensor x) {
        return TensorScope.returning(() -> x.div(x.norm(true, -1).maximum(NORMALISE_EPS)));
    }
}
