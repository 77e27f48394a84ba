package dev.semaim.eval;

import dev.semaim.autograd.Losses;
import dev.semaim.autograd.Var;
import dev.semaim.data.DataLoader;
import dev.semaim.data.Dataset;
import dev.semaim.data.Transform;
import dev.semaim.data.Transforms;
import dev.semaim.model.VisionTransformer;
import dev.semaim.nn.optim.LrSchedule;
import dev.semaim.nn.optim.Optimizer;
import dev.semaim.nn.optim.ParamGroup;
import dev.semaim.nn.optim.Sgd;
import dev.semaim.tensor.Backend;
import dev.semaim.tensor.Backends;
import dev.semaim.tensor.Rng;
import dev.semaim.tensor.Tensor;
import dev.semaim.train.JsonLinesLog;
import dev.semaim.train.ProgressLine;
import dev.semaim.train.TrainingState;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Linear probing (spec section 8): the pre-trained ViT frozen (features computed without gradients in eval
 * mode; cls token after the final norm by default, mean-pooled + fresh fc_norm with global pooling), a
 * {@link LinearProbeHead} (BatchNorm1d without affine, eps 1e-6, then Linear with trunc-normal std 0.01)
 * trained by SGD momentum 0.9, weight decay 0, warm-up + cosine per iteration, plain cross-entropy; training
 * pipeline Resize + RandomCrop + flip, evaluation Resize(size/0.875) + CenterCrop on the held-out split.
 * Features are recomputed every iteration (nothing is cached), as in the reference.
 */
public final class LinearProbe {
    static final String PROTOCOL = "linprobe";
    static final double MOMENTUM = 0.9;

    private LinearProbe() {
    }

    public static ClassifierRun run(EvalOptions o, ProgressLine progress) throws IOException {
        o.validateTraining();
        Backend backend = Backends.byName(o.device);
        Backend previous = Backends.defaultBackend();
        Backends.setDefault(backend);
        try {
            return train(o, backend, progress);
        } finally {
            Backends.setDefault(previous);
        }
    }

    private static ClassifierRun train(EvalOptions o, Backend backend, ProgressLine progress) throws IOException {
        long start = System.nanoTime();
        EvalData data = EvalData.open(o.dataPath, o.inChans, w -> progress.message("warning: " + w));
        Finetune.checkClasses(o, data);
        Dataset train = Subset.random(data.train().dataset(), o.maxTrainImages, o.seed);
        Dataset val = Subset.random(data.heldOut(), o.maxEvalImages, o.seed + 1);
        VitSpec spec = o.vitSpec();
        Rng rng = new Rng(o.seed);
        VisionTransformer backbone = spec.build(0, o.globalPool, 0, rng);
        if (o.finetune != null) {
            BackboneLoader.load(backbone, o.finetune, progress::message);
        } else {
            progress.message("no --finetune: probing the random initialisation");
        }
        LinearProbeModel model = new LinearProbeModel(backbone, new LinearProbeHead(spec.embedDim(), o.nbClasses, rng.fork(0x4EAD)));
        Optimizer optimizer = new Sgd(List.of(new ParamGroup("head", model.trainableParameters(), 1, o.weightDecay)), MOMENTUM);
        LrSchedule schedule = LrSchedule.warmupCosine(o.absoluteLr(), o.minLr, o.warmupEpochs, o.epochs);
        Files.createDirectories(o.outputDir);
        JsonLinesLog log = new JsonLinesLog(o.logDir == null ? o.outputDir : o.logDir);
        Transform evalTransform = Transforms.eval(o.inputSize, o.cropPct, data.train().mean(), data.train().std());

        progress.message(String.format(Locale.ROOT, "data: %s (%d training images), held-out %s (%d images)", data.train().description(),
                train.size(), data.heldOutDescription(), val.size()));
        progress.message(String.format(Locale.ROOT, "model: frozen %s, %s feature; head BatchNorm1d + Linear(%d, %d)", spec.describe(),
                o.globalPool ? "global-pool" : "cls-token", spec.embedDim(), o.nbClasses));
        progress.message(String.format(Locale.ROOT, "base lr: %.2e; actual lr: %.2e; effective batch %d; SGD momentum %.1f",
                o.blr, o.absoluteLr(), o.effectiveBatch(), MOMENTUM));

        ClassifierTrainer.Step step = (b, epoch, it, lr, update) -> {
            Tensor images = Tensor.of(backend, b.images(), b.size(), b.channels(), b.height(), b.width()); // (B, C, H, W)
            Var loss = Losses.crossEntropy(model.forward(images), Tensor.of(backend, Accuracy.toLong(b.labels()), b.size()));
            double value = loss.item();
            if (!Double.isFinite(value)) {
                return value;
            }
            (o.accumIter == 1 ? loss : loss.mul(1.0 / o.accumIter)).backward();
            if (update) {
                optimizer.step(lr);
                optimizer.zeroGrad();
            }
            return value;
        };
        ClassifierTrainer trainer = new ClassifierTrainer(PROTOCOL, o, model, optimizer, schedule, step,
                () -> Accuracy.evaluate(model::forward, val, evalTransform, o.batchSize, o.numWorkers, backend), progress);
        ClassifierTrainer.Outcome out;
        if (o.evalOnly) {
            Path trained = ClassifierTrainer.resumePath(o);
            if (trained != null) {
                trainer.resume(trained);
            }
            model.eval();
            Accuracy a = Accuracy.evaluate(model::forward, val, evalTransform, o.batchSize, o.numWorkers, backend);
            out = new ClassifierTrainer.Outcome(a, a.top1(), 0, 0, null, 0);
        } else {
            Path resumeFrom = ClassifierTrainer.resumePath(o);
            TrainingState state = resumeFrom == null ? TrainingState.start(o.seed) : trainer.resume(resumeFrom);
            try (DataLoader loader = DataLoader.builder(train).transform(Transforms.linprobeTrain(o.inputSize, data.train().mean(), data.train().std()))
                    .batchSize(o.batchSize).shuffle(true).dropLast(true).workers(o.numWorkers).seed(state.seed()).build()) {
                out = trainer.run(loader, Finetune.iterations(o, loader, train), state, log);
            }
        }
        Map<String, Object> fields = Finetune.resultFields(PROTOCOL, o, out, train.size(), data.heldOutDescription(), start);
        RunResults.write(o.outputDir, fields);
        return new ClassifierRun(out.last(), out.bestTop1(), out.epochsDone(), out.optimizerSteps(), out.checkpoint(), out.trainSeconds(), fields);
    }
}
