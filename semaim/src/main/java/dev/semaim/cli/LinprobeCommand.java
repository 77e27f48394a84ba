package dev.semaim.cli;

import dev.semaim.eval.ClassifierRun;
import dev.semaim.eval.EvalOptions;
import dev.semaim.eval.LinearProbe;
import dev.semaim.run.ProgressLine;

import java.io.PrintStream;

/** {@code semaim linprobe}: linear probing of a frozen pre-trained ViT (spec section 8; flags in {@link EvalOptions#LINPROBE}). */
public final class LinprobeCommand extends FlagCommand<EvalOptions> {
    public LinprobeCommand() {
        super(EvalOptions.LINPROBE, "linear probe of a frozen pre-trained ViT (spec section 8)");
    }

    @Override
    int run(EvalOptions o, PrintStream out, PrintStream err) throws Exception {
        o.validate();
        ClassifierRun r = LinearProbe.run(o, ProgressLine.forTerminal(out, err, o.printEvery));
        if (o.launch().rank() != 0) { // rank 0 reports for the run
            return 0;
        }
        FinetuneCommand.report(out, "linear probe", r, o);
        return 0;
    }
}
