package dev.semaim.cli;

import dev.semaim.eval.ClassifierRun;
import dev.semaim.eval.EvalOptions;
import dev.semaim.eval.LinearProbe;
import dev.semaim.run.ProgressLine;

import java.io.PrintStream;

/** {@code semaim linprobe}: linear probing of a frozen pre-trained ViT (spec section 8). */
public final class LinprobeCommand extends FlagCommand {
    static final Flags FLAGS = EvalFlags.training(EvalFlags.common(new Flags("linprobe",
                    "Trains BatchNorm1d(affine=False) + Linear on the frozen features of a pre-trained ViT (cls token after the "
                            + "final norm by default; spec section 8) with SGD momentum 0.9, and reports held-out top-1/top-5."), false, "512"),
            "90", "0.1", "0", "10", "0");

    public LinprobeCommand() {
        super(FLAGS, "linear probe of a frozen pre-trained ViT (spec section 8)");
    }

    static EvalOptions options(FlagValues f) {
        EvalOptions o = EvalFlags.commonOptions(f, false);
        EvalFlags.trainingOptions(f, o);
        return o;
    }

    @Override
    int run(FlagValues f, PrintStream out, PrintStream err) throws Exception {
        EvalOptions o = options(f);
        ClassifierRun r = LinearProbe.run(o, ProgressLine.forTerminal(out, o.printEvery));
        FinetuneCommand.report(out, "linear probe", r, o);
        return 0;
    }
}
