package dev.semaim.model;

import dev.semaim.settings.Choice;

import java.util.List;

/** {@code loss_type}: the pixel loss of §5.2, squared or absolute error. */
public enum LossType implements Choice {
    L2("L2"),
    L1("L1");

    private final List<String> spellings;

    LossType(String... spellings) {
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
    public static LossType parse(String text) {
        return Choice.parse(LossType.class, text);
    }
}
