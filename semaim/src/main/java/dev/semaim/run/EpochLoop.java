package dev.semaim.run;

import dev.semaim.data.Batch;
import dev.semaim.data.DataLoader;
import dev.semaim.nn.Module;
import dev.semaim.nn.StateDict;
import dev.semaim.nn.io.Json;
import dev.semaim.nn.optim.GradScaler;
import dev.semaim.nn.optim.LrSchedule;
import dev.semaim.nn.optim.Optimizer;
import dev.semaim.run.TrainingState.EpochTotals;
import dev.semaim.tensor.Tensor;
import dev.semaim.tensor.TensorScope;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.DoubleSupplier;

/**
 * The epoch loop that pre-training, fine-tuning and linear probing share (MAE's {@code train_one_epoch} with the
 * epoch bookkeeping of its {@code main}): the learning rate from the schedule on the first micro-batch of every
 * accumulation group, the protocol's {@link Step}, the progress line, a stop on a non-finite loss, a
 * JSON line per epoch in log.txt (and one every {@code --log_every_steps} iterations), the {@link MetricsListener}s
 * (TensorBoard), rolling and numbered {@link Checkpoints}, and an optional wall-time limit.
 * What differs between the protocols comes in as the {@link Step} and the {@link EpochHooks}: what happens
 * before an epoch (the classifiers switch to training mode) and after it (their held-out evaluation, whose fields
 * join the log line).
 *
 * <pre>
 *   for epoch in [start.epoch, epochs):
 *     hooks.beforeEpoch; zero grad
 *     for batch it in [start.batch (first epoch only), iters):
 *       lr = schedule(epoch + it / iters)   (on it % accum_iter == 0; over the time limit when scheduled over time)
 *       loss = step(batch, lr, update = (it + 1) % accum_iter == 0); non-finite -> NonFiniteLossException
 *       progress; mid-epoch checkpoint (every N optimizer steps, or at the time limit); step listener;
 *       metrics listeners; log.txt iteration line (every log_every_steps iterations)
 *       SIGINT/SIGTERM received -> checkpoint-latest at the start of the accumulation group; StoppedBySignal
 *     fields = hooks.afterEpoch; log.txt line; epoch listener; metrics listeners; checkpoint-latest (+ numbered)
 *     SIGINT/SIGTERM received (and epochs remain) -> StoppedBySignal
 * </pre>
 *
 * <p>Resume: a checkpoint holds (epoch, next batch, optimizer steps, seed) and the sums of its epoch's log line so
 * far, and the first epoch continues at the saved batch from those sums, so a resumed run sees exactly the batches an
 * uninterrupted one would and logs the same epoch means (the iterations redone since the checkpoint log their lines
 * and TensorBoard scalars again, at the same step). A partial accumulation group at the end of an epoch is dropped
 * (the next epoch zeroes its gradients) so that epoch boundaries carry no state; a group longer than an epoch is
 * refused at the start.
 */
public final class EpochLoop {
    /**
     * One training iteration. It runs in a {@link TensorScope} of its own: every buffer it makes (the batch on the
     * device, the forward's temporaries) goes back to the backend when it returns.
     */
    @FunctionalInterface
    public interface Step {
        /**
         * @param update true on the last micro-batch of an accumulation group: clip, step, zero grad
         * @return the batch loss (before any 1/accum_iter scaling)
         */
        double run(Batch batch, int epoch, int iter, double lr, boolean update);
    }

    /** What a protocol does around each epoch; both default to nothing. */
    public interface EpochHooks {
        /** Before the first batch of {@code epoch} (e.g. the model into training mode). */
        default void beforeEpoch(int epoch) {
        }

        /** After the last batch of {@code epoch}, before its log line: fields for that line (e.g. held-out accuracy). */
        default Map<String, Object> afterEpoch(int epoch) throws IOException {
            return Map.of();
        }
    }

