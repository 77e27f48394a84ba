package dev.semaim.dist.nccl;

import dev.semaim.cuda.CudaBackend;
import dev.semaim.dist.Communicator;
import dev.semaim.dist.Launch;
import dev.semaim.tensor.Tensor;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * The NCCL engine at world size 1 through the code a multi-GPU run uses (library lookup, the unique id,
 * ncclCommInitRank, collectives on the backend's stream; what {@code -Dsemaim.dist.engine=nccl} gives one process).
 * Skipped, with the reason, without a GPU or NCCL; runs of several GPUs (and the id's bootstrap over MPI or TCP) are
 * owed to a machine that has them.
 */
class NcclCommunicatorTest {
    @Test
    void collectivesAtWorldSizeOne() throws Exception {
        CudaBackend cuda;
        try {
            cuda = CudaBackend.get();
        } catch (Throwable e) {
            Assumptions.abort("no usable GPU: " + e.getMessage());
            return;
        }
        try {
            Nccl.load();
        } catch (IllegalStateException e) {
            Assumptions.abort(e.getMessage());
        }
        Communicator c = new NcclProvider().open(Launch.SINGLE, cuda, Duration.ofSeconds(30));
        try {
            Tensor t = Tensor.of(cuda, new float[] {1, 2, 3}, 3);
            c.allReduceSumAsync(t).await();
            assertArrayEquals(new float[] {1, 2, 3}, t.toFloatArray());
            Tensor view = Tensor.of(cuda, new float[] {9, 4, 5}, 3).narrow(0, 1, 2);
            c.broadcast(view, 0);
            assertArrayEquals(new float[] {4, 5}, view.toFloatArray());
            Tensor g = c.allGather(t);
            assertArrayEquals(new int[] {1, 3}, g.shape());
            assertArrayEquals(new float[] {1, 2, 3}, g.toFloatArray());
            c.barrier();
            System.out.println("engine: " + c.engine());
        } finally {
            c.close();
        }
    }
}
