package dev.semaim.tensor;

/**
 * SemAIM's attention masks (spec §3) as their rule instead of a (B, 1, T, T) tensor, for attention that builds them
 * on the fly ({@link Backend#flashAttention}). Tokens are T = L + 1, token 0 the cls token: every query sees key 0;
 * the cls query sees only key 0; patch query i sees patch key j iff π[j] ≤ π[i] (content stream, itself and equal
 * priorities included) or π[j] &lt; π[i] (query stream, {@code strict}: never itself, equal priorities not).
 *
 * @param priority (B, L) floating, one value per patch (lower = earlier)
 * @param strict   true for the query stream's mask
 */
public record OrderMask(Tensor priority, boolean strict) {
    public OrderMask {
        if (priority.rank() != 2 || !priority.dtype().floating)
            throw new IllegalArgumentException("OrderMask: priority " + priority + " is not a floating (B, L) tensor");
    }

    /** The content stream's mask: patch i sees patch j iff π[j] ≤ π[i]. */
    public static OrderMask content(Tensor priority) {
        return new OrderMask(priority, false);
    }

    /** The query stream's mask: query i sees content j iff π[j] &lt; π[i]. */
    public static OrderMask query(Tensor priority) {
        return new OrderMask(priority, true);
    }

    /** T = L + 1 tokens (cls first). */
    public int tokens() {
        return priority.size(1) + 1;
    }

    /**
     * Whether query token i sees key token j, for one image's priorities pi (length L) read from {@code pi[base ..]}.
     * The one statement of the rule the reference and the tests use (the CUDA kernel has its twin in attention.cu).
     */
    public static boolean visible(double[] pi, int base, int i, int j, boolean strict) {
        if (j == 0) return true;
        if (i == 0) return false;
        double qi = pi[base + i - 1], kj = pi[base + j - 1];
        return strict ? kj < qi : kj <= qi;
    }
}
