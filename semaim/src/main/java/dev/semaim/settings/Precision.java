package dev.semaim.settings;

import dev.semaim.tensor.Backend;
import dev.semaim.tensor.DType;

/**
 * {@code --amp} (alias {@code --precision}): the number format of the training forward and backward. {@code off} is
 * float32 throughout ({@code fp32} is another spelling of it, and the official {@code --not_use_fp16} switch sets it);
 * {@code bf16} and {@code fp16} run the forward under autocast (products in the 16-bit type, softmax, layer norm, the
 * losses and sums in float32, float32 master weights and optimizer state; {@code dev.semaim.autograd.Autocast}), and
 * {@code fp16} adds PyTorch's dynamic loss scaling ({@code dev.semaim.nn.optim.GradScaler}), as the official code's
 * default does. {@code auto}, the default, is {@code off} on the CPU, where 16-bit numbers only add rounding (the CPU
 * kernels compute in float32 or wider either way), and {@code bf16} on a GPU: the tensor cores' fast format on every GPU
 * the PTX targets (compute capability 8.0 and up), with float32's exponent range, so no loss scaling and no skipped
 * steps (the official fp16 default dates from GPUs without bfloat16).
 */
public enum Precision implements Choice {
    AUTO,
    OFF {
        @Override
        public java.util.List<String> otherSpellings() {
            return java.util.List.of("fp32");
        }
    },
    BF16,
    FP16;

    /** The 16-bit type autocast uses on {@code backend}, or null for float32 throughout. */
    public DType autocastType(Backend backend) {
        return switch (this) {
            case AUTO -> "cpu".equals(backend.name()) ? null : DType.BF16;
            case OFF -> null;
            case BF16 -> DType.BF16;
            case FP16 -> DType.F16;
        };
    }

    /** Whether the run scales its loss ({@code GradScaler}): float16 only, as PyTorch's recipe. */
    public boolean scalesLoss(Backend backend) {
        return autocastType(backend) == DType.F16;
    }

    /** The canonical spelling, so that messages and logs read as the command line does. */
    @Override
    public String toString() {
        return spelling();
    }
}
