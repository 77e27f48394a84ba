package dev.semaim.settings;

import java.util.List;

/** {@code --device}: the compute backend a run uses (a name of {@code dev.semaim.tensor.Backends#byName}). */
public enum Device implements Choice {
    CPU("cpu"),
    CUDA("cuda"),
    /** The first available plug-in backend, else the CPU. */
    AUTO("auto");

    private final List<String> spellings;

    Device(String... spellings) {
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

    public static Device parse(String text) {
        return Choice.parse(Device.class, text);
    }
}
