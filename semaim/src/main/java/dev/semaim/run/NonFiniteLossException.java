package dev.semaim.run;

import java.nio.file.Path;

/** Training diverged: the message names the epoch and iteration and the last good checkpoint (kept as it was). */
public final class NonFiniteLossException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public NonFiniteLossException(String what, int epoch, int iter, Path lastGood) {
        super(what + " at epoch " + epoch + ", step " + iter + "; stopping. "
                + (lastGood == null ? "No checkpoint was written by this run." : "The last good checkpoint is " + lastGood + "."));
    }
}
