package dev.semaim.cli;

import dev.semaim.data.augment.FinetuneTransforms;
import dev.semaim.eval.ClassifierRun;
import dev.semaim.eval.EvalOptions;
import dev.semaim.eval.Finetune;
import dev.semaim.eval.RunResults;
import dev.semaim.run.ProgressLine;

import java.io.PrintStream;
import java.util.Locale;

/** {@code semaim finetune}: end-to-end fine-tuning with the reference's flags and README defaults (spec section 7). */
public final class FinetuneCommand extends FlagCommand {
    static final Flags FLAGS = EvalFlags.training(EvalFlags.common(new Flags("finetune",
                    "Fine-tunes a ViT from pre-trained weights (spec section 7) and reports top-1/top-5 on the held-out split "
                            + "after every epoch. Resumes from <output_dir>/checkpoint-latest.safetensors."), true, "64"),
                    "100", "5e-4", "1e-6", "20", "0.05")
            .value("layer_decay", "F", "0.65", "layer-wise lr decay")
            .value("drop_path", "P", "0.1", "stochastic depth rate (linear ramp over the blocks)")
            .value("clip_grad", "NORM", "none", "clip the global gradient norm; none = off")
            .value("smoothing", "S", "0.1", "label smoothing")
            .value("mixup", "A", "0.8", "mixup alpha (0 = off)")
            .value("cutmix", "A", "1.0", "cutmix alpha (0 = off)")
            .value("mixup_prob", "P", "1.0", "probability of mixing a batch")
            .value("mixup_switch_prob", "P", "0.5", "probability of cutmix instead of mixup when both are on")
            .value("reprob", "P", String.valueOf(FinetuneTransforms.ERASE_PROBABILITY), "random-erasing probability")
            .value("aa", "CONFIG", FinetuneTransforms.RAND_AUGMENT, "RandAugment config, or none");

    public FinetuneCommand() {
        super(FLAGS, "fine-tune a pre-trained ViT end to end (spec section 7)");
    }

    static EvalOptions options(FlagValues f) {
        EvalOptions o = EvalFlags.commonOptions(f, true);
        EvalFlags.trainingOptions(f, o);
        o.layerDecay = f.number("layer_decay", 0);
        o.dropPath = f.number("drop_path", 0);
        o.clipGrad = f.optionalNumber("clip_grad", 0).orElse(Double.NaN);
        o.smoothing = f.number("smoothing", 0);
        o.mixup = f.number("mixup", 0);
        o.cutmix = f.number("cutmix", 0);
        o.mixupProb = f.number("mixup_prob", 0);
        o.mixupSwitchProb = f.number("mixup_switch_prob", 0);
        o.reprob = f.number("reprob", 0);
        o.aa = f.string("aa");
        if (!(o.layerDecay > 0 && o.layerDecay <= 1) || o.dropPath >= 1 || o.smoothing >= 1 || o.mixupProb > 1 || o.mixupSwitchProb > 1 || o.reprob > 1) {
            throw new UsageException("--layer_decay must lie in (0, 1]; --drop_path, --smoothing below 1; probabilities at most 1");
        }
        return o;
    }

    @Override
    int run(FlagValues f, PrintStream out, PrintStream err) throws Exception {
        EvalOptions o = options(f);
        ClassifierRun r = Finetune.run(o, ProgressLine.forTerminal(out, o.printEvery));
        report(out, "fine-tuning", r, o);
        return 0;
    }

    static void report(PrintStream out, String what, ClassifierRun r, EvalOptions o) {
        out.printf(Locale.ROOT, "done: %s, %d epochs, %d optimizer steps: held-out top-1 %.2f%%, top-5 %.2f%% (%d images), best top-1 %.2f%%; %s%n",
                what, r.epochs(), r.optimizerSteps(), r.accuracy().top1(), r.accuracy().top5(), r.accuracy().count(), r.bestTop1(),
                o.outputDir.resolve(RunResults.FILE));
    }
}
