package dev.semaim.data.augment;

import java.util.random.RandomGenerator;

/**
 * Beta(a, b) samples for mixup's lambda (numpy's {@code np.random.beta} distribution, not its stream):
 * X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b) drawn by Marsaglia and Tsang's method.
 */
final class Beta {
    private Beta() {
    }

    static double sample(RandomGenerator rng, double a, double b) {
        if (!(a > 0 && b > 0)) throw new IllegalArgumentException("Beta needs positive parameters, got (" + a + ", " + b + ")");
        while (true) {
            double x = gamma(rng, a), y = gamma(rng, b);
            if (x + y > 0) return x / (x + y); // both 0 only through underflow for tiny shapes: redraw
        }
    }

    /** Gamma(shape, 1). Shapes below 1 use Gamma(shape + 1) * U^(1/shape). */
    static double gamma(RandomGenerator rng, double shape) {
        if (shape < 1) return gamma(rng, shape + 1) * Math.pow(rng.nextDouble(), 1 / shape);
        double d = shape - 1.0 / 3.0, c = 1 / Math.sqrt(9 * d);
        while (true) {
            double x, v;
            do {
                x = rng.nextGaussian();
                v = 1 + c * x;
            } while (v <= 0);
            v = v * v * v;
            double u = rng.nextDouble();
            if (u < 1 - 0.0331 * x * x * x * x) return d * v;
            if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
        }
    }
}
