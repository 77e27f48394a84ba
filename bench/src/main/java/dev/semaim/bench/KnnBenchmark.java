package dev.semaim.bench;

import dev.semaim.eval.Knn;
import dev.semaim.eval.KnnDump;
import dev.semaim.eval.KnnFeatures;
import dev.semaim.eval.KnnResult;
import dev.semaim.tensor.Backend;
import dev.semaim.tensor.Backends;
import dev.semaim.tensor.DType;
import dev.semaim.tensor.Rng;
import dev.semaim.tensor.Tensor;
import dev.semaim.tensor.TensorScope;
import dev.semaim.tensor.TopkReference;
import dev.semaim.tensor.cpu.CpuThreads;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * The k-NN vote after the features (issue 23): {@link Knn#classifyNormalized} timed as {@code semaim knn} runs it,
 * split into the similarity products and the selection of the nearest. Usage (class path: bench/README.md):
 * <pre>
 * KnnBenchmark dump DIR [runs] [device]                          a --dump_features folder, k = 10, 20, 30, 100 chunks
 * KnnBenchmark synthetic QUERIES BANK WIDTH CHUNK [runs] [device] random clustered unit features, k = 10, 20, 100, 200
 * </pre>
 * Both print every run (wall seconds and the process's CPU-seconds, the steadier figure on a shared machine) and the
 * median of {@code runs} (default 3). {@code synthetic} is ImageNet's k-NN shape scaled
 * to fit in memory (the bank and its transposed copy, one (CHUNK, BANK) block: about 2 x BANK x WIDTH x 4 bytes
 * + CHUNK x BANK x 4): it also extrapolates the medians
 * linearly to 50,000 queries against 1.28 million training features (products and selection both grow as queries x
 * bank). Both also time the reference full sort ({@link TopkReference}, the selection before issue 23) on a few rows.
 */
public final class KnnBenchmark {
    private static final int[] DUMP_KS = {10, 20, 30}, SYNTHETIC_KS = {10, 20, 100, 200};
    private static final com.sun.management.OperatingSystemMXBean PROCESS =
            (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    private static final int CLASSES = 1000, IMAGENET_QUERIES = 50_000, IMAGENET_BANK = 1_281_167;
    /** Noise per coordinate around a class centre of unit-variance coordinates: most neighbours are of other classes. */
    private static final double NOISE = 4;

    private KnnBenchmark() {
    }

    public static void main(String[] args) {
        if (args.length < 2 || !(args[0].equals("dump") || args[0].equals("synthetic") && args.length >= 5)) {
            System.err.println("usage: KnnBenchmark dump DIR [runs] [device] | synthetic QUERIES BANK WIDTH CHUNK [runs] [device]");
            System.exit(2);
        }
        boolean dump = args[0].equals("dump");
        int at = dump ? 2 : 5;
        int runs = args.length > at ? Integer.parseInt(args[at]) : 3;
        Backend backend = Backends.byName(args.length > at + 1 ? args[at + 1] : "cpu");
        System.out.printf(Locale.ROOT, "device=%s threads=%d java=%s cpu=%s%n", backend.describe(), CpuThreads.threads(),
                System.getProperty("java.version"), System.getProperty("os.arch"));
        if (dump) {
            KnnFeatures[] f = KnnDump.read(Path.of(args[1]), backend);
            int chunk = (f[1].labels().length + 99) / 100; // --chunks 100, the default
            int classes = 1 + Math.max(Arrays.stream(f[0].labels()).max().getAsInt(), Arrays.stream(f[1].labels()).max().getAsInt());
            Tensor train = f[0].features(), test = f[1].features();
            double[] median = time(train, f[0].labels(), test, f[1].labels(), classes, DUMP_KS, chunk, runs, 1, 1);
            referenceSort(train, test, Math.min(20, test.size(0)), test.size(0), train.size(0), 30, median[1]);
        } else {
            int queries = Integer.parseInt(args[1]), bank = Integer.parseInt(args[2]), width = Integer.parseInt(args[3]);
            int chunk = Integer.parseInt(args[4]);
            Rng rng = new Rng(23);
            int[] trainLabels = labels(rng, bank), testLabels = labels(rng, queries);
            Tensor centres = Tensor.randn(rng, DType.F32, CLASSES, width);
            Tensor train = clustered(rng, centres, trainLabels, backend), test = clustered(rng, centres, testLabels, backend);
            double[] median = time(train, trainLabels, test, testLabels, CLASSES, SYNTHETIC_KS, chunk, runs,
                    (double) IMAGENET_QUERIES / queries, (double) IMAGENET_BANK / bank);
            referenceSort(train, test, Math.min(4, queries), IMAGENET_QUERIES, IMAGENET_BANK, 200,
                    median[1] * IMAGENET_QUERIES / queries * IMAGENET_BANK / bank);
        }
    }

    /** Runs the vote {@code runs} times; prints each and the medians; returns {products, selection} medians in seconds. */
    private static double[] time(Tensor train, int[] trainLabels, Tensor test, int[] testLabels, int classes, int[] ks, int chunk,
                                 int runs, double queryScale, double bankScale) {
        System.out.printf(Locale.ROOT, "bank (%d, %d), queries %d, chunk %d rows, k %s%n", train.size(0), train.size(1), test.size(0),
                chunk, Arrays.toString(ks));
        double[] total = new double[runs], products = new double[runs], selection = new double[runs], cpu = new double[runs];
        for (int r = 0; r < runs; r++) {
            long t0 = System.nanoTime(), c0 = PROCESS.getProcessCpuTime();
            Knn.Results res;
            try (TensorScope scope = TensorScope.open()) {
                res = Knn.classifyNormalized(train, trainLabels, test, testLabels, classes, ks, 0.07, chunk);
            }
            total[r] = (System.nanoTime() - t0) / 1e9;
            cpu[r] = (PROCESS.getProcessCpuTime() - c0) / 1e9;
            products[r] = res.productSeconds();
            selection[r] = res.selectionSeconds();
            StringBuilder acc = new StringBuilder();
            for (KnnResult k : res.byK()) acc.append(String.format(Locale.ROOT, " %d-NN %.2f/%.2f", k.k(), k.top1(), k.top5()));
            System.out.printf(Locale.ROOT, "run %d: %.3f s (products %.3f s, selection %.3f s, votes %.3f s; %.1f CPU-s);%s%n", r + 1,
                    total[r], products[r], selection[r], total[r] - products[r] - selection[r], cpu[r], acc);
        }
        double t = median(total), p = median(products), s = median(selection);
        System.out.printf(Locale.ROOT, "median of %d: %.3f s (products %.3f s, selection %.3f s; %.1f CPU-s)%n", runs, t, p, s, median(cpu));
        if (queryScale != 1 || bankScale != 1) {
            double f = queryScale * bankScale;
            System.out.printf(Locale.ROOT, "extrapolated to %d queries x %d bank: %.0f s (products %.0f s, selection %.0f s, "
                    + "votes %.0f s)%n", IMAGENET_QUERIES, IMAGENET_BANK, p * f + s * f + (t - p - s) * queryScale, p * f, s * f,
                    (t - p - s) * queryScale);
        }
        return new double[] {p, s};
    }

    /**
     * The reference full sort ({@link TopkReference}: the selection before issue 23, once per k) of {@code rows}
     * similarity rows, per row, extrapolated to {@code queries} rows of a {@code bank} of that size, against the
     * selection measured now ({@code selectionNow} seconds at that size, once for every k).
     */
    private static void referenceSort(Tensor train, Tensor test, int rows, int queries, int bank, int k, double selectionNow) {
        try (TensorScope scope = TensorScope.open()) {
            Tensor sims = test.narrow(0, 0, rows).matmul(train.transpose(0, 1)); // (rows, bank)
            Tensor values = Tensor.empty(DType.F32, sims.backend(), rows, k), indices = Tensor.empty(DType.I64, sims.backend(), rows, k);
            long t0 = System.nanoTime();
            TopkReference.topk(sims, k, true, values, indices);
            double perRow = (System.nanoTime() - t0) / 1e9 / rows;
            double extrapolated = perRow * queries * bank / train.size(0);
            System.out.printf(Locale.ROOT, "reference full sort: %.3f s per row of %d; extrapolated to %d x %d: %.0f s (%.1f h) per k "
                    + "searched, %.0f x the selection of all k%n", perRow, train.size(0), queries, bank, extrapolated, extrapolated / 3600,
                    extrapolated / selectionNow);
        }
    }

    private static int[] labels(Rng rng, int n) {
        int[] l = new int[n];
        for (int i = 0; i < n; i++) l[i] = rng.nextInt(CLASSES);
        return l;
    }

    /**
     * Unit rows on {@code backend}: the label's centre plus noise ({@link #NOISE}), normalised (as extracted features
     * are), made in blocks of rows so that the bank is held once (plus the upload's copy).
     */
    private static Tensor clustered(Rng rng, Tensor centres, int[] labels, Backend backend) {
        int n = labels.length, d = centres.size(1), block = 8192;
        float[] all = new float[n * d];
        for (int start = 0; start < n; start += block) {
            int rows = Math.min(block, n - start);
            try (TensorScope scope = TensorScope.open()) {
                Tensor idx = Tensor.of(Arrays.stream(labels, start, start + rows).asLongStream().toArray(), rows);
                Tensor x = centres.indexSelect(0, idx).add(Tensor.randn(rng, DType.F32, rows, d).mul(NOISE));
                System.arraycopy(Knn.l2Normalize(x).toFloatArray(), 0, all, start * d, rows * d);
            }
        }
        return Tensor.of(backend, all, n, d);
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
