package dev.semaim.eval;

import dev.semaim.data.augment.ErasingMode;
import dev.semaim.data.augment.FinetuneTransforms;
import dev.semaim.data.augment.MixupMode;
import dev.semaim.data.augment.RandAugment;
import dev.semaim.model.AimConfig;
import dev.semaim.run.RunFiles;
import dev.semaim.settings.Device;
import dev.semaim.settings.Schema;
import dev.semaim.settings.ValueType;
import dev.semaim.run.RunOptions;

import java.nio.file.Path;
import java.util.Map;
import java.util.function.ToIntFunction;

/**
 * The settings of the evaluation protocols ({@code semaim finetune}, {@code linprobe}, {@code knn}), each declared once
 * in the protocol's schema ({@link #FINETUNE} spec section 7, {@link #LINPROBE} section 8, {@link #KNN} section 9; the
 * architecture, weights and data settings they share are declared once for all three). The schema gives a fresh object
 * its defaults, the command line its flags and {@code --help}, and results.json and the checkpoints their settings.
 * Fields a protocol does not declare keep the fine-tuning recipe's values and are ignored by it.
 */
public final class EvalOptions extends RunOptions {
    // architecture: vit_{tiny,small,base,large}_patchN with optional overrides (0 = the name's)
    public String model;
    public int inputSize;
    public int patchSize;
    public int inChans;
    public int embedDim;
    public int depth;
    public int numHeads;
    /** Mean of the patch tokens -> fc_norm (true) or norm -> cls token (false). */
    public boolean globalPool;
    /** Pre-trained weights (safetensors or .pth); null = random initialisation (the baseline). */
    public Path finetune;
    /** The entry of the --finetune file holding the weights; null = 'state_dict', else 'model', else the top level. */
    public String checkpointKey;
    /** Keep the random initialisation of encoder tensors the --finetune file lacks (beyond head and fc_norm). */
    public boolean allowMissingKeys;
    /** Load --finetune weights holding NaN or infinity. */
    public boolean allowNonFinite;

    public int nbClasses;
    /** Seeded random subsets for budgeted runs (0 = the whole split). */
    public int maxTrainImages;
    public int maxEvalImages;
    /** Evaluation pipeline Resize(int(size / cropPct)) + CenterCrop(size); 0.875 in the recipes. */
    public double cropPct;
    /** Evaluate the loaded weights only (finetune/linprobe). */
    public boolean evalOnly;

    // optimisation (finetune / linprobe); batch size, epochs, lr recipe and weight decay in RunOptions
    public double layerDecay;
    public double dropPath;
    /** NaN = no clipping. */
    public double clipGrad;
    public double smoothing;
    public double mixup;
    public double cutmix;
    /** Cutmix box sides as fractions of the image sides, drawn in [min, max) (timm's cutmix_minmax); null = from lambda. */
    public double[] cutmixMinmax;
    public double mixupProb;
    public double mixupSwitchProb;
    /** One mixup lambda per batch (the recipe), per pair or per image. */
    public MixupMode mixupMode;
    public double reprob;
    /** What random erasing writes: timm's 'pixel' (the recipe), 'rand' or 'const'. */
    public ErasingMode remode;
    /** Random erasing draws 1 to this many boxes per image. */
    public int recount;
    /** RandAugment config or "none". */
    public String aa;
    /** Colour jitter strength, used only with {@code aa} "none" (timm's rule); NaN = none. */
    public double colorJitter;

    // k-NN
    public int[] knnK;
    public double temperature;
    public int knnChunks;
    /** Folder to write the normalised features and labels to once extracted (main_knn.py's --dump_features); null = none. */
    public Path dumpFeatures;
    /** Folder to read them from instead of running a model (main_knn.py's --load_features); null = extract. */
    public Path loadFeatures;

    /** {@code semaim finetune}: end-to-end fine-tuning, the README recipe (spec section 7). */
    public static final Schema<EvalOptions> FINETUNE = finetune();
    /** {@code semaim linprobe}: BatchNorm1d + Linear on frozen features (spec section 8). */
    public static final Schema<EvalOptions> LINPROBE = linprobe();
    /** {@code semaim knn}: weighted k-NN on frozen features (spec section 9). */
    public static final Schema<EvalOptions> KNN = knn();

    private final Schema<EvalOptions> protocol;