    /**
     * The end of the loop.
     *
     * @param nextEpoch        the epoch a resume would continue with (= epochs when the loop finished)
     * @param optimizerSteps   optimizer steps done in total, resumed ones included
     * @param lastEpochLoss    mean loss of the last epoch trained (of the epoch cut short at the time limit); NaN if none
     * @param imagesTrained    images through the {@link Step} in this process
     * @param stepNanos        time spent in the {@link Step}
     * @param trainSeconds     time spent in the epochs' batch loops (steps, data, progress and checkpoints within them)
     * @param lastCheckpoint   the last checkpoint written (the one resumed from, or null, when none was)
     * @param timeLimitReached whether the loop stopped early at its time limit
     */
    public record End(int nextEpoch, long optimizerSteps, double lastEpochLoss, long imagesTrained, long stepNanos,
                      double trainSeconds, Path lastCheckpoint, boolean timeLimitReached) {
        /** Training throughput of the steps; NaN when none ran. */
        public double imagesPerSecond() {
            return stepNanos == 0 ? Double.NaN : imagesTrained / (stepNanos / 1e9);
        }
    }

    private final RunOptions o;
    private final Module model;
    private final Optimizer optimizer;
    private final LrSchedule schedule;
    private final ProgressLine progress;
    private final JsonLinesLog log;
    private final RunFiles files;
    private final Map<String, String> checkpointMetadata;
    private int saveEveryEpochs;
    private int saveEverySteps;
    /** Null without a time limit. */
    private RunClock clock;
    private Duration timeLimit;
    private boolean scheduleOverTime;
    private StepListener stepListener = (epoch, iter, loss, lr) -> { };
    private EpochListener epochListener = (epoch, logFile) -> { };
    private EpochHooks hooks = new EpochHooks() { };
    private DoubleSupplier gradientNorm = () -> Double.NaN;
    private final List<MetricsListener> metrics = new ArrayList<>();
    private StopSignals stopSignals;
    private Module ema;
    private GradScaler lossScaler;
    private boolean writesOutputs = true;

    /**
     * A loop over {@code o.epochs} epochs of batches of {@code o.batchSize}, accumulating {@code o.accumIter}
     * micro-batches, writing {@code log} and checkpoints (the model's state, the optimizer's, the
     * {@link TrainingState} and {@code checkpointMetadata}) under the names of {@code files}: the rolling checkpoint
     * after every epoch, a numbered one after the last.
     */
    public EpochLoop(RunOptions o, Module model, Optimizer optimizer, LrSchedule schedule, ProgressLine progress,
                     JsonLinesLog log, RunFiles files, Map<String, String> checkpointMetadata) {
        this.o = o;
        this.model = model;
        this.optimizer = optimizer;
        this.schedule = schedule;
        this.progress = progress;
        this.log = log;
        this.files = files;
        this.checkpointMetadata = new LinkedHashMap<>(checkpointMetadata);
        // every protocol's checkpoints record the process count, which a mid-epoch position is counted in (ResumedConfig)
        this.checkpointMetadata.put(ResumedConfig.PROCESSES, Integer.toString(o.processes()));
    }

    /**
     * Numbered checkpoints also after every {@code everyEpochs}-th epoch (0 = only after the last), and
     * checkpoint-latest also every {@code everySteps} optimizer steps within an epoch (0 = never).
     */
    public EpochLoop checkpointEvery(int everyEpochs, int everySteps) {
        this.saveEveryEpochs = everyEpochs;
        this.saveEverySteps = everySteps;
        return this;
    }

