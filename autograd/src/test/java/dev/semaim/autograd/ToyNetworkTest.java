package dev.semaim.autograd;

import dev.semaim.tensor.DType;
import dev.semaim.tensor.Rng;
import dev.semaim.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * End to end: a Linear-GELU-Linear network trained by plain SGD (written here) in float32, on the fast
 * kernels, fits a small synthetic classification problem to near-zero loss.
 */
class ToyNetworkTest {
    /** Weights (out, in) scaled by 1/√in, zero bias. */
    private static Var weight(Rng rng, int out, int in) {
        return Var.leaf(Tensor.randn(rng, DType.F32, out, in).mul(1 / Math.sqrt(in)), true);
    }

    private static Var bias(int n) {
        return Var.leaf(Tensor.zeros(n), true);
    }

    private record Net(Var w1, Var b1, Var w2, Var b2) {
        Var forward(Var x) {
            return LinearAlgebra.linear(LinearAlgebra.linear(x, w1, b1).gelu(), w2, b2);
        }

        List<Var> params() {
            return List.of(w1, b1, w2, b2);
        }

        void sgdStep(double lr) {
            for (Var p : params()) {
                p.data().subInPlace(p.grad().mul(lr));
                p.zeroGrad();
            }
        }
    }

    private static Net net(Rng rng, int in, int hidden, int out) {
        return new Net(weight(rng, hidden, in), bias(hidden), weight(rng, out, hidden), bias(out));
    }

    @Test
    void classifiesSeparableClusters() {
        // three classes: points around three centres on a circle of radius 3, noise 0.3
        Rng rng = new Rng(1);
        int n = 96, classes = 3;
        float[] xs = new float[n * 2];
        long[] labels = new long[n];
        float[] noise = Tensor.randn(rng, DType.F32, n * 2).toFloatArray();
        for (int i = 0; i < n; i++) {
            int c = i % classes;
            labels[i] = c;
            xs[2 * i] = (float) (3 * Math.cos(2 * Math.PI * c / classes)) + 0.3f * noise[2 * i];
            xs[2 * i + 1] = (float) (3 * Math.sin(2 * Math.PI * c / classes)) + 0.3f * noise[2 * i + 1];
        }
        Var x = Var.constant(Tensor.of(xs, n, 2));
        Tensor y = Tensor.of(labels, n);
        Net net = net(rng, 2, 32, classes);
        double first = Double.NaN, loss = Double.NaN;
        for (int step = 0; step < 300; step++) {
            Var l = Losses.crossEntropy(net.forward(x), y);
            loss = l.item();
            if (step == 0) first = loss;
            l.backward();
            net.sgdStep(0.5);
        }
        assertTrue(first > 0.5, "initial loss " + first);
        assertTrue(loss < 0.01, "loss after 300 steps: " + loss + " (initial " + first + ")");
        try (GradMode.Scope s = GradMode.noGrad()) {
            assertArrayEquals(labels, net.forward(x).data().argmax(1).toLongArray());
        }
    }
}
