package dev.semaim.dist;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Rank, size and local rank from each launcher's environment and the official flags. */
class LaunchTest {
    private static Launch detect(Map<String, String> env) {
        return Launch.detect(env, 1, -1, "env://", false);
    }

    @Test
    void eachLaunchersVariables() {
        assertEquals(Launch.SINGLE, detect(Map.of()));
        assertEquals(new Launch(1, 4, 1, Launch.Launcher.OPEN_MPI, null),
                detect(Map.of("OMPI_COMM_WORLD_RANK", "1", "OMPI_COMM_WORLD_SIZE", "4", "OMPI_COMM_WORLD_LOCAL_RANK", "1")));
        assertEquals(new Launch(2, 3, 0, Launch.Launcher.PMI, null), detect(Map.of("PMI_RANK", "2", "PMI_SIZE", "3")));
        assertEquals(new Launch(5, 8, 1, Launch.Launcher.SLURM, null),
                detect(Map.of("SLURM_STEP_ID", "0", "SLURM_PROCID", "5", "SLURM_NTASKS", "8", "SLURM_LOCALID", "1")));
        // an sbatch script outside srun has SLURM_NTASKS but no job step: one process
        assertEquals(Launch.SINGLE, detect(Map.of("SLURM_PROCID", "0", "SLURM_NTASKS", "8")));
        assertEquals(new Launch(3, 4, 3, Launch.Launcher.TORCHRUN, "node0:29500"),
                detect(Map.of("RANK", "3", "WORLD_SIZE", "4", "LOCAL_RANK", "3", "MASTER_ADDR", "node0", "MASTER_PORT", "29500")));
        // under torchrun itself its agent holds MASTER_PORT
        assertEquals("node0:29501", detect(Map.of("RANK", "0", "WORLD_SIZE", "2", "MASTER_ADDR", "node0", "MASTER_PORT", "29500",
                "TORCHELASTIC_RUN_ID", "x")).rendezvous());
    }

    @Test
    void officialFlags() {
        Map<String, String> torchrun = Map.of("RANK", "1", "WORLD_SIZE", "2", "MASTER_ADDR", "a", "MASTER_PORT", "1");
        assertEquals("h:7", Launch.detect(torchrun, 2, -1, "tcp://h:7", false).rendezvous());
        assertEquals(5, Launch.detect(torchrun, 1, 5, "env://", false).localRank());
        String e = assertThrows(IllegalArgumentException.class, () -> Launch.detect(torchrun, 4, -1, "env://", false)).getMessage();
        assertEquals("--world_size 4 but torchrun's environment started 2 processes", e);
        e = assertThrows(IllegalArgumentException.class, () -> Launch.detect(Map.of(), 2, -1, "env://", false)).getMessage();
        assertTrue(e.startsWith("--world_size 2 but this process was not started by mpirun, srun or torchrun"), e);
        e = assertThrows(IllegalArgumentException.class, () -> Launch.detect(Map.of(), 1, -1, "file:///x", false)).getMessage();
        assertEquals("--dist_url file:///x: expected env:// or tcp://HOST:PORT", e);
        e = assertThrows(IllegalArgumentException.class, () -> Launch.detect(torchrun, 1, -1, "env://", true)).getMessage();
        assertTrue(e.startsWith("--dist_on_itp: OMPI_COMM_WORLD_SIZE is not in the environment"), e);
        e = assertThrows(IllegalArgumentException.class, () -> detect(Map.of("RANK", "0", "WORLD_SIZE", "2"))).getMessage();
        assertTrue(e.startsWith("RANK and WORLD_SIZE are set but MASTER_ADDR/MASTER_PORT are not"), e);
        e = assertThrows(IllegalArgumentException.class, () -> detect(Map.of("PMI_RANK", "3", "PMI_SIZE", "2"))).getMessage();
        assertEquals("PMI_RANK=3 and PMI_SIZE=2 do not describe a rank of the run", e);
    }

    @Test
    void cpuProcessesNeedAnMpiLauncher() {
        Launch torchrun = new Launch(0, 2, 0, Launch.Launcher.TORCHRUN, "h:1");
        String e = assertThrows(IllegalArgumentException.class,
                () -> Distributed.open(torchrun, dev.semaim.tensor.Backends.cpu(), java.time.Duration.ofSeconds(1))).getMessage();
        assertEquals("torchrun's environment launches need GPUs (NCCL, --device cuda); start CPU processes with mpirun -np 2 (or srun) instead", e);
        assertEquals(SingleProcess.INSTANCE, Distributed.open(Launch.SINGLE, dev.semaim.tensor.Backends.cpu(), java.time.Duration.ofSeconds(1)));
    }
}
