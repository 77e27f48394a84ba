package dev.semaim.model;

import dev.semaim.settings.Choice;

/**
 * {@code predict_feature}: what the prediction head regresses (spec §2.6, §5): pixels ({@code none}) or the features of
 * a target encoder: the model's own unmasked order pass ({@code inference}) or a frozen teacher ({@code clip},
 * {@code dino}). {@code ema} needs an EMA copy of the model as the target encoder, which training does not keep yet.
 */
public enum FeatureTarget implements Choice {
    NONE,
    INFERENCE,
    EMA {
        @Override
        public String unavailable() {
            return "needs --use_ema_model (an EMA target encoder), which is not supported yet";
        }
    },
    CLIP,
    DINO;

    /** The canonical spelling, so that messages and logs read as the command line does. */
    @Override
    public String toString() {
        return spelling();
    }

    /** Whether the target is a frozen teacher's features ({@link AimViT#setTeacher}). */
    public boolean usesTeacher() {
        return this == CLIP || this == DINO;
    }
}
