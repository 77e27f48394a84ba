package dev.semaim.demo;

import dev.semaim.data.Compose;
import dev.semaim.data.Dataset;
import dev.semaim.data.EmbeddedFashionMnist;
import dev.semaim.data.Normalize;
import dev.semaim.data.ToTensor;
import dev.semaim.data.TrainingData;
import dev.semaim.data.Transform;
import dev.semaim.data.Transforms;
import dev.semaim.eval.Knn;
import dev.semaim.eval.KnnFeatures;
import dev.semaim.eval.KnnResult;
import dev.semaim.model.AimViT;
import dev.semaim.model.OrderType;
import dev.semaim.run.EpochListener;
import dev.semaim.run.ProgressLine;
import dev.semaim.run.RunFiles;
import dev.semaim.tensor.Backends;
import dev.semaim.tensor.Rng;
import dev.semaim.tensor.Tensor;
import dev.semaim.tensor.TensorScope;
import dev.semaim.train.PretrainOptions;
import dev.semaim.train.PretrainResult;
import dev.semaim.train.Pretrainer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

/**
 * The README's main job: pre-train a small SemAIM ViT on the embedded Fashion-MNIST slice (28x28x1, patch 4)
 * for a wall-time budget, then compare k-NN accuracy (k 20, T 0.07, cosine on L2-normalised features) of the
 * pre-trained encoder with the same architecture at its random initialisation, on the embedded test split.
 *
 * <p>The lr schedule (10% warm-up, then cosine to 0) runs over the wall-time budget rather than over epochs
 * ({@link PretrainOptions#scheduleOverTime}), so the run fills the budget whatever the machine's speed or load.
 */
public final class Demo {
    static final int K = 20;
    static final double T = 0.07;
    private static final int KNN_CHUNK = 256;
    private static final int FEATURE_BATCH = 128;
    /** More epochs than any budget reaches: the time limit ends the run, the schedule runs over the time. */
    private static final int PLANNED_EPOCHS = 1000;

    /** The demo's sizes: the full one and the end-to-end test's quick one. */
    public record Plan(int embedDim, int depth, int heads, int batchSize, double lr, int trainLimit, int testLimit) {
        public static final Plan FULL = new Plan(96, 4, 3, 32, 1.5e-3, 0, 0);
        public static final Plan QUICK = new Plan(32, 2, 2, 32, 2e-3, 1000, 300);
    }

    private Demo() {
    }

    /** Pre-training options for the plan (everything except the fitted epochs / cap / time limit). */
    static PretrainOptions options(Plan plan, long seed, Path outputDir) {
        PretrainOptions o = new PretrainOptions();
        o.model = "aim_tiny";
        o.embedDim = plan.embedDim();
        o.depth = plan.depth();
        o.numHeads = plan.heads();
        o.queryDepth = plan.depth();
        o.inputSize = 28;
        o.patchSize = 4;
        o.inChans = 1;
        o.normPixLoss = true;
        o.permutationType = OrderType.ATTENTION_CENTER;
        o.batchSize = plan.batchSize();
        o.lr = plan.lr();
        o.clipGrad = 3.0;
        o.dataPath = TrainingData.EMBEDDED;
        o.outputDir = outputDir;
        o.seed = seed;
        o.numWorkers = 1;
        o.saveEveryEpochs = Integer.MAX_VALUE;
        return o;
    }

