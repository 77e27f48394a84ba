package dev.semaim.model;

import dev.semaim.settings.Choice;

/** {@code prediction_head_type}: the prediction head over the query stream (§2.6), a 2-layer MLP or one Linear. */
public enum PredictionHeadType implements Choice {
    MLP,
    LINEAR;

    /** Spelled as the constant (the reference's upper-case string). */
    @Override
    public String spelling() {
        return name();
    }

    /** The canonical spelling, so that messages and logs read as the command line does. */
    @Override
    public String toString() {
        return spelling();
    }
}
