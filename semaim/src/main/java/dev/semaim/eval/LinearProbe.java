package dev.semaim.eval;

import dev.semaim.autograd.Autocast;
import dev.semaim.autograd.Losses;
import dev.semaim.autograd.Var;
import dev.semaim.data.Dataset;
import dev.semaim.data.Transform;
import dev.semaim.data.Transforms;
import dev.semaim.model.VisionTransformer;
import dev.semaim.nn.optim.GradScaler;
import dev.semaim.nn.optim.LrSchedule;
import dev.semaim.nn.optim.Optimizer;
import dev.semaim.nn.optim.ParamGroup;
import dev.semaim.nn.optim.Sgd;
import dev.semaim.dist.Communicator;
import dev.semaim.dist.Launch;
import dev.semaim.run.DataParallel;
import dev.semaim.run.EpochLoop;
import dev.semaim.run.GradientUpdate;
import dev.semaim.run.JsonLinesLog;
import dev.semaim.run.ProgressLine;
import dev.semaim.run.RunOptions;
import dev.semaim.tensor.Backend;
import dev.semaim.tensor.Rng;
import dev.semaim.tensor.DType;
import dev.semaim.tensor.Tensor;

import java.io.IOException;
import java.util.List;
import java.util.Locale;

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
        o.validate();
        Launch launch = o.launch();
        ProgressLine p = DataParallel.progressOf(launch, progress); // rank 0 alone prints
        o.clampWarmup(p::note); // on every process: the recorded settings must agree
        return DataParallel.run(o, launch, p, (backend, comm) -> train(o, backend, comm, p));
    }

    private static ClassifierRun train(EvalOptions o, Backend backend, Communicator comm, ProgressLine progress) throws IOException {
        long start = System.nanoTime();
        BackboneLoader.checkArchitecture(o); // before the data: a checkpoint of another model fails at once
        EvalSplits splits = EvalSplits.open(o, progress).checkClasses(o);
        EvalData data = splits.data();
        Dataset train = splits.train(), val = splits.val();
        VitSpec spec = o.vitSpec();
        Rng rng = new Rng(o.seed);
        VisionTransformer backbone = spec.build(0, o.globalPool, 0, rng);
        if (o.finetune != null) {
            BackboneLoader.load(backbone, o, progress::message);
        } else if (!o.evalOnly) { // --eval says what it evaluates (ClassifierTrainer.fit)
            progress.message("no --finetune: probing the random initialisation");
        }
        LinearProbeModel model = new LinearProbeModel(backbone, new LinearProbeHead(spec.embedDim(), o.nbClasses, rng.fork(0x4EAD)));
        Optimizer optimizer = new Sgd(List.of(new ParamGroup("head", model.trainableParameters(), 1, o.weightDecay)), MOMENTUM);
        LrSchedule schedule = LrSchedule.warmupCosine(o.absoluteLr(), o.minLr, o.warmupEpochs, o.epochs);
        JsonLinesLog log = JsonLinesLog.of(o.files());
        Transform evalTransform = splits.evalTransform(o);

        progress.message(splits.describe());
        progress.message(String.format(Locale.ROOT, "model: frozen %s, %s feature; head BatchNorm1d + Linear(%d, %d)", spec.describe(),
                o.globalPool ? "global-pool" : "cls-token", spec.embedDim(), o.nbClasses));
        progress.message(String.format(Locale.ROOT, "base lr: %.2e; actual lr: %.2e; effective batch %d; SGD momentum %.1f",
                o.blr, o.absoluteLr(), o.effectiveBatch(), MOMENTUM));

        // no clipping; the head's gradient norm is measured for the logs
        DType autocast = o.precisionOn(backend, progress::note); // the training forward's; the held-out passes stay float32
        GradientUpdate gradientUpdate = new GradientUpdate(optimizer, model.trainableParameters().values(), Double.NaN, o.accumIter,
                autocast == DType.F16 ? new GradScaler() : null);
        progress.message(RunOptions.precisionLine(autocast, gradientUpdate.scaler()));
        EpochLoop.Step step = (b, epoch, it, lr, update) -> {
            Tensor images = Tensor.of(backend, b.images(), b.size(), b.channels(), b.height(), b.width()); // (B, C, H, W)
            Var loss;
            try (Autocast.Scope s = Autocast.enable(autocast)) {
                loss = Losses.crossEntropy(model.forward(images), Tensor.of(backend, Accuracy.toLong(b.labels()), b.size()));
            }
            return gradientUpdate.apply(loss, lr, update);
        };
        ClassifierTrainer trainer = new ClassifierTrainer(PROTOCOL, o, comm, model, optimizer, schedule, step, gradientUpdate,
                () -> DistributedAccuracy.evaluate(comm, o.distEval, model, model::forward, val, evalTransform, o.batchSize, o.numWorkers, backend),
                progress);
        ClassifierTrainer.Outcome out = trainer.fit(train, splits.describe(), () -> Transforms.linprobeTrain(o.inputSize, data.train().mean(), data.train().std()), log);
        return ClassifierTrainer.finish(PROTOCOL, o, comm, out, train.size(), data.heldOutDescription(), start);
    }
}
