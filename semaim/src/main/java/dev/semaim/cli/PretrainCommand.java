package dev.semaim.cli;

import dev.semaim.run.EpochListener;
import dev.semaim.run.ProgressLine;
import dev.semaim.train.PretrainOptions;
import dev.semaim.train.PretrainResult;
import dev.semaim.train.Pretrainer;
import dev.semaim.viz.Curves;

import java.io.PrintStream;
import java.util.Locale;

/** {@code semaim pretrain}: SemAIM pre-training with the reference's flag names and defaults ({@link PretrainOptions#SCHEMA}; spec section 6). */
public final class PretrainCommand extends FlagCommand<PretrainOptions> {
    public PretrainCommand() {
        super(PretrainOptions.SCHEMA, "pre-train a SemAIM ViT (flags and defaults of the reference; --help lists them)");
    }

    /** Redraws curves.png beside log.txt after every epoch of a pre-training run (pretrain and demo). */
    static final EpochListener CURVES = (epoch, log) -> Curves.writeForRun(log);

    @Override
    int run(PretrainOptions o, PrintStream out, PrintStream err) throws Exception {
        o.validate();
        PretrainResult r = new Pretrainer(o, ProgressLine.forTerminal(out, err, o.printEvery)).onEpoch(CURVES).run();
        if (o.launch().rank() != 0) { // rank 0 reports for the run
            return 0;
        }
        if (Double.isNaN(r.imagesPerSecond())) { // no step ran: the checkpoint had every epoch already (no NaN loss and rate)
            out.printf(Locale.ROOT, "done: nothing to train, all %d epochs were done already (%d optimizer steps)%s%n", r.nextEpoch(),
                    r.optimizerSteps(), r.lastCheckpoint() == null ? "" : "; checkpoint " + r.lastCheckpoint());
            return 0;
        }
        out.printf(Locale.ROOT, "done: %d epochs, %d optimizer steps, last epoch loss %.4f, %.1f images/s%s%n", r.nextEpoch(),
                r.optimizerSteps(), r.lastEpochLoss(), r.imagesPerSecond(),
                r.lastCheckpoint() == null ? "" : "; checkpoint " + r.lastCheckpoint());
        return 0;
    }
}