    /** The fine-tuning recipe's settings ({@link #FINETUNE}'s defaults). */
    public EvalOptions() {
        this(FINETUNE);
    }

    /** The defaults of {@code protocol} ({@link #FINETUNE}, {@link #LINPROBE} or {@link #KNN}), which also records them. */
    public EvalOptions(Schema<EvalOptions> protocol) {
        this.protocol = protocol;
        // the fine-tuning recipe first, so that fields another protocol does not declare hold usable values
        if (protocol != FINETUNE) {
            FINETUNE.applyDefaults(this);
        }
        protocol.applyDefaults(this);
    }

    public VitSpec vitSpec() {
        return VitSpec.parse(model, inputSize, patchSize, inChans, embedDim, depth, numHeads);
    }

    /**
     * The value a size flag records: the architecture's (the name's where the flag is 0). With --load_features no model
     * runs and the model flags are unused, so they need not name one: the flag as given.
     */
    private int recordedSize(ToIntFunction<VitSpec> size, int given) {
        return loadFeatures != null ? given : size.applyAsInt(vitSpec());
    }

    /**
     * Checks every setting of the protocol, the architecture (unless --load_features, which runs no model: the command
     * line of the run that dumped the features still works with it added) and, for the training protocols, the lr
     * schedule; messages name the flag.
     */
    public void validate() {
        protocol.validate(this, name -> loadFeatures == null || !name.equals("data_path")); // a features dump needs no data
        if (loadFeatures == null) {
            try {
                vitSpec();
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(e.getMessage().startsWith("--") ? e.getMessage() : "--model " + model + ": " + e.getMessage(), e);
            }
        }
        if (protocol != KNN) {
            checkSchedule();
        }
        if (protocol == FINETUNE && !aa.equals("none")) {
            try {
                RandAugment.parse(aa);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--aa: " + e.getMessage(), e);
            }
        }
        checkDistributed();
    }

    /** The recorded settings by flag name, for results.json and checkpoint metadata. */
    public Map<String, Object> asMap() {
        return protocol.record(this);
    }

    /** Options of this protocol from a checkpoint's recorded {@code config} ({@link #asMap}); absent settings keep their defaults. */
    EvalOptions readBack(Map<String, ?> config) {
        return protocol.read(config, new EvalOptions(protocol));
    }

    /** The names of this run's files ({@link RunFiles}; linear probing's rolling checkpoint is {@code <stem>.linear}, as main_linprobe.py names it). */
    public RunFiles files() {
        return files(model, protocol == LINPROBE ? "linear" : "temp");
    }

    /**
     * Where this run's results go: {@link RunFiles#results()}, or for an --eval run {@code results-eval.json} beside it
     * ({@code <stem>.results-eval.json} with --experiment): an evaluation is often run in a training run's folder, on
     * its checkpoint, and must not overwrite that run's record.
     */
    public Path results() {
        Path training = files().results();
        if (!evalOnly) {
            return training;
        }
        String name = training.getFileName().toString();
        return training.resolveSibling(name.substring(0, name.length() - ".json".length()) + "-eval.json");
    }

    // ------------------------------------------------------------------ the declarations

