package dev.semaim.train;

import dev.semaim.data.DataLoader;
import dev.semaim.data.DistributedSampler;
import dev.semaim.dist.Communicator;
import dev.semaim.dist.GradientAllReduce;
import dev.semaim.dist.Launch;
import dev.semaim.dist.SingleProcess;
import dev.semaim.data.TrainingData;
import dev.semaim.io.TeacherFile;
import dev.semaim.io.WeightFiles;
import dev.semaim.model.AimConfig;
import dev.semaim.model.AimViT;
import dev.semaim.model.FeatureTarget;
import dev.semaim.model.ModelEma;
import dev.semaim.model.ViTTeacher;
import dev.semaim.nn.optim.AdamW;
import dev.semaim.nn.optim.GradScaler;
import dev.semaim.nn.optim.LrSchedule;
import dev.semaim.nn.optim.Optimizer;
import dev.semaim.nn.optim.ParamGroups;
import dev.semaim.run.Checkpoints;
import dev.semaim.nn.StateDict;
import dev.semaim.run.DataParallel;
import dev.semaim.run.EpochListener;
import dev.semaim.run.EpochLoop;
import dev.semaim.nn.io.Json;
import dev.semaim.run.JsonLinesLog;
import dev.semaim.run.ProgressLine;
import dev.semaim.run.ResumedConfig;
import dev.semaim.run.RunClock;
import dev.semaim.run.RunFiles;
import dev.semaim.run.RunOptions;
import dev.semaim.run.StepListener;
import dev.semaim.run.TensorBoardLog;
import dev.semaim.run.TrainingState;
import dev.semaim.tensor.Backend;
import dev.semaim.tensor.DType;
import dev.semaim.tensor.Rng;
import dev.semaim.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Pre-training as {@code semaim pretrain} runs it (spec section 6): AdamW (betas 0.9/0.95) over the
 * weight-decay groups, per-iteration warm-up + cosine lr, optional clipping and gradient accumulation, through
 * the shared {@link EpochLoop} (progress on the terminal, a JSON line per epoch in log.txt, checkpoints with
 * auto-resume, the time limit).
 *
 * <p>Determinism: the model is initialised from {@code Rng(seed)}, the data loader is seeded with the seed
 * (its order and augmentations depend on (seed, epoch, sample) only), and the order noise of iteration
 * {@code it} of epoch {@code e} comes from {@code Rng(seed).fork(e << 32 | it)}. Checkpoints hold the weights,
 * the optimizer state and (epoch, next batch), so a resumed run trains on the same batches with the same
 * noise and gives the same losses as an uninterrupted one.
 */
public final class Pretrainer {
    static final double BETA1 = 0.9;
    static final double BETA2 = 0.95;
    static final double ADAM_EPS = 1e-8;

    private final PretrainOptions o;
    private ProgressLine progress;
    private StepListener stepListener = (epoch, iter, loss, lr) -> { };
    private EpochListener epochListener = (epoch, log) -> { };

    public Pretrainer(PretrainOptions options, ProgressLine progress) {
        this.o = options;
        this.progress = progress;
    }

    /** Called after every iteration (tests record losses and simulate a killed run). */
    public Pretrainer onStep(StepListener l) {
        this.stepListener = l;
        return this;
    }

    /** Called after every epoch's log line (the CLI redraws curves.png). */
    public Pretrainer onEpoch(EpochListener l) {
        this.epochListener = l;
        return this;
    }

    /** The stream of order noise for iteration {@code iter} of {@code epoch}. */
    static Rng iterationRng(long seed, int epoch, int iter) {
        return new Rng(seed).fork(((long) epoch << 32) | iter);
    }

    /**
     * Trains. In a data-parallel run (several processes, docs/DISTRIBUTED.md) every process calls this with the same
     * flags; rank 0 alone holds the run's folders and writes the outputs and prints, the others are silent.
     */
    public PretrainResult run() throws IOException {
        o.validate();
        Launch launch = o.launch();
        progress = DataParallel.progressOf(launch, progress);
        o.clampWarmup(progress::note); // on every process: the recorded settings must agree
        return DataParallel.run(o, launch, progress, this::train);
    }

    /** --init: the weights of {@code file} loaded strictly into the fresh model; any misfit names the file. */
    private void initFrom(AimViT model, Path file) throws IOException {
        RunFiles.requireFile("--init", file, "a weights file");
        Map<String, Tensor> weights;
        try {
            weights = WeightFiles.readWeights(file);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("--init " + file + " is unreadable: " + e.getMessage(), e);
        }
        try {
            StateDict.load(model, weights, true, false);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("--init " + file + " does not fit the model of the flags: " + e.getMessage(), e);
        }
        progress.message("initialised from " + file + " (" + weights.size() + " tensors)");
    }

