package dev.semaim.dist;

import dev.semaim.tensor.Backends;
import dev.semaim.tensor.DType;
import dev.semaim.tensor.Tensor;

/**
 * The collectives data-parallel training needs, over the processes of one run (ranks 0 .. size-1), on float32 tensors.
 * Every process must call the same collectives in the same order with tensors of the same shape, as with MPI and NCCL;
 * the reductions themselves are the engine's (Open MPI, NCCL), never written here. An engine that has waited longer
 * than its timeout for the other processes reports it and ends the process ({@link Watchdog}), so a dead rank cannot
 * make the others hang.
 *
 * <p>Implementations: {@link SingleProcess} (world size 1, no native code), and the engines of the {@code distributed} module
 * ({@code mpi}, {@code nccl}) found through {@link CommunicatorProvider}.
 */
public interface Communicator extends AutoCloseable {
    /** This process's rank, 0 .. size-1; rank 0 writes the run's outputs. */
    int rank();

    /** Number of processes of the run. */
    int size();

    /** The engine's name for messages: "single", "mpi", "nccl". */
    String engine();

    /** Sums {@code t} (float32, contiguous) element-wise over all processes, in place. */
    void allReduceSum(Tensor t);

    /**
     * {@link #allReduceSum} that may still be running when it returns (MPI: on the engine's thread; NCCL: queued on
     * the backend's stream); {@code t} must not be read or written before {@link Pending#await}.
     */
    default Pending allReduceSumAsync(Tensor t) {
        allReduceSum(t);
        return () -> { };
    }

    /** Copies rank {@code root}'s {@code t} (float32, contiguous) into every other process's {@code t}. */
    void broadcast(Tensor t, int root);

    /** Every process's {@code t} (same shape everywhere), stacked by rank: shape (size, ...t.shape), on t's backend. */
    Tensor allGather(Tensor t);

    /** Returns when every process has called it. */
    void barrier();

    /** A collective started by {@link #allReduceSumAsync}. */
    @FunctionalInterface
    interface Pending {
        /** Waits for the collective; afterwards its tensor holds the sum. */
        void await();
    }

    /**
     * The mean of one number over all processes (e.g. the loss for the log). The number travels as a float32 tensor of
     * the run's backend ({@link Backends#defaultBackend}), which every engine takes (NCCL only GPU tensors).
     */
    default double mean(double value) {
        if (size() == 1) {
            return value;
        }
        Tensor t = Tensor.full(value, DType.F32, Backends.defaultBackend(), 1);
        allReduceSum(t);
        return t.item() / size();
    }

    /**
     * Rank {@code root}'s {@code value}, rounded to float32, on every process (the root gets the rounded value too, so
     * that every process decides on the same number); as {@link #mean}, on the run's backend.
     */
    default double broadcast(double value, int root) {
        if (size() == 1) {
            return (float) value;
        }
        Tensor t = Tensor.full(value, DType.F32, Backends.defaultBackend(), 1);
        broadcast(t, root);
        return t.item();
    }

    /** Ends this process's part in the run (MPI_Finalize, ncclCommDestroy). */
    @Override
    void close();
}