    private static Schema<EvalOptions> finetune() {
        Schema<EvalOptions> s = common(new Schema<>("finetune",
                "Fine-tunes a ViT from pre-trained weights (spec section 7) and reports top-1/top-5 on the held-out split "
                        + "after every epoch. Resumes from <output_dir>/checkpoint-latest.safetensors.",
                () -> new EvalOptions(EvalOptions.FINETUNE)), true, "64");
        training(s, "100", "5e-4", "1e-6", "20", "0.05");
        s.add("layer_decay", ValueType.numberAbove(0).where(v -> v <= 1, "at most 1").metavar("F"), "0.65", "layer-wise lr decay",
                o -> o.layerDecay, (o, v) -> o.layerDecay = v).unrecorded();
        s.add("drop_path", probability().where(v -> v < 1, "below 1"), "0.1", "stochastic depth rate (linear ramp over the blocks)",
                o -> o.dropPath, (o, v) -> o.dropPath = v).unrecorded();
        s.add("clip_grad", ValueType.positiveOrNone().metavar("NORM"), "none", "clip the global gradient norm; none = off",
                o -> o.clipGrad, (o, v) -> o.clipGrad = v).unrecorded();
        s.add("smoothing", probability().where(v -> v < 1, "below 1").metavar("S"), "0.1", "label smoothing",
                o -> o.smoothing, (o, v) -> o.smoothing = v).unrecorded();
        s.add("mixup", ValueType.number(0).metavar("A"), "0.8", "mixup alpha (0 = off)", o -> o.mixup, (o, v) -> o.mixup = v).unrecorded();
        s.add("cutmix", ValueType.number(0).metavar("A"), "1.0", "cutmix alpha (0 = off)", o -> o.cutmix, (o, v) -> o.cutmix = v).unrecorded();
        s.add("mixup_prob", probability(), "1.0", "probability of mixing a batch", o -> o.mixupProb, (o, v) -> o.mixupProb = v).unrecorded();
        s.add("mixup_switch_prob", probability(), "0.5", "probability of cutmix instead of mixup when both are on",
                o -> o.mixupSwitchProb, (o, v) -> o.mixupSwitchProb = v).unrecorded();
        s.add("reprob", probability(), String.valueOf(FinetuneTransforms.ERASE_PROBABILITY), "random-erasing probability",
                o -> o.reprob, (o, v) -> o.reprob = v).unrecorded();
        s.add("aa", ValueType.text().metavar("CONFIG"), FinetuneTransforms.RAND_AUGMENT, "RandAugment config, or none: timm's "
                        + "rand-mM[-nN][-mstdS][-incI] (M magnitude 0-10, N ops per image, default 2; S magnitude noise; inc1 the increasing op "
                        + "set, inc0 or no inc the standard one); AutoAugment policies (v0, original) and the 'w' op weights are not built",
                o -> o.aa, (o, v) -> o.aa = v).unrecorded();
        s.add("color_jitter", ValueType.positiveOrNone().metavar("F"), "none", "with --aa none: torchvision's ColorJitter(F, F, F) "
                        + "(brightness, contrast and saturation factors ~ U[1 - F, 1 + F] in a random order) after the flip; none = off",
                o -> o.colorJitter, (o, v) -> o.colorJitter = v).unrecorded()
                .noteWhenGiven(o -> o.aa.equals("none") ? null : "has no effect while --aa is on (timm applies colour jitter only without RandAugment)");
        s.add("remode", ValueType.choice(ErasingMode.class), "pixel", "random-erasing fill: per-pixel N(0, 1) noise, one N(0, 1) colour "
                + "per channel, or zeros", o -> o.remode, (o, v) -> o.remode = v).unrecorded();
        s.add("recount", ValueType.integer(1), "1", "random erasing draws 1 to N boxes per image (timm's max_count; each box's area / count)",
                o -> o.recount, (o, v) -> o.recount = v).unrecorded();
        declareNoEffect(s, "resplit", ValueType.toggle(), null, "leave the first augmentation split unerased",
                "there are no augmentation splits, as in the official transform, which builds none either");
        s.add("cutmix_minmax", ValueType.numbers(2).where(v -> 0 <= v[0] && v[0] < v[1] && v[1] <= 1, "two fractions 0 <= MIN < MAX <= 1")
                        .metavar("MIN MAX"), null, "cutmix box sides drawn as fractions in [MIN, MAX) of the image sides, lambda from the "
                        + "box (timm's cutmix_minmax: turns cutmix on, its alpha 1)",
                o -> o.cutmixMinmax, (o, v) -> o.cutmixMinmax = v).unrecorded().severalWords();
        s.add("mixup_mode", ValueType.choice(MixupMode.class), "batch", "how mixup/cutmix parameters are drawn: one lambda and box per "
                + "batch, per pair (b, B-1-b) or per image", o -> o.mixupMode, (o, v) -> o.mixupMode = v).unrecorded();
        return s;
    }

    private static Schema<EvalOptions> linprobe() {
        Schema<EvalOptions> s = common(new Schema<>("linprobe",
                "Trains BatchNorm1d(affine=False) + Linear on the frozen features of a pre-trained ViT (cls token after the "
                        + "final norm by default; spec section 8) with SGD momentum 0.9, and reports held-out top-1/top-5.",
                () -> new EvalOptions(EvalOptions.LINPROBE)), false, "512");
        training(s, "90", "0.1", "0", "10", "0");
        return s;
    }

