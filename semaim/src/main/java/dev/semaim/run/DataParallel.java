package dev.semaim.run;

import dev.semaim.dist.Communicator;
import dev.semaim.dist.Distributed;
import dev.semaim.dist.Launch;
import dev.semaim.dist.RankAgreement;
import dev.semaim.dist.SingleProcess;
import dev.semaim.nn.Module;
import dev.semaim.nn.Parameter;
import dev.semaim.nn.StateDict;
import dev.semaim.tensor.Backend;
import dev.semaim.tensor.DType;
import dev.semaim.tensor.Tensor;

import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What every command that runs as several processes (docs/DISTRIBUTED.md) does around its work, in one place for
 * {@code pretrain}, {@code finetune}, {@code linprobe} and {@code knn}: the processes other than rank 0 are silent and
 * hold no run folder (rank 0 alone writes), each process takes its GPU and joins the run through a {@link Communicator},
 * leaves it only after a clean end (a failing process exits without finalising, which makes mpirun or the others'
 * --dist_timeout end the rest), and a training run checks that every process starts from the same facts and then
 * takes rank 0's weights, as PyTorch's DistributedDataParallel does at construction.
 */
public final class DataParallel {
    private DataParallel() {
    }

    /** A process's work once it has joined the run. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Backend backend, Communicator comm) throws IOException;
    }

    /** {@code progress} on rank 0; a silent line on the other processes, so that rank 0 alone prints. */
    public static ProgressLine progressOf(Launch launch, ProgressLine progress) {
        return launch.rank() == 0 ? progress : ProgressLine.silent();
    }

    /**
     * Runs {@code work} as this process of {@code launch}: rank 0 in the run's folders ({@link RunFolder}, --output_dir
     * and --log_dir locked), the others without; {@code progress} is {@link #progressOf}'s.
     */
    public static <T> T run(RunOptions o, Launch launch, ProgressLine progress, Work<T> work) throws IOException {
        Distributed.selectDevice(launch);
        if (launch.rank() != 0) {
            return OnDevice.run(o.device, progress::note, backend -> join(o, launch, backend, progress, work));
        }
        try (RunFolder folder = RunFolder.open(o.outputDir, o.logDir, progress::note)) {
            return OnDevice.run(o.device, progress::note, backend -> join(o, launch, backend, progress, work));
        }
    }

    private static <T> T join(RunOptions o, Launch launch, Backend backend, ProgressLine progress, Work<T> work) throws IOException {
        Communicator comm = Distributed.open(launch, backend, Duration.ofSeconds(o.distTimeout));
        if (comm != SingleProcess.INSTANCE) {
            progress.message(launch.describe() + "; collectives on " + comm.engine());
        }
        T result = work.run(backend, comm);
        comm.close();
        return result;
    }

    /**
     * Checks that every process has the same recorded flags ({@code flags}), world size, data and checkpoint (an error
     * naming the difference, on every process), then gives every process rank 0's float32 weights and buffers.
     *
     * @param data       e.g. "1281167 images of ImageFolder /data/train"
     * @param checkpoint the checkpoint resumed from and the position in it, or "none"
     */
    public static void agree(Communicator comm, Map<String, ?> flags, String data, String checkpoint, Module model) {
        if (comm.size() == 1) {
            return;
        }
        Map<String, String> facts = new LinkedHashMap<>();
        flags.forEach((flag, value) -> facts.put("--" + flag, String.valueOf(value)));
        facts.put("the world size", String.valueOf(comm.size()));
        facts.put("the data", data);
        facts.put("the checkpoint", checkpoint);
        RankAgreement.check(comm, facts);
        for (Tensor t : StateDict.of(model).values()) {
            if (t.dtype() == DType.F32) comm.broadcast(t, 0);
        }
    }

    /**
     * Gives every process rank 0's float32 buffers (the state that is not a parameter: BatchNorm's running statistics),
     * as DistributedDataParallel's {@code broadcast_buffers} does, so that an evaluation split across the processes
     * uses one model.
     */
    public static void broadcastBuffers(Communicator comm, Module model) {
        if (comm.size() == 1) {
            return;
        }
        for (Parameter p : model.namedParameters().values()) {
            if (p.kind() == Parameter.Kind.BUFFER && p.data().dtype() == DType.F32) comm.broadcast(p.data(), 0);
        }
    }
}
