package dev.semaim.train;

import dev.semaim.data.Batch;
import dev.semaim.data.DataLoader;
import dev.semaim.model.AimConfig;
import dev.semaim.model.AimViT;
import dev.semaim.nn.Parameter;
import dev.semaim.nn.StateDict;
import dev.semaim.nn.optim.AdamW;
import dev.semaim.nn.optim.LrSchedule;
import dev.semaim.nn.optim.Optimizer;
import dev.semaim.nn.optim.ParamGroups;
import dev.semaim.tensor.Backend;
import dev.semaim.tensor.Rng;
import dev.semaim.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The pre-training loop of {@code semaim pretrain} (spec section 6): AdamW (betas 0.9/0.95) over the
 * weight-decay groups, per-iteration warm-up + cosine lr, optional clipping and gradient accumulation,
 * progress on the terminal, a JSON line per epoch in log.txt, and checkpoints with auto-resume.
 *
 * <p>Determinism: the model is initialised from {@code Rng(seed)}, the data loader is seeded with the seed
 * (its order and augmentations depend on (seed, epoch, sample) only), and the order noise of iteration
 * {@code it} of epoch {@code e} comes from {@code Rng(seed).fork(e << 32 | it)}. Checkpoints hold the weights,
 * the optimizer state and (epoch, next batch), so a resumed run trains on the same batches with the same
 * noise and gives the same losses as an uninterrupted one. A partial accumulation group at the end of an
 * epoch is dropped (its gradients are zeroed) so that epoch boundaries carry no state.
 */
public final class Pretrainer {
    static final double BETA1 = 0.9;
    static final double BETA2 = 0.95;
    static final double ADAM_EPS = 1e-8;

    private final PretrainOptions o;
    private final ProgressLine progress;
    private StepListener listener = (epoch, iter, loss, lr) -> { };

    public Pretrainer(PretrainOptions options, ProgressLine progress) {
        this.o = options;
        this.progress = progress;
    }

    public Pretrainer onStep(StepListener l) {
        this.listener = l;
        return this;
    }

    /** The stream of order noise for iteration {@code iter} of {@code epoch}. */
    static Rng iterationRng(long seed, int epoch, int iter) {
        return new Rng(seed).fork(((long) epoch << 32) | iter);
    }

    public PretrainResult run() throws IOException {
        o.validate();
        return OnDevice.run(o.device, this::train);
    }

