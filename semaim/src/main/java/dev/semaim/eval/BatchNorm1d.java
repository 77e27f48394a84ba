package dev.semaim.eval;

import dev.semaim.autograd.Var;
import dev.semaim.nn.Module;
import dev.semaim.nn.Parameter;
import dev.semaim.tensor.DType;
import dev.semaim.tensor.Tensor;

/**
 * {@code torch.nn.BatchNorm1d(dim, affine=False, eps)} over (B, D) inputs, the normaliser of the linear-probe
 * head (spec section 8). Train mode normalises with the batch mean and biased variance and updates the
 * buffers {@code running_mean}, {@code running_var} (with the unbiased variance) by momentum 0.1 and counts
 * {@code num_batches_tracked}; eval mode normalises with the running statistics. No learnable parameters.
 */
public final class BatchNorm1d extends Module {
    public static final double MOMENTUM = 0.1;
    public final int dim;
    public final double eps;
    public final Parameter runningMean, runningVar, numBatchesTracked;

    public BatchNorm1d(int dim, double eps) {
        if (dim < 1 || !(eps > 0)) {
            throw new IllegalArgumentException("BatchNorm1d: need dim >= 1 and eps > 0, got " + dim + ", " + eps);
        }
        this.dim = dim;
        this.eps = eps;
        this.runningMean = buffer("running_mean", Tensor.zeros(dim));
        this.runningVar = buffer("running_var", Tensor.ones(DType.F32, dim));
        this.numBatchesTracked = buffer("num_batches_tracked", Tensor.zeros(DType.I64));
    }

    // x: (B, D) -> (B, D)
    public Var forward(Var x) {
        if (x.rank() != 2 || x.size(1) != dim) {
            throw new IllegalArgumentException("BatchNorm1d(" + dim + "): input must be (B, " + dim + "), got shape "
                    + java.util.Arrays.toString(x.data().shape()));
        }
        if (!isTraining()) {
            Tensor scale = runningVar.data().add(eps).rsqrt();                  // (D)
            return x.sub(Var.constant(runningMean.data())).mul(Var.constant(scale));
        }
        int b = x.size(0);
        if (b < 2) {
            throw new IllegalArgumentException("BatchNorm1d: training needs more than one sample per batch, got " + b);
        }
        Var mean = x.mean(true, 0);                                             // (1, D)
        Var centred = x.sub(mean);                                              // (B, D)
        Var var = centred.square().mean(true, 0);                               // (1, D), biased
        Tensor m = mean.data().reshape(dim), v = var.data().reshape(dim).mul((double) b / (b - 1));
        runningMean.set(runningMean.data().mul(1 - MOMENTUM).add(m.mul(MOMENTUM)));
        runningVar.set(runningVar.data().mul(1 - MOMENTUM).add(v.mul(MOMENTUM)));
        numBatchesTracked.set(numBatchesTracked.data().add(1));
        return centred.mul(var.add(eps).rsqrt());
    }
}
