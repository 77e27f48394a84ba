package dev.semaim.nn.layers;

import dev.semaim.tensor.OrderMask;
import dev.semaim.tensor.Tensor;

/**
 * What an attention layer masks with: nothing, an additive tensor (B or 1, 1, Tq, Tk) of 0 / −inf (the unfused path,
 * which also gives the probabilities), or an {@link OrderMask} that the fused attention builds on the fly from the
 * priorities (no mask tensor, no probabilities; {@link dev.semaim.autograd.FlashAttention}).
 *
 * @param additive the additive mask, or null
 * @param order    the order mask, or null (at most one of the two is set)
 */
public record AttentionMask(Tensor additive, OrderMask order) {
    public static final AttentionMask NONE = new AttentionMask(null, null);

    public AttentionMask {
        if (additive != null && order != null) throw new IllegalArgumentException("AttentionMask: an additive mask or an order mask, not both");
    }

    /** The additive mask (null: none). */
    public static AttentionMask additive(Tensor mask) {
        return mask == null ? NONE : new AttentionMask(mask, null);
    }

    /** The order mask, applied by the fused attention. */
    public static AttentionMask order(OrderMask mask) {
        return new AttentionMask(null, java.util.Objects.requireNonNull(mask, "order mask"));
    }

    /** Whether the fused attention serves this mask (no probabilities come back). */
    public boolean fused() {
        return order != null;
    }
}
