package dev.semaim.model;

import dev.semaim.settings.Choice;

/** {@code attention_type}: the similarity map A of the attention orders (§4.2); {@link OrderMaps#map} computes it. */
public enum AttentionType implements Choice {
    /** Softmax over the patches of cos(normed cls token, normed patch). */
    CLS,
    /** The same with the normed mean patch token as reference. */
    GAP,
    /** The last block's cls-row attention probabilities, averaged over heads. */
    SELF;

    /** The canonical spelling, so that messages and logs read as the command line does. */
    @Override
    public String toString() {
        return spelling();
    }
}
