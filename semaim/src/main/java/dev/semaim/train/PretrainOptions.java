package dev.semaim.train;

import dev.semaim.run.RunOptions;
import dev.semaim.model.AimConfig;
import dev.semaim.model.AttentionType;
import dev.semaim.model.FeatureTarget;
import dev.semaim.model.LossType;
import dev.semaim.model.OrderType;
import dev.semaim.model.PredictionHeadType;
import dev.semaim.settings.Schema;
import dev.semaim.settings.ValueType;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Everything a pre-training run needs. Each setting is declared once in {@link #SCHEMA} (the flags of
 * {@code semaim pretrain}: name, type, the reference recipe's default, help; spec section 6), which also gives a fresh
 * object its defaults and the checkpoint its {@code config}. Fields are set directly (by the parser or in code), then
 * {@link #validate()} checks them with messages naming the flag.
 */
public final class PretrainOptions extends RunOptions {
    /** A {@link AimConfig#PRESETS} name. */
    public String model;
    /** Weights to start from instead of the random initialisation (--init); null = none. */
    public Path init;
    /** Global gradient-norm clip; NaN = off. */
    public double clipGrad;
    /** Query-stream blocks; 0 = the preset's, or the encoder depth when {@link #depth} overrides it. */
    public int queryDepth;
    public PredictionHeadType predictionHeadType;
    public int gaussianKernelSize;
    public double gaussianSigma;
    public boolean normPixLoss;
    public OrderType permutationType;
    public AttentionType attentionType;
    public LossType lossType;
    /** The prediction target (--predict_feature) and the width of a 'clip' target (--out_dim; 0 = the teacher's). */
    public FeatureTarget predictFeature;
    public int outDim;
    /** The teacher's weights for 'clip' / 'dino' (--teacher); null = none. */
    public Path teacher;
    /** Keep an EMA of the model (--use_ema_model): the order map and the 'ema' target come from it. */
    public boolean useEmaModel;
    public int inputSize;
    public int patchSize;
    public int inChans;
    /** Encoder width/depth/heads overrides; 0 = the model preset's value. */
    public int embedDim;
    public int depth;
    public int numHeads;
    /** Also write the rolling checkpoint every this many optimizer steps (0 = only at epoch ends). */
    public int saveEverySteps;
    /** Stop (with a checkpoint) once this much wall time has passed; null = no limit. */
    public Duration timeLimit;
    /**
     * Run the lr schedule over the {@link #timeLimit} instead of the epochs (the demo; not a flag): the fractional epoch
     * given to the schedule is epochs x elapsed / time limit, so warm-up and cosine fit the budget at any speed. The lr
     * then depends on timing, so a resumed run no longer repeats an uninterrupted one exactly.
     */
    public boolean scheduleOverTime;

    /** The flags of {@code semaim pretrain}, declared once. */
    public static final Schema<PretrainOptions> SCHEMA = schema();

    /** The reference recipe's defaults (400 epochs, blr 2e-4, min lr 0, 30 warm-up epochs, ...): {@link #SCHEMA}'s. */
    public PretrainOptions() {
        SCHEMA.applyDefaults(this);
    }

    private static Schema<PretrainOptions> schema() {
        Schema<PretrainOptions> s = new Schema<>("pretrain",
                "Pre-trains an AIM ViT with SemAIM (spec section 6). Resumes automatically from <output_dir>/checkpoint-latest.safetensors.",
                PretrainOptions::new);
        s.add("model", ValueType.oneOf(AimConfig.PRESETS), "aim_base", "model size", o -> o.model, (o, v) -> o.model = v);
        declareRun(s, "ImageNet-style folder (uses PATH/train if present), a folder of MNIST/Fashion-MNIST IDX files "
                        + "(e.g. /usr/share/datasets/fashion-mnist), or 'embedded' (the bundled Fashion-MNIST slice)",
                "checkpoints (and log.txt and the TensorBoard event file unless --log_dir)", "seed of the model init, data order, augmentation and order noise",
                "64", "images per iteration");
        s.setting("data_path").required("an image folder, a folder of MNIST/Fashion-MNIST IDX files, or 'embedded'");
        declareTraining(s, "400", "2e-4", " (README value)", "0", "30", "0.05", "AdamW weight decay (not on 1-D parameters and biases)",
                "checkpoint to continue from (default: the rolling one in --output_dir, if any)");
        s.add("init", ValueType.path().metavar("FILE"), null, "start from these weights (safetensors or PyTorch .pth, e.g. an official "
                + "SemAIM checkpoint; 'module.' stripped, optimizer state left out), loaded strictly; a resumed run ignores it",
                o -> o.init, (o, v) -> o.init = v);
        s.add("clip_grad", ValueType.positiveOrNone().metavar("NORM"), "none", "clip the global gradient norm (README: 3.0); none = off",
                o -> o.clipGrad, (o, v) -> o.clipGrad = v);
        // the model's arguments that are flags too: declared once, by AimConfig
        Schema<AimConfig.Builder> model = AimConfig.KWARGS;
        s.add("query_depth", ValueType.integer(0), "0", "query-stream blocks; the encoder depth must be a multiple (0 = the model's, 12, "
                        + "or the encoder depth when --depth overrides it; the official default 12 is aim_base's depth)",
                o -> o.queryDepth, (o, v) -> o.queryDepth = v).recordedAs(o -> o.modelConfig().queryDepth());
        s.add("share_weight", ValueType.toggle(), null, "share the weights of the encoder and the query stream",
                o -> false, (o, v) -> { }).unrecorded()
                .notBuilt("the official share_weight=True path is broken (its query blocks would get their input as the "
                        + "attention mask, spec section 12.4), so there is no behaviour to reproduce; leave it off");
        s.add(model.setting("prediction_head_type", PredictionHeadType.class), o -> o.predictionHeadType, (o, v) -> o.predictionHeadType = v);
        s.add(model.setting("gaussian_kernel_size", Integer.class), o -> o.gaussianKernelSize, (o, v) -> o.gaussianKernelSize = v);
        s.add(model.setting("gaussian_sigma", Double.class), o -> o.gaussianSigma, (o, v) -> o.gaussianSigma = v);
        // a switch here (off unless given) where the model's argument defaults to the README's true
        s.add("norm_pix_loss", ValueType.toggle(), null, "normalise each target patch to zero mean, unit variance (README: on)",
                o -> o.normPixLoss, (o, v) -> o.normPixLoss = v);
        s.add(model.setting("permutation_type", OrderType.class), o -> o.permutationType, (o, v) -> o.permutationType = v);
        s.add(model.setting("attention_type", AttentionType.class), o -> o.attentionType, (o, v) -> o.attentionType = v);
        s.add(model.setting("loss_type", LossType.class), o -> o.lossType, (o, v) -> o.lossType = v);
        s.add(model.setting("predict_feature", FeatureTarget.class), o -> o.predictFeature, (o, v) -> o.predictFeature = v);
        s.add(model.setting("out_dim", Integer.class), o -> o.outDim, (o, v) -> o.outDim = v);
        s.add("teacher", ValueType.path().metavar("FILE"), null, "the frozen teacher of --predict_feature clip or dino (the "
                + "official code hard-codes /path_to_clip_model/clip_vitbase16_pretrain.pth and /path_to_dino_model/"
                + "dino_vitbase16_pretrain.pth; here you name the file): OpenAI CLIP ViT-B/16 as its state dict or as the "
                + "TorchScript archive clip.load downloads (ViT-B-16.pt; read without running it), Hugging Face "
                + "CLIPVisionModel(WithProjection) safetensors, or DINO ViT-B/16 with timm key names; heads = width / 64. "
                + "It runs frozen, without gradients, on the images of the run (ImageNet-normalised, as the official code feeds it)",
                o -> o.teacher, (o, v) -> o.teacher = v);
        s.add("use_ema_model", ValueType.toggle(), null, "keep an EMA of the model (decay 0.999 rising to 0.9999 over the first "
                + "100 epochs, updated after every optimizer step; saved as ema.* in the checkpoint, ema_state_dict by convert): "
                + "the order map of the pixel target and the --predict_feature ema target come from it",
                o -> o.useEmaModel, (o, v) -> o.useEmaModel = v);
        s.add("input_size", ValueType.integer(1).metavar("PX"), "224", "image side after the random resized crop (the model's img_size)",
                o -> o.inputSize, (o, v) -> o.inputSize = v);
        s.add(model.setting("patch_size", Integer.class), o -> o.patchSize, (o, v) -> o.patchSize = v);
        s.add(model.setting("in_chans", Integer.class), o -> o.inChans, (o, v) -> o.inChans = v);
        s.add("embed_dim", ValueType.integer(0).metavar("D"), "0", "override the model's width (0 = the model's)",
                o -> o.embedDim, (o, v) -> o.embedDim = v);
        s.add("depth", ValueType.integer(0), "0", "override the encoder depth (0 = the model's)", o -> o.depth, (o, v) -> o.depth = v);
        s.add("num_heads", ValueType.integer(0), "0", "override the attention heads (0 = the model's)", o -> o.numHeads, (o, v) -> o.numHeads = v);
        s.add("save_every_steps", ValueType.integer(0), "0", "also rewrite the rolling checkpoint every N optimizer steps (0 = per epoch only)",
                o -> o.saveEverySteps, (o, v) -> o.saveEverySteps = v).unrecorded();
        declareNumberedCheckpoints(s, "20");
        s.add("time_limit_minutes", ValueType.minutes(), null, "stop with a checkpoint after this much wall time (rank 0's clock with several processes)",
                o -> o.timeLimit, (o, v) -> o.timeLimit = v).unrecorded();
        return s;
    }

    /**
     * The flags that describe the model (preset, image size, overrides, query stream, head, blur, loss): what
     * {@link #modelConfig} reads. Commands that inspect weights without {@code config} metadata declare these too
     * ({@link Schema#addFrom}).
     */
    public static final List<String> MODEL_FLAGS = List.of("model", "input_size", "patch_size", "in_chans", "embed_dim", "depth",
            "num_heads", "query_depth", "prediction_head_type", "gaussian_kernel_size", "gaussian_sigma", "norm_pix_loss",
            "loss_type", "attention_type", "permutation_type", "predict_feature", "out_dim");

    /** Throws {@link IllegalArgumentException} naming the first bad setting by its flag name. */
    public void validate() {
        SCHEMA.validate(this);
        if (inputSize % patchSize != 0) {
            throw new IllegalArgumentException("--input_size " + inputSize + " is not a multiple of --patch_size " + patchSize);
        }
        modelConfig(); // the model's own checks (heads divide the width, odd blur kernel, ...), naming the flags
        checkSchedule();
        checkDistributed();
        checkFeatureTarget();
        if (scheduleOverTime && timeLimit == null) {
            throw new IllegalArgumentException("a schedule over time needs a time limit");
        }
    }

    /** --predict_feature, --teacher and --use_ema_model together (spec section 4.4). */
    private void checkFeatureTarget() {
        if (predictFeature.usesTeacher() && teacher == null) {
            throw new IllegalArgumentException("--predict_feature " + predictFeature + " needs --teacher FILE (the "
                    + (predictFeature == FeatureTarget.CLIP ? "OpenAI CLIP ViT-B/16" : "DINO ViT-B/16") + " weights, which the official code "
                    + "loads from a hard-coded path)");
        }
        if (!predictFeature.usesTeacher() && teacher != null) {
            throw new IllegalArgumentException("--teacher " + teacher + " is only used with --predict_feature clip or dino, not " + predictFeature);
        }
        if (predictFeature == FeatureTarget.EMA && !useEmaModel) {
            throw new IllegalArgumentException("--predict_feature ema needs --use_ema_model (the EMA copy is the target encoder)");
        }
        if (predictFeature.usesTeacher() && useEmaModel) {
            throw new IllegalArgumentException("--use_ema_model with --predict_feature " + predictFeature + ": the official code then loads no "
                    + "teacher (it is one or the other), and the order comes from the teacher; drop one of the two");
        }
    }

    /**
     * The model configuration these options describe: the named preset with the overrides applied; without
     * {@code --query_depth}, the preset's query depth (12), or the encoder depth when {@code --depth} overrides it. A
     * combination the model cannot be built with is an {@link IllegalArgumentException} naming the flags, e.g.
     * "--embed_dim 32 must be divisible by --num_heads 3" (with the preset's value where the flag was left at 0).
     */
    public AimConfig modelConfig() {
        AimConfig preset = AimConfig.preset(model);
        int queries = queryDepth > 0 ? queryDepth : depth > 0 ? depth : preset.queryDepth();
        return preset.toBuilder().imgSize(inputSize).patchSize(patchSize).inChans(inChans)
                .embedDim(embedDim > 0 ? embedDim : preset.embedDim()).depth(depth > 0 ? depth : preset.depth())
                .numHeads(numHeads > 0 ? numHeads : preset.numHeads()).queryDepth(queries).predictionHead(predictionHeadType)
                .gaussianKernelSize(gaussianKernelSize).gaussianSigma(gaussianSigma).normPixLoss(normPixLoss).lossType(lossType)
                .permutationType(permutationType).attentionType(attentionType).predictFeature(predictFeature).outDim(outDim).build(PretrainOptions::flagOf);
    }

    /** The flag that sets the model argument {@code kwarg}: the same name, but for the image side (--input_size). */
    private static String flagOf(String kwarg) {
        return "--" + (kwarg.equals("img_size") ? "input_size" : kwarg);
    }

    /** The recorded settings by flag name ({@link #SCHEMA}), for the checkpoint's {@code config} metadata. */
    public Map<String, Object> asMap() {
        return SCHEMA.record(this);
    }

    /** Options from a checkpoint's {@code config} (this or an earlier version's {@link #asMap}); absent settings keep their defaults. */
    public static PretrainOptions fromMap(Map<String, ?> config) {
        return SCHEMA.read(config, new PretrainOptions());
    }
}
