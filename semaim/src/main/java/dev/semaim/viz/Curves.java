package dev.semaim.viz;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Training curves of one or more runs in one PNG: train_loss and train_lr against epoch from each run's
 * log.txt (one line per run); where a log has them, the per-iteration loss of {@code --log_every_steps} against the
 * iteration and the held-out top-1 of fine-tuning/linear probing against epoch; and optionally a bar chart of one
 * metric from each run's results.json. Logs of per-iteration lines only (a first epoch stopped before its end) get
 * the per-iteration chart without the two epoch charts, which would be empty.
 */
public final class Curves {
    private Curves() {}

    static final int CHART_W = 460, CHART_H = 320;
    /** The file {@link #writeForRun} writes beside log.txt ({@code <stem>.curves.png} beside {@code <stem>.log.txt}). */
    public static final String FILE = "curves.png";

    /** Loss and lr against epoch for each log; a bar chart of {@code metric} for each results file (may be empty). */
    public static BufferedImage draw(List<TrainingLog> logs, List<TrainingLog> results, String metric) {
        return draw(logs, results, metric, false);
    }

    /** As {@link #draw(List, List, String)}; {@code logLr}: the learning rate on a log-scale axis (lr {@code <= 0} is left out). */
    public static BufferedImage draw(List<TrainingLog> logs, List<TrainingLog> results, String metric, boolean logLr) {
        for (TrainingLog l : logs) {
            if (!l.mentions("train_loss") && !l.iterationLog().mentions("train_loss")) { // e.g. knn's log.txt: empty charts would say nothing
                throw new IllegalArgumentException(l.file() + " has no train_loss: it is not the log of a training run"
                        + " (a knn run's accuracy is in its results.json: plot it with --results FILE --metric knn20_top1)");
            }
        }
        boolean perIteration = logs.stream().anyMatch(l -> !l.iterations().isEmpty());
        boolean perEpoch = !perIteration || logs.stream().anyMatch(l -> l.mentions("train_loss"));
        boolean heldOut = logs.stream().anyMatch(l -> l.has("test_acc1"));
        int charts = (perEpoch ? 2 : 0) + (perIteration ? 1 : 0) + (heldOut ? 1 : 0) + (results.isEmpty() ? 0 : 1);
        BufferedImage img = new BufferedImage(charts * CHART_W, CHART_H, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < img.getHeight(); y++)
            for (int x = 0; x < img.getWidth(); x++) img.setRGB(x, y, Color.WHITE.getRGB());
        List<String> names = distinctNames(logs);
        int next = 0;
        if (perEpoch) {
            LineChart.draw(img, next++ * CHART_W, 0, CHART_W, CHART_H, "training loss", "epoch", "train_loss",
                    series(logs, names, "train_loss"));
            LineChart.draw(img, next++ * CHART_W, 0, CHART_W, CHART_H,
                    logLr ? "learning rate (epoch mean, log scale)" : "learning rate (epoch mean)", "epoch", "train_lr",
                    series(logs, names, "train_lr"), logLr, true);
        }
        if (perIteration) {
            List<LineChart.Series> s = new ArrayList<>();
            for (int i = 0; i < logs.size(); i++) {
                TrainingLog iterations = logs.get(i).iterationLog();
                s.add(new LineChart.Series(logs.size() == 1 ? "" : names.get(i), iterations.column("step"), iterations.column("train_loss")));
            }
            LineChart.draw(img, next++ * CHART_W, 0, CHART_W, CHART_H, "training loss per iteration", "iteration", "train_loss", s);
        }
        if (heldOut) {
            LineChart.draw(img, next++ * CHART_W, 0, CHART_W, CHART_H, "held-out top-1 (%)", "epoch", "test_acc1",
                    series(logs, names, "test_acc1"));
        }
        if (!results.isEmpty()) {
            List<BarChart.Bar> bars = new ArrayList<>();
            List<String> resultNames = distinctNames(results);
            for (int i = 0; i < results.size(); i++) {
                TrainingLog r = results.get(i);
                if (!r.has(metric)) throw new IllegalArgumentException(r.file() + " has no numeric '" + metric + "' (--metric)");
                double[] v = r.column(metric);
                bars.add(new BarChart.Bar(resultNames.get(i), v[v.length - 1]));
            }
            BarChart.draw(img, next * CHART_W, 0, CHART_W, CHART_H, metric, metric, bars);
        }
        return img;
    }

    /**
     * Redraws curves.png next to {@code logFile} and returns its path (the CLI calls it after every epoch of a
     * pre-training run). A picture must never stop a training run, so a failure is reported on stderr and gives null.
     */
    public static Path writeForRun(Path logFile) {
        String name = logFile.getFileName().toString();
        Path out = logFile.toAbsolutePath().resolveSibling(name.endsWith(".log.txt")
                ? name.substring(0, name.length() - "log.txt".length()) + FILE : FILE);
        try {
            Pictures.writePng(draw(List.of(TrainingLog.read(logFile)), List.of(), ""), out);
            return out;
        } catch (RuntimeException | LinkageError e) {
            System.err.println("warning: could not draw " + out + ": " + e);
            return null;
        }
    }

    private static List<LineChart.Series> series(List<TrainingLog> logs, List<String> names, String key) {
        List<LineChart.Series> out = new ArrayList<>();
        for (int i = 0; i < logs.size(); i++) {
            TrainingLog log = logs.get(i);
            double[] epoch = log.has("epoch") ? log.column("epoch") : index(log.records().size());
            out.add(new LineChart.Series(logs.size() == 1 ? "" : names.get(i), epoch, log.column(key)));
        }
        return out;
    }

    private static double[] index(int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = i;
        return v;
    }

    /**
     * Run names: the log's folder, or its last two folders where one folder name repeats (run/knn, run/linprobe), or
     * the folder and the file's name where two logs share a folder, or else the whole path: the first that tells all apart.
     */
    static List<String> distinctNames(List<TrainingLog> logs) {
        List<Function<TrainingLog, String>> spellings = List.of(l -> l.runName(1), l -> l.runName(2),
                l -> l.runName(1) + "/" + l.file().getFileName(), l -> l.file().toString());
        List<String> names = new ArrayList<>();
        for (Function<TrainingLog, String> spelling : spellings) {
            names = logs.stream().map(spelling).toList();
            if (names.stream().distinct().count() == names.size()) break;
        }
        return names;
    }
}
