package dev.semaim.eval;

import dev.semaim.data.DataLoader;
import dev.semaim.data.Dataset;
import dev.semaim.data.DistributedSampler;
import dev.semaim.data.Transform;
import dev.semaim.dist.Communicator;
import dev.semaim.dist.GradientAllReduce;
import dev.semaim.dist.SingleProcess;
import dev.semaim.nn.Module;
import dev.semaim.nn.optim.LrSchedule;
import dev.semaim.nn.optim.Optimizer;
import dev.semaim.run.Checkpoints;
import dev.semaim.run.DataParallel;
import dev.semaim.run.EpochLoop;
import dev.semaim.run.GradientUpdate;
import dev.semaim.nn.io.Json;
import dev.semaim.run.JsonLinesLog;
import dev.semaim.run.TensorBoardLog;
import dev.semaim.run.ProgressLine;
import dev.semaim.run.ResumedConfig;
import dev.semaim.run.TrainingState;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * What fine-tuning and linear probing share around the {@link EpochLoop}: resume at an epoch boundary, the
 * evaluation on the held-out split after every epoch (its accuracy joins the epoch's line in log.txt), and
 * results.json. Checkpoints are the pre-training {@link Checkpoints} (rolling {@code checkpoint-latest.safetensors}
 * every epoch, numbered every --save_every_epochs and at the end; the official names with --experiment, {@link dev.semaim.run.RunFiles}).
 * The checkpoint metadata names the protocol so that a fine-tuning checkpoint is not resumed as a probe.
 *
 * <p>Data-parallel runs (docs/DISTRIBUTED.md), as the official {@code main_finetune.py}/{@code main_linprobe.py}: every
 * process resumes from the same checkpoint, checks that the others agree and takes rank 0's weights
 * ({@link DataParallel#agree}), trains on its {@code DistributedSampler(shuffle=True, seed)} share of every epoch (the
 * same sampler at world size 1, as the official scripts use), the gradients averaged over the processes before each
 * optimizer step ({@link GradientAllReduce}); rank 0 alone writes log.txt, TensorBoard, checkpoints and results.json;
 * the held-out evaluation is {@link DistributedAccuracy}'s.
 */
final class ClassifierTrainer {
    /**
     * The run's end: last and best held-out accuracy, the epochs and optimizer steps of the weights, where they are
     * (the last checkpoint written, or the one an --eval run evaluated), this run's training seconds.
     */
    record Outcome(Accuracy last, double bestTop1, int epochsDone, long optimizerSteps, Path checkpoint, double trainSeconds) {
    }

    /** Settings a resumed run that trains on must keep: what the weights and the optimizer state were trained for. */
    private static final Set<String> FIXED_ON_RESUME = Set.of("model", "input_size", "patch_size", "in_chans", "embed_dim", "depth",
            "num_heads", "global_pool", "nb_classes", "batch_size", "accum_iter");
    /** How the pre-trained weights were loaded at the start: a resumed run loads none, so these are not compared. */
    private static final Set<String> LOADING = Set.of("finetune", "checkpoint_key", "allow_missing_keys", "allow_non_finite", "seed");

    private final String protocol;
    private final EvalOptions o;
    private final Communicator comm;
    private final Module model;
    private final Optimizer optimizer;
    private final LrSchedule schedule;
    private final EpochLoop.Step step;
    private final GradientUpdate update;
    private final Supplier<Accuracy> evaluate;
    private final ProgressLine progress;
    /** The {@link ResumedConfig#CHANGES} metadata of this run's checkpoints, set by a resume that trains on; null if none. */
    private String configChanges;

    /**
     * @param update the step's gradient update: its last global gradient norm and its loss scaler (float16) go to
     *               log.txt and TensorBoard, the scaler's state into the checkpoints and back on resume
     */
    ClassifierTrainer(String protocol, EvalOptions o, Communicator comm, Module model, Optimizer optimizer, LrSchedule schedule, EpochLoop.Step step,
                      GradientUpdate update, Supplier<Accuracy> evaluate, ProgressLine progress) {
        this.protocol = protocol;
        this.o = o;
        this.comm = comm;
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
     * The protocol's run: with --eval one evaluation of the resumed checkpoint (else of the loaded weights), its
     * outcome that checkpoint's epochs and steps; otherwise training on {@code train} through the training pipeline
     * (built only when training, after the resume), from the resume point if any.
     *
     * @param data the data as every process must see it (the training and held-out sets and their sizes)
     */
    Outcome fit(Dataset train, String data, Supplier<Transform> trainTransform, JsonLinesLog log) throws IOException {
        Path resumeFrom = resumePath(o);
        if (o.evalOnly) {
            TrainingState at = resumeFrom == null ? null : resume(resumeFrom);
            agree(data, resumeFrom, at);
            if (at == null && o.finetune == null) {
                progress.message("--eval without --finetune or a checkpoint to resume: evaluating the random initialisation");
            }
            model.eval();
            Accuracy a = evaluate.get();
            return at == null ? new Outcome(a, a.top1(), 0, 0, null, 0) : new Outcome(a, a.top1(), at.epoch(), at.optimizerSteps(), resumeFrom, 0);
        }
        TrainingState state = resumeFrom == null ? o.startState(o.seed) : resume(resumeFrom);
        agree(data, resumeFrom, state);
        if (comm != SingleProcess.INSTANCE) { // several processes, or an engine forced for one (-Dsemaim.dist.engine)
            update.syncGradients(new GradientAllReduce(comm, model.trainableParameters().values(), GradientAllReduce.DEFAULT_BUCKET_BYTES));
        }
        // PyTorch's DistributedSampler(shuffle=True, seed), set_epoch(epoch): w processes x B are the images of 1 x wB
        DistributedSampler shard = new DistributedSampler(train.size(), comm.size(), comm.rank(), true, state.seed(), false);
        try (DataLoader loader = DataLoader.builder(train).transform(trainTransform.get()).sampler(shard)
                .batchSize(o.batchSize).dropLast(true).workers(o.numWorkers).seed(state.seed()).build()) {
            return run(loader, iterations(o, loader, train), state, log);
        }
    }

    /**
     * Every process's flags, data and checkpoint must be rank 0's; then all take rank 0's weights. --eval and --dist_eval
     * join the recorded flags: the processes must run the same collectives.
     */
    private void agree(String data, Path resumeFrom, TrainingState at) {
        Map<String, Object> flags = new LinkedHashMap<>(o.asMap());
        flags.put("eval", o.evalOnly);
        flags.put("dist_eval", o.distEval);
        DataParallel.agree(comm, flags, data, resumeFrom == null ? "none" : resumeFrom.toAbsolutePath() + " at " + at, model);
    }

    /**
     * Writes the results (the outcome, the data sizes, the settings; rank 0 alone) to {@link EvalOptions#results()}:
     * results.json, or for --eval results-eval.json, never over a training run's record; returns the run's summary.
     */
    static ClassifierRun finish(String protocol, EvalOptions o, Communicator comm, Outcome out, int trainImages, String heldOut,
                                long startNanos) throws IOException {
        Map<String, Object> fields = resultFields(protocol, o, out, trainImages, heldOut, startNanos);
        if (comm.rank() == 0) {
            RunResults.write(o.results(), fields);
        }
        return new ClassifierRun(out.last(), out.bestTop1(), out.epochsDone(), out.optimizerSteps(), out.checkpoint(), out.trainSeconds(),
                fields, o.results());
    }

    static Map<String, Object> resultFields(String protocol, EvalOptions o, Outcome out, int trainImages,
                                            String heldOut, long startNanos) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("protocol", protocol);
        m.put("eval_only", o.evalOnly);
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

    /**
     * Loads model and optimizer state from a checkpoint of the same protocol; returns where to continue. A run that
     * trains on keeps the checkpoint's model, head, --batch_size and --accum_iter (a changed one is refused) and its seed,
     * and notes every other recorded setting it changes ({@link ResumedConfig}); an --eval run only reads the weights.
     */
    TrainingState resume(Path file) {
        Checkpoints.Loaded ck = Checkpoints.load(file);
        if (!protocol.equals(ck.kind())) {
            throw new IllegalArgumentException("--resume " + file + " is a " + ck.kind()
                    + " checkpoint, not a " + protocol + " one (use --finetune for pre-trained weights)");
        }
        if (!o.evalOnly) {
            List<String> notes = new ArrayList<>();
            if (ck.state().seed() != o.seed) { // the data order goes on as it was
                notes.add("continuing with the checkpoint's seed " + ck.state().seed() + " (not --seed " + o.seed + ")");
                o.seed = ck.state().seed();
            }
            Map<String, Object> recorded = ResumedConfig.recordedConfig(ck, file);
            configChanges = ResumedConfig.reconcile(ck, file, recorded.keySet(), o.readBack(recorded).asMap(), o.asMap(), FIXED_ON_RESUME,
                    LOADING, "the model, its head, --batch_size and --accum_iter", "start a new run (another --output_dir)", o.processes(), notes);
            notes.forEach(progress::note);
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
        meta.put(Checkpoints.PROTOCOL, protocol);
        meta.put("config", Json.object(o.asMap()));
        if (configChanges != null) {
            meta.put(ResumedConfig.CHANGES, configChanges);
        }
        HeldOut heldOut = new HeldOut();
        EpochLoop loop = new EpochLoop(o, model, optimizer, schedule, progress, log, o.files(), meta)
                .checkpointEvery(o.saveEveryEpochs, 0)
                .epochHooks(heldOut)
                .gradientNorm(update::lastNorm)
                .lossScaler(update.scaler())
                .writesOutputs(comm.rank() == 0);
        if (comm.rank() == 0) {
            loop.onMetrics(new TensorBoardLog(o.files().tensorBoardFolder()));
        }
        EpochLoop.End end = loop.run(loader, iters, start, null, step);
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