    /**
     * --teacher for 'clip' / 'dino' (spec section 4.4): read in any of {@link TeacherFile}'s layouts and checked against the
     * run (its tokens must be the model's; a 'dino' teacher's width is the model's, a 'clip' one's projection width sets
     * --out_dim when that is 0).
     */
    private ViTTeacher loadTeacher() throws IOException {
        ViTTeacher t = TeacherFile.read(o.teacher);
        String what = "--teacher " + o.teacher + " (" + t.style.name().toLowerCase(Locale.ROOT) + " layout: width " + t.dim + ", depth " + t.depth
                + ", " + t.heads + " heads, in_chans " + t.inChans + ", " + t.grid + "x" + t.grid + " patches of " + t.patch + " px for "
                + t.imgSize() + " px images, features " + t.outDim + ")";
        if (t.imgSize() != o.inputSize || t.patch != o.patchSize || t.inChans != o.inChans) {
            throw new IllegalArgumentException(what + " does not fit the run's --input_size " + o.inputSize + " --patch_size " + o.patchSize
                    + " --in_chans " + o.inChans + ": the teacher's tokens must be the model's");
        }
        if (o.predictFeature == FeatureTarget.CLIP) {
            if (o.outDim == 0) {
                o.outDim = t.outDim; // recorded in the checkpoint's config, so the model is rebuilt with this head
            } else if (o.outDim != t.outDim) {
                throw new IllegalArgumentException(what + " gives " + t.outDim + "-wide features, but --out_dim is " + o.outDim);
            }
        } else if (t.outDim != o.modelConfig().embedDim()) {
            throw new IllegalArgumentException(what + " gives " + t.outDim + "-wide features; --predict_feature dino predicts the model's width "
                    + o.modelConfig().embedDim() + " (set --embed_dim or --model to match)");
        }
        progress.message("teacher: " + what.substring("--teacher ".length()) + ", frozen");
        return t;
    }