    /**
     * Stops at the first optimizer step after {@code limit} (null = none; the time by {@code clock}) with a checkpoint;
     * with {@code scheduleOverTime} the lr schedule runs over that time instead of over the epochs (the demo). The loop
     * reads the clock only with a limit: after each optimizer step, at each epoch's end but the last, and (over time)
     * for the lr of each accumulation group, in that order on every process ({@link RunClock#ofRank0}).
     */
    public EpochLoop timeLimit(RunClock clock, Duration limit, boolean scheduleOverTime) {
        if (scheduleOverTime && limit == null) {
            throw new IllegalArgumentException("an lr schedule over time needs a time limit");
        }
        this.clock = limit == null ? null : clock;
        this.timeLimit = limit;
        this.scheduleOverTime = scheduleOverTime;
        return this;
    }

    /** What the protocol does before and after each epoch (default: nothing). */
    public EpochLoop epochHooks(EpochHooks h) {
        this.hooks = h;
        return this;
    }

    /**
     * Stops on {@code s} instead of on SIGINT/SIGTERM (which the loop handles by default while it runs; see
     * {@link StopSignals}).
     */
    public EpochLoop stopOn(StopSignals s) {
        this.stopSignals = s;
        return this;
    }

    /** Also saves this EMA copy's weights in every checkpoint, under {@link Checkpoints#EMA_PREFIX}. */
    public EpochLoop saveEma(Module emaCopy) {
        this.ema = emaCopy;
        return this;
    }

    /**
     * Without outputs this process writes no log.txt line, metrics or checkpoint and calls no epoch listener: a rank
     * other than 0 of a data-parallel run, whose weights are rank 0's.
     */
    public EpochLoop writesOutputs(boolean on) {
        this.writesOutputs = on;
        return this;
    }

    /** Called after every iteration, after any checkpoint of that iteration. */
    public EpochLoop onStep(StepListener l) {
        this.stepListener = l;
        return this;
    }

    /** Called after every epoch's log line, before the epoch's checkpoint. */
    public EpochLoop onEpoch(EpochListener l) {
        this.epochListener = l;
        return this;
    }

    /**
     * Where the global gradient norm of the optimizer step just taken comes from (e.g. {@link GradientUpdate#lastNorm});
     * read after every iteration that steps. Without it log.txt has no {@code train_total_norm}.
     */
    public EpochLoop gradientNorm(DoubleSupplier norm) {
        this.gradientNorm = norm;
        return this;
    }

    /**
     * The float16 run's loss scaler: its scale is logged (log.txt {@code fp16_scaler}, TensorBoard {@code fp16_scaler})
     * and its state saved in every checkpoint ({@link Checkpoints#LOSS_SCALER}).
     */
    public EpochLoop lossScaler(GradScaler s) {
        this.lossScaler = s;
        return this;
    }

    /** Adds a listener for every iteration's numbers and every epoch's log line (after the step and epoch listeners). */
    public EpochLoop onMetrics(MetricsListener l) {
        this.metrics.add(l);
        return this;
    }

    /**
     * Trains from {@code start} (epoch, next batch) to the last epoch or the time limit.
     *
     * @param iters          iterations per epoch (at most the loader's batches per epoch; at least 1)
     * @param lastCheckpoint the checkpoint resumed from (named when the loss diverges before a new one is written); may be null
     */
    public End run(DataLoader loader, int iters, TrainingState start, Path lastCheckpoint, Step step) throws IOException {
        checkAccumulation(loader, iters);
        if (stopSignals != null) {
            return run(loader, iters, start, lastCheckpoint, step, stopSignals);
        }
        try (StopSignals signals = StopSignals.install()) {
            return run(loader, iters, start, lastCheckpoint, step, signals);
        }
    }

