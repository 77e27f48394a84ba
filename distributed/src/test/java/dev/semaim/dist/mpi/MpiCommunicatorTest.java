package dev.semaim.dist.mpi;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Open MPI engine's collectives, and the gradient buckets on them, in two processes under mpirun ({@link CollectivesMain}). */
class MpiCommunicatorTest {
    @TempDir
    Path dir;

    @Test
    void collectivesOfTwoProcesses() throws Exception {
        Mpirun mpirun = new Mpirun(dir);
        Process p = mpirun.start("collectives", 2, null, CollectivesMain.class.getName(), List.of());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "mpirun did not end in 60 s: " + mpirun.output("collectives"));
        String out = mpirun.output("collectives");
        assertEquals(0, p.exitValue(), out);
        for (int r = 0; r < 2; r++) {
            assertTrue(out.contains("rank " + r + " of 2: allreduce [3.0, 30.0, 1.0] view [-1.0, 1.0, 1.0, -1.0] broadcast [7.0, 1.0] "
                    + "allgather [2, 2][0.0, 0.0, 1.0, 1.0] mean 0.5"), out);
            // the buckets rebuilt in rank 0's order (it finishes a first), the sums unchanged
            assertTrue(out.contains("rank " + r + ": buckets [[0], [1], [2]] gradients [2.0, 2.0, 2.0]"), out);
            assertTrue(out.contains("rank " + r + ": done"), out);
        }
    }
}
