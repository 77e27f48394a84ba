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
 * DistributedDataParallel does: the trainable parameters, in reverse order of registration (the order backward
 * finishes them), are grouped into buckets of about {@code bucketBytes}; each bucket's gradients are copied into one
 * flat float32 tensor, summed over the processes by the engine ({@link Communicator#allReduceSumAsync}) and copied
 * back scaled by 1/size. The all-reduce of bucket k runs while bucket k+1 is packed and bucket k-1 unpacked.
 *
 * <p>It runs after the backward of the accumulation group's last micro-batch, not inside the backward: the
 * reductions overlap the packing, not the backward itself (the autograd engine has no per-leaf hook yet). A
 * parameter without a gradient (unused by the model) contributes zeros and keeps no gradient, the same on every rank.
 */
public final class GradientAllReduce implements GradientSync {
    /** PyTorch DDP's default bucket_cap_mb = 25. */
    public static final long DEFAULT_BUCKET_BYTES = 25L << 20;

    private final Communicator comm;
    private final List<List<Parameter>> buckets = new ArrayList<>();
    private long reduceNanos;

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
    }

    /** Number of buckets (one all-reduce each per optimizer step). */
    public int buckets() {
        return buckets.size();
    }

    /** Time spent in this class (packing, the reductions, unpacking) since the start, for the benchmark. */
    public long nanos() {
        return reduceNanos;
    }

    @Override
    public double loss(double local) {
        return comm.mean(local);
    }

    @Override
    public void beforeStep() {
        long t0 = System.nanoTime();
        Tensor previous = null;
        Communicator.Pending pending = null;
        for (int b = 0; b < buckets.size(); b++) {
            Tensor flat = pack(buckets.get(b));
            Communicator.Pending next = comm.allReduceSumAsync(flat);
            if (pending != null) {
                pending.await();
                unpack(buckets.get(b - 1), previous);
            }
            previous = flat;
            pending = next;
        }
        if (pending != null) {
            pending.await();
            unpack(buckets.get(buckets.size() - 1), previous);
        }
        reduceNanos += System.nanoTime() - t0;
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
