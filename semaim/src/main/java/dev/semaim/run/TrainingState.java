package dev.semaim.run;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where a run stands, as saved in a checkpoint's metadata: the next batch to train is batch {@code batch} of
 * epoch {@code epoch} (0-based; batch 0 after a finished epoch), after {@code optimizerSteps} optimizer
 * steps. {@code seed} keys every random stream of the run: the data loader's shuffles and augmentations
 * (seed, epoch, sample) and the per-iteration order noise (seed, epoch, batch), so (seed, epoch, batch) is the
 * whole RNG state; {@code rngCounter} is the base stream's counter, kept for completeness.
 */
public record TrainingState(int epoch, int batch, long optimizerSteps, long seed, long rngCounter) {
    static final String EPOCH = "epoch";
    static final String BATCH = "batch";
    static final String OPTIMIZER_STEPS = "optimizer_steps";
    static final String SEED = "rng_seed";
    static final String RNG_COUNTER = "rng_counter";

    /** A fresh run. */
    public static TrainingState start(long seed) {
        return new TrainingState(0, 0, 0, seed, 0);
    }

    public Map<String, String> toMetadata() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(EPOCH, Integer.toString(epoch));
        m.put(BATCH, Integer.toString(batch));
        m.put(OPTIMIZER_STEPS, Long.toString(optimizerSteps));
        m.put(SEED, Long.toString(seed));
        m.put(RNG_COUNTER, Long.toString(rngCounter));
        return m;
    }

    /** Reads the fields back; a missing or malformed one is an error naming the checkpoint file. */
    public static TrainingState fromMetadata(Path file, Map<String, String> m) {
        return new TrainingState((int) field(file, m, EPOCH), (int) field(file, m, BATCH), field(file, m, OPTIMIZER_STEPS),
                field(file, m, SEED), field(file, m, RNG_COUNTER));
    }

    private static long field(Path file, Map<String, String> m, String key) {
        String v = m.get(key);
        if (v == null) {
            throw new IllegalArgumentException("checkpoint " + file + " has no '" + key + "' in its metadata (not a pre-training checkpoint?)");
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("checkpoint " + file + ": metadata '" + key + "' = '" + v + "' is not an integer");
        }
    }
}
