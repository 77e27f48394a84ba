package dev.semaim.eval;

import dev.semaim.data.DataLoader;
import dev.semaim.data.Dataset;
import dev.semaim.data.Transform;
import dev.semaim.nn.Module;
import dev.semaim.nn.optim.LrSchedule;
import dev.semaim.nn.optim.Optimizer;
import dev.semaim.run.Checkpoints;
import dev.semaim.run.EpochLoop;
import dev.semaim.run.GradientUpdate;
import dev.semaim.nn.io.Json;
import dev.semaim.run.JsonLinesLog;
import dev.semaim.run.TensorBoardLog;
import dev.semaim.run.ProgressLine;
import dev.semaim.run.TrainingState;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What fine-tuning and linear probing share around the {@link EpochLoop}: resume at an epoch boundary, the
 * evaluation on the held-out split after every epoch (its accuracy joins the epoch's line in log.txt), and
 * results.json. Checkpoints are the pre-training {@link Checkpoints} (rolling {@code checkpoint-latest.safetensors}
 * every epoch, numbered every --save_every_epochs and at the end; the official names with --experiment, {@link dev.semaim.run.RunFiles}).
 * The checkpoint metadata names the protocol so that a fine-tuning checkpoint is not resumed as a probe.
 */
final class ClassifierTrainer {
    /** The run's end: last and best held-out accuracy, where the weights are. */
    record Outcome(Accuracy last, double bestTop1, int epochsDone, long optimizerSteps, Path checkpoint, double trainSeconds) {
    }

    static final String PROTOCOL_KEY = "protocol";

    private final String protocol;
    private final EvalOptions o;
    private final Module model;
    private final Optimizer optimizer;
    private final LrSchedule schedule;
    private final EpochLoop.Step step;
    private final GradientUpdate update;
    private final Supplier<Accuracy> evaluate;
    private final ProgressLine progress;

    /**
     * @param update the step's gradient update: its last global gradient norm and its loss scaler (float16) go to
     *               log.txt and TensorBoard, the scaler's state into the checkpoints and back on resume
     */
    ClassifierTrainer(String protocol, EvalOptions o, Module model, Optimizer optimizer, LrSchedule schedule, EpochLoop.Step step,
                      GradientUpdate update, Supplier<Accuracy> evaluate, ProgressLine progress) {
        this.protocol = protocol;
        this.o = o;
        this.model = model;
        this.optimizer = optimizer;
        this.schedule = schedule;
        this.step = step;
        this.update = update;
        this.evaluate = evaluate;
        this.progress = progress;
    }

    /** --resume when given (must exist), else the rolling checkpoint of --output_dir when present, else null. */
    static Path resumePath(EvalOptions o) {
        return o.files().resumePath(o.resume);
    }

    /** Iterations per epoch: the loader's full batches, capped by --max_steps_per_epoch; at least one. */
    static int iterations(EvalOptions o, DataLoader loader, Dataset train) {
        int iters = o.maxStepsPerEpoch > 0 ? Math.min(o.maxStepsPerEpoch, loader.batchesPerEpoch()) : loader.batchesPerEpoch();
        if (iters == 0) {
            throw new IllegalArgumentException("--data_path " + o.dataPath + ": " + train.size()
                    + " training images are fewer than one batch of --batch_size " + o.batchSize);
        }
        return iters;
    }

    /**
     * The protocol's run: with --eval one evaluation of the resumed checkpoint (else of the loaded weights);
     * otherwise training on {@code train} through the training pipeline (built only when training, after the
     * resume), from the resume point if any.
     */
    Outcome fit(Dataset train, Supplier<Transform> trainTransform, JsonLinesLog log) throws IOException {
        Path resumeFrom = resumePath(o);
        if (o.evalOnly) {
            if (resumeFrom != null) {
                resume(resumeFrom);
            }
            model.eval();
            Accuracy a = evaluate.get();
            return new Outcome(a, a.top1(), 0, 0, null, 0);
        }
        TrainingState state = resumeFrom == null ? o.startState(o.seed) : resume(resumeFrom);
        try (DataLoader loader = DataLoader.builder(train).transform(trainTransform.get())
                .batchSize(o.batchSize).shuffle(true).dropLast(true).workers(o.numWorkers).seed(state.seed()).build()) {
            return run(loader, iterations(o, loader, train), state, log);
        }
    }

    /** Writes results.json (the outcome, the data sizes, the settings) and returns the run's summary. */
    static ClassifierRun finish(String protocol, EvalOptions o, Outcome out, int trainImages, String heldOut, long startNanos)
            throws IOException {
        Map<String, Object> fields = resultFields(protocol, o, out, trainImages, heldOut, startNanos);
        RunResults.write(o.files().results(), fields);
        return new ClassifierRun(out.last(), out.bestTop1(), out.epochsDone(), out.optimizerSteps(), out.checkpoint(), out.trainSeconds(), fields);
    }

    static Map<String, Object> resultFields(String protocol, EvalOptions o, Outcome out, int trainImages,
                                            String heldOut, long startNanos) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("protocol", protocol);
        m.put("top1", out.last().top1());
        m.put("top5", out.last().top5());
        m.put("loss", out.last().loss());
        m.put("best_top1", out.bestTop1());
        m.put("eval_images", out.last().count());
        m.put("eval_split", heldOut);
        m.put("train_images", trainImages);
        m.put("epochs_trained", out.epochsDone());
        m.put("optimizer_steps", out.optimizerSteps());
        m.put("train_seconds", out.trainSeconds());
        m.put("seconds", (System.nanoTime() - startNanos) / 1e9);
        m.put("checkpoint", out.checkpoint() == null ? null : out.checkpoint().toString());
        m.putAll(o.asMap());
        return m;
    }

    /** Loads model and optimizer state from a checkpoint of the same protocol; returns where to continue. */
    TrainingState resume(Path file) {
        Checkpoints.Loaded ck = Checkpoints.load(file);
        String saved = ck.metadata().get(PROTOCOL_KEY);
        if (!protocol.equals(saved)) {
            throw new IllegalArgumentException("--resume " + file + " is a " + (saved == null ? "pretrain" : saved)
                    + " checkpoint, not a " + protocol + " one (use --finetune for pre-trained weights)");
        }
        ck.restore(model, optimizer);
        ck.restoreLossScaler(update.scaler());
        if (o.startEpoch != 0) {
            progress.note("--start_epoch " + o.startEpoch + " ignored: the run continues from its checkpoint " + file);
        }
        progress.message("resumed from " + file + " at epoch " + ck.state().epoch());
        return ck.state();
    }

    Outcome run(DataLoader loader, int iters, TrainingState start, JsonLinesLog log) throws IOException {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("model", o.model);
        meta.put(PROTOCOL_KEY, protocol);
        meta.put("config", Json.object(o.asMap()));
        HeldOut heldOut = new HeldOut();
        EpochLoop.End end = new EpochLoop(o, model, optimizer, schedule, progress, log, o.files(), meta)
                .checkpointEvery(o.saveEveryEpochs, 0)
                .epochHooks(heldOut)
                .gradientNorm(update::lastNorm)
                .lossScaler(update.scaler())
                .onMetrics(new TensorBoardLog(o.files().tensorBoardFolder()))
                .run(loader, iters, start, null, step);
        if (heldOut.last == null) { // resumed after the last epoch: evaluate what was loaded
            model.train(false);
            heldOut.last = evaluate.get();
            heldOut.best = heldOut.last.top1();
            progress.message("the checkpoint has finished all " + o.epochs + " epochs; evaluated it: top-1 " + heldOut.last.top1() + "%");
        }
        return new Outcome(heldOut.last, heldOut.best, o.epochs, end.optimizerSteps(), end.lastCheckpoint(), end.trainSeconds());
    }

    /** Training mode for every epoch, and after it the evaluation on the held-out split, which joins the epoch's log line. */
    private final class HeldOut implements EpochLoop.EpochHooks {
        Accuracy last;
        double best = Double.NaN;

        @Override
        public void beforeEpoch(int epoch) {
            model.train(true);
        }

        @Override
        public Map<String, Object> afterEpoch(int epoch) {
            model.train(false);
            last = evaluate.get();
            best = Double.isNaN(best) ? last.top1() : Math.max(best, last.top1());
            progress.message(String.format(Locale.ROOT, "epoch %d: held-out top-1 %.2f%%, top-5 %.2f%%, loss %.4f (%d images); best top-1 %.2f%%",
                    epoch, last.top1(), last.top5(), last.loss(), last.count(), best));
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("test_acc1", last.top1());
            fields.put("test_acc5", last.top5());
            fields.put("test_loss", last.loss());
            return fields;
        }
    }
}
