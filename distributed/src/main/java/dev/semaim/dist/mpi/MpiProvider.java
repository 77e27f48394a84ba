package dev.semaim.dist.mpi;

import dev.semaim.dist.Communicator;
import dev.semaim.dist.CommunicatorProvider;
import dev.semaim.dist.Launch;
import dev.semaim.tensor.Backend;

import java.time.Duration;

/** The Open MPI engine ({@code mpi}): CPU tensors, in processes started by mpirun or srun. */
public final class MpiProvider implements CommunicatorProvider {
    @Override
    public String name() {
        return "mpi";
    }

    @Override
    public Communicator open(Launch launch, Backend backend, Duration timeout) {
        return new MpiCommunicator(launch, timeout);
    }

    /** Opens the engine for the NCCL engine's bootstrap (the unique id's broadcast), whatever the tensors' backend. */
    public static Communicator bootstrap(Launch launch, Duration timeout) {
        return new MpiCommunicator(launch, timeout);
    }
}
