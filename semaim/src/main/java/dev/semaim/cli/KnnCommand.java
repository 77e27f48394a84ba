package dev.semaim.cli;

import dev.semaim.eval.EvalOptions;
import dev.semaim.eval.KnnEvaluation;
import dev.semaim.run.ProgressLine;

import java.io.PrintStream;

/** {@code semaim knn}: weighted k-NN on frozen features (spec section 9; flags in {@link EvalOptions#KNN}). */
public final class KnnCommand extends FlagCommand<EvalOptions> {
    public KnnCommand() {
        super(EvalOptions.KNN, "k-NN classification with frozen features (spec section 9)");
    }

    @Override
    int run(EvalOptions o, PrintStream out, PrintStream err) throws Exception {
        o.validate();
        KnnEvaluation.run(o, ProgressLine.forTerminal(out, err, 1));
        if (o.launch().rank() != 0) { // rank 0 reports for the run
            return 0;
        }
        out.println("done: results in " + o.results());
        return 0;
    }
}
