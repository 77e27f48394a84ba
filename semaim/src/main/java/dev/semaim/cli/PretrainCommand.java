package dev.semaim.cli;

import dev.semaim.model.AimConfig;
import dev.semaim.model.Orders;
import dev.semaim.run.EpochListener;
import dev.semaim.run.ProgressLine;
import dev.semaim.train.PretrainOptions;
import dev.semaim.train.PretrainResult;
import dev.semaim.train.Pretrainer;
import dev.semaim.viz.Curves;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;

/** {@code semaim pretrain}: SemAIM pre-training with the reference's flag names and defaults (spec section 6). */
public final class PretrainCommand extends FlagCommand {
    static final Flags FLAGS = OptimFlags.declare(new Flags("pretrain",
                    "Pre-trains an AIM ViT with SemAIM (spec section 6). Resumes automatically from <output_dir>/checkpoint-latest.safetensors.")
                    .choice("model", "aim_base", "model size", "aim_tiny", "aim_small", "aim_base", "aim_large")
                    .value("batch_size", "N", "64", "images per iteration"),
                    "400", "2e-4", " (README value)", "0", "30", "0.05", "AdamW weight decay (not on 1-D parameters and biases)")
            .value("clip_grad", "NORM", "none", "clip the global gradient norm (README: 3.0); none = off")
            .value("query_depth", "N", "12", "query-stream blocks; the encoder depth must be a multiple")
            .choice("prediction_head_type", "MLP", "prediction head", AimConfig.PREDICTION_HEADS.toArray(String[]::new))
            .value("gaussian_kernel_size", "K", "9", "target blur kernel size, odd; 0 = no blur")
            .value("gaussian_sigma", "S", "1", "target blur sigma")
            .toggle("norm_pix_loss", "normalise each target patch to zero mean, unit variance (README: on)")
            .choice("permutation_type", "attention_center", "autoregression order (attention_center = SemAIM)",
                    Orders.TYPES.toArray(String[]::new))
            .choice("attention_type", "cls", "similarity map of the attention orders", AimConfig.ATTENTION_TYPES.toArray(String[]::new))
            .choice("loss_type", "L2", "pixel loss", AimConfig.LOSS_TYPES.toArray(String[]::new))
            .value("input_size", "PX", "224", "image side after the random resized crop")
            .value("patch_size", "PX", "16", "patch side (Fashion-MNIST: 4)")
            .value("in_chans", "C", "3", "image channels, 1 or 3 (Fashion-MNIST: 1)")
            .value("embed_dim", "D", "0", "override the model's width (0 = the model's)")
            .value("depth", "N", "0", "override the encoder depth (0 = the model's)")
            .value("num_heads", "N", "0", "override the attention heads (0 = the model's)")
            .value("data_path", "PATH", null, "ImageNet-style folder (uses PATH/train if present), a folder of MNIST/Fashion-MNIST "
                    + "IDX files (e.g. /usr/share/datasets/fashion-mnist), or 'embedded' (the bundled Fashion-MNIST slice)")
            .value("output_dir", "DIR", "./output_dir", "checkpoints (and log.txt unless --log_dir)")
            .value("log_dir", "DIR", null, "where log.txt goes (default: --output_dir)")
            .value("seed", "N", "0", "seed of the model init, data order, augmentation and order noise")
            .value("resume", "FILE", null, "checkpoint to continue from (default: the rolling one in --output_dir, if any)")
            .value("max_steps_per_epoch", "N", "0", "cap on iterations per epoch (0 = all)")
            .value("num_workers", "N", "2", "data loading threads")
            .choice("device", "cpu", "compute backend", "cpu", "cuda", "auto")
            .value("save_every_steps", "N", "0", "also rewrite the rolling checkpoint every N optimizer steps (0 = per epoch only)")
            .value("save_every_epochs", "N", "20", "keep a numbered checkpoint every N epochs (and at the end)")
            .value("time_limit_minutes", "M", null, "stop with a checkpoint after this much wall time")
            .value("print_every", "N", "20", "progress line every N iterations when output is not a terminal");

    public PretrainCommand() {
        super(FLAGS, "pre-train a SemAIM ViT (flags and defaults of the reference; --help lists them)");
    }

    /** Options from parsed flags; {@code --data_path} is required. */
    static PretrainOptions options(FlagValues f) {
        PretrainOptions o = new PretrainOptions();
        o.model = f.string("model");
        o.batchSize = f.integer("batch_size", 1);
        OptimFlags.read(f, o);
        o.clipGrad = f.optionalNumber("clip_grad", 0).orElse(Double.NaN);
        o.queryDepth = f.integer("query_depth", 1);
        o.predictionHeadType = f.string("prediction_head_type");
        o.gaussianKernelSize = f.integer("gaussian_kernel_size", 0);
        o.gaussianSigma = f.number("gaussian_sigma", 0);
        o.normPixLoss = f.toggle("norm_pix_loss");
        o.permutationType = f.string("permutation_type");
        o.attentionType = f.string("attention_type");
        o.lossType = f.string("loss_type");
        o.inputSize = f.integer("input_size", 1);
        o.patchSize = f.integer("patch_size", 1);
        o.inChans = f.integer("in_chans", 1);
        o.embedDim = f.integer("embed_dim", 0);
        o.depth = f.integer("depth", 0);
        o.numHeads = f.integer("num_heads", 0);
        if (!f.isSet("data_path")) {
            throw new UsageException("--data_path is required: an image folder, a folder of MNIST/Fashion-MNIST IDX files, or 'embedded'");
        }
        o.dataPath = f.string("data_path");
        o.outputDir = f.path("output_dir");
        o.logDir = f.path("log_dir");
        o.seed = f.integer("seed", 0);
        o.resume = f.path("resume");
        o.maxStepsPerEpoch = f.integer("max_steps_per_epoch", 0);
        o.numWorkers = f.integer("num_workers", 0);
        o.device = f.string("device");
        o.saveEverySteps = f.integer("save_every_steps", 0);
        o.saveEveryEpochs = f.integer("save_every_epochs", 1);
        if (f.isSet("time_limit_minutes")) {
            o.timeLimit = Duration.ofMillis(Math.round(f.number("time_limit_minutes", 0) * 60_000));
        }
        o.printEvery = f.integer("print_every", 1);
        return o;
    }

    /** Redraws curves.png beside log.txt after every epoch of a pre-training run (pretrain and demo). */
    static final EpochListener CURVES = (epoch, log) -> Curves.writeForRun(log);

    @Override
    int run(FlagValues f, PrintStream out, PrintStream err) throws Exception {
        PretrainOptions o = options(f);
        o.validate();
        PretrainResult r = new Pretrainer(o, ProgressLine.forTerminal(out, o.printEvery)).onEpoch(CURVES).run();
        out.printf(Locale.ROOT, "done: %d epochs, %d optimizer steps, last epoch loss %.4f, %.1f images/s%s%n", r.nextEpoch(),
                r.optimizerSteps(), r.lastEpochLoss(), r.imagesPerSecond(),
                r.lastCheckpoint() == null ? "" : "; checkpoint " + r.lastCheckpoint());
        return 0;
    }
}