    /** Trains as this process of the run (rank 0 in the run's folders, which {@link #run()} holds). */
    private PretrainResult train(Backend backend, Communicator comm) throws IOException {
        long runStart = System.nanoTime();
        TrainingData.Source data = TrainingData.open(o.dataPath, o.inChans, progress::warning);
        ViTTeacher teacher = o.predictFeature.usesTeacher() ? loadTeacher() : null;
        AimConfig config = o.modelConfig();
        RunFiles files = o.files(o.model, "temp");
        Path resumeFrom = files.resumePath(o.resume);
        Checkpoints.Loaded ck = resumeFrom == null ? null : Checkpoints.load(resumeFrom);
        String configChanges = null;
        if (ck != null) {
            if (!ck.kind().equals(Checkpoints.PRETRAIN)) {
                throw new IllegalArgumentException((o.resume != null ? "--resume " + resumeFrom : "--output_dir " + o.outputDir + " holds " + resumeFrom
                        + ", which") + " is a " + ck.kind() + " checkpoint, not a pretrain one: pretrain continues only its own checkpoints");
            }
            // before anything is built: the checkpoint's seed and --init, refusals and notes for the other settings
            configChanges = ResumedSettings.reconcile(o, ck, resumeFrom, progress);
        }
        long seed = o.seed; // a resumed run's is its checkpoint's, so that data order and order noise continue as they were
        JsonLinesLog log = JsonLinesLog.of(files);
        // PyTorch's DistributedSampler(shuffle=True, seed) as the official main_pretrain.py uses at every world size:
        // a global batch of w processes x B is the same images as one batch of w x B of a single process
        DistributedSampler shard = new DistributedSampler(data.dataset().size(), comm.size(), comm.rank(), true, seed, false);

        try (DataLoader loader = DataLoader.builder(data.dataset()).transform(data.pretrainTransform(o.inputSize))
                .batchSize(o.batchSize).sampler(shard).dropLast(true).workers(o.numWorkers).seed(seed).build()) {
            int iters = o.maxStepsPerEpoch > 0 ? Math.min(o.maxStepsPerEpoch, loader.batchesPerEpoch()) : loader.batchesPerEpoch();
            if (iters == 0) {
                throw new IllegalArgumentException("--data_path " + o.dataPath + " holds " + data.dataset().size()
                        + " images, fewer than one batch of --batch_size " + o.batchSize);
            }
            AimViT model = new AimViT(config, new Rng(o.seed));
            Optimizer optimizer = new AdamW(ParamGroups.weightDecay(model, o.weightDecay), BETA1, BETA2, ADAM_EPS);
            LrSchedule schedule = LrSchedule.warmupCosine(o.absoluteLr(), o.minLr, o.warmupEpochs, o.epochs);
            DType autocast = o.precisionOn(backend, progress::note);
            GradScaler scaler = autocast == DType.F16 ? new GradScaler() : null;

            progress.message(String.format(Locale.ROOT, "data: %s, %d images; %d iterations per epoch%s", data.description(),
                    data.dataset().size(), iters, comm.size() > 1 ? " on each of " + comm.size() + " processes (" + shard.samplesPerRank() + " images each)" : ""));
            progress.message(String.format(Locale.ROOT, "model: %s %dx%dx%d patch %d, width %d, depth %d, heads %d, query depth %d; %,d trainable parameters",
                    o.model, config.inChans(), config.imgSize(), config.imgSize(), config.patchSize(), config.embedDim(),
                    config.depth(), config.numHeads(), config.queryDepth(), model.parameterCount(true)));
            progress.message(String.format(Locale.ROOT, "base lr: %.2e; actual lr: %.2e; accumulate grad iterations: %d; effective batch size: %d",
                    o.blr, o.absoluteLr(), o.accumIter, o.effectiveBatch()));

            TrainingState state = o.startState(seed);
            Path lastCheckpoint = null;
            if (ck == null && o.init != null) {
                initFrom(model, o.init);
            }
            if (ck != null) {
                ck.restore(model, optimizer);
                ck.restoreLossScaler(scaler);
                state = ck.state();
                lastCheckpoint = resumeFrom;
                if (o.startEpoch != 0) {
                    progress.note("--start_epoch " + o.startEpoch + " ignored: the run continues from its checkpoint " + resumeFrom);
                }
                progress.message("resumed from " + resumeFrom + " at epoch " + state.epoch() + ", batch " + state.batch());
                if (state.epoch() >= o.epochs) {
                    progress.message("the checkpoint has finished all " + o.epochs + " epochs: nothing to train (raise --epochs to continue)");
                }
            }
            // before the EMA copies the weights: rank 0's, broadcast
            Map<String, Object> flags = new LinkedHashMap<>(o.asMap());
            // not recorded in checkpoints, but with a limit every process reads rank 0's clock at each step
            flags.put("time_limit_minutes", o.timeLimit == null ? "none" : o.timeLimit.toMillis() / 60_000.0);
            DataParallel.agree(comm, flags, data.dataset().size() + " images of " + data.description(),
                    resumeFrom == null ? "none" : resumeFrom.toAbsolutePath() + " at " + state, model);
            ModelEma ema = o.useEmaModel ? new ModelEma(model) : null; // a copy of the weights trained from (timm's deep copy)
            if (ema != null && ck != null && !ck.restoreEma(ema.module())) {
                progress.note("checkpoint " + resumeFrom + " holds no ema.* weights: the EMA starts from its model weights");
            } else if (ema == null && ck != null && !ck.ema().isEmpty()) {
                progress.note("checkpoint " + resumeFrom + " holds an EMA copy (ema.*), which this run without --use_ema_model does not keep");
            }
            if (teacher != null) model.setTeacher(teacher);
            if (o.predictFeature == FeatureTarget.EMA) model.setTeacher(ema.asTeacher());
            if (ema != null) {
                progress.message(String.format(Locale.ROOT, "EMA of the model: decay %.5f this epoch (0.999 rising to 0.9999 at epoch 100)%s",
                        ModelEma.decayAt(state.epoch()), o.predictFeature == FeatureTarget.EMA ? "; it gives the target and the order map" : "; it gives the order map"));
            }
            progress.message(RunOptions.precisionLine(autocast, scaler));
            PretrainStep step = new PretrainStep(model, optimizer, o.clipGrad, o.accumIter, ema, autocast, scaler);
            if (comm != SingleProcess.INSTANCE) { // several processes, or an engine forced for one (-Dsemaim.dist.engine)
                step.syncGradients(new GradientAllReduce(comm, model.trainableParameters().values(), GradientAllReduce.DEFAULT_BUCKET_BYTES));
            }
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put("model", o.model);
            meta.put("config", Json.object(o.asMap()));
            if (configChanges != null) {
                meta.put(ResumedConfig.CHANGES, configChanges);
            }
            EpochLoop loop = new EpochLoop(o, model, optimizer, schedule, progress, log, files, meta)
                    .checkpointEvery(o.saveEveryEpochs, o.saveEverySteps)
                    .timeLimit(RunClock.ofRank0(runStart, comm), o.timeLimit, o.scheduleOverTime)
                    .onStep(stepListener)
                    .onEpoch(epochListener)
                    .gradientNorm(step::lastGradientNorm)
                    .lossScaler(scaler)
                    .saveEma(ema == null ? null : ema.module())
                    .writesOutputs(comm.rank() == 0);
            if (comm.rank() == 0) {
                loop.onMetrics(new TensorBoardLog(files.tensorBoardFolder()));
            }
            EpochLoop.End end = loop.run(loader, iters, state, lastCheckpoint, (b, epoch, it, lr, update) -> {
                if (b.channels() != o.inChans) {
                    throw new IllegalArgumentException("--in_chans " + o.inChans + " but the images of --data_path " + o.dataPath
                            + " have " + b.channels() + " channels");
                }
                Tensor images = Tensor.of(backend, b.images(), b.size(), b.channels(), b.height(), b.width()); // (B, C, H, W)
                return step.run(images, iterationRng(seed, epoch, it), lr, update, epoch);
            });
            return new PretrainResult(end.nextEpoch(), end.optimizerSteps(), end.lastEpochLoss(), end.imagesPerSecond(),
                    end.lastCheckpoint(), end.timeLimitReached(), model);
        }
    }
}
