package dev.semaim.model;

import dev.semaim.tensor.DType;
import dev.semaim.tensor.Shape;
import dev.semaim.tensor.Tensor;
import dev.semaim.tensor.TensorScope;

/**
 * Additive attention masks from a priority (spec §3): 0 = allowed, −inf = blocked, shape (B, 1, T, T)
 * with T = L + 1, rows = attending token, columns = attended token, token 0 = cls. Column 0 is open for
 * every row; the cls row sees only column 0.
 */
public final class Masks {
    private Masks() {}

    /** Content stream: patch i sees patch j iff π[j] ≤ π[i] (itself and equal priorities included). */
    public static Tensor content(Tensor priority) {
        return build(priority, false);
    }

    /** Query stream: query i sees content j iff {@code π[j] < π[i]} strictly (never itself). */
    public static Tensor query(Tensor priority) {
        return build(priority, true);
    }

    // priority: (B, L) → mask (B, 1, L+1, L+1)
    private static Tensor build(Tensor priority, boolean strict) {
        if (priority.rank() != 2 || !priority.dtype().floating)
            throw new IllegalArgumentException("Masks: priority " + priority + " is not a floating (B, L) tensor");
        int b = priority.size(0), l = priority.size(1), t = l + 1;
        return TensorScope.returning(() -> {                                       // built every step: temporaries go
            Tensor pi = priority.unsqueeze(2), pj = priority.unsqueeze(1);        // pi: (B, L, 1), pj: (B, 1, L)
            Tensor patchBlocked = (strict ? pi.le(pj) : pi.lt(pj)).to(DType.F32);   // (B, L, L), 1 = blocked
            Tensor blocked = Tensor.full(1, DType.F32, priority.backend(), b, t, t); // cls row: all blocked ...
            blocked.narrow(1, 1, l).narrow(2, 1, l).copyFrom(patchBlocked);
            blocked.narrow(2, 0, 1).fillInPlace(0);                                // ... but column 0 is open for all
            Tensor open = Tensor.full(0, DType.F32, priority.backend(), b, t, t);
            return open.maskedFill(blocked, Double.NEGATIVE_INFINITY).unsqueeze(1);
        });
    }

    /** The 0/1 "blocked" form of an additive mask (1 where −inf), for inspection and tests. */
    public static Tensor blocked(Tensor mask) {
        if (mask.rank() < 2) throw new IllegalArgumentException("Masks.blocked: mask " + Shape.str(mask.shape()) + " is not a matrix");
        return mask.lt(-1e30).to(DType.F32);
    }
}
