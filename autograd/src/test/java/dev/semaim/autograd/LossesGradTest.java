package dev.semaim.autograd;

import dev.semaim.autograd.testing.GradCheck;
import dev.semaim.tensor.DType;
import dev.semaim.tensor.Tensor;
import dev.semaim.tensor.testing.Cases;
import dev.semaim.tensor.testing.Gen;
import org.junit.jupiter.api.Test;

import static dev.semaim.tensor.DType.F64;

/** Gradient properties of {@link Losses} in the logits. */
class LossesGradTest {
    static final int CASES = 50;

    @Test
    void crossEntropy() {
        Cases.run("crossEntropy", CASES, gen -> {
            int b = gen.nextInt(1, 4), c = gen.nextInt(1, 5);
            Tensor labels = gen.index(b, c);
            GradCheck.check("crossEntropy", gen, x -> Losses.crossEntropy(x[0], labels), gen.uniform(F64, new int[] {b, c}, -3, 3));
        });
    }

    @Test
    void softTargetCrossEntropy() {
        Cases.run("softTargetCrossEntropy", CASES, gen -> {
            int b = gen.nextInt(1, 4), c = gen.nextInt(1, 5);
            Tensor target = Gen.tensor(gen.values(b * c, 0, 1), F64, b, c);
            target = target.div(target.sum(true, 1)).to(gen.nextBoolean() ? DType.F32 : F64);
            Tensor t = target;
            GradCheck.check("softTargetCrossEntropy", gen, x -> Losses.softTargetCrossEntropy(x[0], t), gen.uniform(F64, new int[] {b, c}, -3, 3));
        });
    }
}
