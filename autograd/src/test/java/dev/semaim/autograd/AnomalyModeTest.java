package dev.semaim.autograd;

import dev.semaim.tensor.DType;
import dev.semaim.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** Anomaly mode names the op whose forward or backward first produced a NaN or infinity. */
class AnomalyModeTest {
    @AfterEach
    void off() {
        GradMode.setAnomalyMode(false);
    }

    @Test
    void forwardNaNNamesTheOp() {
        GradMode.setAnomalyMode(true);
        Var x = Var.leaf(Tensor.of(new double[] {1, -1}, 2), true);
        ArithmeticException e = assertThrows(ArithmeticException.class, () -> x.mul(2.0).log());
        assertTrue(e.getMessage().contains("log forward") && e.getMessage().contains("NaN") && e.getMessage().contains("index 1"),
                e.getMessage());
    }

    @Test
    void backwardInfinityNamesTheOp() {
        GradMode.setAnomalyMode(true);
        // sqrt(0) = 0 is fine forward; its gradient 1 / (2·sqrt(0)) is infinite
        Var x = Var.leaf(Tensor.of(new float[] {0, 4}, 2), true);
        Var loss = x.mul(1.0).sqrt().sum();
        ArithmeticException e = assertThrows(ArithmeticException.class, loss::backward);
        assertTrue(e.getMessage().contains("sqrt backward") && e.getMessage().contains("Infinity"), e.getMessage());
    }

    @Test
    void offByDefaultLetsNaNThrough() {
        Var x = Var.leaf(Tensor.of(new double[] {-1}, 1), true);
        assertTrue(Double.isNaN(x.log().item()));
        assertEquals(DType.F64, x.log().dtype());
    }
}
