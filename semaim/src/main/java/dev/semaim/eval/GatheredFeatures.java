package dev.semaim.eval;

import dev.semaim.data.Dataset;
import dev.semaim.data.DistributedSampler;
import dev.semaim.data.Transform;
import dev.semaim.dist.Communicator;
import dev.semaim.tensor.Backend;
import dev.semaim.tensor.Tensor;

import java.util.function.IntConsumer;
import java.util.function.UnaryOperator;

/**
 * {@link KnnFeatures#extract} split over the processes of a run and gathered (the official k-NN's distributed
 * extraction): each process encodes its share of the data set, the positions {@code rank, rank + size, ...} of
 * PyTorch's {@code DistributedSampler(shuffle=False)} (padded by repeating the head), and an all-gather brings every
 * share to every process, which puts the rows back in data-set order and drops the padding. So each process ends
 * with the features one process alone would have extracted.
 */
final class GatheredFeatures {
    private GatheredFeatures() {
    }

    /** The features (N, D) and labels of all of {@code dataset}, in order; {@code onBatch} counts images of the whole run. */
    static KnnFeatures extract(Communicator comm, UnaryOperator<Tensor> encoder, Dataset dataset, Transform transform, int batchSize,
                               Backend backend, IntConsumer onBatch) {
        int size = comm.size(), n = dataset.size();
        if (size == 1) {
            return KnnFeatures.extract(encoder, dataset, transform, batchSize, 0, backend, onBatch);
        }
        DistributedSampler share = new DistributedSampler(n, size, comm.rank(), false, 0, false);
        KnnFeatures mine = KnnFeatures.extract(encoder, new Subset(dataset, share.indices(0)), transform, batchSize, 0, backend,
                done -> onBatch.accept(Math.min(n, done * size)));
        int perRank = share.samplesPerRank(), dim = mine.features().size(1);
        float[] labels = new float[perRank]; // exact: class indices are far below 2^24
        for (int k = 0; k < perRank; k++) labels[k] = mine.labels()[k];
        float[] features = comm.allGather(mine.features().contiguous()).toFloatArray();  // (size, perRank, D)
        float[] allLabels = comm.allGather(Tensor.of(labels, perRank)).toFloatArray();    // (size, perRank)
        float[] ordered = new float[n * dim];
        int[] orderedLabels = new int[n];
        for (int i = 0; i < n; i++) { // data-set position i is rank i % size's k = i / size-th sample
            int row = (i % size) * perRank + i / size;
            System.arraycopy(features, row * dim, ordered, i * dim, dim);
            orderedLabels[i] = (int) allLabels[row];
        }
        return new KnnFeatures(Tensor.of(backend, ordered, n, dim), orderedLabels);
    }
}
