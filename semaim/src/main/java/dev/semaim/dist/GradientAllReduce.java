package dev.semaim.dist;

import dev.semaim.nn.Parameter;
import dev.semaim.tensor.Backend;
import dev.semaim.tensor.DType;
import dev.semaim.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;

/**
 * Averages the gradients over the processes before each optimizer step, in buckets as PyTorch's
 * DistributedDataParallel does: the trainable parameters are grouped, in an order, into buckets of about
 * {@code bucketBytes}; each bucket's gradients are copied into one flat float32 tensor, summed over the processes by the
 * engine ({@link Communicator#allReduceSumAsync}) and copied back scaled by 1/size.
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
 *
 * <p>The order, as DDP's {@code _rebuild_buckets}: until the first optimizer step, the reverse order of registration
 * (a guess at the order the backward finishes the parameters). The first step's last backward records the order in
 * which the parameters' gradients became ready; at the end of that step rank 0's record is broadcast (every process
 * must use one layout) and the buckets are rebuilt once in it, the parameters the backward did not reach last, in
 * their old order. From then on the first bucket is complete, and its all-reduce started, as soon as the backward has
 * finished its parameters, not when the parameter registered last is finished. Each element is still the sum of the
 * same values, so the results do not change.
 */
public final class GradientAllReduce implements GradientSync {
    /** PyTorch DDP's default bucket_cap_mb = 25. */
    public static final long DEFAULT_BUCKET_BYTES = 25L << 20;

    private final Communicator comm;
    /** The parameters in registration order; buckets hold their positions here. */
    private final List<Parameter> params;
    private final long bucketBytes;
    /** Per bucket, the positions of its parameters in {@link #params}, in packing order. */
    private List<int[]> buckets;
    /** Per parameter, its bucket. */
    private final int[] bucketOf;
    /** Until the rebuild: the positions of the parameters in the order the first step's last backward finished them. */
    private int[] readyOrder;
    private int readyCount;
    /** Per bucket, in this backward: its parameters whose gradient is not final yet. */
    private int[] unready;
    /** Per started bucket of this step: its flat gradients and its all-reduce. */
    private Tensor[] flat;
    private Communicator.Pending[] pending;
    /** Buckets started in this step (0 .. started-1). */
    private int started;
    /** Whether the running backward is the accumulation group's last (the hooks start buckets only then). */
    private boolean armed;
    private long backwardNanos, stepNanos;
    /** This step's last backward's start, and when each bucket's all-reduce started (System.nanoTime). */
    private long armedAt;
    private long[] startedAt;
    /** {@link #lastStarts}'s value. */
    private double[] lastStarts = new double[0];

    /** @param trainable the parameters, in registration order */
    public GradientAllReduce(Communicator comm, Collection<Parameter> trainable, long bucketBytes) {
        this.comm = comm;
        this.params = List.copyOf(trainable);
        this.bucketBytes = bucketBytes;
        int n = params.size();
        bucketOf = new int[n];
        int[] reverse = new int[n];
        for (int i = 0; i < n; i++) reverse[i] = n - 1 - i;
        layOut(reverse);
        readyOrder = new int[n];
        for (int i = 0; i < n; i++) {
            int position = i;
            params.get(i).var().onGradientReady(() -> gradientReady(position));
        }
    }

    /** Number of buckets (one all-reduce each per optimizer step). */
    public int buckets() {
        return buckets.size();
    }

    /**
     * The buckets in the order their all-reduces start: for each, the positions of its parameters in the registration
     * order the constructor got.
     */
    public List<List<Integer>> layout() {
        List<List<Integer>> out = new ArrayList<>();
        for (int[] b : buckets) out.add(Arrays.stream(b).boxed().toList());
        return out;
    }

    /** Time spent in this class (packing, starting and waiting for the reductions, unpacking) since the start, for the benchmark. */
    public long nanos() {
        return backwardNanos + stepNanos;
    }

    /**
     * The part of {@link #nanos} spent after the backward ({@link #beforeStep}: waiting for the reductions the backward
     * did not hide, unpacking, and once the rebuild of the buckets); the rest (packing, starting) ran inside the backward.
     */
    public long afterBackwardNanos() {
        return stepNanos;
    }

    /**
     * For each bucket of the last optimizer step, in start order, when its all-reduce started: the fraction of the
     * step's last backward gone by then (1 = after the backward), for the benchmark.
     */
    public double[] lastStarts() {
        return lastStarts.clone();
    }

    @Override
    public double loss(double local) {
        return comm.mean(local);
    }

    @Override
    public void beforeBackward(boolean last) {
        reset();
        armed = last;
        readyCount = 0; // the record is of the step's last backward
        armedAt = System.nanoTime();
    }

