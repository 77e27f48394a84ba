package dev.semaim.eval;

import dev.semaim.run.OptimOptions;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The settings of the evaluation protocols ({@code semaim finetune}, {@code linprobe}, {@code knn}), named
 * after their flags. Defaults are the fine-tuning recipe's (spec section 7); the CLI commands set the
 * linear-probe (section 8) and k-NN (section 9) defaults. Fields a protocol does not use are ignored by it.
 */
public final class EvalOptions extends OptimOptions {
    // architecture: vit_{tiny,small,base,large}_patchN with optional overrides (0 = the name's)
    public String model = "vit_base_patch16";
    public int inputSize = 224;
    public int patchSize;
    public int inChans = 3;
    public int embedDim;
    public int depth;
    public int numHeads;
    /** Mean of the patch tokens -> fc_norm (true) or norm -> cls token (false). */
    public boolean globalPool = true;
    /** Pre-trained weights (safetensors or .pth); null = random initialisation (the baseline). */
    public Path finetune;

    public String dataPath;
    public int nbClasses = 1000;
    public Path outputDir = Path.of("./output_dir");
    public Path logDir;
    public long seed;
    /** Checkpoint to continue from; null = the rolling checkpoint in {@link #outputDir} if any. */
    public Path resume;
    public String device = "cpu";
    public int numWorkers = 2;
    public int printEvery = 20;
    /** Seeded random subsets for budgeted runs (0 = the whole split). */
    public int maxTrainImages;
    public int maxEvalImages;
    /** Iterations per epoch cap (0 = all). */
    public int maxStepsPerEpoch;
    /** Evaluation pipeline Resize(int(size / cropPct)) + CenterCrop(size); 0.875 in the recipes. */
    public double cropPct = 0.875;
    /** Evaluate the loaded weights only (finetune/linprobe). */
    public boolean evalOnly;

    // optimisation (finetune / linprobe); batch size, epochs, lr recipe and weight decay in OptimOptions
    public double layerDecay = 0.65;
    public double dropPath = 0.1;
    /** NaN = no clipping. */
    public double clipGrad = Double.NaN;
    public double smoothing = 0.1;
    public double mixup = 0.8;
    public double cutmix = 1.0;
    public double mixupProb = 1.0;
    public double mixupSwitchProb = 0.5;
    public double reprob = 0.25;
    /** RandAugment config or "none". */
    public String aa = "rand-m9-mstd0.5-inc1";

    // k-NN
    public int[] knnK = {10, 20, 30};
    public double temperature = 0.07;
    public int knnChunks = 100;

    /** The fine-tuning recipe's optimisation defaults: 100 epochs, blr 5e-4, min lr 1e-6, 5 warm-up epochs. */
    public EvalOptions() {
        epochs = 100;
        blr = 5e-4;
        minLr = 1e-6;
        warmupEpochs = 5;
    }

    public VitSpec vitSpec() {
        return VitSpec.parse(model, inputSize, patchSize, inChans, embedDim, depth, numHeads);
    }

    /** Checks the settings a training protocol uses; messages name the flag. */
    public void validateTraining() {
        if (batchSize < 1 || epochs < 1 || accumIter < 1 || printEvery < 1) {
            throw new IllegalArgumentException("--batch_size, --epochs, --accum_iter and --print_every must be positive");
        }
        if (!(Double.isNaN(lr) || lr > 0) || !(blr > 0) || !(minLr >= 0) || !(weightDecay >= 0) || !(warmupEpochs >= 0)) {
            throw new IllegalArgumentException("--blr/--lr must be > 0 and --min_lr/--weight_decay/--warmup_epochs >= 0");
        }
        checkSchedule();
        if (dataPath == null || dataPath.isBlank()) {
            throw new IllegalArgumentException("--data_path is required");
        }
    }

    /** The settings by flag name, for results.json and checkpoint metadata. */
    public Map<String, Object> asMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", model);
        m.put("input_size", inputSize);
        VitSpec s = vitSpec();
        m.put("patch_size", s.patchSize());
        m.put("in_chans", inChans);
        m.put("embed_dim", s.embedDim());
        m.put("depth", s.depth());
        m.put("num_heads", s.numHeads());
        m.put("global_pool", globalPool);
        m.put("finetune", finetune == null ? null : finetune.toString());
        m.put("data_path", dataPath);
        m.put("nb_classes", nbClasses);
        m.put("seed", seed);
        m.put("max_train_images", maxTrainImages);
        m.put("max_eval_images", maxEvalImages);
        m.put("crop_pct", cropPct);
        m.put("max_steps_per_epoch", maxStepsPerEpoch);
        putOptim(m);
        m.put("device", device);
        return m;
    }
}