    /**
     * An accumulation group longer than an epoch never completes: the partial group at an epoch's end is dropped, so the
     * run would take no optimizer step at all, yet write its checkpoints as if it had trained. A usage error naming what
     * sets the iterations per epoch.
     */
    private void checkAccumulation(DataLoader loader, int iters) {
        if (o.accumIter <= iters) {
            return;
        }
        String limit = o.maxStepsPerEpoch > 0 && o.maxStepsPerEpoch < loader.batchesPerEpoch() ? "--max_steps_per_epoch " + o.maxStepsPerEpoch
                : loader.samplesPerEpoch() + " images" + (o.worldSize > 1 ? " per process" : "") + " / --batch_size " + o.batchSize;
        throw new IllegalArgumentException("--accum_iter " + o.accumIter + " is more than the " + iters + " iteration" + (iters == 1 ? "" : "s")
                + " per epoch (" + limit + "): an accumulation group would never complete, and the run would take no optimizer step; "
                + "give --accum_iter " + iters + " or less");
    }

    private End run(DataLoader loader, int iters, TrainingState start, Path lastCheckpoint, Step step, StopSignals stop)
            throws IOException {
        long seed = start.seed();
        long optimizerSteps = start.optimizerSteps();
        long imagesTrained = 0, stepNanos = 0;
        double trainSeconds = 0;
        double lastEpochLoss = Double.NaN;
        double limitSeconds = timeLimit == null ? Double.POSITIVE_INFINITY : timeLimit.toNanos() / 1e9;
        double elapsed = 0; // the clock's last reading
        int remainingIters = (o.epochs - start.epoch()) * iters - start.batch();
        long parameters = model.parameterCount(true);
        if (writesOutputs) { // also at (0, 0): an earlier try killed before its first checkpoint logged the batches it ran
            int dropped = log.keepBefore(start.epoch(), start.batch());
            if (dropped > 0) {
                progress.note(log.file() + ": " + dropped + " line" + (dropped == 1 ? "" : "s") + " from epoch " + start.epoch() + ", batch "
                        + start.batch() + " on left out, written by an earlier try past its last checkpoint (this run trains and logs them again)");
            }
        }

        for (int epoch = start.epoch(); epoch < o.epochs; epoch++) {
            int first = epoch == start.epoch() ? start.batch() : 0;
            // the epoch's batches before a mid-epoch resume count in its line as they would have uninterrupted
            EpochTotals totals = first > 0 ? start.epochSoFar() : EpochTotals.NONE;
            EpochTotals groupStart = totals; // where a stop mid-group goes back to
            double secondsBefore = totals.seconds();
            hooks.beforeEpoch(epoch);
            long epochStart = System.nanoTime();
            double lr = schedule.at(epoch + (double) first / iters);
            optimizer.zeroGrad();
            int from = Math.min(first, loader.batchesPerEpoch()); // past iters when resumed after the cap was lowered
            for (Batch b : loader.epoch(epoch, from, Math.max(from, iters))) { // the loader builds no batch past the cap
                int it = b.index();
                if (it >= iters) {
                    break;
                }
                if (it % o.accumIter == 0) {
                    lr = schedule.at(scheduleOverTime
                            ? o.epochs * Math.min(1.0, clock.elapsedSeconds() / limitSeconds)
                            : epoch + (double) it / iters);
                    groupStart = totals;
                }
                boolean update = (it + 1) % o.accumIter == 0;
                long t0 = System.nanoTime();
                double loss;
                try (TensorScope scope = TensorScope.open()) { // the step's buffers (its device copy of the batch too) go at its end
                    loss = step.run(b, epoch, it, lr, update);
                }
                if (!Double.isFinite(loss)) {
                    throw new NonFiniteLossException("loss is " + loss, epoch, it, lastCheckpoint);
                }
                long t1 = System.nanoTime();
                stepNanos += t1 - t0;
                imagesTrained += b.size();
                optimizerSteps += update ? 1 : 0;
                remainingIters--;
                double norm = update ? gradientNorm.getAsDouble() : Double.NaN;
                totals = totals.plus(loss, lr, norm, secondsBefore + (t1 - epochStart) / 1e9);
                double eta = Math.min(remainingIters * totals.seconds() / totals.iterations(), limitSeconds - elapsed);
                double imagesPerSecond = imagesPerSecond(totals);
                progress.update(epoch, scheduleOverTime ? 0 : o.epochs, it, iters, loss, totals.lossSum() / totals.iterations(), lr,
                        imagesPerSecond, eta);
                if (clock != null && update) {
                    elapsed = clock.elapsedSeconds();
                }
                boolean outOfTime = update && elapsed >= limitSeconds;
                MetricsListener.Iteration stats = new MetricsListener.Iteration(epoch, it, (long) epoch * iters + it, loss, lr,
                        update, norm, imagesPerSecond, lossScaler == null ? Double.NaN : lossScaler.scale());
                for (MetricsListener m : metrics) {
                    if (writesOutputs) m.onIteration(stats);
                }
                if (writesOutputs && o.logEverySteps > 0 && stats.step() % o.logEverySteps == 0) {
                    log.append(iterationLine(stats));
                }
                // saved after the iteration is logged, as the epoch's checkpoint after its line: the log then never
                // lacks a line its checkpoint is past, and a resume drops what it logged beyond (JsonLinesLog.keepBefore)
                boolean saved = false;
                if (update && ((saveEverySteps > 0 && optimizerSteps % saveEverySteps == 0) || outOfTime) && it + 1 < iters) {
                    lastCheckpoint = save(files.latestCheckpoint(), new TrainingState(epoch, it + 1, optimizerSteps, seed, 0, totals), epoch, it,
                            lastCheckpoint);
                    saved = true;
                }
                stepListener.onStep(epoch, it, loss, lr);
                if (stop.requested() && it + 1 < iters) {
                    // The weights are those after the last optimizer step, so the resume point is the start of the
                    // current accumulation group: its micro-batches (at most accum_iter - 1) are redone on resume.
                    int resumeAt = update ? it + 1 : it - it % o.accumIter;
                    if (!saved) {
                        lastCheckpoint = save(files.latestCheckpoint(), new TrainingState(epoch, resumeAt, optimizerSteps, seed, 0,
                                update ? totals : groupStart), epoch, it, lastCheckpoint);
                    }
                    throw stop.stopped(epoch, resumeAt, lastCheckpoint);
                }
                if (outOfTime && it + 1 < iters) {
                    progress.message(String.format(Locale.ROOT, "time limit reached at epoch %d, step %d; checkpoint %s",
                            epoch, it, lastCheckpoint));
                    return new End(epoch, optimizerSteps, totals.lossSum() / totals.iterations(), imagesTrained, stepNanos,
                            trainSeconds + (System.nanoTime() - epochStart) / 1e9, lastCheckpoint, true);
                }
            }
            trainSeconds += (System.nanoTime() - epochStart) / 1e9;
            Map<String, Object> epochFields = hooks.afterEpoch(epoch);
            // none when resumed at the end of an epoch whose cap was lowered since, from a checkpoint without the totals
            if (totals.iterations() > 0) {
                lastEpochLoss = totals.lossSum() / totals.iterations();
                Map<String, Object> line = new LinkedHashMap<>();
                line.put("train_loss", lastEpochLoss);
                line.put("train_lr", totals.lrSum() / totals.iterations());
                if (totals.norms() > 0) {
                    line.put("train_total_norm", totals.normSum() / totals.norms());
                }
                line.putAll(epochFields);
                line.put("epoch", epoch);
                line.put("n_parameters", parameters);
                line.put("images_per_s", imagesPerSecond(totals));
                line.put("optimizer_steps", optimizerSteps);
                if (lossScaler != null) {
                    line.put("fp16_scaler", lossScaler.scale());
                }
                if (writesOutputs) {
                    log.append(line);
                    epochListener.onEpoch(epoch, log.file());
                    for (MetricsListener m : metrics) {
                        m.onEpoch(epoch, line);
                    }
                }
            }
            TrainingState next = new TrainingState(epoch + 1, 0, optimizerSteps, seed, 0);
            lastCheckpoint = save(files.latestCheckpoint(), next, epoch, iters - 1, lastCheckpoint);
            if ((saveEveryEpochs > 0 && (epoch + 1) % saveEveryEpochs == 0) || epoch + 1 == o.epochs) {
                lastCheckpoint = save(files.numberedCheckpoint(epoch + 1), next, epoch, iters - 1, lastCheckpoint);
            }
            if (stop.requested() && epoch + 1 < o.epochs) {
                throw stop.stopped(epoch + 1, 0, lastCheckpoint);
            }
            if (clock != null && epoch + 1 < o.epochs) {
                elapsed = clock.elapsedSeconds();
            }
            if (elapsed >= limitSeconds && epoch + 1 < o.epochs) {
                progress.message("time limit reached after epoch " + epoch + "; checkpoint " + lastCheckpoint);
                return new End(epoch + 1, optimizerSteps, lastEpochLoss, imagesTrained, stepNanos, trainSeconds, lastCheckpoint, true);
            }
        }
        return new End(o.epochs, optimizerSteps, lastEpochLoss, imagesTrained, stepNanos, trainSeconds, lastCheckpoint, false);
    }

