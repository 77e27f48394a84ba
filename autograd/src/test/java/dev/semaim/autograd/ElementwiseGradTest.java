package dev.semaim.autograd;

import dev.semaim.autograd.testing.GradCheck;
import dev.semaim.tensor.DType;
import dev.semaim.tensor.Shape;
import dev.semaim.tensor.Tensor;
import dev.semaim.tensor.testing.Cases;
import dev.semaim.tensor.testing.Gen;
import org.junit.jupiter.api.Test;

import java.util.function.UnaryOperator;

import static dev.semaim.tensor.DType.F64;

/** Gradient properties of {@link Elementwise}; inputs of non-smooth functions stay off their kinks. */
class ElementwiseGradTest {
    static final int CASES = 50;

    private static void unary(String name, UnaryOperator<Var> op, double lo, double hi, double... kinks) {
        Cases.run(name, CASES, gen -> {
            Tensor x = gen.uniformAvoiding(F64, gen.shape(0, 4, 3), lo, hi, 0.05, kinks);
            GradCheck.check(name, gen, v -> op.apply(v[0]), x);
        });
    }

    @Test void exp() { unary("exp", Elementwise::exp, -2, 2); }

    @Test void log() { unary("log", Elementwise::log, 0.3, 3); }

    @Test void sqrt() { unary("sqrt", Elementwise::sqrt, 0.3, 3); }

    @Test void rsqrt() { unary("rsqrt", Elementwise::rsqrt, 0.3, 3); }

    @Test void abs() { unary("abs", Elementwise::abs, -2, 2, 0); }

    @Test void tanh() { unary("tanh", Elementwise::tanh, -3, 3); }

    @Test void erf() { unary("erf", Elementwise::erf, -3, 3); }

    @Test void gelu() { unary("gelu", Elementwise::gelu, -4, 4); }

    @Test void relu() { unary("relu", Elementwise::relu, -2, 2, 0); }

    @Test void square() { unary("square", Elementwise::square, -2, 2); }

    @Test void clamp() { unary("clamp", x -> Elementwise.clamp(x, -0.5, 0.7), -2, 2, -0.5, 0.7); }

    @Test
    void where() {
        Cases.run("where", CASES, gen -> {
            int[] full = gen.shape(0, 4, 3);
            int[] sc = gen.broadcastPartner(full), sa = gen.broadcastPartner(full), sb = gen.broadcastPartner(full);
            // a and b may be smaller than cond's shape as long as the three broadcast
            if (gen.nextBoolean()) sc = full;
            else sa = full;
            Tensor cond = Gen.tensor(gen.values(Shape.numel(sc), 0, 1), F64, sc).lt(0.5).to(gen.nextBoolean() ? DType.I64 : F64);
            Tensor a = gen.uniform(F64, sa, -2, 2), b = gen.uniform(F64, sb, -2, 2);
            GradCheck.check("where", gen, v -> Elementwise.where(cond, v[0], v[1]), a, b);
        });
    }
}
