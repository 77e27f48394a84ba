package dev.semaim.eval;

import dev.semaim.tensor.Tensor;
import dev.semaim.tensor.TensorScope;

import java.util.Arrays;

/**
 * Weighted k-nearest-neighbour classification of frozen features (spec section 9, the DINO protocol):
 * rows are L2-normalised, each test feature takes the k train features of highest cosine similarity, each
 * neighbour votes for its class with weight exp(similarity / T), and the classes are ranked by their summed
 * votes (ties, zero votes among them: lower class index first); top-5 counts the first min(5, k) classes of that
 * ranking, as DINO's {@code knn_classifier} does. The votes are taken as exp((similarity - the nearest's) / T),
 * the same ranking scaled by one factor per test row, so that a small T cannot overflow them all to infinity and
 * leave the class index to decide (in double, exp(1 / T) overflows below T = 0.0014). The test set is processed {@code chunk} rows at a time so that only a
 * (chunk, N) similarity block is ever held; the nearest max(k) are selected once per block, and every smaller k
 * votes with a prefix of them.
 */
public final class Knn {
    /** F.normalize's eps: rows are divided by max(norm, eps). */
    private static final double NORM_EPS = 1e-12;

    private Knn() {
    }

    /** Each row divided by its L2 norm (at least 1e-12). x: (N, D) -> (N, D). */
    public static Tensor l2Normalize(Tensor x) {
        return x.div(x.norm(true, 1).maximum(NORM_EPS));
    }

    /** One k of {@link #classify(Tensor, int[], Tensor, int[], int, int[], double, int)}. */
    public static KnnResult classify(Tensor trainFeatures, int[] trainLabels, Tensor testFeatures, int[] testLabels,
                                     int numClasses, int k, double temperature, int chunk) {
        return classify(trainFeatures, trainLabels, testFeatures, testLabels, numClasses, new int[] {k}, temperature, chunk).byK()[0];
    }

    /**
     * Normalises both sets' rows ({@link #l2Normalize}), then {@link #classifyNormalized}.
     *
     * @param trainFeatures (N, D), not necessarily normalised
     * @param trainLabels   N class indices in [0, numClasses)
     * @param testFeatures  (M, D)
     * @param testLabels    M class indices
     * @param ks            neighbour counts (each clamped to N)
     * @param temperature   vote temperature T (0.07 in the recipe)
     * @param chunk         test rows per similarity block
     */
    public static Results classify(Tensor trainFeatures, int[] trainLabels, Tensor testFeatures, int[] testLabels,
                                   int numClasses, int[] ks, double temperature, int chunk) {
        checkShapes(trainFeatures, testFeatures);
        try (TensorScope normalized = TensorScope.open()) { // the normalised copies go once voted
            return classifyNormalized(l2Normalize(trainFeatures), trainLabels, l2Normalize(testFeatures), testLabels, numClasses,
                    ks, temperature, chunk);
        }
    }