    private static Schema<EvalOptions> knn() {
        Schema<EvalOptions> s = common(new Schema<>("knn",
                "k-NN accuracy of a pre-trained ViT's frozen, L2-normalised features (global pool by default; spec section 9): "
                        + "held-out images vote with exp(cosine / T) of their k nearest training images.",
                () -> new EvalOptions(EvalOptions.KNN)), true, "128");
        s.add("nb_knn", ValueType.positiveIntList(), "10,20,30", "neighbour counts to report (also as separate words: --nb_knn 10 20 30); one above the training images votes with them all, recorded beside as knnK_k_used",
                o -> o.knnK, (o, v) -> o.knnK = v).unrecorded().severalWords();
        s.add("temperature", ValueType.numberAbove(0).metavar("T"), "0.07", "vote temperature",
                o -> o.temperature, (o, v) -> o.temperature = v).unrecorded();
        s.add("chunks", ValueType.integer(1), "100", "the held-out features are compared in this many chunks (memory)",
                o -> o.knnChunks, (o, v) -> o.knnChunks = v).unrecorded();
        // the official main_knn.py spellings
        s.setting("batch_size").alias("batch_size_per_gpu");
        s.setting("finetune").alias("pretrained_weights");
        s.add("use_cuda", ValueType.toggle(), null, "the official switch that keeps the features on the GPU: here the same as --device cuda",
                o -> o.device == Device.CUDA, (o, v) -> {
                    if (v) {
                        o.device = Device.CUDA;
                    }
                }).unrecorded().excludes("device");
        declareNoEffect(s, "avgpool_patchtokens", ValueType.integer().where(v -> v >= 0 && v <= 2, "0, 1 or 2"), "0",
                "DINO's feature choice (0 cls token, 1 mean patch token, 2 both)",
                "the official main_knn.py ignores it too; --global_pool (mean patch token) or --cls_token chooses the feature");
        declareNoEffect(s, "method", ValueType.text().metavar("NAME"), "moco", "the official method name", "the official main_knn.py never reads it");
        s.add("dump_features", ValueType.path().metavar("DIR"), null, "write the L2-normalised features and the labels of both "
                + "splits, once extracted, to DIR/" + KnnDump.describeFiles() + " (main_knn.py's dumps, as safetensors)",
                o -> o.dumpFeatures, (o, v) -> o.dumpFeatures = v).unrecorded().excludes("load_features");
        s.add("load_features", ValueType.path().metavar("DIR"), null, "vote with the features and labels of DIR/"
                + KnnDump.describeFiles() + " (as --dump_features writes them) instead of running a model; --data_path "
                + "and the model flags are then unused", o -> o.loadFeatures, (o, v) -> o.loadFeatures = v).unrecorded();
        return s;
    }

    /** A number in [0, 1]. */
    private static ValueType<Double> probability() {
        return ValueType.number(0).where(v -> v <= 1, "at most 1").metavar("P");
    }

