package dev.semaim.cli;

import dev.semaim.viz.Curves;
import dev.semaim.viz.Pictures;
import dev.semaim.viz.TrainingLog;

import java.awt.image.BufferedImage;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@code semaim plot}: training curves (loss, lr by epoch) of one or more runs, and optionally a metric of each run as bars. */
public final class PlotCommand extends FlagCommand {
    static final Flags FLAGS = new Flags("plot",
            "Plots train_loss and train_lr against epoch from JSON-lines log.txt files (one line per run), and with --results\n"
                    + "a bar chart of --metric from each run's results.json (e.g. the order-ablation runs).")
            .repeatable("log", "FILE", "a log.txt of semaim pretrain (repeat for several runs)")
            .repeatable("results", "FILE", "a results.json of an evaluation run (repeat for several runs)")
            .value("metric", "NAME", "top1", "the results.json field drawn as bars (e.g. top1, knn20_top1)")
            .value("out", "FILE", null, "the PNG to write");

    public PlotCommand() {
        super(FLAGS, "plot training curves of one or more runs (and a results.json metric as bars) to a PNG");
    }

    @Override
    int run(FlagValues f, PrintStream out, PrintStream err) throws Exception {
        if (f.strings("log").isEmpty() && f.strings("results").isEmpty())
            throw new UsageException("give at least one --log (or --results); see semaim plot --help");
        f.require("out");
        List<TrainingLog> logs = read(f.strings("log"), "--log"), results = read(f.strings("results"), "--results");
        BufferedImage img = Curves.draw(logs, results, f.string("metric"));
        Pictures.writePng(img, f.path("out"));
        out.printf("wrote %s (%dx%d): %d run(s)%n", f.path("out"), img.getWidth(), img.getHeight(), logs.size() + results.size());
        return 0;
    }

    private static List<TrainingLog> read(List<String> paths, String flag) {
        List<TrainingLog> out = new ArrayList<>();
        for (String p : paths) {
            Path file = Path.of(p);
            if (!Files.isRegularFile(file)) throw new IllegalArgumentException(flag + " " + file + " does not exist");
            out.add(TrainingLog.read(file));
        }
        return out;
    }
}
