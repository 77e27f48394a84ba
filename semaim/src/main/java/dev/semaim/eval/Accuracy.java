package dev.semaim.eval;

import dev.semaim.autograd.GradMode;
import dev.semaim.autograd.Losses;
import dev.semaim.autograd.Var;
import dev.semaim.data.Batch;
import dev.semaim.data.DataLoader;
import dev.semaim.data.Dataset;
import dev.semaim.data.Transform;
import dev.semaim.tensor.Backend;
import dev.semaim.tensor.Tensor;
import dev.semaim.tensor.TensorScope;

import java.util.function.Function;

/** Top-1 / top-5 accuracy (percent) and mean cross-entropy of a classifier over a held-out data set. */
public record Accuracy(double top1, double top5, double loss, int count) {

    /**
     * Runs {@code logits} (images (B, C, H, W) -> (B, classes)) without gradients over every sample of
     * {@code dataset} in order. The caller puts the model in eval mode.
     */
    public static Accuracy evaluate(Function<Tensor, Var> logits, Dataset dataset, Transform transform, int batchSize,
                                    int workers, Backend backend) {
        return of(sums(logits, dataset, transform, batchSize, workers, backend));
    }

    /** What an accuracy is made of: images right at top-1 and top-5, the summed per-image loss, the images (sums over processes add). */
    record Sums(long top1, long top5, double lossSum, long count) {
    }

    /** The accuracy of {@code s}; an error when it counts no image. */
    static Accuracy of(Sums s) {
        if (s.count() == 0) {
            throw new IllegalArgumentException("evaluation set is empty");
        }
        return new Accuracy(100.0 * s.top1() / s.count(), 100.0 * s.top5() / s.count(), s.lossSum() / s.count(), (int) s.count());
    }

    /** {@link #evaluate}'s sums; an empty {@code dataset} gives zeros. */
    static Sums sums(Function<Tensor, Var> logits, Dataset dataset, Transform transform, int batchSize, int workers, Backend backend) {
        if (dataset.size() == 0) { // a process of a run with fewer held-out images than processes
            return new Sums(0, 0, 0, 0);
        }
        long top1 = 0, top5 = 0;
        double lossSum = 0;
        int n = 0;
        try (DataLoader loader = DataLoader.builder(dataset).transform(transform).batchSize(batchSize).workers(workers).build();
             GradMode.Scope scope = GradMode.noGrad()) {
            for (Batch b : loader.epoch(0)) {
                int k;
                long[] top;
                try (TensorScope batch = TensorScope.open()) {                      // the batch's buffers go at its end
                    Tensor images = Tensor.of(backend, b.images(), b.size(), b.channels(), b.height(), b.width());
                    Var out = logits.apply(images);                                // (B, classes)
                    Tensor labels = Tensor.of(backend, toLong(b.labels()), b.size());
                    double loss = Losses.crossEntropy(out, labels).item();
                    if (!Double.isFinite(loss)) { // NaN logits rank arbitrarily: the accuracy would be noise reported as a result
                        throw new IllegalStateException("the held-out loss of images " + n + ".." + (n + b.size() - 1) + " is " + loss
                                + ": the model's logits hold NaN or infinity; the evaluation stops rather than score them");
                    }
                    lossSum += loss * b.size();
                    k = Math.min(5, out.size(1));
                    top = out.data().topk(k, true)[1].toLongArray();               // (B, k)
                }
                for (int i = 0; i < b.size(); i++) {
                    for (int j = 0; j < k; j++) {
                        if (top[i * k + j] == b.labels()[i]) {
                            top1 += j == 0 ? 1 : 0;
                            top5++;
                            break;
                        }
                    }
                }
                n += b.size();
            }
        }
        return new Sums(top1, top5, lossSum, n);
    }

    static long[] toLong(int[] labels) {
        long[] out = new long[labels.length];
        for (int i = 0; i < labels.length; i++) {
            out[i] = labels[i];
        }
        return out;
    }
}
