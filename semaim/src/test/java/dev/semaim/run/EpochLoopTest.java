package dev.semaim.run;

import dev.semaim.data.DataLoader;
import dev.semaim.data.EmbeddedFashionMnist;
import dev.semaim.data.ToTensor;
import dev.semaim.nn.layers.Linear;
import dev.semaim.nn.optim.Optimizer;
import dev.semaim.nn.optim.ParamGroup;
import dev.semaim.nn.io.Json;
import dev.semaim.nn.io.Safetensors;
import dev.semaim.nn.optim.Sgd;
import dev.semaim.tensor.Tensor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shared epoch loop on its own, with a scripted step (no model is trained): the order of the hooks, which
 * micro-batches step the optimizer and when the lr changes, the log line, which checkpoints are written, resume
 * mid-epoch and the stop on a non-finite loss.
 */
class EpochLoopTest {
    private static final int ITERS = 3;
    private static final int BATCH = 4;

    @TempDir
    Path dir;

    private final List<String> calls = new ArrayList<>();
    private int logEverySteps;
    private final Linear model = new Linear(2, 2);
    private final Optimizer optimizer = new Sgd(List.of(new ParamGroup("all", model.trainableParameters(), 1, 0)), 0.9);

    private EpochLoop loop(int epochs, int accumIter) throws IOException {
        return loop(epochs, accumIter, dir);
    }

