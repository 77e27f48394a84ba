package dev.semaim.run;

import java.util.Map;

/**
 * The optimisation settings that pre-training ({@code PretrainOptions}) and the evaluation protocols share,
 * named after their flags: batch size, epochs, gradient accumulation, the learning-rate recipe (peak lr =
 * blr x effective batch / 256 unless an absolute lr is given; warm-up + cosine down to min_lr) and weight
 * decay. Each recipe sets its own defaults in its constructor.
 */
public abstract class OptimOptions {
    public int batchSize = 64;
    public int epochs;
    public int accumIter = 1;
    /** Base lr: absolute lr = blr x effective batch / 256 when {@link #lr} is NaN (unset). */
    public double blr;
    /** Absolute lr; NaN = from {@link #blr}. */
    public double lr = Double.NaN;
    /** Floor of the cosine schedule. */
    public double minLr;
    /** Linear warm-up from 0, in (fractional) epochs. */
    public double warmupEpochs;
    public double weightDecay = 0.05;

    /** Effective batch = batch x accumulation steps (one process). */
    public int effectiveBatch() {
        return batchSize * accumIter;
    }

    /** The absolute peak lr: {@link #lr} if set, else blr x effective batch / 256. */
    public double absoluteLr() {
        return Double.isNaN(lr) ? blr * effectiveBatch() / 256.0 : lr;
    }

    /** Adds these settings by flag name (batch_size ... weight_decay; lr as the absolute peak) to a settings map. */
    protected void putOptim(Map<String, Object> m) {
        m.put("batch_size", batchSize);
        m.put("epochs", epochs);
        m.put("accum_iter", accumIter);
        m.put("blr", blr);
        m.put("lr", absoluteLr());
        m.put("min_lr", minLr);
        m.put("warmup_epochs", warmupEpochs);
        m.put("weight_decay", weightDecay);
    }

    /** The warm-up must end before the last epoch and the floor must not exceed the peak lr (messages name the flags). */
    protected void checkSchedule() {
        if (warmupEpochs >= epochs) {
            throw new IllegalArgumentException("--warmup_epochs " + warmupEpochs + " must be smaller than --epochs " + epochs);
        }
        if (minLr > absoluteLr()) {
            throw new IllegalArgumentException("--min_lr " + minLr + " is larger than the peak lr " + absoluteLr());
        }
    }
}
