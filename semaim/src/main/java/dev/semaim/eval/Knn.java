package dev.semaim.eval;

import dev.semaim.tensor.Tensor;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * Weighted k-nearest-neighbour classification of frozen features (spec section 9, the DINO protocol):
 * rows are L2-normalised, each test feature takes the k train features of highest cosine similarity, each
 * neighbour votes for its class with weight exp(similarity / T), and the classes are ranked by their summed
 * votes (ties: lower class index first). The test set is processed {@code chunk} rows at a time so that only a
 * (chunk, N) similarity block is ever held.
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

    /**
     * @param trainFeatures (N, D), not necessarily normalised
     * @param trainLabels   N class indices in [0, numClasses)
     * @param testFeatures  (M, D)
     * @param testLabels    M class indices
     * @param k             neighbours (clamped to N)
     * @param temperature   vote temperature T (0.07 in the recipe)
     * @param chunk         test rows per similarity block
     */
    public static KnnResult classify(Tensor trainFeatures, int[] trainLabels, Tensor testFeatures, int[] testLabels,
                                     int numClasses, int k, double temperature, int chunk) {
        check("train", trainFeatures, trainLabels, numClasses);
        check("test", testFeatures, testLabels, numClasses);
        if (trainFeatures.size(1) != testFeatures.size(1)) {
            throw new IllegalArgumentException("k-NN: train features have width " + trainFeatures.size(1)
                    + " but test features " + testFeatures.size(1));
        }
        if (k < 1 || !(temperature > 0) || chunk < 1) {
            throw new IllegalArgumentException("k-NN: need k >= 1, T > 0, chunk >= 1; got k " + k + ", T " + temperature + ", chunk " + chunk);
        }
        int n = trainFeatures.size(0), m = testFeatures.size(0), kk = Math.min(k, n);
        Tensor trainT = l2Normalize(trainFeatures).transpose(0, 1).contiguous(); // (D, N)
        Tensor test = l2Normalize(testFeatures);                                 // (M, D)
        int top1 = 0, top5 = 0;
        double[] votes = new double[numClasses];
        for (int start = 0; start < m; start += chunk) {
            int rows = Math.min(chunk, m - start);
            Tensor sims = test.narrow(0, start, rows).matmul(trainT); // (rows, N)
            Tensor[] top = sims.topk(kk, true);                       // values, indices: (rows, kk)
            float[] sim = top[0].toFloatArray();
            long[] idx = top[1].toLongArray();
            for (int r = 0; r < rows; r++) {
                Arrays.fill(votes, 0);
                for (int j = 0; j < kk; j++) {
                    votes[trainLabels[(int) idx[r * kk + j]]] += Math.exp(sim[r * kk + j] / temperature);
                }
                int[] ranked = rank(votes);
                int truth = testLabels[start + r];
                if (ranked[0] == truth) {
                    top1++;
                }
                for (int c = 0; c < Math.min(5, numClasses); c++) {
                    if (ranked[c] == truth) {
                        top5++;
                        break;
                    }
                }
            }
        }
        return new KnnResult(100.0 * top1 / m, 100.0 * top5 / m, kk, temperature, m);
    }

    /** Class indices by descending votes, ties by ascending index. */
    private static int[] rank(double[] votes) {
        return IntStream.range(0, votes.length).boxed()
                .sorted(Comparator.<Integer>comparingDouble(c -> -votes[c]).thenComparingInt(c -> c))
                .mapToInt(Integer::intValue).toArray();
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
