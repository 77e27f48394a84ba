package dev.semaim.run;

import java.io.IOException;
import java.util.Map;

/**
 * Receives the numbers the {@link EpochLoop} measures, for a log other than log.txt (the TensorBoard event file,
 * {@link TensorBoardLog}): every iteration's, and every epoch's log line.
 */
public interface MetricsListener {
    /**
     * One training iteration.
     *
     * @param epoch           0-based epoch
     * @param iter            0-based iteration within the epoch
     * @param step            0-based iteration counted over the whole run (epoch x iterations per epoch + iter), the
     *                        x axis of the official code's TensorBoard curves; the same after a resume
     * @param loss            the iteration's loss (before the 1/accum_iter scaling)
     * @param lr              the learning rate in effect
     * @param update          whether the optimizer stepped (the last micro-batch of an accumulation group)
     * @param gradNorm        global L2 norm of the gradients before clipping when {@code update}; NaN otherwise, or
     *                        when the protocol does not measure it
     * @param imagesPerSecond the epoch's training throughput so far
     * @param lossScale       the float16 loss scale after the iteration (NaN without loss scaling)
     */
    record Iteration(int epoch, int iter, long step, double loss, double lr, boolean update, double gradNorm,
                     double imagesPerSecond, double lossScale) {
    }

    void onIteration(Iteration it) throws IOException;

    /** After the epoch's line is appended to log.txt; {@code line} holds its fields. */
    void onEpoch(int epoch, Map<String, Object> line) throws IOException;
}
