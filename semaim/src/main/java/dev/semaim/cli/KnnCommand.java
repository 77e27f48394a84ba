package dev.semaim.cli;

import dev.semaim.eval.EvalOptions;
import dev.semaim.eval.KnnEvaluation;
import dev.semaim.eval.RunResults;
import dev.semaim.run.ProgressLine;

import java.io.PrintStream;

/** {@code semaim knn}: weighted k-NN on frozen features (spec section 9). */
public final class KnnCommand extends FlagCommand {
    static final Flags FLAGS = EvalFlags.common(new Flags("knn",
                    "k-NN accuracy of a pre-trained ViT's frozen, L2-normalised features (global pool by default; spec section 9): "
                            + "held-out images vote with exp(cosine / T) of their k nearest training images."), true, "128")
            .value("nb_knn", "K,K,...", "10,20,30", "neighbour counts to report")
            .value("temperature", "T", "0.07", "vote temperature")
            .value("chunks", "N", "100", "the held-out features are compared in this many chunks (memory)");

    public KnnCommand() {
        super(FLAGS, "k-NN classification with frozen features (spec section 9)");
    }

    static EvalOptions options(FlagValues f) {
        EvalOptions o = EvalFlags.commonOptions(f, true);
        o.knnK = EvalFlags.intList("nb_knn", f.string("nb_knn"));
        o.temperature = f.number("temperature", Double.MIN_VALUE);
        o.knnChunks = f.integer("chunks", 1);
        return o;
    }

    @Override
    int run(FlagValues f, PrintStream out, PrintStream err) throws Exception {
        EvalOptions o = options(f);
        KnnEvaluation.run(o, ProgressLine.forTerminal(out, 1));
        out.println("done: results in " + o.outputDir.resolve(RunResults.FILE));
        return 0;
    }
}
