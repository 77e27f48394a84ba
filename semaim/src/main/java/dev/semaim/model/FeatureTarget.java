package dev.semaim.model;

import dev.semaim.settings.Choice;

/**
 * {@code predict_feature}: what the prediction head regresses (spec §2.6, §4.4, §5): pixels ({@code none}) or the
 * normed token features of a target encoder, without gradients: the model's own unmasked order pass
 * ({@code inference}), its EMA copy ({@code ema}, needs {@code --use_ema_model}) or a frozen teacher from a file
 * ({@code clip}: OpenAI CLIP ViT-B/16's visual tower, projected to 512; {@code dino}: DINO ViT-B/16).
 */
public enum FeatureTarget implements Choice {
    NONE,
    INFERENCE,
    EMA,
    CLIP,
    DINO;

    /** The canonical spelling, so that messages and logs read as the command line does. */
    @Override
    public String toString() {
        return spelling();
    }

    /** Whether the target is a frozen teacher's features from a file, whose similarity map also gives the order (§4.4). */
    public boolean usesTeacher() {
        return this == CLIP || this == DINO;
    }

    /** Whether the target comes from an encoder other than the model itself ({@link AimViT#setTeacher}): clip, dino, ema. */
    public boolean needsTargetEncoder() {
        return usesTeacher() || this == EMA;
    }
}
