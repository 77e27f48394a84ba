package dev.semaim.cli;

import dev.semaim.eval.ClassifierRun;
import dev.semaim.eval.EvalOptions;
import dev.semaim.eval.Finetune;
import dev.semaim.run.ProgressLine;

import java.io.PrintStream;
import java.util.Locale;

/** {@code semaim finetune}: end-to-end fine-tuning with the reference's flags and README defaults (spec section 7; flags in {@link EvalOptions#FINETUNE}). */
public final class FinetuneCommand extends FlagCommand<EvalOptions> {
    public FinetuneCommand() {
        super(EvalOptions.FINETUNE, "fine-tune a pre-trained ViT end to end (spec section 7)");
    }

    @Override
    int run(EvalOptions o, PrintStream out, PrintStream err) throws Exception {
        o.validate();
        ClassifierRun r = Finetune.run(o, ProgressLine.forTerminal(out, err, o.printEvery));
        if (o.launch().rank() != 0) { // rank 0 reports for the run
            return 0;
        }
        report(out, "fine-tuning", r, o);
        return 0;
    }

    static void report(PrintStream out, String what, ClassifierRun r, EvalOptions o) {
        if (o.evalOnly) {
            Object weights = r.checkpoint() != null ? r.checkpoint() : o.finetune != null ? o.finetune : "the random initialisation";
            out.printf(Locale.ROOT, "done: %s evaluation of %s: held-out top-1 %.2f%%, top-5 %.2f%% (%d images); %s%n", what, weights,
                    r.accuracy().top1(), r.accuracy().top5(), r.accuracy().count(), r.results());
            return;
        }
        out.printf(Locale.ROOT, "done: %s, %d epochs, %d optimizer steps: held-out top-1 %.2f%%, top-5 %.2f%% (%d images), best top-1 %.2f%%; %s%n",
                what, r.epochs(), r.optimizerSteps(), r.accuracy().top1(), r.accuracy().top5(), r.accuracy().count(), r.bestTop1(),
                r.results());
    }
}
