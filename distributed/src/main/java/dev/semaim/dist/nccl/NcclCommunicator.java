package dev.semaim.dist.nccl;

import com.sun.jna.Pointer;
import dev.semaim.cuda.CudaBackend;
import dev.semaim.cuda.CudaHandles;
import dev.semaim.dist.Communicator;
import dev.semaim.dist.Launch;
import dev.semaim.dist.mpi.MpiProvider;
import dev.semaim.tensor.Backends;
import dev.semaim.tensor.DType;
import dev.semaim.tensor.Tensor;

import java.time.Duration;

/**
 * The {@link Communicator} on NCCL for tensors of the CUDA backend: every collective is queued on the backend's one
 * stream ({@link CudaHandles#stream}), so it is ordered with the kernels before and after it, and
 * {@link #allReduceSumAsync} returns at once (the stream, not the host, waits). The communicator is bootstrapped by
 * broadcasting rank 0's {@code ncclUniqueId} over MPI (mpirun, srun) or over TCP ({@link TcpRendezvous}, torchrun's
 * environment). A daemon thread polls {@code ncclCommGetAsyncError} every second: when NCCL reports a failed peer it
 * aborts the communicator and ends the process with a message, as PyTorch's NCCL watchdog does.
 */
final class NcclCommunicator implements Communicator {
    private final Nccl nccl;
    private final Pointer comm;
    private final long stream;
    private final int rank, size;
    private final Communicator bootstrap;
    private final Thread watchdog;
    private volatile boolean closed;

    NcclCommunicator(Launch launch, CudaBackend backend, Duration timeout) {
        this.rank = launch.rank();
        this.size = launch.size();
        this.nccl = Nccl.load();
        byte[] id;
        if (size == 1) { // one process (-Dsemaim.dist.engine=nccl): no one to hand the id to
            bootstrap = null;
            id = bytes(nccl.uniqueId());
        } else if (launch.launcher().mpi()) {
            bootstrap = MpiProvider.bootstrap(launch, timeout);
            id = broadcastOverMpi(rank == 0 ? bytes(nccl.uniqueId()) : new byte[Nccl.UNIQUE_ID_BYTES]);
        } else {
            bootstrap = null;
            if (rank == 0) {
                id = bytes(nccl.uniqueId());
                TcpRendezvous.serve(launch.rendezvous(), id, size, timeout);
            } else {
                id = TcpRendezvous.fetch(launch.rendezvous(), rank, size, Nccl.UNIQUE_ID_BYTES, timeout);
            }
        }
        Nccl.UniqueId unique = new Nccl.UniqueId();
        System.arraycopy(id, 0, unique.internal, 0, id.length);
        this.comm = nccl.initRank(size, unique, rank);
        this.stream = CudaHandles.stream(backend);
        this.watchdog = new Thread(this::watch, "semaim-nccl-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
    }

    private static byte[] bytes(Nccl.UniqueId id) {
        return id.internal.clone();
    }

    /** The id's 128 bytes as 64 exact 16-bit halves in floats, broadcast from rank 0 by MPI. */
    private byte[] broadcastOverMpi(byte[] id) {
        float[] halves = new float[id.length / 2];
        for (int i = 0; i < halves.length; i++) halves[i] = ((id[2 * i] & 0xFF) << 8) | (id[2 * i + 1] & 0xFF);
        Tensor t = Tensor.of(Backends.cpu(), halves, halves.length);
        bootstrap.broadcast(t, 0);
        float[] got = t.toFloatArray();
        byte[] out = new byte[id.length];
        for (int i = 0; i < got.length; i++) {
            int v = (int) got[i];
            out[2 * i] = (byte) (v >>> 8);
            out[2 * i + 1] = (byte) v;
        }
        return out;
    }

    private void watch() {
        while (!closed) {
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                return;
            }
            int error = nccl.asyncError(comm);
            if (error != 0) {
                System.err.printf("semaim: rank %d: NCCL reports %s (another process of the run has failed); ending this process%n",
                        rank, nccl.errorString(error));
                nccl.abort(comm);
                Runtime.getRuntime().halt(1);
            }
        }
    }

    @Override public int rank() { return rank; }

    @Override public int size() { return size; }

    @Override public String engine() {
        int v = nccl.version();
        return "nccl " + v / 10000 + "." + v / 100 % 100 + "." + v % 100 + " (" + nccl.file + ")";
    }

    private static void checkFloat(Tensor t, String what) {
        if (t.dtype() != DType.F32 || !t.isContiguous() || !(t.backend() instanceof CudaBackend)) {
            throw new IllegalArgumentException(what + " needs a contiguous float32 CUDA tensor, got " + t + " on " + t.backend().name());
        }
    }

    @Override
    public void allReduceSum(Tensor t) {
        allReduceSumAsync(t);
    }

    @Override
    public Pending allReduceSumAsync(Tensor t) {
        checkFloat(t, "all-reduce");
        nccl.allReduceSum(CudaHandles.address(t), t.numel(), comm, stream);
        return () -> { }; // stream-ordered: whatever reads t next is queued after the reduction
    }

    @Override
    public void broadcast(Tensor t, int root) {
        checkFloat(t, "broadcast");
        nccl.broadcast(CudaHandles.address(t), t.numel(), root, comm, stream);
    }

    @Override
    public Tensor allGather(Tensor t) {
        checkFloat(t, "all-gather");
        int[] shape = new int[t.rank() + 1];
        shape[0] = size;
        System.arraycopy(t.shape(), 0, shape, 1, t.rank());
        Tensor out = Tensor.empty(DType.F32, t.backend(), shape);
        nccl.allGather(CudaHandles.address(t), CudaHandles.address(out), t.numel(), comm, stream);
        return out;
    }

    @Override
    public void barrier() {
        Tensor one = Tensor.full(1, DType.F32, Backends.defaultBackend(), 1);
        if (one.backend() instanceof CudaBackend) {
            allReduceSum(one);
            one.backend().synchronize();
        } else if (bootstrap != null) {
            bootstrap.barrier();
        }
    }

    @Override
    public void close() {
        closed = true;
        watchdog.interrupt();
        try {
            watchdog.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        nccl.destroy(comm);
        if (bootstrap != null) bootstrap.close();
    }
}
