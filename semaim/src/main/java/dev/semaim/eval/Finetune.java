package dev.semaim.eval;

import dev.semaim.autograd.Autocast;
import dev.semaim.autograd.Losses;
import dev.semaim.autograd.Var;
import dev.semaim.data.Compose;
import dev.semaim.data.Dataset;
import dev.semaim.data.HorizontalFlip;
import dev.semaim.data.Normalize;
import dev.semaim.data.RandomResizedCrop;
import dev.semaim.data.ToTensor;
import dev.semaim.data.Transform;
import dev.semaim.data.augment.ColorJitter;
import dev.semaim.data.augment.ErasingMode;
import dev.semaim.data.augment.FinetuneTransforms;
import dev.semaim.data.augment.Interpolation;
import dev.semaim.data.augment.Mixup;
import dev.semaim.data.augment.RandAugment;
import dev.semaim.data.augment.RandomErasing;
import dev.semaim.model.VisionTransformer;
import dev.semaim.nn.optim.AdamW;
import dev.semaim.nn.optim.GradScaler;
import dev.semaim.nn.optim.LrSchedule;
import dev.semaim.nn.optim.Optimizer;
import dev.semaim.nn.optim.ParamGroup;
import dev.semaim.nn.optim.ParamGroups;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * End-to-end fine-tuning (spec section 7): a {@link VisionTransformer} (global pool by default) from
 * pre-trained weights ({@link BackboneLoader}), head trunc-normal std 2e-5, AdamW (0.9, 0.999) over the
 * layer-decay groups (no decay for 1-D parameters, pos_embed, cls_token), warm-up + half-cosine lr per
 * iteration, RandAugment/RandomErasing training pipeline, Mixup/CutMix with label smoothing and
 * SoftTargetCrossEntropy (label-smoothing CE without mixup, plain CE without either), optional gradient
 * clipping and accumulation, and top-1/top-5 on the HELD-OUT split (Resize(size/0.875) + CenterCrop) after
 * every epoch.
 *
 * <p>Determinism: model init from {@code Rng(seed)}, data order/augmentation from the loader's seed, and the
 * mixup draws of iteration {@code it} of epoch {@code e} from a stream keyed by (seed, e, it), so a run
 * resumed at an epoch boundary continues exactly.
 */
public final class Finetune {
    static final String PROTOCOL = "finetune";

    private Finetune() {
    }

