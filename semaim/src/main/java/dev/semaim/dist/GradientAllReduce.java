package dev.semaim.dist;

import dev.semaim.nn.Parameter;
import dev.semaim.tensor.Backend;
import dev.semaim.tensor.DType;
import dev.semaim.tensor.Tensor;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Averages the gradients over the processes before each optimizer step, in buckets as PyTorch's
 * DistributedDataParallel does: the trainable parameters, in reverse order of registration (about the order backward
 * finishes them), are grouped into buckets of about {@code bucketBytes}; each bucket's gradients are copied into one
 * flat float32 tensor, summed over the processes by the engine ({@link Communicator#allReduceSumAsync}) and copied
 * back scaled by 1/size.
 *
 * <p>Overlapped with the backward of the accumulation group's last micro-batch: each parameter's
 * {@link dev.semaim.autograd.Var#onGradientReady} hook counts its bucket down, and a bucket whose gradients are all
 * final is packed and its all-reduce started at once, on the engine's thread (MPI) or stream (NCCL), while the backward
 * goes on. Buckets start in index order only (a ready bucket waits for the ones before it), so every process calls
 * the collectives in the same order, as DDP does. {@link #beforeStep} starts the buckets still waiting (those holding
 * a parameter the backward did not reach), then waits for each bucket in turn and unpacks it. The sums are those of
 * a reduction after the backward, so the results are the same. A parameter without a gradient (unused by the model)
 * contributes zeros and keeps no gradient, the same on every rank. The parameters' hooks are this object's: one
 * GradientAllReduce per set of parameters.
 */
public final class GradientAllReduce implements GradientSync {
    /** PyTorch DDP's default bucket_cap_mb = 25. */
    public static final long DEFAULT_BUCKET_BYTES = 25L << 20;

    private final Communicator comm;
    private final List<List<Parameter>> buckets = new ArrayList<>();
    /** Per bucket, in this backward: its parameters whose gradient is not final yet. */
    private final int[] unready;
    /** Per started bucket of this step: its flat gradients and its all-reduce. */
    private final Tensor[] flat;
    private final Communicator.Pending[] pending;
    /** Buckets started in this step (0 .. started-1). */
    private int started;
    /** Whether the running backward is the accumulation group's last (the hooks start buckets only then). */
    private boolean armed;
    private long backwardNanos, stepNanos;

    /** @param trainable the parameters, in registration order */
    public GradientAllReduce(Communicator comm, Collection<Parameter> trainable, long bucketBytes) {
        this.comm = comm;
        List<Parameter> reversed = new ArrayList<>(trainable);
        java.util.Collections.reverse(reversed);
        List<Parameter> bucket = new ArrayList<>();
        long bytes = 0;
        for (Parameter p : reversed) {
            bucket.add(p);
            bytes += 4L * p.data().numel();
            if (bytes >= bucketBytes) {
                buckets.add(bucket);
                bucket = new ArrayList<>();
                bytes = 0;
            }
        }
        if (!bucket.isEmpty()) buckets.add(bucket);
        unready = new int[buckets.size()];
        flat = new Tensor[buckets.size()];
        pending = new Communicator.Pending[buckets.size()];
        for (int b = 0; b < buckets.size(); b++) {
            int index = b;
            for (Parameter p : buckets.get(b)) p.var().onGradientReady(() -> gradientReady(index));
        }
        reset();
    }

    /** Number of buckets (one all-reduce each per optimizer step). */
    public int buckets() {
        return buckets.size();
    }

    /** Time spent in this class (packing, starting and waiting for the reductions, unpacking) since the start, for the benchmark. */
    public long nanos() {
        return backwardNanos + stepNanos;
    }

    /**
     * The part of {@link #nanos} spent after the backward ({@link #beforeStep}: waiting for the reductions the backward
     * did not hide, unpacking); the rest (packing, starting) ran inside the backward.
     */
    public long afterBackwardNanos() {
        return stepNanos;
    }

    @Override
    public double loss(double local) {
        return comm.mean(local);
    }

    @Override
    public void beforeBackward(boolean last) {
        reset();
        armed = last;
    }

    /** A parameter of bucket {@code b} has its final gradient: start every bucket that is complete and next in order. */
    private void gradientReady(int b) {
        if (!armed) return;
        long t0 = System.nanoTime();
        unready[b]--;
        while (started < buckets.size() && unready[started] == 0) start(started++);
        backwardNanos += System.nanoTime() - t0;
    }

    @Override
    public void beforeStep() {
        long t0 = System.nanoTime();
        while (started < buckets.size()) start(started++);
        for (int b = 0; b < buckets.size(); b++) {
            pending[b].await();
            unpack(buckets.get(b), flat[b]);
        }
        reset();
        stepNanos += System.nanoTime() - t0;
    }

    private void start(int b) {
        flat[b] = pack(buckets.get(b));
        pending[b] = comm.allReduceSumAsync(flat[b]);
    }

    /** No bucket started, every parameter waiting for its gradient, the hooks disarmed. */
    private void reset() {
        for (int b = 0; b < buckets.size(); b++) {
            unready[b] = buckets.get(b).size();
            flat[b] = null;
            pending[b] = null;
        }
        started = 0;
        armed = false;
    }

    /** The bucket's gradients end to end: (sum of numel,) float32 on their backend; zeros where a gradient is absent. */
    private static Tensor pack(List<Parameter> bucket) {
        Backend backend = bucket.get(0).data().backend();
        int n = 0;
        for (Parameter p : bucket) n += p.data().numel();
        Tensor flat = Tensor.full(0, DType.F32, backend, n);
        int at = 0;
        for (Parameter p : bucket) {
            int k = p.data().numel();
            if (p.grad() != null) backend.copy(p.grad(), flat.narrow(0, at, k).view(p.shape()));
            at += k;
        }
        return flat;
    }

    /** The averaged values back into the gradients. */
    private void unpack(List<Parameter> bucket, Tensor flat) {
        Tensor mean = flat.mul(1.0 / comm.size());
        Backend backend = mean.backend();
        int at = 0;
        for (Parameter p : bucket) {
            int k = p.data().numel();
            if (p.grad() != null) backend.copy(mean.narrow(0, at, k).view(p.shape()), p.grad());
            at += k;
        }
    }
}
