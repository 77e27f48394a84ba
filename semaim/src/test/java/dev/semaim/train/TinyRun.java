package dev.semaim.train;

import dev.semaim.data.TrainingData;
import dev.semaim.nn.io.Json;
import dev.semaim.run.Checkpoints;
import dev.semaim.run.ProgressLine;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** A tiny, fast pre-training set-up for tests: 16x16x1 embedded Fashion-MNIST crops, patch 4, width 32, depth 2. */
final class TinyRun {
    final ByteArrayOutputStream log = new ByteArrayOutputStream();
    final List<Double> losses = new ArrayList<>();

    private TinyRun() {
    }

    static PretrainOptions options(Path outputDir) {
        PretrainOptions o = new PretrainOptions();
        o.model = "aim_tiny";
        o.embedDim = 32;
        o.depth = 2;
        o.numHeads = 2;
        o.queryDepth = 2;
        o.inputSize = 16;
        o.patchSize = 4;
        o.inChans = 1;
        o.normPixLoss = true;
        o.batchSize = 16;
        o.lr = 2e-3;
        o.epochs = 2;
        o.warmupEpochs = 0.25;
        o.maxStepsPerEpoch = 4;
        o.numWorkers = 0;
        o.dataPath = TrainingData.EMBEDDED;
        o.outputDir = outputDir;
        return o;
    }

    /** Runs the options, recording every iteration's loss; {@code killAfter} >= 0 throws after that many iterations. */
    static TinyRun run(PretrainOptions o, int killAfter) throws Exception {
        TinyRun r = new TinyRun();
        ProgressLine progress = new ProgressLine(new PrintStream(r.log, true, StandardCharsets.UTF_8), false, 1);
        new Pretrainer(o, progress).onStep((epoch, iter, loss, lr) -> {
            r.losses.add(loss);
            if (r.losses.size() == killAfter) {
                throw new Killed();
            }
        }).run();
        return r;
    }

    /**
     * The resume experiment: an uninterrupted 2x4-iteration run, then a run killed after iteration 7 (the rolling
     * checkpoint, written every 2 optimizer steps, is from after epoch 1, batch 1) and auto-resumed from it.
     *
     * @return {reference losses (8), losses of the resumed process (the last 2 iterations)}
     */
    static List<List<Double>> resumeExperiment(Path dir) throws Exception {
        return resumeExperiment(dir, o -> { });
    }

    /** As {@link #resumeExperiment(Path)} with {@code tweak} applied to the options of both runs (output dirs full/ and killed/). */
    static List<List<Double>> resumeExperiment(Path dir, Consumer<PretrainOptions> tweak) throws Exception {
        PretrainOptions full = options(dir.resolve("full"));
        full.saveEverySteps = 2;
        tweak.accept(full);
        List<Double> reference = run(full, -1).losses;
        PretrainOptions killed = options(dir.resolve("killed"));
        killed.saveEverySteps = 2;
        tweak.accept(killed);
        try {
            run(killed, 7);
            throw new AssertionError("the run was not killed");
        } catch (Killed expected) {
            // the simulated kill
        }
        TinyRun resumed = run(killed, -1);
        String note = "resumed from " + killed.outputDir.resolve(Checkpoints.LATEST) + " at epoch 1, batch 2";
        if (!resumed.output().contains(note)) {
            throw new AssertionError("expected '" + note + "' in\n" + resumed.output());
        }
        return List.of(reference, resumed.losses);
    }

    /**
     * Runs {@link #resumeExperiment} and exits 0 when the resumed losses, and the train_loss and train_lr of the epoch
     * the kill cut, equal the uninterrupted run's bit for bit (PretrainerTest runs this in a JVM with -Dsemaim.reference=true).
     */
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        List<List<Double>> r = resumeExperiment(dir);
        List<Map<String, Object>> full = epochLines(dir.resolve("full")), resumed = epochLines(dir.resolve("killed"));
        System.out.println("uninterrupted " + r.get(0) + ", " + full + "; resumed " + r.get(1) + ", " + resumed);
        boolean same = r.get(0).subList(6, 8).equals(r.get(1)) && full.get(1).get("train_loss").equals(resumed.get(1).get("train_loss"))
                && full.get(1).get("train_lr").equals(resumed.get(1).get("train_lr"));
        System.exit(same ? 0 : 1);
    }

    /** The epoch lines of the log.txt in {@code outputDir}, parsed. */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> epochLines(Path outputDir) throws IOException {
        List<Map<String, Object>> lines = new ArrayList<>();
        for (String l : Files.readAllLines(outputDir.resolve("log.txt"))) {
            lines.add((Map<String, Object>) Json.parse(l));
        }
        return lines;
    }

    String output() {
        return log.toString(StandardCharsets.UTF_8);
    }

    /** Stands for the process being killed. */
    static final class Killed extends RuntimeException {
        private static final long serialVersionUID = 1L;
    }
}
