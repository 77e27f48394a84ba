package dev.semaim.run;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Called after every epoch's line is appended to log.txt (before the epoch's checkpoint). The CLI registers one
 * that redraws curves.png beside the log, so that the training code knows nothing of charts.
 */
@FunctionalInterface
public interface EpochListener {
    /**
     * @param epoch 0-based epoch just finished
     * @param log   the run's log.txt
     */
    void onEpoch(int epoch, Path log) throws IOException;
}
