package dev.semaim.train;

import dev.semaim.run.OptimOptions;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything a pre-training run needs, with the reference recipe's defaults (spec section 6; the CLI flags
 * of {@code semaim pretrain} have the same names; batch, epochs, lr recipe and weight decay come from
 * {@link OptimOptions}). Fields are set directly, then {@link #validate()} checks them with messages naming
 * the flag.
 */
public final class PretrainOptions extends OptimOptions {
    /** aim_tiny | aim_small | aim_base | aim_large. */
    public String model = "aim_base";
    /** Global gradient-norm clip; NaN = off. */
    public double clipGrad = Double.NaN;
    public int queryDepth = 12;
    /** MLP | LINEAR. */
    public String predictionHeadType = "MLP";
    public int gaussianKernelSize = 9;
    public double gaussianSigma = 1;
    public boolean normPixLoss;
    public String permutationType = "attention_center";
    /** cls | gap | self. */
    public String attentionType = "cls";
    /** L2 | L1. */
    public String lossType = "L2";
    public int inputSize = 224;
    public int patchSize = 16;
    public int inChans = 3;
    /** Encoder width/depth/heads overrides; 0 = the model factory's value. */
    public int embedDim;
    public int depth;
    public int numHeads;
    /** An image folder, an IDX folder, or {@link TrainingData#EMBEDDED}. */
    public String dataPath;
    public Path outputDir = Path.of("./output_dir");
    /** Where log.txt goes; null = {@link #outputDir}. */
    public Path logDir;
    public long seed;
    /** Checkpoint to resume from; null = auto-resume from the rolling latest checkpoint in {@link #outputDir} if present. */
    public Path resume;
    /** Caps the iterations of each epoch (0 = the whole data set); the schedule uses the capped count. */
    public int maxStepsPerEpoch;
    public int numWorkers = 2;
    /** cpu | cuda | auto. */
    public String device = "cpu";
    /** Also write the rolling checkpoint every this many optimizer steps (0 = only at epoch ends). */
    public int saveEverySteps;
    /** Numbered checkpoint every this many epochs (and at the end). */
    public int saveEveryEpochs = 20;
    /** Stop (with a checkpoint) once this much wall time has passed; null = no limit. */
    public Duration timeLimit;
    /**
     * Run the lr schedule over the {@link #timeLimit} instead of the epochs (the demo): the fractional epoch given
     * to the schedule is epochs x elapsed / time limit, so warm-up and cosine fit the budget at any speed. The lr
     * then depends on timing, so a resumed run no longer repeats an uninterrupted one exactly.
     */
    public boolean scheduleOverTime;
    /** Print a plain progress line every this many iterations when no console is attached. */
    public int printEvery = 20;

    /** The reference recipe's optimisation defaults: 400 epochs, blr 2e-4, min lr 0, 30 warm-up epochs. */
    public PretrainOptions() {
        epochs = 400;
        blr = 2e-4;
        minLr = 0;
        warmupEpochs = 30;
    }

    /** Throws {@link IllegalArgumentException} naming the first bad setting by its flag name. */
    public void validate() {
        positive("batch_size", batchSize);
        positive("epochs", epochs);
        positive("accum_iter", accumIter);
        positive("input_size", inputSize);
        positive("patch_size", patchSize);
        positive("in_chans", inChans);
        positive("query_depth", queryDepth);
        positive("save_every_epochs", saveEveryEpochs);
        positive("print_every", printEvery);
        if (inputSize % patchSize != 0) {
            throw new IllegalArgumentException("--input_size " + inputSize + " is not a multiple of --patch_size " + patchSize);
        }
        if (!(warmupEpochs >= 0) || !(blr > 0) || !(Double.isNaN(lr) || lr > 0) || !(minLr >= 0) || !(weightDecay >= 0)) {
            throw new IllegalArgumentException("--warmup_epochs/--blr/--lr/--min_lr/--weight_decay must be non-negative (lr > 0)");
        }
        checkSchedule();
        if (!(Double.isNaN(clipGrad) || clipGrad > 0)) {
            throw new IllegalArgumentException("--clip_grad must be > 0 or none, got " + clipGrad);
        }
        if (maxStepsPerEpoch < 0 || numWorkers < 0 || saveEverySteps < 0 || embedDim < 0 || depth < 0 || numHeads < 0) {
            throw new IllegalArgumentException("--max_steps_per_epoch/--num_workers/--save_every_steps must be >= 0");
        }
        if (scheduleOverTime && timeLimit == null) {
            throw new IllegalArgumentException("a schedule over time needs a time limit");
        }
        if (dataPath == null || dataPath.isBlank()) {
            throw new IllegalArgumentException("--data_path is required (an image folder, an MNIST/Fashion-MNIST IDX folder, or 'embedded')");
        }
    }

    private static void positive(String flag, int v) {
        if (v <= 0) {
            throw new IllegalArgumentException("--" + flag + " must be positive, got " + v);
        }
    }

    /** The settings by flag name, for the checkpoint metadata and the start-up banner. */
    public Map<String, Object> asMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", model);
        putOptim(m);
        m.put("clip_grad", Double.isNaN(clipGrad) ? null : clipGrad);
        m.put("query_depth", queryDepth);
        m.put("prediction_head_type", predictionHeadType);
        m.put("gaussian_kernel_size", gaussianKernelSize);
        m.put("gaussian_sigma", gaussianSigma);
        m.put("norm_pix_loss", normPixLoss);
        m.put("permutation_type", permutationType);
        m.put("attention_type", attentionType);
        m.put("loss_type", lossType);
        m.put("input_size", inputSize);
        m.put("patch_size", patchSize);
        m.put("in_chans", inChans);
        m.put("embed_dim", embedDim);
        m.put("depth", depth);
        m.put("num_heads", numHeads);
        m.put("data_path", dataPath);
        m.put("seed", seed);
        m.put("max_steps_per_epoch", maxStepsPerEpoch);
        m.put("device", device);
        return m;
    }
}
