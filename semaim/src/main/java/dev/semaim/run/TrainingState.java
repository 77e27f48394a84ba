package dev.semaim.run;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Where a run stands, as saved in a checkpoint's metadata: the next batch to train is batch {@code batch} of
 * epoch {@code epoch} (0-based; batch 0 after a finished epoch), after {@code optimizerSteps} optimizer
 * steps. {@code seed} keys every random stream of the run: the data loader's shuffles and augmentations
 * (seed, epoch, sample) and the per-iteration order noise (seed, epoch, batch), so (seed, epoch, batch) is the
 * whole RNG state; {@code rngCounter} is the base stream's counter, kept for completeness. {@code epochSoFar} holds
 * what the epoch's log line averages over its batches before {@code batch}, so that an epoch resumed mid-way logs the
 * means of all its batches, as an uninterrupted run does.
 */
public record TrainingState(int epoch, int batch, long optimizerSteps, long seed, long rngCounter, EpochTotals epochSoFar) {
    static final String EPOCH = "epoch";
    static final String BATCH = "batch";
    static final String OPTIMIZER_STEPS = "optimizer_steps";
    static final String SEED = "rng_seed";
    static final String RNG_COUNTER = "rng_counter";
    static final String EPOCH_ITERATIONS = "epoch_iterations";
    static final String EPOCH_LOSS_SUM = "epoch_loss_sum";
    static final String EPOCH_LR_SUM = "epoch_lr_sum";
    static final String EPOCH_NORMS = "epoch_norms";
    static final String EPOCH_NORM_SUM = "epoch_norm_sum";
    static final String EPOCH_SECONDS = "epoch_seconds";

    /**
     * The sums behind an epoch's log line over its first {@code iterations} iterations: loss, lr, the gradient norms of
     * the {@code norms} optimizer steps whose norm was finite, and the seconds spent training them. Sums, not means,
     * so that a resumed epoch adds its remaining iterations in the order an uninterrupted one does: its means are
     * then the same to the last bit.
     */
    public record EpochTotals(int iterations, double lossSum, double lrSum, int norms, double normSum, double seconds) {
        /** No iteration yet. */
        public static final EpochTotals NONE = new EpochTotals(0, 0, 0, 0, 0, 0);

        /** These totals and one more iteration ({@code norm}: NaN where none was measured), {@code seconds} into the epoch. */
        public EpochTotals plus(double loss, double lr, double norm, double seconds) {
            boolean measured = Double.isFinite(norm); // an overflowed float16 step (skipped) has an infinite or NaN norm
            return new EpochTotals(iterations + 1, lossSum + loss, lrSum + lr, norms + (measured ? 1 : 0), normSum + (measured ? norm : 0), seconds);
        }
    }

    /** A position with no iteration of its epoch behind it (the start of an epoch, or metadata of an earlier version). */
    public TrainingState(int epoch, int batch, long optimizerSteps, long seed, long rngCounter) {
        this(epoch, batch, optimizerSteps, seed, rngCounter, EpochTotals.NONE);
    }

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
        if (epochSoFar.iterations() > 0) { // Double.toString reads back to the same double
            m.put(EPOCH_ITERATIONS, Integer.toString(epochSoFar.iterations()));
            m.put(EPOCH_LOSS_SUM, Double.toString(epochSoFar.lossSum()));
            m.put(EPOCH_LR_SUM, Double.toString(epochSoFar.lrSum()));
            m.put(EPOCH_NORMS, Integer.toString(epochSoFar.norms()));
            m.put(EPOCH_NORM_SUM, Double.toString(epochSoFar.normSum()));
            m.put(EPOCH_SECONDS, Double.toString(epochSoFar.seconds()));
        }
        return m;
    }

    /**
     * Reads the fields back; a missing or malformed one is an error naming the checkpoint file. The epoch's totals are
     * absent at an epoch's start, and in checkpoints written before they were saved (that epoch's line then averages
     * the batches after the resume only).
     */
    public static TrainingState fromMetadata(Path file, Map<String, String> m) {
        EpochTotals soFar = !m.containsKey(EPOCH_ITERATIONS) ? EpochTotals.NONE
                : new EpochTotals((int) field(file, m, EPOCH_ITERATIONS), real(file, m, EPOCH_LOSS_SUM), real(file, m, EPOCH_LR_SUM),
                (int) field(file, m, EPOCH_NORMS), real(file, m, EPOCH_NORM_SUM), real(file, m, EPOCH_SECONDS));
        return new TrainingState((int) field(file, m, EPOCH), (int) field(file, m, BATCH), field(file, m, OPTIMIZER_STEPS),
                field(file, m, SEED), field(file, m, RNG_COUNTER), soFar);
    }

    private static long field(Path file, Map<String, String> m, String key) {
        return parsed(file, m, key, Long::parseLong, "an integer");
    }

    private static double real(Path file, Map<String, String> m, String key) {
        return parsed(file, m, key, Double::parseDouble, "a number");
    }

    private static <T> T parsed(Path file, Map<String, String> m, String key, Function<String, T> parse, String what) {
        String v = present(file, m, key);
        try {
            return parse.apply(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("checkpoint " + file + ": metadata '" + key + "' = '" + v + "' is not " + what);
        }
    }

    private static String present(Path file, Map<String, String> m, String key) {
        String v = m.get(key);
        if (v == null) {
            throw new IllegalArgumentException("checkpoint " + file + " has no '" + key + "' in its metadata (not a pre-training checkpoint?)");
        }
        return v;
    }
}
