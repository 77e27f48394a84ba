package dev.semaim.dist;

import dev.semaim.tensor.Tensor;

/** The communicator of a run of one process: every collective is the identity, and no native code is loaded. */
public final class SingleProcess implements Communicator {
    public static final SingleProcess INSTANCE = new SingleProcess();

    private SingleProcess() {
    }

    @Override public int rank() { return 0; }

    @Override public int size() { return 1; }

    @Override public String engine() { return "single"; }

    @Override public void allReduceSum(Tensor t) { }

    @Override public void broadcast(Tensor t, int root) {
        if (root != 0) throw new IllegalArgumentException("broadcast from rank " + root + " in a run of one process");
    }

    @Override public Tensor allGather(Tensor t) { return t.unsqueeze(0); }

    @Override public void barrier() { }

    @Override public void close() { }
}
