package dev.semaim.eval;

import dev.semaim.autograd.Var;
import dev.semaim.data.Dataset;
import dev.semaim.data.DistributedSampler;
import dev.semaim.data.Transform;
import dev.semaim.dist.Communicator;
import dev.semaim.nn.Module;
import dev.semaim.run.DataParallel;
import dev.semaim.tensor.Backend;
import dev.semaim.tensor.Tensor;

import java.util.Arrays;
import java.util.function.Function;

/**
 * The held-out evaluation of a data-parallel fine-tuning or linear probe, as the official {@code main_finetune.py} and
 * {@code main_linprobe.py} do it. With {@code --dist_eval} each process evaluates its share of the held-out split, the
 * positions {@code rank, rank + size, ...} of PyTorch's {@code DistributedSampler(shuffle=False)}, and the counts
 * (right at top-1, right at top-5, summed loss, images) are summed over the processes, as {@code MetricLogger
 * .synchronize_between_processes} does. Unlike the official code, the sampler's padding (the head of the split repeated
 * so that every process gets as many images) is not evaluated: every held-out image counts once, so the accuracy equals
 * one process's for any split size (the official one moves by up to (size - 1) duplicates in n). Before that the
 * processes take rank 0's buffers (linear probing's BatchNorm1d running statistics), so every share sees one model.
 * Without {@code --dist_eval} rank 0 evaluates the whole split alone while the others wait, and its counts are
 * broadcast, so every process returns the same accuracy.
 */
final class DistributedAccuracy {
    private DistributedAccuracy() {
    }

    /**
     * @param model  the model {@code logits} runs (for its buffers), in eval mode
     * @param logits images (B, C, H, W) to logits (B, classes)
     */
    static Accuracy evaluate(Communicator comm, boolean distEval, Module model, Function<Tensor, Var> logits, Dataset heldOut,
                             Transform transform, int batchSize, int workers, Backend backend) {
        if (comm.size() == 1) {
            return Accuracy.evaluate(logits, heldOut, transform, batchSize, workers, backend);
        }
        Accuracy.Sums mine;
        if (distEval) {
            DataParallel.broadcastBuffers(comm, model);
            mine = Accuracy.sums(logits, new Subset(heldOut, share(heldOut.size(), comm.size(), comm.rank())), transform, batchSize,
                    workers, backend);
        } else {
            mine = comm.rank() == 0 ? Accuracy.sums(logits, heldOut, transform, batchSize, workers, backend) : new Accuracy.Sums(0, 0, 0, 0);
        }
        // float32 holds the counts exactly below 2^24 images; the loss sum to float32's rounding
        Tensor t = Tensor.of(new float[]{mine.top1(), mine.top5(), (float) mine.lossSum(), mine.count()}, 4);
        if (distEval) {
            comm.allReduceSum(t);
        } else {
            comm.broadcast(t, 0);
        }
        float[] all = t.toFloatArray();
        return Accuracy.of(new Accuracy.Sums((long) all[0], (long) all[1], all[2], (long) all[3]));
    }

    /**
     * Process {@code rank}'s held-out images of a split of {@code n}: {@code DistributedSampler(n, size, rank,
     * shuffle=False)}'s positions without the padding, those below n.
     */
    static int[] share(int n, int size, int rank) {
        int[] padded = new DistributedSampler(n, size, rank, false, 0, false).indices(0);
        int real = n > rank ? (n - rank + size - 1) / size : 0; // positions rank + k * size below n
        return Arrays.copyOf(padded, real);
    }
}