    private PretrainResult train(Backend backend) throws IOException {
        long runStart = System.nanoTime();
        TrainingData.Source data = TrainingData.open(o.dataPath, o.inChans, w -> progress.message("warning: " + w));
        AimConfig config = o.modelConfig();
        Path resumeFrom = Checkpoints.resumePath(o.resume, o.outputDir);
        Checkpoints.Loaded ck = resumeFrom == null ? null : Checkpoints.load(resumeFrom);
        // a resumed run keeps its checkpoint's seed, so that data order and order noise continue as they were
        long seed = ck == null ? o.seed : ck.state().seed();
        Files.createDirectories(o.outputDir);
        JsonLinesLog log = new JsonLinesLog(o.logDir == null ? o.outputDir : o.logDir);

        try (DataLoader loader = DataLoader.builder(data.dataset()).transform(data.pretrainTransform(o.inputSize))
                .batchSize(o.batchSize).shuffle(true).dropLast(true).workers(o.numWorkers).seed(seed).build()) {
            int iters = o.maxStepsPerEpoch > 0 ? Math.min(o.maxStepsPerEpoch, loader.batchesPerEpoch()) : loader.batchesPerEpoch();
            if (iters == 0) {
                throw new IllegalArgumentException("--data_path " + o.dataPath + " holds " + data.dataset().size()
                        + " images, fewer than one batch of --batch_size " + o.batchSize);
            }
            AimViT model = new AimViT(config, new Rng(o.seed));
            Optimizer optimizer = new AdamW(ParamGroups.weightDecay(model, o.weightDecay), BETA1, BETA2, ADAM_EPS);
            LrSchedule schedule = LrSchedule.warmupCosine(o.absoluteLr(), o.minLr, o.warmupEpochs, o.epochs);
            PretrainStep step = new PretrainStep(model, optimizer, o.clipGrad, o.accumIter);

            progress.message(String.format(Locale.ROOT, "data: %s, %d images; %d iterations per epoch", data.description(),
                    data.dataset().size(), iters));
            progress.message(String.format(Locale.ROOT, "model: %s %dx%dx%d patch %d, width %d, depth %d, heads %d, query depth %d; %,d trainable parameters",
                    o.model, config.inChans(), config.imgSize(), config.imgSize(), config.patchSize(), config.embedDim(),
                    config.depth(), config.numHeads(), config.queryDepth(), model.parameterCount(true)));
            progress.message(String.format(Locale.ROOT, "base lr: %.2e; actual lr: %.2e; accumulate grad iterations: %d; effective batch size: %d",
                    o.blr, o.absoluteLr(), o.accumIter, o.effectiveBatch()));

            TrainingState state = TrainingState.start(seed);
            Path lastCheckpoint = null;
            if (ck != null) {
                try {
                    StateDict.load(model, ck.model(), true);
                    optimizer.loadState(ck.optimizer());
                } catch (RuntimeException e) {
                    throw new IllegalArgumentException("checkpoint " + resumeFrom + " does not fit this model/optimizer: " + e.getMessage(), e);
                }
                state = ck.state();
                if (seed != o.seed) {
                    progress.message("note: continuing with the checkpoint's seed " + seed + " (not --seed " + o.seed + ")");
                }
                lastCheckpoint = resumeFrom;
                progress.message("resumed from " + resumeFrom + " at epoch " + state.epoch() + ", batch " + state.batch());
                if (state.epoch() >= o.epochs) {
                    progress.message("the checkpoint has finished all " + o.epochs + " epochs: nothing to train (raise --epochs to continue)");
                }
            }
            return loop(model, optimizer, schedule, step, loader, iters, state, lastCheckpoint, log, backend, runStart);
        }
    }

