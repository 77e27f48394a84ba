package dev.semaim.settings;

/** {@code --device}: the compute backend a run uses (a name of {@code dev.semaim.tensor.Backends#byName}). */
public enum Device implements Choice {
    CPU,
    CUDA,
    /** The first available plug-in backend, else the CPU. */
    AUTO;

    /** The canonical spelling, so that messages and logs read as the command line does. */
    @Override
    public String toString() {
        return spelling();
    }
}
