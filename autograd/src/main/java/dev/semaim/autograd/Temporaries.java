package dev.semaim.autograd;

import dev.semaim.tensor.Storage;

/**
 * Hands the temporaries of a forward computation back to their backend ({@link dev.semaim.tensor.Tensor#release})
 * once the code that made them is done with them, when that is provably safe: grad mode is off (so no graph node
 * captured them) and their storage was made after {@link #begin} (so it is no parameter, input or other value the
 * caller could hold, even when the temporary is a view). With grad mode on, {@link #drop} does nothing.
 * The order pass and other no-grad forwards reuse their activations' memory this way.
 */
public final class Temporaries {
    private final long start = Storage.latestSerial();
    private final boolean active = !GradMode.isEnabled();

    private Temporaries() {}

    /** Starts tracking: values made from now on may be dropped. */
    public static Temporaries begin() {
        return new Temporaries();
    }

    /**
     * The caller's promise that it holds the only reference to {@code v}, a value its own code computed, and will not
     * use it again: released unless grad mode was on at {@link #begin}, v's storage is older than that, or one of
     * {@code keep} (values still in use) shares it.
     */
    public void drop(Var v, Var... keep) {
        if (!active || v == null) return;
        Storage s = v.data().storage();
        if (s.serial() <= start) return;
        for (Var k : keep) if (k != null && k.data().storage() == s) return;
        v.data().release();
    }
}
