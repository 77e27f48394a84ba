package dev.semaim.cli;

import dev.semaim.settings.Schema;
import dev.semaim.settings.ValueType;
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
public final class PlotCommand extends FlagCommand<PlotCommand.Options> {
    /** The settings of one plot. */
    static final class Options {
        List<Path> logs;
        List<Path> results;
        String metric;
        Path out;
        boolean logLr;
    }

    static final Schema<Options> SCHEMA = schema();

    private static Schema<Options> schema() {
        Schema<Options> s = new Schema<>("plot",
                "Plots train_loss and train_lr against epoch from JSON-lines log.txt files (one line per run), the per-iteration\n"
                        + "loss of --log_every_steps and the held-out top-1 of finetune/linprobe where the logs have them, and with\n"
                        + "--results a bar chart of --metric from each run's results.json (e.g. the order-ablation runs).",
                Options::new);
        s.add("log", ValueType.repeated(ValueType.path().metavar("FILE")), null, "a log.txt of semaim pretrain (repeat for several runs)",
                o -> o.logs, (o, v) -> o.logs = v);
        s.add("results", ValueType.repeated(ValueType.path().metavar("FILE")), null, "a results.json of an evaluation run (repeat for "
                + "several runs)", o -> o.results, (o, v) -> o.results = v);
        s.add("metric", ValueType.text().metavar("NAME"), "top1", "the results.json field drawn as bars (e.g. top1, knn20_top1)",
                o -> o.metric, (o, v) -> o.metric = v);
        s.add("log_lr", ValueType.toggle(), null, "draw the learning rate on a log-scale axis (ticks at powers of ten; lr <= 0 left out)",
                o -> o.logLr, (o, v) -> o.logLr = v);
        s.add("out", FileNames.output(".png"), null, "the PNG to write", o -> o.out, (o, v) -> o.out = v).required("the PNG to write");
        return s;
    }

    public PlotCommand() {
        super(SCHEMA, "plot training curves of one or more runs (and a results.json metric as bars) to a PNG");
    }

    @Override
    int run(Options o, PrintStream out, PrintStream err) throws Exception {
        if (o.logs.isEmpty() && o.results.isEmpty())
            throw new UsageException("give at least one --log (or --results); see semaim plot --help");
        SCHEMA.validate(o);
        List<TrainingLog> logs = read(o.logs, "--log"), results = read(o.results, "--results");
        BufferedImage img = Curves.draw(logs, results, o.metric, o.logLr);
        Pictures.writePng(img, o.out);
        out.printf("wrote %s (%dx%d): %d run(s)%n", o.out, img.getWidth(), img.getHeight(), logs.size() + results.size());
        return 0;
    }

    private static List<TrainingLog> read(List<Path> paths, String flag) {
        List<TrainingLog> out = new ArrayList<>();
        for (Path file : paths) {
            if (!Files.isRegularFile(file)) throw new IllegalArgumentException(flag + " " + file + " does not exist");
            out.add(TrainingLog.read(file));
        }
        return out;
    }
}
