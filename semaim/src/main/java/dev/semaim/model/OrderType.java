package dev.semaim.model;

import dev.semaim.settings.Choice;

/**
 * {@code permutation_type}: the autoregression order (spec §4.1), spelled as in the reference; {@link Orders#priority}
 * computes it. {@code attention_center} is the SemAIM order.
 */
public enum OrderType implements Choice {
    /** Row-major raster (the reference's name, §12.5). */
    ZIGZAG,
    /** Boustrophedon ("snake"). */
    RASTER,
    /** i.i.d. uniform priorities (SAIM). */
    STOCHASTIC,
    /** Nested boxes around the grid centre, random inside each ring. */
    CENTER2OUT,
    /** Nested boxes around a random centre. */
    STOCHASTIC_CENTER,
    /** Most-attended patch first: 1 − A. */
    ATTENTION,
    /** Nested boxes around the argmax of A. */
    ATTENTION_GUIDED,
    /** Grid distance from the argmax of A, ties at random: SemAIM. */
    ATTENTION_CENTER;

    /** The canonical spelling, so that messages and logs read as the command line does. */
    @Override
    public String toString() {
        return spelling();
    }

    /** Whether the order reads the attention map A (the reference tests for "attention" in the name, §4.2). */
    public boolean needsMap() {
        return this == ATTENTION || this == ATTENTION_GUIDED || this == ATTENTION_CENTER;
    }
}
