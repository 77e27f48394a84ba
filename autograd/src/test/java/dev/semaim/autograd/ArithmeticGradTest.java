package dev.semaim.autograd;

import dev.semaim.autograd.testing.GradCheck;
import dev.semaim.tensor.Shape;
import dev.semaim.tensor.Tensor;
import dev.semaim.tensor.testing.Cases;
import dev.semaim.tensor.testing.Gen;
import org.junit.jupiter.api.Test;

import java.util.function.BinaryOperator;

import static dev.semaim.tensor.DType.F64;

/** Gradient properties of {@link Arithmetic}: broadcasting binary ops and the scalar forms. */
class ArithmeticGradTest {
    static final int CASES = 50;

    /**
     * a op b for a broadcast pair of shapes in random layouts; half the cases broadcast by an explicit
     * expand in the graph instead, so the op also sees stride-0 operands.
     */
    private static void binary(String name, BinaryOperator<Var> op, boolean divisor) {
        Cases.run(name, CASES, gen -> {
            int[][] s = gen.broadcastPair(4, 3);
            int[] full = Shape.broadcast(name, s[0], s[1]);
            Tensor a = gen.uniform(F64, s[0], -2, 2);
            Tensor b = divisor ? gen.uniformAvoiding(F64, s[1], -2, 2, 0.5, 0) : gen.uniform(F64, s[1], -2, 2);
            boolean explicit = gen.nextBoolean();
            GradCheck.check(name, gen, x -> explicit ? op.apply(x[0].expand(full), x[1].expand(full)) : op.apply(x[0], x[1]), a, b);
        });
    }

    @Test void add() { binary("add", Arithmetic::add, false); }

    @Test void sub() { binary("sub", Arithmetic::sub, false); }

    @Test void mul() { binary("mul", Arithmetic::mul, false); }

    @Test void div() { binary("div", Arithmetic::div, true); }

    @Test
    void sameInputTwice() {
        Cases.run("mulSelf", CASES, gen -> GradCheck.check("mulSelf", gen, x -> Arithmetic.mul(x[0], x[0]),
                gen.uniform(F64, gen.shape(0, 3, 3), -2, 2)));
    }

    @Test
    void addScalar() {
        Cases.run("addScalar", CASES, gen -> {
            double c = gen.uniform(-3, 3);
            GradCheck.check("addScalar", gen, x -> Arithmetic.addScalar(x[0], c), gen.uniform(F64, gen.shape(0, 4, 3), -2, 2));
        });
    }

    @Test
    void mulScalar() {
        Cases.run("mulScalar", CASES, gen -> {
            double c = gen.uniform(-3, 3);
            GradCheck.check("mulScalar", gen, x -> Arithmetic.mulScalar(x[0], c), gen.uniform(F64, gen.shape(0, 4, 3), -2, 2));
        });
    }

    @Test
    void pow() {
        Cases.run("pow", CASES, gen -> {
            double p = gen.pick(-1.5, -1, 0.5, 2, 3, 2.7);
            GradCheck.check("pow", gen, x -> Arithmetic.pow(x[0], p), gen.uniform(F64, gen.shape(0, 4, 3), 0.5, 2));
        });
    }

    @Test
    void negatedBaseWithIntegerExponent() {
        Cases.run("powNegativeBase", CASES, gen -> {
            double p = gen.pick(2, 3, -2);
            GradCheck.check("pow", gen, x -> Arithmetic.pow(x[0], p), gen.uniformAvoiding(F64, gen.shape(0, 3, 3), -2, 2, 0.3, 0));
        });
    }
}
