package dev.semaim.data.augment;

import dev.semaim.settings.Choice;

/** What {@link RandomErasing} writes into its box: timm's {@code mode} ({@code --remode}). */
public enum ErasingMode implements Choice {
    /** Per-pixel N(0, 1) noise in every channel (timm's 'pixel', the fine-tuning recipe's). */
    PIXEL,
    /** One N(0, 1) value per channel, the whole box in that colour (timm's 'rand'). */
    RAND,
    /** Zeros: the normalised image's mean colour (timm's 'const'). */
    CONST;

    @Override
    public String toString() {
        return spelling();
    }
}
