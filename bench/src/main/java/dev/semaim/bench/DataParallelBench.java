package dev.semaim.bench;

import dev.semaim.dist.Communicator;
import dev.semaim.dist.Distributed;
import dev.semaim.dist.GradientAllReduce;
import dev.semaim.dist.Launch;
import dev.semaim.tensor.Backends;
import dev.semaim.tensor.Rng;
import dev.semaim.tensor.Tensor;
import dev.semaim.tensor.TensorScope;
import dev.semaim.tensor.cpu.CpuThreads;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Data-parallel training throughput on the CPU: a {@link CpuBench} training step at a global batch split over the
 * processes of the launch, the gradients averaged by {@link GradientAllReduce} on Open MPI. Run alone (1 process) or
 * under mpirun; rank 0 prints per-step times and one line {@code RESULT {json}}: median step, images/s of the whole
 * run, the median share of the step in the gradient all-reduce's code (packing, starting, waiting, unpacking), the
 * median share of it left after the backward (waiting for the reductions the backward did not hide, unpacking; the
 * rest, packing and starting the buckets, runs inside the backward), rank 0's and the least over the processes (that
 * of the process whose backward ended last, which waits for the reductions alone, not for a slower process), and when
 * in the last timed step's backward each bucket's all-reduce started (the first step's buckets are in reverse
 * registration order, the later ones rebuilt in the order the first backward finished the gradients). Every step
 * starts at a barrier, so the ranks' steps are timed together.
 *
 * <p>Usage: {@code DataParallelBench <config> [global batch] [warmup] [timed]}, e.g. {@code scripts/bench-dp.sh}.
 */
public final class DataParallelBench {
    private DataParallelBench() {
    }

    public static void main(String[] args) {
        String config = args.length > 0 ? args[0] : "aim-t1";
        int global = args.length > 1 ? Integer.parseInt(args[1]) : 128;
        int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        int timed = args.length > 3 ? Integer.parseInt(args[3]) : 5;
        Launch launch = Launch.detect(System.getenv(), 1, -1, "env://", false);
        Communicator comm = Distributed.open(launch, Backends.cpu(), Duration.ofMinutes(10));
        if (global % comm.size() != 0) throw new IllegalArgumentException("global batch " + global + " does not split over " + comm.size() + " processes");
        int batch = global / comm.size();
        CpuBench.Workload w = CpuBench.workload(config, true, 4);
        GradientAllReduce sync = null;
        if (comm.size() > 1) {
            sync = new GradientAllReduce(comm, w.model().trainableParameters().values(), GradientAllReduce.DEFAULT_BUCKET_BYTES);
            w.update().syncGradients(sync);
        }
        boolean print = comm.rank() == 0;
        if (print) {
            System.out.printf(Locale.ROOT, "%s train: %d processes x batch %d (global %d), %d threads each, %s, %d warm-up + %d timed steps%n",
                    config, comm.size(), batch, global, CpuThreads.threads(), comm.engine(), warmup, timed);
        }
        Rng data = new Rng(1).fork(comm.rank());
        List<Double> steps = new ArrayList<>(), shares = new ArrayList<>(), exposed = new ArrayList<>(), leastExposed = new ArrayList<>();
        double[] lastStarts = new double[0];
        for (int i = 0; i < warmup + timed; i++) {
            long reduce0 = sync == null ? 0 : sync.nanos(), after0 = sync == null ? 0 : sync.afterBackwardNanos();
            comm.barrier();
            long t0;
            try (TensorScope scope = TensorScope.open()) {
                Tensor[] in = CpuBench.inputs(w, batch, data);
                t0 = System.nanoTime();
                w.step().run(in[0], in[1]);
            }
            double s = (System.nanoTime() - t0) / 1e9, share = sync == null ? 0 : (sync.nanos() - reduce0) / 1e9 / s;
            double after = sync == null ? 0 : (sync.afterBackwardNanos() - after0) / 1e9 / s;
            double[] starts = sync == null ? new double[0] : sync.lastStarts();
            // the process whose backward ended last waits only for the reductions; the others also wait for it
            double least = sync == null ? 0 : leastOverProcesses(comm, after);
            if (print) {
                System.out.printf(Locale.ROOT, "step %d%s: %.3f s, %.1f images/s, all-reduce %.1f%% (%.1f%% after the backward, least over the processes "
                        + "%.1f%%), buckets started at %s of the backward%n", i, i < warmup ? " (warm-up)" : "", s, global / s, 100 * share, 100 * after,
                        100 * least, percents(starts));
            }
            if (i >= warmup) {
                steps.add(s);
                shares.add(share);
                exposed.add(after);
                leastExposed.add(least);
                lastStarts = starts;
            }
        }
        double median = CpuBench.median(steps);
        if (print) {
            System.out.printf(Locale.ROOT, "RESULT {\"config\": \"%s\", \"processes\": %d, \"threads\": %d, \"global_batch\": %d, \"median_step_s\": %.4f, "
                    + "\"images_per_s\": %.2f, \"allreduce_share\": %.4f, \"after_backward_share\": %.4f, \"after_backward_share_least\": %.4f, \"buckets\": %d, "
                    + "\"last_bucket_starts\": %s, \"steps_s\": %s}%n", config, comm.size(), CpuThreads.threads(), global, median, global / median,
                    CpuBench.median(shares), CpuBench.median(exposed), CpuBench.median(leastExposed), sync == null ? 0 : sync.buckets(),
                    Arrays.toString(lastStarts), steps);
        }
        comm.close();
    }

    /** The least of every process's {@code value} (an all-gather, outside the timed step). */
    private static double leastOverProcesses(Communicator comm, double value) {
        double least = Double.POSITIVE_INFINITY;
        for (float v : comm.allGather(Tensor.of(new float[] {(float) value}, 1)).toFloatArray()) least = Math.min(least, v);
        return least;
    }

    /** Fractions as "[52%, 100%]". */
    private static String percents(double[] fractions) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < fractions.length; i++) b.append(i == 0 ? "" : ", ").append(Math.round(100 * fractions[i])).append('%');
        return b.append(']').toString();
    }
}
