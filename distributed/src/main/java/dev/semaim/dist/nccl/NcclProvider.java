package dev.semaim.dist.nccl;

import dev.semaim.cuda.CudaBackend;
import dev.semaim.dist.Communicator;
import dev.semaim.dist.CommunicatorProvider;
import dev.semaim.dist.Launch;
import dev.semaim.tensor.Backend;

import java.time.Duration;

/** The NCCL engine ({@code nccl}): tensors of the CUDA backend, in processes started by mpirun, srun or torchrun. */
public final class NcclProvider implements CommunicatorProvider {
    @Override
    public String name() {
        return "nccl";
    }

    @Override
    public Communicator open(Launch launch, Backend backend, Duration timeout) {
        if (!(backend instanceof CudaBackend cuda)) {
            throw new IllegalArgumentException("the NCCL engine needs the CUDA backend (--device cuda), not " + backend.name());
        }
        return new NcclCommunicator(launch, cuda, timeout);
    }
}
