package dev.semaim.settings;

import java.util.List;

/**
 * {@code --precision}: the number format of the training forward and backward. The engine computes in float32; the
 * reference's fp16 autocast (spec section 6) and bf16 are declared so that asking for them gets a clear answer.
 */
public enum Precision implements Choice {
    FP32("fp32"),
    FP16("fp16") {
        @Override
        public String unavailable() {
            return "(autocast with a GradScaler, spec section 6) is not supported yet: the engine computes in fp32";
        }
    },
    BF16("bf16") {
        @Override
        public String unavailable() {
            return "is not supported yet: the engine computes in fp32";
        }
    };

    private final List<String> spellings;

    Precision(String... spellings) {
        this.spellings = List.of(spellings);
    }

    @Override
    public List<String> spellings() {
        return spellings;
    }

    /** The canonical spelling, so that messages and logs read as the command line does. */
    @Override
    public String toString() {
        return spelling();
    }

    public static Precision parse(String text) {
        return Choice.parse(Precision.class, text);
    }
}
