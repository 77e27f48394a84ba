package dev.semaim.model;

import dev.semaim.settings.Choice;

/** {@code loss_type}: the pixel loss of §5.2, squared or absolute error. */
public enum LossType implements Choice {
    L2,
    L1;

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
