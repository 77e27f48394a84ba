package dev.semaim.model;

import dev.semaim.settings.Choice;

import java.util.List;

/** {@code attention_type}: the similarity map A of the attention orders (§4.2); {@link OrderMaps#map} computes it. */
public enum AttentionType implements Choice {
    /** Softmax over the patches of cos(normed cls token, normed patch). */
    CLS("cls"),
    /** The same with the normed mean patch token as reference. */
    GAP("gap"),
    /** The last block's cls-row attention probabilities, averaged over heads. */
    SELF("self");

    private final List<String> spellings;

    AttentionType(String... spellings) {
        this.spellings = List.of(spellings);
    }

    @Override
    public List<String> spellings() {
        return spellings;
    }

    /** The canonical spelling, so that messages and logs read as the command line does. */
    @Override
    public String toString() {
        return spelling();
    }

    /** The constant spelled {@code text}; an unknown spelling lists the choices. */
    public static AttentionType parse(String text) {
        return Choice.parse(AttentionType.class, text);
    }
}
