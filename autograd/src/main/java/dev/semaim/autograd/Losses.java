package dev.semaim.autograd;

import dev.semaim.tensor.DType;
import dev.semaim.tensor.Tensor;

/** Classification losses, composed from differentiable ops. */
public final class Losses {
    private Losses() {}

    /** Mean over the batch of -log softmax(logits)[label]; logits (B, C), labels (B) integers. */
    public static Var crossEntropy(Var logits, Tensor labels) {
        Var logp = Softmax.logSoftmax(logits, 1);
        Tensor idx = labels.to(DType.I64).reshape(labels.numel(), 1);
        return Indexing.gather(logp, 1, idx).mean().neg();
    }

    /** Mean over the batch of -Σ_c target_c log softmax(logits)_c, for soft (mixup, smoothed) targets. */
    public static Var softTargetCrossEntropy(Var logits, Tensor target) {
        Var logp = Softmax.logSoftmax(logits, 1);
        return Arithmetic.mul(logp, Var.constant(target)).sum(false, 1).mean().neg();
    }
}
