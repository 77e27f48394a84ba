package dev.semaim.eval;

import dev.semaim.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KnnTest {
    /** Plain reference: double-precision cosine, full sort, vote exp(sim / T), ties by lower class index. */
    private static double[] reference(float[][] train, int[] trainLabels, float[][] test, int[] testLabels, int classes, int k, double t) {
        int top1 = 0, top5 = 0;
        for (int q = 0; q < test.length; q++) {
            double[] sims = new double[train.length];
            Integer[] order = new Integer[train.length];
            for (int i = 0; i < train.length; i++) {
                sims[i] = cosine(test[q], train[i]);
                order[i] = i;
            }
            Arrays.sort(order, (a, b) -> Double.compare(sims[b], sims[a]));
            double[] votes = new double[classes];
            for (int j = 0; j < Math.min(k, train.length); j++) {
                votes[trainLabels[order[j]]] += Math.exp(sims[order[j]] / t);
            }
            int better = 0;
            for (int c = 0; c < classes; c++) {
                int truth = testLabels[q];
                if (votes[c] > votes[truth] || (votes[c] == votes[truth] && c < truth)) {
                    better++;
                }
            }
            top1 += better == 0 ? 1 : 0;
            top5 += better < Math.min(5, Math.min(k, train.length)) ? 1 : 0;
        }
        return new double[] {100.0 * top1 / test.length, 100.0 * top5 / test.length};
    }

    private static double cosine(float[] a, float[] b) {
        double ab = 0, aa = 0, bb = 0;
        for (int i = 0; i < a.length; i++) {
            ab += (double) a[i] * b[i];
            aa += (double) a[i] * a[i];
            bb += (double) b[i] * b[i];
        }
        return ab / (Math.max(Math.sqrt(aa), 1e-12) * Math.max(Math.sqrt(bb), 1e-12));
    }

    private static Tensor tensor(float[][] rows) {
        int n = rows.length, d = rows[0].length;
        float[] flat = new float[n * d];
        for (int i = 0; i < n; i++) {
            System.arraycopy(rows[i], 0, flat, i * d, d);
        }
        return Tensor.of(flat, n, d);
    }

    @Test
    void matchesThePlainReferenceOnSeededRandomClusters() {
        for (long seed = 1; seed <= 4; seed++) {
            SplittableRandom rng = new SplittableRandom(seed);
            int classes = 3 + rng.nextInt(8), d = 2 + rng.nextInt(12), n = 20 + rng.nextInt(80), m = 5 + rng.nextInt(40);
            int k = 1 + rng.nextInt(25);
            float[][] centres = new float[classes][d];
            for (float[] c : centres) {
                for (int j = 0; j < d; j++) {
                    c[j] = (float) rng.nextGaussian();
                }
            }
            int[] trainLabels = new int[n], testLabels = new int[m];
            float[][] train = new float[n][], test = new float[m][];
            for (int i = 0; i < n + m; i++) {
                int c = rng.nextInt(classes);
                float[] x = new float[d];
                for (int j = 0; j < d; j++) {
                    x[j] = centres[c][j] + (float) (0.8 * rng.nextGaussian());
                }
                if (i < n) {
                    train[i] = x;
                    trainLabels[i] = c;
                } else {
                    test[i - n] = x;
                    testLabels[i - n] = c;
                }
            }
            double[] want = reference(train, trainLabels, test, testLabels, classes, k, 0.07);
            for (int chunk : new int[] {1, 7, 1000}) {
                KnnResult got = Knn.classify(tensor(train), trainLabels, tensor(test), testLabels, classes, k, 0.07, chunk);
                String where = "seed " + seed + ", classes " + classes + ", train (" + n + ", " + d + "), test " + m + ", k " + k + ", chunk " + chunk;
                assertArrayEquals(want, new double[] {got.top1(), got.top5()}, 1e-9, where);
                assertEquals(Math.min(k, n), got.k(), where);
            }
        }
    }

    /**
     * The vote as it was before issue 23, for one k: the same normalised float32 similarities, every row fully sorted
     * (stable, descending: equal similarities by lower training index), the classes ranked by a boxed sort.
     */
    private static double[] beforeIssue23(Tensor train, int[] trainLabels, Tensor test, int[] testLabels, int classes, int k, double t) {
        int n = train.size(0), m = test.size(0);
        float[] sims = Knn.l2Normalize(test).matmul(Knn.l2Normalize(train).transpose(0, 1).contiguous()).toFloatArray();
        int top1 = 0, top5 = 0;
        for (int q = 0; q < m; q++) {
            int base = q * n;
            Integer[] order = new Integer[n];
            Arrays.setAll(order, i -> i);
            Arrays.sort(order, (a, b) -> Double.compare(sims[base + b], sims[base + a]));
            double[] votes = new double[classes];
            for (int j = 0; j < Math.min(k, n); j++) {
                votes[trainLabels[order[j]]] += Math.exp(sims[base + order[j]] / t);
            }
            Integer[] ranked = new Integer[classes];
            Arrays.setAll(ranked, c -> c);
            Arrays.sort(ranked, java.util.Comparator.<Integer>comparingDouble(c -> -votes[c]).thenComparingInt(c -> c));
            top1 += ranked[0] == testLabels[q] ? 1 : 0;
            for (int c = 0; c < Math.min(Math.min(5, Math.min(k, n)), classes); c++) {
                if (ranked[c] == testLabels[q]) {
                    top5++;
                    break;
                }
            }
        }
        return new double[] {100.0 * top1 / m, 100.0 * top5 / m};
    }

    /**
     * Issue 23: every k from one selection of the max(k) nearest equals the old per-k search exactly, on features with
     * many exact ties (duplicated training rows under different labels, quantised coordinates), for any chunking.
     */
    @Test
    void everyKFromOneSelectionEqualsTheOldPerKSearch() {
        for (long seed = 1; seed <= 4; seed++) {
            SplittableRandom rng = new SplittableRandom(seed);
            int classes = 2 + rng.nextInt(12), d = 2 + rng.nextInt(6), n = 30 + rng.nextInt(200), m = 5 + rng.nextInt(60);
            float[] train = new float[n * d], test = new float[m * d];
            for (int i = 0; i < train.length; i++) {
                train[i] = rng.nextInt(5) - 2;  // few distinct directions: equal similarities everywhere
            }
            for (int i = 0; i < test.length; i++) {
                test[i] = rng.nextInt(5) - 2;
            }
            int[] trainLabels = rng.ints(n, 0, classes).toArray(), testLabels = rng.ints(m, 0, classes).toArray();
            int[] ks = {1 + rng.nextInt(n + 5), 1, 1 + rng.nextInt(20), n + 3, 7};
            Tensor tr = Tensor.of(train, n, d), te = Tensor.of(test, m, d);
            for (int chunk : new int[] {1, 6, 1000}) {
                Knn.Results all = Knn.classify(tr, trainLabels, te, testLabels, classes, ks, 0.07, chunk);
                for (int i = 0; i < ks.length; i++) {
                    double[] want = beforeIssue23(tr, trainLabels, te, testLabels, classes, ks[i], 0.07);
                    KnnResult got = all.byK()[i];
                    String where = "seed " + seed + ", classes " + classes + ", train (" + n + ", " + d + "), test " + m + ", k " + ks[i]
                            + " of " + Arrays.toString(ks) + ", chunk " + chunk;
                    assertArrayEquals(want, new double[] {got.top1(), got.top5()}, 0, where);
                    assertEquals(Math.min(ks[i], n), got.k(), where);
                }
            }
        }
    }

    @Test
    void separatedClustersAreClassifiedPerfectlyAndScaleDoesNotMatter() {
        float[][] train = {{1, 0}, {2, 0.1f}, {0, 1}, {0.1f, 3}};
        float[][] test = {{5, 0.2f}, {0.2f, 0.01f}, {0, 7}};
        KnnResult r = Knn.classify(tensor(train), new int[] {0, 0, 1, 1}, tensor(test), new int[] {0, 0, 1}, 2, 2, 0.07, 2);
        assertEquals(100.0, r.top1());
        assertEquals(100.0, r.top5());
        assertEquals(3, r.testCount());
    }

    @Test
    void l2NormalizeLeavesZeroRowsAtZero() {
        Tensor x = Tensor.of(new float[] {3, 4, 0, 0}, 2, 2);
        assertArrayEquals(new float[] {0.6f, 0.8f, 0, 0}, Knn.l2Normalize(x).toFloatArray(), 1e-7f);
    }

    @Test
    void badInputNamesWhatIsWrong() {
        Tensor f = Tensor.of(new float[] {1, 0, 0, 1}, 2, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Knn.classify(f, new int[] {0}, f, new int[] {0, 1}, 2, 1, 0.07, 1));
        assertTrue(e.getMessage().contains("train features have 2 rows but 1 labels"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Knn.classify(f, new int[] {0, 5}, f, new int[] {0, 1}, 2, 1, 0.07, 1));
        assertTrue(e.getMessage().contains("train label 5 at row 1"), e.getMessage());
        Tensor g = Tensor.of(new float[] {1, 0, 0}, 1, 3);
        e = assertThrows(IllegalArgumentException.class, () -> Knn.classify(f, new int[] {0, 1}, g, new int[] {0}, 2, 1, 0.07, 1));
        assertTrue(e.getMessage().contains("width 2 but test features 3"), e.getMessage());
    }

    /**
     * At T = 0.001 every vote exp(sim / T) overflows to infinity: the ranking must still go by similarity (the nearest
     * neighbour, class 1, at cosine 1 against class 0's at 0.99), not by the lower class index.
     */
    @Test
    void aSmallTemperatureStillRanksBySimilarity() {
        float[][] train = {{1, 0}, {0.99f, 0.141f}};
        for (double t : new double[] {0.07, 0.01, 0.001, 1e-5}) {
            KnnResult r = Knn.classify(tensor(train), new int[] {1, 0}, tensor(new float[][] {{1, 0}}), new int[] {1}, 2, 2, t, 1);
            assertEquals(100.0, r.top1(), "T " + t);
        }
    }

    /** With k below 5, top-5 counts only the first k classes of the ranking (DINO's min(5, k)): here the voted ones. */
    @Test
    void topFiveWithFewerThanFiveNeighboursCountsOnlyTheVotedClasses() {
        float[][] train = {{1, 0}, {0, 1}};
        int[] trainLabels = {7, 3};
        float[][] test = {{1, 0.1f}, {1, 0.1f}, {1, 0.1f}};
        int[] truth = {0, 9, 7};
        KnnResult k1 = Knn.classify(tensor(train), trainLabels, tensor(test), truth, 10, 1, 0.07, 1);
        assertEquals(100.0 / 3, k1.top1(), 1e-9);
        assertEquals(100.0 / 3, k1.top5(), 1e-9, "k 1: only class 7 is predicted");
        KnnResult k2 = Knn.classify(tensor(train), trainLabels, tensor(test), new int[] {3, 0, 7}, 10, 2, 0.07, 1);
        assertEquals(200.0 / 3, k2.top5(), 1e-9, "k 2: classes 7 and 3 are predicted, 0 is not");
    }

    /**
     * Worked by hand with T = 0.07: one neighbour of class 0 at cosine 1 votes e^(1/0.07) = 1.6003e6; two of class 1
     * at cosine 0.95 vote 2 e^(0.95/0.07) = 1.5668e6 in all, so the single closer neighbour outvotes the majority;
     * at cosine 0.96 they vote 2 e^(0.96/0.07) = 1.8072e6 and win. With k = 1 only the closest votes.
     */
    @Test
    void temperatureWeightedVoteByHand() {
        float[][] query = {{1, 0}};
        int[] truth = {0};
        for (double[] c : new double[][] {{0.95, 100}, {0.96, 0}}) {
            float s = (float) Math.sqrt(1 - c[0] * c[0]);
            float[][] train = {{1, 0}, {(float) c[0], s}, {(float) c[0], -s}};
            KnnResult k3 = Knn.classify(tensor(train), new int[] {0, 1, 1}, tensor(query), truth, 2, 3, 0.07, 1);
            assertEquals(c[1], k3.top1(), "k 3, class-1 neighbours at cosine " + c[0]);
            assertEquals(100.0, k3.top5());
            KnnResult k1 = Knn.classify(tensor(train), new int[] {0, 1, 1}, tensor(query), truth, 2, 1, 0.07, 1);
            assertEquals(100.0, k1.top1());
        }
        // plain majority (a huge temperature makes every vote ~1) picks class 1 at cosine 0.95
        float s = (float) Math.sqrt(1 - 0.95 * 0.95);
        float[][] train = {{1, 0}, {0.95f, s}, {0.95f, -s}};
        assertEquals(0.0, Knn.classify(tensor(train), new int[] {0, 1, 1}, tensor(query), truth, 2, 3, 1e6, 1).top1());
    }
}
