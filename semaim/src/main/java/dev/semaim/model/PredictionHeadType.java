package dev.semaim.model;

import dev.semaim.settings.Choice;

import java.util.List;

/** {@code prediction_head_type}: the prediction head over the query stream (§2.6), a 2-layer MLP or one Linear. */
public enum PredictionHeadType implements Choice {
    MLP("MLP"),
    LINEAR("LINEAR");

    private final List<String> spellings;

    PredictionHeadType(String... spellings) {
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
    public static PredictionHeadType parse(String text) {
        return Choice.parse(PredictionHeadType.class, text);
    }
}
