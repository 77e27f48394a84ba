package dev.semaim.dist;

import dev.semaim.tensor.Backend;
import dev.semaim.tensor.Backends;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/**
 * Opens the run's {@link Communicator}: a run of one process gets {@link SingleProcess} (no native code loads); a run
 * of several gets the engine for its tensors, NCCL for a GPU backend and Open MPI for the CPU, from the {@code distributed}
 * module through {@link CommunicatorProvider}.
 */
public final class Distributed {
    private Distributed() {
    }

    /**
     * Points the CUDA backend at this process's GPU (its local rank; -Dsemaim.cuda.device wins), before the backend
     * starts; a run of one process keeps device 0.
     */
    public static void selectDevice(Launch launch) {
        if (launch.size() > 1 && System.getProperty(Backends.GPU_DEVICE_PROPERTY) == null) {
            System.setProperty(Backends.GPU_DEVICE_PROPERTY, String.valueOf(launch.localRank()));
        }
    }

    /**
     * Joins the run {@code launch} describes with tensors on {@code backend}. {@code -Dsemaim.dist.engine=mpi|nccl}
     * takes that engine even for one process (MPI as a singleton), so the engine, its set-up and the gradient buckets can
     * be timed at world size 1 (the device checks).
     */
    public static Communicator open(Launch launch, Backend backend, Duration timeout) {
        String forced = System.getProperty("semaim.dist.engine");
        if (launch.size() == 1 && forced == null) {
            return SingleProcess.INSTANCE;
        }
        String engine = forced != null ? forced : backend.name().equals("cuda") ? "nccl" : "mpi";
        if (engine.equals("mpi") && launch.size() > 1 && !launch.launcher().mpi()) {
            throw new IllegalArgumentException(launch.launcher().description + " launches need GPUs (NCCL, --device cuda); "
                    + "start CPU processes with mpirun -np " + launch.size() + " (or srun) instead");
        }
        List<String> found = new ArrayList<>();
        for (CommunicatorProvider p : ServiceLoader.load(CommunicatorProvider.class)) {
            if (p.name().equals(engine)) {
                return p.open(launch, backend, timeout);
            }
            found.add(p.name());
        }
        throw new IllegalStateException("a run of " + launch.size() + " processes on " + backend.name() + " needs the " + engine
                + " engine of the distributed module, which is not on the class path (engines found: " + (found.isEmpty() ? "none" : String.join(", ", found)) + ")");
    }
}