    private PretrainResult loop(AimViT model, Optimizer optimizer, LrSchedule schedule, PretrainStep step, DataLoader loader,
                                int iters, TrainingState start, Path lastCheckpoint, JsonLinesLog log, Backend backend,
                                long runStart) throws IOException {
        long seed = start.seed();
        long optimizerSteps = start.optimizerSteps();
        long imagesTrained = 0, trainNanos = 0;
        double lastEpochLoss = Double.NaN;
        long deadline = o.timeLimit == null ? Long.MAX_VALUE : runStart + o.timeLimit.toNanos();
        int remainingIters = (o.epochs - start.epoch()) * iters - start.batch();
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("model", o.model);
        meta.put("config", Json.object(o.asMap()));

        for (int epoch = start.epoch(); epoch < o.epochs; epoch++) {
            int first = epoch == start.epoch() ? start.batch() : 0;
            double lossSum = 0, lrSum = 0;
            int done = 0;
            long epochStart = System.nanoTime();
            double lr = schedule.at(epoch + (double) first / iters);
            optimizer.zeroGrad();
            for (Batch b : loader.epoch(epoch, Math.min(first, loader.batchesPerEpoch()))) {
                int it = b.index();
                if (it >= iters) {
                    break;
                }
                if (b.channels() != o.inChans) {
                    throw new IllegalArgumentException("--in_chans " + o.inChans + " but the images of --data_path " + o.dataPath
                            + " have " + b.channels() + " channels");
                }
                if (it % o.accumIter == 0) {
                    lr = schedule.at(o.scheduleOverTime
                            ? o.epochs * Math.min(1.0, (System.nanoTime() - runStart) / (double) o.timeLimit.toNanos())
                            : epoch + (double) it / iters);
                }
                boolean update = (it + 1) % o.accumIter == 0;
                Tensor images = Tensor.of(backend, b.images(), b.size(), b.channels(), b.height(), b.width()); // (B, C, H, W)
                long t0 = System.nanoTime();
                double loss = step.run(images, iterationRng(seed, epoch, it), lr, update);
                images.release(); // a device copy goes back to the backend's cache (a wrapped host array stays as it is)
                if (!Double.isFinite(loss)) {
                    throw new NonFiniteLossException("loss is " + loss, epoch, it, lastCheckpoint);
                }
                long t1 = System.nanoTime();
                trainNanos += t1 - t0;
                imagesTrained += b.size();
                optimizerSteps += update ? 1 : 0;
                lossSum += loss;
                lrSum += lr;
                done++;
                remainingIters--;
                double epochSeconds = (t1 - epochStart) / 1e9;
                double eta = Math.min(remainingIters * epochSeconds / done, (deadline - t1) / 1e9);
                progress.update(epoch, o.scheduleOverTime ? 0 : o.epochs, it, iters, loss, lossSum / done, lr, done * (double) o.batchSize / epochSeconds, eta);
                boolean outOfTime = System.nanoTime() >= deadline && update;
                if (update && ((o.saveEverySteps > 0 && optimizerSteps % o.saveEverySteps == 0) || outOfTime) && it + 1 < iters) {
                    lastCheckpoint = save(Checkpoints.LATEST, model, optimizer, new TrainingState(epoch, it + 1, optimizerSteps, seed, 0), meta, epoch, it);
                }
                listener.onStep(epoch, it, loss, lr);
                if (outOfTime && it + 1 < iters) {
                    progress.message(String.format(Locale.ROOT, "time limit reached at epoch %d, step %d; checkpoint %s",
                            epoch, it, lastCheckpoint));
                    return new PretrainResult(epoch, optimizerSteps, done > 0 ? lossSum / done : Double.NaN,
                            imagesTrained / (trainNanos / 1e9), lastCheckpoint, true, model);
                }
            }
            double epochSeconds = (System.nanoTime() - epochStart) / 1e9;
            if (done > 0) { // none when resumed at the end of an epoch whose cap was lowered since
                lastEpochLoss = lossSum / done;
                Map<String, Object> line = new LinkedHashMap<>();
                line.put("train_loss", lastEpochLoss);
                line.put("train_lr", lrSum / done);
                line.put("epoch", epoch);
                line.put("images_per_s", done * (double) o.batchSize / epochSeconds);
                line.put("optimizer_steps", optimizerSteps);
                log.append(line);
                dev.semaim.viz.Curves.writeForRun(log.file()); // curves.png beside log.txt, redrawn every epoch
            }
            TrainingState next = new TrainingState(epoch + 1, 0, optimizerSteps, seed, 0);
            lastCheckpoint = save(Checkpoints.LATEST, model, optimizer, next, meta, epoch, iters - 1);
            if ((epoch + 1) % o.saveEveryEpochs == 0 || epoch + 1 == o.epochs) {
                lastCheckpoint = save(Checkpoints.numbered(epoch + 1), model, optimizer, next, meta, epoch, iters - 1);
            }
            if (System.nanoTime() >= deadline && epoch + 1 < o.epochs) {
                progress.message("time limit reached after epoch " + epoch + "; checkpoint " + lastCheckpoint);
                return new PretrainResult(epoch + 1, optimizerSteps, lastEpochLoss, imagesTrained / (trainNanos / 1e9),
                        lastCheckpoint, true, model);
            }
        }
        return new PretrainResult(o.epochs, optimizerSteps, lastEpochLoss,
                trainNanos == 0 ? Double.NaN : imagesTrained / (trainNanos / 1e9), lastCheckpoint, false, model);
    }

    /** Writes a checkpoint unless the weights have gone non-finite (then the previous one stays the last good one). */
    private Path save(String name, AimViT model, Optimizer optimizer, TrainingState state, Map<String, String> meta,
                      int epoch, int iter) {
        for (Map.Entry<String, Parameter> e : model.trainableParameters().entrySet()) {
            if (!Double.isFinite(e.getValue().data().sum().item())) {
                throw new NonFiniteLossException("parameter " + e.getKey() + " became non-finite", epoch, iter,
                        Files.isRegularFile(o.outputDir.resolve(Checkpoints.LATEST)) ? o.outputDir.resolve(Checkpoints.LATEST) : null);
            }
        }
        Path file = o.outputDir.resolve(name);
        Checkpoints.save(file, model, optimizer, state, meta);
        return file;
    }
}