    /**
     * The accuracy for every k of {@code ks} from features whose rows are already L2-normalised: per block of
     * {@code chunk} test rows, the (chunk, N) cosine similarities, the max(k) nearest training rows selected once on
     * the features' backend ({@link Tensor#topk}: only (chunk, max k) values and indices leave it), and each k's vote
     * over the first k of them (the nearest first, equal similarities by lower training index). Memory: the bank as
     * given (the products read it through a transposed view, no copy) and one (chunk, N) block at a time.
     */
    public static Results classifyNormalized(Tensor trainUnit, int[] trainLabels, Tensor testUnit, int[] testLabels,
                                             int numClasses, int[] ks, double temperature, int chunk) {
        check("train", trainUnit, trainLabels, numClasses);
        check("test", testUnit, testLabels, numClasses);
        checkShapes(trainUnit, testUnit);
        if (ks.length == 0 || Arrays.stream(ks).min().getAsInt() < 1 || !(temperature > 0) || chunk < 1) {
            throw new IllegalArgumentException("k-NN: need every k >= 1, T > 0, chunk >= 1; got k " + Arrays.toString(ks)
                    + ", T " + temperature + ", chunk " + chunk);
        }
        int n = trainUnit.size(0), m = testUnit.size(0);
        int[] kk = Arrays.stream(ks).map(k -> Math.min(k, n)).toArray();
        int maxK = Arrays.stream(kk).max().getAsInt();
        Integer[] byK = new Integer[kk.length];                  // the requests, smallest k first
        Arrays.setAll(byK, i -> i);
        Arrays.sort(byK, (a, b) -> Integer.compare(kk[a], kk[b]));
        int[] top1 = new int[kk.length], top5 = new int[kk.length];
        double[] votes = new double[numClasses];
        long productNanos = 0, selectionNanos = 0;
        Tensor trainT = trainUnit.transpose(0, 1); // (D, N), a view: the products read the bank's rows as they are
        for (int start = 0; start < m; start += chunk) {
            int rows = Math.min(chunk, m - start);
            float[] sim;
            long[] idx;
            try (TensorScope block = TensorScope.open()) {    // the (rows, N) block goes at the chunk's end
                long t0 = System.nanoTime();
                Tensor sims = testUnit.narrow(0, start, rows).matmul(trainT); // (rows, N)
                sims.backend().synchronize();
                long t1 = System.nanoTime();
                Tensor[] top = sims.topk(maxK, true);                      // values, indices: (rows, maxK)
                sim = top[0].toFloatArray();
                idx = top[1].toLongArray();
                productNanos += t1 - t0;
                selectionNanos += System.nanoTime() - t1;
            }
            for (int r = 0; r < rows; r++) {
                Arrays.fill(votes, 0);
                int truth = testLabels[start + r], next = 0;
                float nearest = sim[r * maxK];                  // the row's highest similarity
                for (int j = 0; j < maxK; j++) {
                    votes[trainLabels[(int) idx[r * maxK + j]]] += Math.exp((sim[r * maxK + j] - nearest) / temperature);
                    for (; next < byK.length && kk[byK[next]] == j + 1; next++) { // the votes of k = j + 1 are complete
                        int better = classesAbove(votes, truth);
                        top1[byK[next]] += better == 0 ? 1 : 0;
                        top5[byK[next]] += better < Math.min(5, j + 1) ? 1 : 0;
                    }
                }
            }
        }
        KnnResult[] results = new KnnResult[kk.length];
        for (int i = 0; i < kk.length; i++) {
            results[i] = new KnnResult(100.0 * top1[i] / m, 100.0 * top5[i] / m, kk[i], temperature, m);
        }
        return new Results(results, productNanos / 1e9, selectionNanos / 1e9);
    }

    /**
     * The accuracy for each requested k (in the order asked), and where the time went: the similarity products
     * and the selection of the nearest (with the download of the (rows, max k) results), in seconds.
     */
    public record Results(KnnResult[] byK, double productSeconds, double selectionSeconds) {
    }

    /**
     * How many classes rank above {@code truth} when classes are ranked by descending votes, ties by ascending class
     * index: 0 is a top-1 hit, below 5 a top-5 hit.
     */
    private static int classesAbove(double[] votes, int truth) {
        double v = votes[truth];
        int above = 0;
        for (int c = 0; c < votes.length; c++) {
            above += votes[c] > v || (votes[c] == v && c < truth) ? 1 : 0;
        }
        return above;
    }

    private static void checkShapes(Tensor train, Tensor test) {
        if (train.rank() != 2 || test.rank() != 2) {
            throw new IllegalArgumentException("k-NN: features must be (N, D), got train " + Arrays.toString(train.shape())
                    + " and test " + Arrays.toString(test.shape()));
        }
        if (train.size(1) != test.size(1)) {
            throw new IllegalArgumentException("k-NN: train features have width " + train.size(1)
                    + " but test features " + test.size(1));
        }
    }

    private static void check(String which, Tensor features, int[] labels, int numClasses) {
        if (features.rank() != 2) {
            throw new IllegalArgumentException("k-NN: " + which + " features must be (N, D), got shape "
                    + Arrays.toString(features.shape()));
        }
        if (features.size(0) != labels.length || labels.length == 0) {
            throw new IllegalArgumentException("k-NN: " + which + " features have " + features.size(0) + " rows but "
                    + labels.length + " labels (need at least one)");
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= numClasses) {
                throw new IllegalArgumentException("k-NN: " + which + " label " + labels[i] + " at row " + i
                        + " is outside 0.." + (numClasses - 1));
            }
        }
    }
}