    /**
     * Architecture, pooling, weights, data and run-control settings of all three protocols. {@code globalPool}: the
     * recipe's pooling. The recorded sizes are the resolved ones (the name's where the flag is 0).
     */
    private static Schema<EvalOptions> common(Schema<EvalOptions> s, boolean globalPool, String batchSize) {
        s.add("model", ValueType.text().metavar("NAME"), "vit_base_patch16", "vit_{tiny,small,base,large}_patch<N>",
                o -> o.model, (o, v) -> o.model = v);
        s.add("input_size", ValueType.integer(1).metavar("PX"), "224", "image side", o -> o.inputSize, (o, v) -> o.inputSize = v);
        s.add("patch_size", ValueType.integer(0).metavar("PX"), "0", "override the name's patch size (0 = the name's)",
                o -> o.patchSize, (o, v) -> o.patchSize = v).recordedAs(o -> o.recordedSize(VitSpec::patchSize, o.patchSize));
        s.add(AimConfig.KWARGS.setting("in_chans", Integer.class), o -> o.inChans, (o, v) -> o.inChans = v);
        s.add("embed_dim", ValueType.integer(0).metavar("D"), "0", "override the width (0 = the name's)",
                o -> o.embedDim, (o, v) -> o.embedDim = v).recordedAs(o -> o.recordedSize(VitSpec::embedDim, o.embedDim));
        s.add("depth", ValueType.integer(0), "0", "override the depth (0 = the name's)",
                o -> o.depth, (o, v) -> o.depth = v).recordedAs(o -> o.recordedSize(VitSpec::depth, o.depth));
        s.add("num_heads", ValueType.integer(0), "0", "override the heads (0 = the name's)",
                o -> o.numHeads, (o, v) -> o.numHeads = v).recordedAs(o -> o.recordedSize(VitSpec::numHeads, o.numHeads));
        s.add("global_pool", ValueType.toggle(), String.valueOf(globalPool), "mean of the patch tokens -> fc_norm",
                o -> o.globalPool, (o, v) -> o.globalPool = v).excludes("cls_token");
        s.add("cls_token", ValueType.toggle(), String.valueOf(!globalPool), "final norm -> cls token",
                o -> !o.globalPool, (o, v) -> o.globalPool = !v).unrecorded();
        s.add("finetune", ValueType.path().metavar("FILE"), null, "pre-trained weights: this project's .safetensors checkpoint or a "
                + "PyTorch .pth (unset = random initialisation)", o -> o.finetune, (o, v) -> o.finetune = v);
        s.add("checkpoint_key", ValueType.text().where(t -> !t.isBlank(), "non-empty").metavar("KEY"), null, "the entry of the --finetune "
                + "file that holds the weights (a .pth file's top-level key, e.g. state_dict, model or ema_state_dict; in a safetensors file "
                + "the tensors named KEY.*, state_dict and model meaning the model's own); unset: state_dict, else model, else the top level",
                o -> o.checkpointKey, (o, v) -> o.checkpointKey = v);
        s.add("allow_missing_keys", ValueType.toggle(), "false", "load --finetune weights that lack encoder tensors (beyond head and "
                + "fc_norm, which the protocol re-creates), keeping those tensors' random initialisation", o -> o.allowMissingKeys,
                (o, v) -> o.allowMissingKeys = v);
        s.add("allow_non_finite", ValueType.toggle(), "false", "load weights that hold NaN or infinity (to evaluate or inspect a diverged run)",
                o -> o.allowNonFinite, (o, v) -> o.allowNonFinite = v);
        declareRun(s, "IDX folder with train-* and t10k-* files, image folder with train/ and val/, or 'embedded'",
                "checkpoints, log.txt, the TensorBoard event file and results.json", "seed of the head init, data order, augmentation and subsets",
                batchSize, "images per iteration (and per feature batch)");
        s.setting("data_path").required("an IDX folder, an image folder with train/ and val/, or 'embedded'");
        s.add("nb_classes", ValueType.integer(1), "1000", "classes of the head (knn: of the labels); the data must not have more", o -> o.nbClasses, (o, v) -> o.nbClasses = v);
        s.add("max_train_images", ValueType.integer(0), "0", "seeded random subset of the training split (0 = all)",
                o -> o.maxTrainImages, (o, v) -> o.maxTrainImages = v);
        s.add("max_eval_images", ValueType.integer(0), "0", "seeded random subset of the held-out split (0 = all)",
                o -> o.maxEvalImages, (o, v) -> o.maxEvalImages = v);
        s.add("crop_pct", ValueType.numberAbove(0).where(v -> v <= 1, "at most 1").metavar("F"), "0.875",
                "evaluation pipeline Resize(int(input_size / F)) + CenterCrop(input_size)", o -> o.cropPct, (o, v) -> o.cropPct = v);
        return s;
    }

    /** The optimisation and run-control settings of finetune/linprobe with the recipe's defaults. */
    private static void training(Schema<EvalOptions> s, String epochs, String blr, String minLr, String warmup, String weightDecay) {
        declareTraining(s, epochs, blr, "", minLr, warmup, weightDecay, "weight decay", "checkpoint of this protocol to continue "
                + "(default: <output_dir>/checkpoint-latest.safetensors if present)");
        declareNumberedCheckpoints(s, "0");
        s.add("eval", ValueType.toggle(), null, "only evaluate (the --resume checkpoint, else the --finetune weights) on the held-out split; "
                + "the record goes to results-eval.json, so a training run's results.json in --output_dir stays",
                o -> o.evalOnly, (o, v) -> o.evalOnly = v).unrecorded();
    }
}