    /**
     * The training pipeline: RandomResizedCrop(0.08-1) -> flip -> RandAugment(aa), or without it ColorJitter(color_jitter) ->
     * ToTensor -> Normalize -> RandomErasing(reprob, remode, recount).
     */
    static Transform trainTransform(EvalOptions o, float[] mean, float[] std) {
        if (o.aa.equals(FinetuneTransforms.RAND_AUGMENT) && o.reprob == FinetuneTransforms.ERASE_PROBABILITY && o.remode == ErasingMode.PIXEL
                && o.recount == 1) {
            return FinetuneTransforms.finetuneTrain(o.inputSize, mean, std);
        }
        List<Transform> steps = new ArrayList<>(List.of(new RandomResizedCrop(o.inputSize, 0.08, 1.0, 3.0 / 4.0, 4.0 / 3.0),
                new HorizontalFlip(0.5)));
        if (!o.aa.equals("none")) {
            steps.add(RandAugment.parse(o.aa, FinetuneTransforms.fillOf(mean), Interpolation.BICUBIC));
        } else if (!Double.isNaN(o.colorJitter)) { // timm: colour jitter only without RandAugment
            steps.add(new ColorJitter(o.colorJitter, o.colorJitter, o.colorJitter));
        }
        steps.add(new ToTensor());
        steps.add(new Normalize(mean, std));
        if (o.reprob > 0) {
            steps.add(new RandomErasing(o.reprob, o.remode, o.recount));
        }
        return new Compose(steps.toArray(Transform[]::new));
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
        VisionTransformer model = spec.build(o.nbClasses, o.globalPool, o.dropPath, new Rng(o.seed));
        if (o.finetune != null) {
            BackboneLoader.load(model, o, progress::message);
        } else if (!o.evalOnly) { // --eval says what it evaluates (ClassifierTrainer.fit)
            progress.message("no --finetune: training from the random initialisation");
        }
        Optimizer optimizer = new AdamW(paramGroups(model, o));
        LrSchedule schedule = LrSchedule.warmupCosine(o.absoluteLr(), o.minLr, o.warmupEpochs, o.epochs);
        JsonLinesLog log = JsonLinesLog.of(o.files());
        Transform evalTransform = splits.evalTransform(o);
        boolean mixupActive = o.mixup > 0 || o.cutmix > 0 || o.cutmixMinmax != null;
        if (mixupActive && o.batchSize % 2 != 0) {
            throw new IllegalArgumentException("--batch_size " + o.batchSize + " must be even with mixup/cutmix (images are mixed in pairs)");
        }
        Mixup mixup = mixupActive ? new Mixup(o.mixup, o.cutmix, o.mixupProb, o.mixupSwitchProb, o.smoothing, o.nbClasses, o.mixupMode,
                o.cutmixMinmax) : null;
        DType autocast = o.precisionOn(backend, progress::note); // the training forward's; the held-out passes stay float32
        GradientUpdate gradientUpdate = new GradientUpdate(optimizer, model.trainableParameters().values(), o.clipGrad, o.accumIter,
                autocast == DType.F16 ? new GradScaler() : null);
        progress.message(RunOptions.precisionLine(autocast, gradientUpdate.scaler()));

        progress.message(splits.describe());
        progress.message(String.format(Locale.ROOT, "model: %s, %s, %d classes; %,d trainable parameters", spec.describe(),
                o.globalPool ? "global pool" : "cls token", o.nbClasses, model.parameterCount(true)));
        progress.message(String.format(Locale.ROOT, "base lr: %.2e; actual lr: %.2e; effective batch %d; layer decay %.2f; %s",
                o.blr, o.absoluteLr(), o.effectiveBatch(), o.layerDecay,
                mixupActive ? "mixup/cutmix + soft-target CE" : o.smoothing > 0 ? "label-smoothing CE" : "cross-entropy"));

        EpochLoop.Step step = (b, epoch, it, lr, update) -> {
            Tensor images;
            Var logits;
            Var loss;
            try (Autocast.Scope s = Autocast.enable(autocast)) {
                if (mixup != null) {
                    Mixup.Result m = mixup.apply(b, new SplittableRandom(iterationSeed(o.seed, epoch, it)));
                    images = Tensor.of(backend, m.images(), b.size(), b.channels(), b.height(), b.width());
                    logits = model.forward(images);
                    loss = Losses.softTargetCrossEntropy(logits, Tensor.of(backend, m.targets(), b.size(), o.nbClasses));
                } else {
                    images = Tensor.of(backend, b.images(), b.size(), b.channels(), b.height(), b.width());
                    logits = model.forward(images);
                    loss = o.smoothing > 0
                            ? Losses.softTargetCrossEntropy(logits, Tensor.of(backend, Mixup.softTargets(b.labels(), o.nbClasses, 1.0, o.smoothing), b.size(), o.nbClasses))
                            : Losses.crossEntropy(logits, Tensor.of(backend, Accuracy.toLong(b.labels()), b.size()));
                }
            }
            return gradientUpdate.apply(loss, lr, update);
        };
        ClassifierTrainer trainer = new ClassifierTrainer(PROTOCOL, o, comm, model, optimizer, schedule, step, gradientUpdate,
                () -> DistributedAccuracy.evaluate(comm, o.distEval, model, model::forward, val, evalTransform, o.batchSize, o.numWorkers, backend),
                progress);
        ClassifierTrainer.Outcome out = trainer.fit(train, splits.describe(), () -> trainTransform(o, data.train().mean(), data.train().std()), log);
        return ClassifierTrainer.finish(PROTOCOL, o, comm, out, train.size(), data.heldOutDescription(), start);
    }

    /**
     * The optimizer groups of spec section 7: layer id 0 for cls_token/pos_embed/patch_embed, i+1 for block i,
     * depth+1 for fc_norm/norm/head; lr scale layer_decay^(depth+1-id); no weight decay for 1-D parameters,
     * pos_embed and cls_token.
     */
    static List<ParamGroup> paramGroups(VisionTransformer model, EvalOptions o) {
        return ParamGroups.layerDecay(model, o.weightDecay, o.layerDecay, model.blocks.size() + 1, ParamGroups.VIT_NO_DECAY);
    }

    /** A stream seed keyed by (seed, epoch, iteration). */
    static long iterationSeed(long seed, int epoch, int iter) {
        return new Rng(seed).fork(((long) epoch << 32) | iter).fork(0x3117).seed();
    }
}
