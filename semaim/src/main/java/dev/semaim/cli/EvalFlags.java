package dev.semaim.cli;

import dev.semaim.eval.EvalOptions;

import java.util.Arrays;

/**
 * The flags {@code finetune}, {@code linprobe} and {@code knn} share (architecture, weights, data, output,
 * pooling), declared once with per-command defaults, and their transfer into {@link EvalOptions}.
 */
final class EvalFlags {
    private EvalFlags() {
    }

    /** Architecture, pooling, weights, data and run-control flags. {@code globalPoolDefault}: the recipe's pooling. */
    static Flags common(Flags f, boolean globalPoolDefault, String batchSize) {
        return f.value("model", "NAME", "vit_base_patch16", "vit_{tiny,small,base,large}_patch<N>")
                .value("input_size", "PX", "224", "image side")
                .value("patch_size", "PX", "0", "override the name's patch size (0 = the name's)")
                .value("in_chans", "C", "3", "image channels, 1 or 3 (Fashion-MNIST: 1)")
                .value("embed_dim", "D", "0", "override the width (0 = the name's)")
                .value("depth", "N", "0", "override the depth (0 = the name's)")
                .value("num_heads", "N", "0", "override the heads (0 = the name's)")
                .toggle("global_pool", "mean of the patch tokens -> fc_norm" + (globalPoolDefault ? " (default)" : ""))
                .toggle("cls_token", "final norm -> cls token" + (globalPoolDefault ? "" : " (default)"))
                .value("finetune", "FILE", null, "pre-trained weights: this project's .safetensors checkpoint or a PyTorch .pth "
                        + "(unset = random initialisation)")
                .value("data_path", "PATH", null, "IDX folder with train-* and t10k-* files, image folder with train/ and val/, "
                        + "or 'embedded'")
                .value("nb_classes", "N", "1000", "classes of the head")
                .value("batch_size", "N", batchSize, "images per iteration (and per feature batch)")
                .value("output_dir", "DIR", "./output_dir", "checkpoints, log.txt and results.json")
                .value("log_dir", "DIR", null, "where log.txt goes (default: --output_dir)")
                .value("seed", "N", "0", "seed of the head init, data order, augmentation and subsets")
                .value("max_train_images", "N", "0", "seeded random subset of the training split (0 = all)")
                .value("max_eval_images", "N", "0", "seeded random subset of the held-out split (0 = all)")
                .value("crop_pct", "F", "0.875", "evaluation pipeline Resize(int(input_size / F)) + CenterCrop(input_size)")
                .value("num_workers", "N", "2", "data loading threads")
                .choice("device", "cpu", "compute backend", "cpu", "cuda", "auto");
    }

    /** The optimisation flags of finetune/linprobe with the given defaults. */
    static Flags training(Flags f, String epochs, String blr, String minLr, String warmup, String weightDecay) {
        return OptimFlags.declare(f, epochs, blr, "", minLr, warmup, weightDecay, "weight decay")
                .value("resume", "FILE", null, "checkpoint of this protocol to continue (default: <output_dir>/checkpoint-latest.safetensors if present)")
                .value("max_steps_per_epoch", "N", "0", "cap on iterations per epoch (0 = all)")
                .toggle("eval", "only evaluate (the --resume checkpoint, else the --finetune weights) on the held-out split")
                .value("print_every", "N", "20", "progress line every N iterations when output is not a terminal");
    }

    static EvalOptions commonOptions(FlagValues f, boolean globalPoolDefault) {
        EvalOptions o = new EvalOptions();
        o.model = f.string("model");
        o.inputSize = f.integer("input_size", 1);
        o.patchSize = f.integer("patch_size", 0);
        o.inChans = f.integer("in_chans", 1);
        o.embedDim = f.integer("embed_dim", 0);
        o.depth = f.integer("depth", 0);
        o.numHeads = f.integer("num_heads", 0);
        if (f.toggle("global_pool") && f.toggle("cls_token")) {
            throw new UsageException("--global_pool and --cls_token exclude each other");
        }
        o.globalPool = f.toggle("global_pool") || (globalPoolDefault && !f.toggle("cls_token"));
        o.finetune = f.path("finetune");
        if (!f.isSet("data_path")) {
            throw new UsageException("--data_path is required: an IDX folder, an image folder with train/ and val/, or 'embedded'");
        }
        o.dataPath = f.string("data_path");
        o.nbClasses = f.integer("nb_classes", 1);
        o.batchSize = f.integer("batch_size", 1);
        o.outputDir = f.path("output_dir");
        o.logDir = f.path("log_dir");
        o.seed = f.integer("seed", 0);
        o.maxTrainImages = f.integer("max_train_images", 0);
        o.maxEvalImages = f.integer("max_eval_images", 0);
        o.numWorkers = f.integer("num_workers", 0);
        o.cropPct = f.number("crop_pct", Double.MIN_VALUE);
        if (o.cropPct > 1) {
            throw new UsageException("--crop_pct must lie in (0, 1], got " + o.cropPct);
        }
        o.device = f.string("device");
        try {
            o.vitSpec();
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        return o;
    }

    static void trainingOptions(FlagValues f, EvalOptions o) {
        OptimFlags.read(f, o);
        o.resume = f.path("resume");
        o.maxStepsPerEpoch = f.integer("max_steps_per_epoch", 0);
        o.evalOnly = f.toggle("eval");
        o.printEvery = f.integer("print_every", 1);
    }

    /** "10,20,30" -> {10, 20, 30}. */
    static int[] intList(String flag, String value) {
        try {
            int[] out = Arrays.stream(value.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
            if (out.length == 0 || Arrays.stream(out).anyMatch(k -> k < 1)) {
                throw new NumberFormatException();
            }
            return out;
        } catch (NumberFormatException e) {
            throw new UsageException("--" + flag + ": expected positive integers separated by commas, got '" + value + "'");
        }
    }
}