    /**
     * The epoch's training throughput so far: its images over the seconds spent on them. An epoch resumed mid-way counts
     * the time before its checkpoint and after the resume, not the pause between, nor the first try of iterations
     * redone after a kill; so its rate is a rate of training, like an uninterrupted epoch's, though timed by two runs.
     */
    private double imagesPerSecond(EpochTotals totals) {
        return totals.iterations() * (double) o.batchSize / totals.seconds();
    }

    /**
     * A per-iteration line of log.txt; its {@code "iter"} key tells it from the epoch lines, e.g.
     * {@code {"epoch": 1, "iter": 4, "step": 14, "train_loss": 0.93, "train_lr": 1.0e-4, "train_total_norm": 2.1, "images_per_s": 80.0}}
     * ({@code train_total_norm} only where the optimizer stepped and the norm is measured).
     */
    private static Map<String, Object> iterationLine(MetricsListener.Iteration s) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("epoch", s.epoch());
        line.put("iter", s.iter());
        line.put("step", s.step());
        line.put("train_loss", s.loss());
        line.put("train_lr", s.lr());
        if (Double.isFinite(s.gradNorm())) {
            line.put("train_total_norm", s.gradNorm());
        }
        line.put("images_per_s", s.imagesPerSecond());
        if (!Double.isNaN(s.lossScale())) {
            line.put("fp16_scaler", s.lossScale());
        }
        return line;
    }

    /**
     * Writes a checkpoint unless a tensor of the model (trainable, frozen or buffer) has gone non-finite; then the
     * run stops naming {@code lastGood}, the last checkpoint this run wrote or resumed from (both known finite).
     */
    private Path save(Path file, TrainingState state, int epoch, int iter, Path lastGood) {
        if (!writesOutputs) {
            return lastGood;
        }
        Map<String, Tensor> weights = StateDict.of(model);
        boolean suspect = false;
        try (TensorScope scope = TensorScope.open()) { // the sums' buffers
            for (Tensor t : weights.values()) { // a sum on the tensor's backend: no host copy of the weights at every save
                suspect |= t.dtype().floating && !Double.isFinite(t.sum().item());
            }
        }
        String nonFinite = suspect ? StateDict.describeNonFinite(weights) : null; // null too when a sum merely overflowed
        if (nonFinite != null) {
            throw new NonFiniteLossException("the weights became non-finite (" + nonFinite + ")", epoch, iter, lastGood);
        }
        Map<String, String> meta = checkpointMetadata;
        if (lossScaler != null) {
            meta = new LinkedHashMap<>(checkpointMetadata);
            meta.put(Checkpoints.LOSS_SCALER, Json.object(lossScaler.state()));
        }
        Checkpoints.save(file, model, optimizer, state, meta, ema);
        return file;
    }
}