    /** Parameter {@code i} has its final gradient: start every bucket that is complete and next in order. */
    private void gradientReady(int i) {
        if (!armed) return;
        long t0 = System.nanoTime();
        if (readyOrder != null) readyOrder[readyCount++] = i;
        unready[bucketOf[i]]--;
        while (started < buckets.size() && unready[started] == 0) start(started++);
        backwardNanos += System.nanoTime() - t0;
    }

    @Override
    public void beforeStep() {
        long t0 = System.nanoTime();
        while (started < buckets.size()) start(started++);
        lastStarts = new double[buckets.size()];
        for (int b = 0; b < buckets.size(); b++) lastStarts[b] = Math.min(1, (startedAt[b] - armedAt) / (double) (t0 - armedAt));
        for (int b = 0; b < buckets.size(); b++) {
            pending[b].await();
            unpack(buckets.get(b), flat[b]);
        }
        if (readyOrder != null) rebuild();
        reset();
        stepNanos += System.nanoTime() - t0;
    }

    /**
     * Lays the buckets out again in rank 0's ready order of this step (this process's record, completed by the
     * parameters it lacks in the old bucket order, is broadcast from rank 0). Every process calls it at its first step.
     */
    private void rebuild() {
        int n = params.size();
        int[] ready = Arrays.copyOf(readyOrder, readyCount);
        readyOrder = null;
        if (n == 0) return;
        boolean[] seen = new boolean[n];
        float[] order = new float[n];
        int k = 0;
        for (int i : ready) {
            seen[i] = true;
            order[k++] = i;
        }
        for (int[] b : buckets) for (int i : b) if (!seen[i]) order[k++] = i;
        Tensor t = Tensor.of(params.get(0).data().backend(), order, n); // positions below 2^24: exact in float32
        comm.broadcast(t, 0);
        float[] rank0 = t.toFloatArray();
        int[] positions = new int[n];
        Arrays.fill(seen, false);
        for (int j = 0; j < n; j++) {
            int i = (int) rank0[j];
            if (i != rank0[j] || i < 0 || i >= n || seen[i]) {
                throw new IllegalStateException("rank 0's order of the " + n + " gradients is not an order of them (position " + j + " holds "
                        + rank0[j] + "): the processes train different parameters");
            }
            seen[i] = true;
            positions[j] = i;
        }
        layOut(positions);
    }

    /** Buckets of about {@link #bucketBytes} along {@code order} (positions in {@link #params}). */
    private void layOut(int[] order) {
        buckets = new ArrayList<>();
        int from = 0;
        long bytes = 0;
        for (int j = 0; j < order.length; j++) {
            bytes += 4L * params.get(order[j]).data().numel();
            if (bytes >= bucketBytes || j == order.length - 1) {
                int[] bucket = Arrays.copyOfRange(order, from, j + 1);
                for (int i : bucket) bucketOf[i] = buckets.size();
                buckets.add(bucket);
                from = j + 1;
                bytes = 0;
            }
        }
        unready = new int[buckets.size()];
        flat = new Tensor[buckets.size()];
        pending = new Communicator.Pending[buckets.size()];
        startedAt = new long[buckets.size()];
        reset();
    }

    private void start(int b) {
        startedAt[b] = System.nanoTime();
        flat[b] = pack(buckets.get(b));
        pending[b] = comm.allReduceSumAsync(flat[b]);
    }

    /** No bucket started, every parameter waiting for its gradient, the hooks disarmed. */
    private void reset() {
        for (int b = 0; b < buckets.size(); b++) {
            unready[b] = buckets.get(b).length;
            flat[b] = null;
            pending[b] = null;
        }
        started = 0;
        armed = false;
    }

    /** The bucket's gradients end to end: (sum of numel,) float32 on their backend; zeros where a gradient is absent. */
    private Tensor pack(int[] bucket) {
        Backend backend = params.get(bucket[0]).data().backend();
        int n = 0;
        for (int i : bucket) n += params.get(i).data().numel();
        Tensor flat = Tensor.full(0, DType.F32, backend, n);
        int at = 0;
        for (int i : bucket) {
            Parameter p = params.get(i);
            int k = p.data().numel();
            if (p.grad() != null) backend.copy(p.grad(), flat.narrow(0, at, k).view(p.shape()));
            at += k;
        }
        return flat;
    }

    /** The averaged values back into the gradients. */
    private void unpack(int[] bucket, Tensor flat) {
        Tensor mean = flat.mul(1.0 / comm.size());
        Backend backend = mean.backend();
        int at = 0;
        for (int i : bucket) {
            Parameter p = params.get(i);
            int k = p.data().numel();
            if (p.grad() != null) backend.copy(mean.narrow(0, at, k).view(p.shape()), p.grad());
            at += k;
        }
    }
}
