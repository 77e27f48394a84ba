package dev.semaim.settings;

/**
 * {@code --precision}: the number format of the training forward and backward. The engine computes in float32; the
 * reference's fp16 autocast (spec section 6) and bf16 are declared so that asking for them gets a clear answer.
 */
public enum Precision implements Choice {
    FP32,
    FP16 {
        @Override
        public String unavailable() {
            return "(autocast with a GradScaler, spec section 6) is not supported yet: the engine computes in fp32";
        }
    },
    BF16 {
        @Override
        public String unavailable() {
            return "is not supported yet: the engine computes in fp32";
        }
    };

    /** The canonical spelling, so that messages and logs read as the command line does. */
    @Override
    public String toString() {
        return spelling();
    }
}
