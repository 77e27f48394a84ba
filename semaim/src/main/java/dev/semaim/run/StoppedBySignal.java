package dev.semaim.run;

/**
 * A run that stopped on SIGINT/SIGTERM after writing its rolling checkpoint ({@link StopSignals}): the message
 * names the signal and the checkpoint; the process exits with {@link #exitCode()} (130 for SIGINT, 143 for SIGTERM).
 */
public final class StoppedBySignal extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int exitCode;

    public StoppedBySignal(String message, int exitCode) {
        super(message);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }
}
