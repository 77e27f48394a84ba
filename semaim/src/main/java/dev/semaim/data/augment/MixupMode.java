package dev.semaim.data.augment;

import dev.semaim.settings.Choice;

/** How {@link Mixup} draws its parameters: timm's {@code mode} ({@code --mixup_mode}). */
public enum MixupMode implements Choice {
    /** One lambda (and one cutmix box) for the whole batch (the recipe's). */
    BATCH,
    /** One lambda per pair (b, B-1-b), both images of a pair mixed with each other. */
    PAIR,
    /** One lambda per image b, mixed with the original of image B-1-b. */
    ELEM;

    @Override
    public String toString() {
        return spelling();
    }
}
