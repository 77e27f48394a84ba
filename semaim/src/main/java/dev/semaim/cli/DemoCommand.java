package dev.semaim.cli;

import dev.semaim.demo.Demo;
import dev.semaim.demo.DemoReport;
import dev.semaim.eval.KnnResult;
import dev.semaim.run.ProgressLine;
import dev.semaim.settings.Schema;
import dev.semaim.settings.ValueType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * {@code semaim demo}: pre-trains a small SemAIM ViT on the embedded Fashion-MNIST slice for a few minutes and
 * prints k-NN accuracy, pre-trained vs random initialisation. Checkpoints go to a temporary folder that is
 * deleted afterwards unless {@code --output_dir} is given.
 */
public final class DemoCommand extends FlagCommand<DemoCommand.Options> {
    /** The settings of a demo run. */
    static final class Options {
        Duration budget;
        boolean quick;
        long seed;
        Path outputDir;
    }

    static final Schema<Options> SCHEMA = schema();

    private static Schema<Options> schema() {
        Schema<Options> s = new Schema<>("demo",
                "Pre-trains a small SemAIM ViT (width 96, depth 4, 28x28x1, patch 4) on the embedded Fashion-MNIST slice, then reports\n"
                        + "k-NN accuracy (k 20, T 0.07) of the pre-trained encoder vs the same architecture at random initialisation.",
                Options::new);
        s.add("minutes", ValueType.minutes().where(d -> d.toMillis() >= 3_000, "at least 0.05 minutes"), "3",
                "pre-training wall-time budget", o -> o.budget, (o, v) -> o.budget = v);
        s.add("quick", ValueType.toggle(), null, "a tiny model, ~10 s of training and a k-NN subset (the end-to-end test's mode)",
                o -> o.quick, (o, v) -> o.quick = v);
        s.add("seed", ValueType.longInteger(0), "0", "seed of the model init, data order and order noise", o -> o.seed, (o, v) -> o.seed = v);
        s.add("output_dir", ValueType.path().metavar("DIR"), null, "keep the checkpoints and log.txt here, a folder without an earlier run (default: a temporary folder, deleted)",
                o -> o.outputDir, (o, v) -> o.outputDir = v);
        return s;
    }

    public DemoCommand() {
        super(SCHEMA, "pre-train a small model on the embedded Fashion-MNIST for a few minutes, then k-NN: pre-trained vs random");
    }

    @Override
    int run(Options o, PrintStream out, PrintStream err) throws Exception {
        Duration budget = o.quick ? Duration.ofSeconds(10) : o.budget;
        if (o.outputDir != null) {
            out.print(table(demo(o, budget, o.outputDir, out, err)));
            return 0;
        }
        Path dir = Files.createTempDirectory("semaim-demo-");
        // Ctrl-C or a SIGTERM outside the training loop (the k-NN phase) ends the JVM without this method's finally:
        // a shutdown hook removes the folder then too
        Thread removal = new Thread(() -> deleteTreeQuietly(dir), "semaim-demo-cleanup");
        Runtime.getRuntime().addShutdownHook(removal);
        try {
            out.print(table(demo(o, budget, dir, out, err)));
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(removal);
            } catch (IllegalStateException shuttingDown) {
                // a signal came in the meantime: the hook removes the folder, as this thread would
            }
            deleteTreeQuietly(dir);
        }
        return 0;
    }

    private static DemoReport demo(Options o, Duration budget, Path dir, PrintStream out, PrintStream err) throws Exception {
        return Demo.run(o.quick ? Demo.Plan.QUICK : Demo.Plan.FULL, budget, o.seed, dir, ProgressLine.forTerminal(out, err, 10), PretrainCommand.CURVES);
    }

    static String table(DemoReport r) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%nSemAIM demo: %d optimizer steps in %.0f s (%.1f images/s), last epoch loss %.4f%n",
                r.training().optimizerSteps(), r.trainSeconds(), r.training().imagesPerSecond(), r.training().lastEpochLoss()));
        sb.append(String.format(Locale.ROOT, "k-NN (k %d, T %.2f, cosine) on %d embedded Fashion-MNIST test images, %d train images as memory:%n",
                r.pretrainedCls().k(), r.pretrainedCls().temperature(), r.testImages(), r.trainImages()));
        sb.append(String.format(Locale.ROOT, "  %-22s %-26s %7s %7s%n", "encoder", "feature", "top-1", "top-5"));
        row(sb, "random init", "cls token (after norm)", r.randomCls());
        row(sb, "random init", "mean patch token", r.randomMean());
        row(sb, "SemAIM pre-trained", "cls token (after norm)", r.pretrainedCls());
        row(sb, "SemAIM pre-trained", "mean patch token", r.pretrainedMean());
        return sb.toString();
    }

    private static void row(StringBuilder sb, String encoder, String feature, KnnResult k) {
        sb.append(String.format(Locale.ROOT, "  %-22s %-26s %6.1f%% %6.1f%%%n", encoder, feature, k.top1(), k.top5()));
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** {@link #deleteTree} at shutdown, beside a main thread that may still be writing there: what it can. */
    private static void deleteTreeQuietly(Path dir) {
        try {
            deleteTree(dir);
        } catch (IOException | UncheckedIOException e) {
            System.err.println("warning: could not remove the demo's temporary folder " + dir + ": " + e.getMessage());
        }
    }
}