    /** Pre-trains for {@code budget} ({@code epochListener} after every epoch's log line), then runs the k-NN comparison. */
    public static DemoReport run(Plan plan, Duration budget, long seed, Path outputDir, ProgressLine progress,
                                 EpochListener epochListener) throws IOException {
        PretrainOptions o = options(plan, seed, outputDir);
        refuseAnEarlierRun(o.files(o.model, "temp"));
        o.epochs = PLANNED_EPOCHS;
        o.warmupEpochs = 0.1 * PLANNED_EPOCHS;
        o.scheduleOverTime = true;
        o.timeLimit = budget;
        progress.message("demo: pre-training for " + ProgressLine.duration(budget.toSeconds())
                + " (warm-up and cosine lr schedule fitted to that time)");

        long t0 = System.nanoTime();
        PretrainResult trained = new Pretrainer(o, progress).onEpoch(epochListener).run();
        double trainSeconds = (System.nanoTime() - t0) / 1e9;
        AimViT random = new AimViT(o.modelConfig(), new Rng(seed)); // the pre-trained model's starting point

        Dataset train = EmbeddedFashionMnist.train(), test = EmbeddedFashionMnist.test();
        Transform eval = new Compose(new ToTensor(), new Normalize(Transforms.FASHION_MNIST_MEAN, Transforms.FASHION_MNIST_STD));
        progress.message("demo: k-NN features of the random and the pre-trained encoder ...");
        KnnResult[] r = knn(random, train, test, eval, plan, o.embedDim);
        KnnResult[] p = knn(trained.model(), train, test, eval, plan, o.embedDim);
        return new DemoReport(r[0], r[1], p[0], p[1], trained, trainSeconds,
                plan.trainLimit() > 0 ? Math.min(plan.trainLimit(), train.size()) : train.size(),
                plan.testLimit() > 0 ? Math.min(plan.testLimit(), test.size()) : test.size());
    }

    /**
     * A demo starts fresh: its lr schedule is fitted to its own time budget, so continuing an earlier run's checkpoint
     * would warm up again mid-run, and its report would add that run's steps to this run's seconds. Its output folder
     * must not hold an earlier run's rolling checkpoint or log.txt (which it would also append to); the files are the
     * user's, so they are named rather than deleted.
     */
    private static void refuseAnEarlierRun(RunFiles files) {
        List<String> earlier = Stream.of(files.latestCheckpoint(), files.logFile()).filter(Files::exists)
                .map(p -> p.getFileName().toString()).toList();
        if (!earlier.isEmpty()) {
            throw new IllegalArgumentException("--output_dir " + files.outputDir() + " holds an earlier run (" + String.join(", ", earlier)
                    + "), and a demo does not continue one (its lr schedule is fitted to its own time budget): give a new or empty folder, "
                    + "or delete those files");
        }
    }

    /** k-NN of the cls feature and of the mean patch token of Z = norm(unmasked encoder output). */
    private static KnnResult[] knn(AimViT model, Dataset train, Dataset test, Transform eval, Plan plan, int dim) {
        KnnFeatures tr = KnnFeatures.extract(x -> clsAndMean(model, x), train, eval, FEATURE_BATCH, plan.trainLimit(), Backends.defaultBackend());
        KnnFeatures te = KnnFeatures.extract(x -> clsAndMean(model, x), test, eval, FEATURE_BATCH, plan.testLimit(), Backends.defaultBackend());
        int classes = train.numClasses();
        return new KnnResult[] {
                Knn.classify(tr.features().narrow(1, 0, dim), tr.labels(), te.features().narrow(1, 0, dim), te.labels(), classes, K, T, KNN_CHUNK),
                Knn.classify(tr.features().narrow(1, dim, dim), tr.labels(), te.features().narrow(1, dim, dim), te.labels(), classes, K, T, KNN_CHUNK)};
    }

    /** images (B, C, H, W) -> (B, 2D) = [Z[:, 0] | mean over patches of Z[:, 1:]], Z: (B, T, D) from the order pass. */
    static Tensor clsAndMean(AimViT model, Tensor images) {
        return TensorScope.returning(() -> {
            Tensor z = model.orderMaps(images).z();                            // z: (B, T, D)
            int l = z.size(1) - 1;
            return Tensor.cat(1, z.select(1, 0), z.narrow(1, 1, l).mean(false, 1)); // (B, 2D)
        });
    }
}
