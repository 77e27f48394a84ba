package dev.semaim.data;

/**
 * The dataset indices one process of a data-parallel run visits in an epoch, as PyTorch's
 * {@code torch.utils.data.DistributedSampler(dataset, num_replicas, rank, shuffle, seed, drop_last)} with
 * {@code set_epoch(epoch)} gives them (PyTorch 1.13): the permutation {@code randperm(n)} seeded with seed + epoch
 * ({@link TorchRandperm}) or the identity; then, without drop-last, padded by repeating its head to a multiple of the
 * world size (with drop-last, cut to one); then every {@code worldSize}-th index from {@code rank}. So rank r of w gets
 * positions r, r + w, ... of the padded order, and a global batch of w x B is the same images as one batch of w x B
 * of a single process (w = 1), the premise of data-parallel equivalence.
 */
public record DistributedSampler(int datasetSize, int worldSize, int rank, boolean shuffle, long seed, boolean dropLast) {
    public DistributedSampler {
        if (worldSize < 1 || rank < 0 || rank >= worldSize) {
            throw new IllegalArgumentException("rank " + rank + " of world size " + worldSize);
        }
    }

    /** Indices of this rank per epoch: ceil(n / w), or floor(n / w) with drop-last (PyTorch's num_samples). */
    public int samplesPerRank() {
        return dropLast ? datasetSize / worldSize : (datasetSize + worldSize - 1) / worldSize;
    }

    /** This rank's dataset indices in the order epoch {@code epoch} visits them. */
    public int[] indices(int epoch) {
        int[] all = shuffle ? TorchRandperm.of(datasetSize, seed + epoch) : identity(datasetSize);
        int perRank = samplesPerRank();
        int[] mine = new int[perRank];
        for (int k = 0; k < perRank; k++) {
            int position = rank + k * worldSize; // in the padded (or cut) order of length perRank x worldSize
            mine[k] = all[position % datasetSize]; // padding repeats the order from its head
        }
        return mine;
    }

    private static int[] identity(int n) {
        int[] r = new int[n];
        for (int i = 0; i < n; i++) r[i] = i;
        return r;
    }
}
