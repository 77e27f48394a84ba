package dev.semaim.dist;

import dev.semaim.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * Rank 0 of a pretend run of {@code size} processes whose other ranks hold what this one holds: an all-reduce
 * multiplies by the size; every all-reduce's and broadcast's element count is recorded. An all-gather stacks the
 * given rows (the other ranks' tensors), for the agreement check. With {@link #root} set it pretends to be rank 1,
 * and a broadcast from rank 0 writes those values.
 */
final class FakeCommunicator implements Communicator {
    private final int size;
    final List<Integer> reduced = new ArrayList<>();
    final List<Integer> broadcast = new ArrayList<>();
    float[][] othersGathered;
    /** Rank 0's tensor of the next broadcasts, received by this pretend rank 1; null: this is rank 0. */
    float[] root;

    FakeCommunicator(int size) {
        this.size = size;
    }

    @Override public int rank() { return root == null ? 0 : 1; }

    @Override public int size() { return size; }

    @Override public String engine() { return "fake"; }

    @Override public void allReduceSum(Tensor t) {
        reduced.add(t.numel());
        t.backend().copy(t.mul(size), t);
    }

    @Override public void broadcast(Tensor t, int from) {
        broadcast.add(t.numel());
        if (from != rank()) t.backend().copy(Tensor.of(root, t.shape()), t);
    }

    @Override public Tensor allGather(Tensor t) {
        float[] mine = t.toFloatArray();
        float[] all = new float[mine.length * size];
        System.arraycopy(mine, 0, all, 0, mine.length);
        for (int r = 1; r < size; r++) {
            System.arraycopy(othersGathered == null ? mine : othersGathered[r - 1], 0, all, r * mine.length, mine.length);
        }
        return Tensor.of(all, size, mine.length);
    }

    @Override public void barrier() { }

    @Override public void close() { }
}
