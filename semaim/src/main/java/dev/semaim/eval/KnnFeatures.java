package dev.semaim.eval;

import dev.semaim.autograd.GradMode;
import dev.semaim.data.Batch;
import dev.semaim.data.DataLoader;
import dev.semaim.data.Dataset;
import dev.semaim.data.Sample;
import dev.semaim.data.Transform;
import dev.semaim.tensor.Backend;
import dev.semaim.tensor.Tensor;
import dev.semaim.tensor.TensorScope;

import java.util.List;
import java.util.function.IntConsumer;
import java.util.function.UnaryOperator;

/** Frozen features of a whole data set, in data-set order, for {@link Knn}. */
public record KnnFeatures(Tensor features, int[] labels) {

    /**
     * Runs {@code encoder} (images (B, C, H, W) -> features (B, D)) without gradients over the first
     * {@code limit} samples of {@code dataset} (all when {@code limit <= 0}), in order, {@code batchSize} at a time.
     */
    public static KnnFeatures extract(UnaryOperator<Tensor> encoder, Dataset dataset, Transform transform, int batchSize,
                                      int limit, Backend backend) {
        return extract(encoder, dataset, transform, batchSize, limit, backend, done -> { });
    }

    /** As above, calling {@code onBatch} with the number of images done after every batch (progress). */
    public static KnnFeatures extract(UnaryOperator<Tensor> encoder, Dataset dataset, Transform transform, int batchSize,
                                      int limit, Backend backend, IntConsumer onBatch) {
        int n = limit > 0 ? Math.min(limit, dataset.size()) : dataset.size();
        Dataset head = limit > 0 ? new Head(dataset, n) : dataset;
        int[] labels = new int[n];
        Tensor[] parts = new Tensor[(n + batchSize - 1) / batchSize];
        try (DataLoader loader = DataLoader.builder(head).transform(transform).batchSize(batchSize).build();
             GradMode.Scope noGrad = GradMode.noGrad();
             TensorScope all = TensorScope.open()) {                             // the per-batch parts go once joined
            for (Batch b : loader.epoch(0)) {
                try (TensorScope batch = TensorScope.open()) {                  // the batch's activations go at its end
                    Tensor images = Tensor.of(backend, b.images(), b.size(), b.channels(), b.height(), b.width());
                    Tensor features = encoder.apply(images).contiguous();           // (size, D)
                    int from = b.index() * batchSize;
                    requireFinite(features, "images " + from + ".." + (from + b.size() - 1));
                    parts[b.index()] = batch.keep(features);
                }
                System.arraycopy(b.labels(), 0, labels, b.index() * batchSize, b.size());
                onBatch.accept(b.index() * batchSize + b.size());
            }
            return new KnnFeatures(all.keep(Tensor.cat(0, parts)), labels);
        }
    }

    /**
     * Stops on NaN or infinity in {@code features} (rows = images; {@code which} names them): neighbours of a NaN
     * vector are arbitrary, so the accuracy would be that of chance, reported as a result.
     */
    public static void requireFinite(Tensor features, String which) {
        try (TensorScope scope = TensorScope.open()) {
            if (Double.isFinite(features.sum().item())) {
                return;
            }
        }
        float[] v = features.toFloatArray();
        int bad = 0;
        for (float x : v) {
            bad += Float.isFinite(x) ? 0 : 1;
        }
        if (bad > 0) { // none: the sum merely overflowed
            throw new NonFinite("the features of " + which + " hold " + bad + " non-finite values (NaN or infinity) of "
                    + v.length + ": the encoder's weights or its input are broken; the evaluation stops rather than score them");
        }
    }

    /** Features with NaN or infinity: the evaluation cannot go on. */
    public static final class NonFinite extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        NonFinite(String message) {
            super(message);
        }
    }

    /** The first {@code n} samples of a data set. */
    private record Head(Dataset dataset, int n) implements Dataset {
        @Override
        public int size() {
            return n;
        }

        @Override
        public Sample get(int index) {
            return dataset.get(index);
        }

        @Override
        public List<String> classNames() {
            return dataset.classNames();
        }
    }
}
