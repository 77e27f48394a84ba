package dev.semaim.autograd;

import dev.semaim.tensor.DType;
import dev.semaim.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class AutogradSmokeTest {
    @Test
    void chainRuleThroughBroadcastAndMatmul() {
        Var a = Var.leaf(Tensor.of(new double[] {1, 2, 3, 4}, 2, 2), true);
        Var b = Var.leaf(Tensor.of(new double[] {1, -1}, 2), true);
        Var loss = a.matmul(a).add(b).square().sum();
        loss.backward();
        // numeric check of one entry
        double h = 1e-6;
        double[] base = {1, 2, 3, 4};
        base[1] += h;
        double up = f(base, new double[] {1, -1});
        base[1] -= 2 * h;
        double down = f(base, new double[] {1, -1});
        assertEquals((up - down) / (2 * h), a.grad().get(0, 1), 1e-5);
        assertNotNull(b.grad());
        assertEquals(DType.F64, a.grad().dtype());
    }

    private static double f(double[] av, double[] bv) {
        Tensor a = Tensor.of(av, 2, 2);
        return a.matmul(a).add(Tensor.of(bv, 2)).square().sum().item();
    }
}