    /** A loop writing log.txt and checkpoints into {@code out}. */
    private EpochLoop loop(int epochs, int accumIter, Path out) throws IOException {
        RunOptions o = new RunOptions() { };
        o.epochs = epochs;
        o.batchSize = BATCH;
        o.accumIter = accumIter;
        o.logEverySteps = logEverySteps;
        ProgressLine quiet = new ProgressLine(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), false, 1);
        return new EpochLoop(o, model, optimizer, e -> 0.1 * (e + 1), quiet, new JsonLinesLog(out), RunFiles.of(out, null, "linear", null, "temp"), Map.of("model", "linear"))
                .epochHooks(new EpochLoop.EpochHooks() {
                    @Override
                    public void beforeEpoch(int epoch) {
                        calls.add("before " + epoch);
                    }

                    @Override
                    public Map<String, Object> afterEpoch(int epoch) {
                        calls.add("after " + epoch);
                        return Map.of("test_acc1", 50.0 + epoch);
                    }
                })
                .onEpoch((epoch, log) -> calls.add("log " + epoch + " " + Files.readAllLines(log).size()));
    }

    /** The position a checkpoint saved, without the epoch's totals (whose seconds depend on timing). */
    private static TrainingState position(TrainingState s) {
        return new TrainingState(s.epoch(), s.batch(), s.optimizerSteps(), s.seed(), s.rngCounter());
    }

    /** The epoch lines of a log.txt (those without "iter"), parsed. */
    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> epochLines(Path log) throws IOException {
        List<Map<String, Object>> lines = new ArrayList<>();
        for (String l : Files.readAllLines(log)) {
            Map<String, Object> line = (Map<String, Object>) Json.parse(l);
            if (!line.containsKey("iter")) lines.add(line);
        }
        return lines;
    }

    private static DataLoader loader() {
        return DataLoader.builder(EmbeddedFashionMnist.train()).transform(new ToTensor()).batchSize(BATCH).shuffle(true)
                .dropLast(true).seed(3).build();
    }

    /** Records each step as "step epoch.iter lr update" and returns a loss of epoch + iter. */
    private EpochLoop.Step recording() {
        return (b, epoch, it, lr, update) -> {
            assertEquals(BATCH, b.size());
            calls.add(String.format(Locale.ROOT, "step %d.%d %.3f %s", epoch, it, lr, update ? "update" : "-"));
            return epoch + it;
        };
    }

    @Test
    void hooksRunAroundEachEpochAndTheLrChangesOncePerAccumulationGroup() throws IOException {
        EpochLoop.End end;
        try (DataLoader loader = loader()) {
            end = loop(2, 2).run(loader, ITERS, TrainingState.start(5), null, recording());
        }
        // lr = 0.1 (e + 1) at e = epoch + it / 3, taken on it 0 and 2; the group {2} is partial, so it steps nothing
        assertEquals(List.of("before 0", "step 0.0 0.100 -", "step 0.1 0.100 update", "step 0.2 0.167 -", "after 0", "log 0 1",
                "before 1", "step 1.0 0.200 -", "step 1.1 0.200 update", "step 1.2 0.267 -", "after 1", "log 1 2"), calls);
        assertEquals(new EpochLoop.End(2, 2, 2.0, 2L * ITERS * BATCH, end.stepNanos(), end.trainSeconds(),
                dir.resolve(Checkpoints.numbered(2)), false), end);
        String line = Files.readAllLines(dir.resolve("log.txt")).get(1);
        assertTrue(line.startsWith("{\"train_loss\": 2.0, \"train_lr\": 0.222") && line.contains(", \"test_acc1\": 51.0, \"epoch\": 1, \"n_parameters\": 6, \"images_per_s\": "), line);
        assertTrue(line.endsWith(", \"optimizer_steps\": 2}"), line);
        assertTrue(Files.isRegularFile(dir.resolve(Checkpoints.LATEST)));
        assertFalse(Files.exists(dir.resolve(Checkpoints.numbered(1))), "numbered checkpoints only after the last epoch by default");
        assertEquals(new TrainingState(2, 0, 2, 5, 0), Checkpoints.load(dir.resolve(Checkpoints.LATEST)).state());
    }

    /**
     * Issue 19 item 5: the epoch line carries train_total_norm (the mean gradient norm of the epoch's optimizer steps)
     * and n_parameters (trainable: Linear(2, 2) has 6); --log_every_steps N adds a line every N iterations of the run,
     * with the norm where the optimizer stepped; the metrics listeners see every iteration and every epoch line.
     */
    @Test
    void logEveryStepsAddsIterationLinesAndTheEpochLineCarriesNormAndParameterCount() throws IOException {
        logEverySteps = 2;
        List<String> seen = new ArrayList<>();
        double[] norm = {0};
        try (DataLoader loader = loader()) {
            EpochLoop.Step step = (b, epoch, it, lr, update) -> {
                norm[0] = update ? 10 * epoch + it : norm[0]; // what GradientUpdate#lastNorm would say after this step
                return epoch + it;
            };
            loop(2, 2).gradientNorm(() -> norm[0]).onMetrics(new MetricsListener() {
                @Override
                public void onIteration(Iteration it) {
                    seen.add(String.format(Locale.ROOT, "it %d.%d step %d loss %.0f %s norm %.0f", it.epoch(), it.iter(), it.step(),
                            it.loss(), it.update() ? "update" : "-", it.gradNorm()));
                    assertTrue(it.imagesPerSecond() > 0);
                }

                @Override
                public void onEpoch(int epoch, Map<String, Object> line) {
                    seen.add("epoch " + epoch + " " + line.get("train_total_norm") + " " + line.get("n_parameters"));
                }
            }).run(loader, ITERS, TrainingState.start(5), null, step);
        }
        // accum_iter 2 over 3 iterations: only iteration 1 of each epoch steps (the group {2} is partial)
        assertEquals(List.of("it 0.0 step 0 loss 0 - norm NaN", "it 0.1 step 1 loss 1 update norm 1", "it 0.2 step 2 loss 2 - norm NaN",
                "epoch 0 1.0 6", "it 1.0 step 3 loss 1 - norm NaN", "it 1.1 step 4 loss 2 update norm 11",
                "it 1.2 step 5 loss 3 - norm NaN", "epoch 1 11.0 6"), seen);
        List<String> lines = Files.readAllLines(dir.resolve("log.txt"));
        assertEquals(5, lines.size(), String.join("\n", lines));
        assertTrue(lines.get(0).startsWith("{\"epoch\": 0, \"iter\": 0, \"step\": 0, \"train_loss\": 0.0, \"train_lr\": 0.1, \"images_per_s\": "), lines.get(0));
        assertTrue(lines.get(1).startsWith("{\"epoch\": 0, \"iter\": 2, \"step\": 2, \"train_loss\": 2.0, "), lines.get(1));
        assertFalse(lines.get(1).contains("train_total_norm"), "no optimizer step at iteration 2: " + lines.get(1));
        assertTrue(lines.get(2).startsWith("{\"train_loss\": 1.0, \"train_lr\": 0.1") && lines.get(2).contains(", \"train_total_norm\": 1.0, ")
                && lines.get(2).contains(", \"epoch\": 0, \"n_parameters\": 6, "), lines.get(2));
        assertTrue(lines.get(3).startsWith("{\"epoch\": 1, \"iter\": 1, \"step\": 4, \"train_loss\": 2.0, \"train_lr\": 0.2, \"train_total_norm\": 11.0, \"images_per_s\": "),
                lines.get(3));
        assertTrue(lines.get(4).contains(", \"train_total_norm\": 11.0, ") && lines.get(4).contains("\"epoch\": 1, "), lines.get(4));
    }

    @Test
    void withoutAGradientNormTheLogHasNoTotalNormAndNoIterationLines() throws IOException {
        try (DataLoader loader = loader()) {
            loop(1, 1).run(loader, ITERS, TrainingState.start(5), null, recording());
        }
        List<String> lines = Files.readAllLines(dir.resolve("log.txt"));
        assertEquals(1, lines.size());
        assertFalse(lines.get(0).contains("train_total_norm"), lines.get(0));
    }

    /**
     * A run killed mid-epoch resumes at the batch after its last checkpoint, and that epoch's log line averages all of
     * its batches, as the uninterrupted run's does (it averaged only those after the resume).
     */
    @Test
    void aRunKilledMidEpochResumesAtTheNextBatchAndLogsTheWholeEpoch() throws IOException {
        class Killed extends RuntimeException {
            private static final long serialVersionUID = 1L;
        }
        Path full = dir.resolve("full");
        try (DataLoader loader = loader()) {
            loop(2, 1, full).run(loader, ITERS, TrainingState.start(5), null, recording());
        }
        calls.clear();
        try (DataLoader loader = loader()) {
            EpochLoop killed = loop(2, 1).checkpointEvery(1, 1).onStep((epoch, it, loss, lr) -> {
                if (epoch == 1 && it == 0) {
                    throw new Killed();
                }
            });
            assertThrows(Killed.class, () -> killed.run(loader, ITERS, TrainingState.start(5), null, recording()));
        }
        assertTrue(Files.isRegularFile(dir.resolve(Checkpoints.numbered(1))), "checkpointEvery(1, ...) numbers every epoch");
        TrainingState saved = Checkpoints.load(dir.resolve(Checkpoints.LATEST)).state();
        assertEquals(new TrainingState(1, 1, ITERS + 1, 5, 0), position(saved));
        assertEquals(1, saved.epochSoFar().iterations(), "the epoch's batch 0 is in the checkpoint's totals");
        assertEquals(1.0, saved.epochSoFar().lossSum()); // the scripted loss: epoch + iter

        calls.clear();
        try (DataLoader loader = loader()) {
            EpochLoop.End end = loop(2, 1).run(loader, ITERS, saved, dir.resolve(Checkpoints.LATEST), recording());
            assertEquals(2 * ITERS, end.optimizerSteps());
            assertEquals(2 * BATCH, end.imagesTrained());
            assertEquals(2.0, end.lastEpochLoss(), "the mean of epoch 1's losses 1, 2, 3");
        }
        assertEquals(List.of("before 1", "step 1.1 0.233 update", "step 1.2 0.267 update", "after 1", "log 1 2"), calls);
        Map<String, Object> uninterrupted = epochLines(full.resolve("log.txt")).get(1), resumed = epochLines(dir.resolve("log.txt")).get(1);
        assertEquals(uninterrupted.get("train_loss"), resumed.get("train_loss"));
        assertEquals(uninterrupted.get("train_lr"), resumed.get("train_lr"));
        assertEquals(uninterrupted.get("optimizer_steps"), resumed.get("optimizer_steps"));
    }

    /**
     * Lines logged after the checkpoint a run resumes from (by a later attempt killed before its own checkpoint, and a
     * line the kill cut short) are left out: the resumed log has the uninterrupted run's lines, once each.
     */
    @Test
    void aResumedRunLeavesOutTheLinesLoggedAfterItsCheckpoint() throws IOException {
        class Killed extends RuntimeException {
            private static final long serialVersionUID = 1L;
        }
        logEverySteps = 1;
        Path full = dir.resolve("full");
        try (DataLoader loader = loader()) {
            loop(2, 1, full).run(loader, ITERS, TrainingState.start(5), null, recording());
        }
        try (DataLoader loader = loader()) {
            EpochLoop killed = loop(2, 1).checkpointEvery(1, 1).onStep((epoch, it, loss, lr) -> {
                if (epoch == 1 && it == 0) {
                    throw new Killed();
                }
            });
            assertThrows(Killed.class, () -> killed.run(loader, ITERS, TrainingState.start(5), null, recording()));
        }
        Path log = dir.resolve("log.txt");
        Files.writeString(log, "{\"epoch\": 1, \"iter\": 1, \"step\": 4, \"train_loss\": 9}\n{\"train_loss\": 9, \"epoch\": 1}\n{\"epoch\": 1, \"it",
                StandardOpenOption.APPEND);
        TrainingState saved = Checkpoints.load(dir.resolve(Checkpoints.LATEST)).state();
        assertEquals(new TrainingState(1, 1, ITERS + 1, 5, 0), position(saved));
        try (DataLoader loader = loader()) {
            loop(2, 1).run(loader, ITERS, saved, dir.resolve(Checkpoints.LATEST), recording());
        }
        assertEquals(withoutRates(full.resolve("log.txt")), withoutRates(log));
    }

    /** A first try killed before its first checkpoint leaves lines, one cut short: the run started again logs its own only. */
    @Test
    void aRunStartedAfterAFirstTryWithoutACheckpointLogsItsOwnLinesOnly() throws IOException {
        logEverySteps = 1;
        Path full = dir.resolve("full");
        try (DataLoader loader = loader()) {
            loop(1, 1, full).run(loader, ITERS, TrainingState.start(5), null, recording());
        }
        Path log = dir.resolve("log.txt");
        Files.writeString(log, "{\"epoch\": 0, \"iter\": 0, \"step\": 0, \"train_loss\": 9}\n{\"epoch\": 0, \"it");
        try (DataLoader loader = loader()) {
            loop(1, 1).run(loader, ITERS, TrainingState.start(5), null, recording());
        }
        assertEquals(withoutRates(full.resolve("log.txt")), withoutRates(log));
    }

    /** A log's lines without their images_per_s, which timing decides. */
    private static List<Object> withoutRates(Path log) throws IOException {
        List<Object> lines = new ArrayList<>();
        for (String line : Files.readAllLines(log)) {
            Map<?, ?> fields = new LinkedHashMap<>((Map<?, ?>) Json.parse(line));
            fields.remove("images_per_s");
            lines.add(fields);
        }
        return lines;
    }

    @Test
    void aNonFiniteLossStopsTheRunNamingTheLastGoodCheckpoint() throws IOException {
        try (DataLoader loader = loader()) {
            EpochLoop.Step diverging = (b, epoch, it, lr, update) -> epoch == 1 && it == 1 ? Double.NaN : 1.0;
            NonFiniteLossException e = assertThrows(NonFiniteLossException.class,
                    () -> loop(2, 1).run(loader, ITERS, TrainingState.start(5), null, diverging));
            assertEquals("loss is NaN at epoch 1, step 1; stopping. The last good checkpoint is " + dir.resolve(Checkpoints.LATEST) + ".",
                    e.getMessage());
        }
    }

    /**
     * Issue 17 item 3: weights gone non-finite with a finite loss are never saved, and the message names no checkpoint
     * this run neither wrote nor resumed from (here a stale file of another run in the folder).
     */
    @Test
    void nonFiniteWeightsAreNeverSavedAndAStaleFileIsNotCalledTheLastGoodOne() throws IOException {
        Path stale = dir.resolve(Checkpoints.LATEST);
        Files.write(stale, new byte[] {1, 2, 3});
        try (DataLoader loader = loader()) {
            EpochLoop.Step poisoning = (b, epoch, it, lr, update) -> {
                model.weight.data().fillInPlace(Float.NaN);
                return 1.0;
            };
            NonFiniteLossException e = assertThrows(NonFiniteLossException.class,
                    () -> loop(1, 1).run(loader, ITERS, TrainingState.start(5), null, poisoning));
            assertEquals("the weights became non-finite (weight has 4 of 4 values NaN or infinite) at epoch 0, step 2; stopping. "
                    + "No checkpoint was written by this run.", e.getMessage());
        }
        assertEquals(3, Files.size(stale), "nothing written");
    }

    /** Issue 17 item 3: `pretrain --resume` of a checkpoint holding NaN resumed it, and later called it the last good one. */
    @Test
    void aCheckpointWithNonFiniteWeightsIsNotResumed() {
        model.weight.data().fillInPlace(Float.NaN);
        Path file = dir.resolve("nan.safetensors");
        Checkpoints.save(file, model, optimizer, TrainingState.start(5), Map.of());
        Linear fresh = new Linear(2, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Checkpoints.load(file).restore(fresh,
                new Sgd(List.of(new ParamGroup("all", fresh.trainableParameters(), 1, 0)), 0.9)));
        assertEquals("checkpoint " + file + " holds non-finite weights (weight has 4 of 4 values NaN or infinite): training cannot "
                + "continue from it; resume from an earlier checkpoint", e.getMessage());
    }

    /** Issue 17 item 4: a weight stored as I32 resumed as its integers converted to floats. */
    @Test
    void aCheckpointWithAnIntegerWeightNamesFileTensorAndDtypes() {
        Path file = dir.resolve("i32.safetensors");
        Checkpoints.save(file, model, optimizer, TrainingState.start(5), Map.of());
        Safetensors.File saved = Safetensors.read(file); // rewritten with the weight declared I32
        Map<String, Tensor> tensors = new LinkedHashMap<>(saved.tensors());
        tensors.put("weight", Tensor.of(new int[4], 2, 2));
        Safetensors.write(file, tensors, saved.metadata());
        Checkpoints.Loaded forged = Checkpoints.load(file);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> forged.restore(model, optimizer));
        assertTrue(e.getMessage().startsWith("checkpoint " + file + " does not fit this model/optimizer: ")
                && e.getMessage().contains("weight: stored as I32 but the parameter is F32"), e.getMessage());
    }

    /**
     * A stop request (SIGINT/SIGTERM) after a micro-batch that did not step the optimizer checkpoints the start of its
     * accumulation group (the weights are those of the last step) and ends with the signal's exit code.
     */
    /**
     * The time limit goes by the clock the loop is given (rank 0's, broadcast, in a data-parallel run), read after each
     * optimizer step and at the end of each epoch but the last, never in between, so that every process reads it at the
     * same points; without a limit it is never read.
     */
    @Test
    void theTimeLimitGoesByTheGivenClockReadAfterEachOptimizerStepAndAtEpochEnds() throws IOException {
        double[] readings = {1, 2, 3, 4, 100};
        int[] read = {0};
        RunClock clock = () -> {
            calls.add("clock " + readings[read[0]]);
            return readings[read[0]++];
        };
        try (DataLoader loader = loader()) {
            loop(1, 2).timeLimit(clock, null, false).run(loader, ITERS, TrainingState.start(5), null, recording());
        }
        assertTrue(calls.stream().noneMatch(c -> c.startsWith("clock")), calls.toString());
        calls.clear();
        Files.delete(dir.resolve("log.txt"));
        EpochLoop.End end;
        try (DataLoader loader = loader()) {
            end = loop(3, 2).timeLimit(clock, Duration.ofSeconds(10), false).run(loader, ITERS, TrainingState.start(5), null, recording());
        }
        assertEquals(List.of("before 0", "step 0.0 0.100 -", "step 0.1 0.100 update", "clock 1.0", "step 0.2 0.167 -", "after 0", "log 0 1",
                "clock 2.0", "before 1", "step 1.0 0.200 -", "step 1.1 0.200 update", "clock 3.0", "step 1.2 0.267 -", "after 1", "log 1 2",
                "clock 4.0", "before 2", "step 2.0 0.300 -", "step 2.1 0.300 update", "clock 100.0"), calls);
        assertTrue(end.timeLimitReached());
        assertEquals(new TrainingState(2, 2, 3, 5, 0), position(Checkpoints.load(dir.resolve(Checkpoints.LATEST)).state()));
    }

    @Test
    void aStopMidAccumulationGroupCheckpointsTheGroupStart() throws IOException {
        StopSignals stop = StopSignals.none();
        try (DataLoader loader = loader()) {
            EpochLoop l = loop(2, 2).stopOn(stop).onStep((epoch, it, loss, lr) -> {
                if (epoch == 1 && it == 0) {
                    stop.request("SIGTERM", 143);
                }
            });
            StoppedBySignal e = assertThrows(StoppedBySignal.class, () -> l.run(loader, ITERS, TrainingState.start(5), null, recording()));
            assertEquals(143, e.exitCode());
            assertEquals("stopped by SIGTERM at epoch 1, batch 0: wrote " + dir.resolve(Checkpoints.LATEST)
                    + "; the same command continues from there", e.getMessage());
        }
        assertEquals(new TrainingState(1, 0, 1, 5, 0), Checkpoints.load(dir.resolve(Checkpoints.LATEST)).state());
        assertEquals("step 1.0 0.200 -", calls.get(calls.size() - 1), "the current step finishes, no other starts");
    }

    /**
     * A stop in the second accumulation group of an epoch goes back to that group's start with the totals of the batches
     * before it, so the resumed epoch's line is the uninterrupted one's.
     */
    @Test
    void aStopMidEpochAndMidGroupKeepsTheTotalsOfTheGroupStart() throws IOException {
        int iters = 4; // groups {0, 1} {2, 3}
        Path full = dir.resolve("full");
        try (DataLoader loader = loader()) {
            loop(1, 2, full).stopOn(StopSignals.none()).run(loader, iters, TrainingState.start(5), null, recording());
        }
        StopSignals stop = StopSignals.none();
        try (DataLoader loader = loader()) {
            EpochLoop l = loop(1, 2).stopOn(stop).onStep((epoch, it, loss, lr) -> {
                if (it == 2) {
                    stop.request("SIGTERM", 143);
                }
            });
            assertThrows(StoppedBySignal.class, () -> l.run(loader, iters, TrainingState.start(5), null, recording()));
        }
        TrainingState saved = Checkpoints.load(dir.resolve(Checkpoints.LATEST)).state();
        assertEquals(new TrainingState(0, 2, 1, 5, 0), position(saved));
        assertEquals(2, saved.epochSoFar().iterations(), "batch 2, redone on resume, is not in the totals");
        try (DataLoader loader = loader()) {
            loop(1, 2).stopOn(StopSignals.none()).run(loader, iters, saved, dir.resolve(Checkpoints.LATEST), recording());
        }
        Map<String, Object> uninterrupted = epochLines(full.resolve("log.txt")).get(0), resumed = epochLines(dir.resolve("log.txt")).get(0);
        assertEquals(1.5, resumed.get("train_loss"), "the mean of the losses 0, 1, 2, 3");
        assertEquals(uninterrupted.get("train_lr"), resumed.get("train_lr"));
    }

    /** An accumulation group longer than an epoch would never step: refused before the first batch, naming what sets the epoch. */
    @Test
    void anAccumulationGroupLongerThanAnEpochIsRefused() throws IOException {
        try (DataLoader loader = loader()) {
            int batches = loader.batchesPerEpoch();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> loop(1, batches + 1).run(loader, batches, TrainingState.start(5), null, recording()));
            assertEquals("--accum_iter " + (batches + 1) + " is more than the " + batches + " iterations per epoch ("
                    + loader.samplesPerEpoch() + " images / --batch_size " + BATCH + "): an accumulation group would never complete, and the run "
                    + "would take no optimizer step; give --accum_iter " + batches + " or less", e.getMessage());
        }
        assertEquals(List.of(), calls, "no step, no hook");
        assertFalse(Files.exists(dir.resolve("log.txt")));
    }

    @Test
    void aStopAfterAnOptimizerStepResumesAtTheNextBatch() throws IOException {
        StopSignals stop = StopSignals.none();
        try (DataLoader loader = loader()) {
            EpochLoop l = loop(2, 1).stopOn(stop).onStep((epoch, it, loss, lr) -> {
                if (epoch == 0 && it == 1) {
                    stop.request("SIGINT", 130);
                }
            });
            StoppedBySignal e = assertThrows(StoppedBySignal.class, () -> l.run(loader, ITERS, TrainingState.start(5), null, recording()));
            assertEquals(130, e.exitCode());
        }
        TrainingState saved = Checkpoints.load(dir.resolve(Checkpoints.LATEST)).state();
        assertEquals(new TrainingState(0, 2, 2, 5, 0), position(saved));
        calls.clear();
        try (DataLoader loader = loader()) {
            loop(2, 1).stopOn(StopSignals.none()).run(loader, ITERS, saved, dir.resolve(Checkpoints.LATEST), recording());
        }
        assertEquals("step 0.2 0.167 update", calls.get(1), "the resumed run continues with the next batch: " + calls);
    }

    /** On the last batch of an epoch the epoch ends as usual (held-out evaluation, log line, checkpoints), then the run stops. */
    @Test
    void aStopOnTheLastBatchFinishesTheEpochFirst() throws IOException {
        StopSignals stop = StopSignals.none();
        try (DataLoader loader = loader()) {
            EpochLoop l = loop(3, 1).stopOn(stop).onStep((epoch, it, loss, lr) -> {
                if (epoch == 0 && it == ITERS - 1) {
                    stop.request("SIGTERM", 143);
                }
            });
            StoppedBySignal e = assertThrows(StoppedBySignal.class, () -> l.run(loader, ITERS, TrainingState.start(5), null, recording()));
            assertTrue(e.getMessage().startsWith("stopped by SIGTERM at epoch 1, batch 0: "), e.getMessage());
        }
        assertEquals(List.of("after 0", "log 0 1"), calls.subList(calls.size() - 2, calls.size()));
        assertEquals(new TrainingState(1, 0, ITERS, 5, 0), Checkpoints.load(dir.resolve(Checkpoints.LATEST)).state());
    }
}
