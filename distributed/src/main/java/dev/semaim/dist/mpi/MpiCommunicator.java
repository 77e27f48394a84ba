package dev.semaim.dist.mpi;

import com.sun.jna.Memory;
import dev.semaim.dist.Communicator;
import dev.semaim.dist.Launch;
import dev.semaim.dist.Watchdog;
import dev.semaim.tensor.Backend;
import dev.semaim.tensor.DType;
import dev.semaim.tensor.Tensor;
import dev.semaim.tensor.cpu.CpuStorage;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The {@link Communicator} on Open MPI ({@link OpenMpi}), for CPU tensors (tensors of another backend go through a host
 * copy). All MPI calls, MPI_Init_thread included, run on one daemon thread of this class (MPI_THREAD_FUNNELED), in
 * the order they are submitted: {@link #allReduceSumAsync} returns at once and the caller goes on (the backward, from
 * a gradient-ready hook, or packing the next gradient bucket) while the thread reduces; every wait is bounded by the {@link Watchdog}. A CPU tensor's floats are
 * copied into a native buffer of this thread, reduced there by MPI and copied back.
 */
final class MpiCommunicator implements Communicator {
    private final OpenMpi mpi;
    private final ExecutorService thread;
    private final Duration timeout;
    private final int rank, size;
    private final String version;
    /** The engine thread's staging buffer, grown to the largest collective so far. */
    private Memory staging;

    MpiCommunicator(Launch launch, Duration timeout) {
        this.timeout = timeout;
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "semaim-mpi");
            t.setDaemon(true);
            return t;
        });
        this.mpi = await(thread.submit(OpenMpi::load), "loading libmpi", launch.rank());
        await(thread.submit(() -> { mpi.init(); return null; }), "MPI_Init_thread", launch.rank());
        this.rank = await(thread.submit(mpi::rank), "MPI_Comm_rank", launch.rank());
        this.size = await(thread.submit(mpi::size), "MPI_Comm_size", launch.rank());
        this.version = await(thread.submit(mpi::version), "MPI_Get_library_version", rank);
        if (rank != launch.rank() || size != launch.size()) {
            throw new IllegalStateException("MPI says rank " + rank + " of " + size + " but the environment says " + launch.describe()
                    + ": start every process with the same launcher");
        }
    }

    private <T> T await(Future<T> f, String what, int who) {
        return Watchdog.await(f, what, who, timeout);
    }

    private <T> T run(Callable<T> work, String what) {
        return await(thread.submit(work), what, rank);
    }

    @Override public int rank() { return rank; }

    @Override public int size() { return size; }

    @Override public String engine() { return "mpi (" + version + ")"; }

    private Memory staging(long floats) {
        if (staging == null || staging.size() < 4 * floats) {
            if (staging != null) staging.close();
            staging = new Memory(Math.max(4, 4 * floats));
        }
        return staging;
    }

    private static void checkFloat(Tensor t, String what) {
        if (t.dtype() != DType.F32 || !t.isContiguous()) {
            throw new IllegalArgumentException(what + " needs a contiguous float32 tensor, got " + t);
        }
    }

    /** The tensor's own float array when it is a CPU tensor, else null (a host copy is made). */
    private static CpuStorage cpu(Tensor t) {
        return t.storage() instanceof CpuStorage s ? s : null;
    }

    @Override
    public void allReduceSum(Tensor t) {
        allReduceSumAsync(t).await();
    }

    @Override
    public Pending allReduceSumAsync(Tensor t) {
        checkFloat(t, "all-reduce");
        int n = t.numel();
        CpuStorage s = cpu(t);
        float[] host = s != null ? s.f : t.toFloatArray();
        int offset = s != null ? t.offset() : 0;
        Future<Void> f = thread.submit(() -> {
            Memory m = staging(n);
            m.write(0, host, offset, n);
            mpi.allReduceSum(m, n);
            m.read(0, host, offset, n);
            return null;
        });
        return () -> {
            await(f, "all-reduce of " + n + " floats", rank);
            if (s == null) copyBack(host, t);
        };
    }

    /** Writes {@code host} into a tensor of another backend. */
    private static void copyBack(float[] host, Tensor t) {
        Backend b = t.backend();
        b.copy(Tensor.of(b, host, t.shape()), t);
    }

    @Override
    public void broadcast(Tensor t, int root) {
        checkFloat(t, "broadcast");
        int n = t.numel();
        CpuStorage s = cpu(t);
        float[] host = s != null ? s.f : t.toFloatArray();
        int offset = s != null ? t.offset() : 0;
        run(() -> {
            Memory m = staging(n);
            m.write(0, host, offset, n);
            mpi.broadcast(m, n, root);
            m.read(0, host, offset, n);
            return null;
        }, "broadcast of " + n + " floats from rank " + root);
        if (s == null) copyBack(host, t);
    }

    @Override
    public Tensor allGather(Tensor t) {
        checkFloat(t, "all-gather");
        int n = t.numel();
        float[] mine = t.toFloatArray();
        float[] all = new float[n * size];
        run(() -> {
            try (Memory send = new Memory(Math.max(4, 4L * n)); Memory recv = new Memory(Math.max(4, 4L * n * size))) {
                send.write(0, mine, 0, n);
                mpi.allGather(send, recv, n);
                recv.read(0, all, 0, n * size);
            }
            return null;
        }, "all-gather of " + n + " floats");
        int[] shape = new int[t.rank() + 1];
        shape[0] = size;
        System.arraycopy(t.shape(), 0, shape, 1, t.rank());
        return Tensor.of(t.backend(), all, shape);
    }

    @Override
    public void barrier() {
        run(() -> { mpi.barrier(); return null; }, "barrier");
    }

    @Override
    public void close() {
        run(() -> { mpi.finalizeMpi(); return null; }, "MPI_Finalize");
        thread.shutdown();
    }
}
