package dev.semaim.dist;

import dev.semaim.tensor.Backend;

import java.time.Duration;

/**
 * An engine behind {@link Communicator}, registered as a {@link java.util.ServiceLoader} service by the {@code distributed}
 * module ({@code mpi} for CPU tensors, {@code nccl} for GPU tensors); only runs of more than one process look for one.
 */
public interface CommunicatorProvider {
    /** "mpi" or "nccl". */
    String name();

    /**
     * Joins the run: this process becomes {@code launch.rank()} of {@code launch.size()}, its tensors on {@code backend}.
     *
     * @param timeout how long a collective may wait for the other processes before this one reports and ends
     * @throws IllegalStateException with a message saying what is missing (library, launcher) when the engine cannot start
     */
    Communicator open(Launch launch, Backend backend, Duration timeout);
}
