package dev.semaim.nn.optim;

/**
 * A learning rate as a function of the fractional epoch e = epoch + iteration / iterationsPerEpoch
 * (the schedules here are evaluated every iteration, spec §6–§8).
 */
@FunctionalInterface
public interface LrSchedule {
    double at(double fractionalEpoch);

    /**
     * MAE's schedule: e &lt; warmup → lr·e/warmup (linear from 0); after it
     * minLr + (lr − minLr)·½(1 + cos(π(e − warmup)/(epochs − warmup))); minLr from {@code epochs} on.
     */
    static LrSchedule warmupCosine(double lr, double minLr, double warmupEpochs, double epochs) {
        if (!(lr >= 0) || !(minLr >= 0) || minLr > lr)
            throw new IllegalArgumentException("warmupCosine: need 0 <= minLr <= lr, got lr " + lr + ", minLr " + minLr);
        // warmupEpochs == epochs: the whole run is warm-up (a warm-up longer than the run is cut to it, RunOptions)
        if (!(warmupEpochs >= 0) || !(epochs > 0) || !(epochs >= warmupEpochs))
            throw new IllegalArgumentException("warmupCosine: need 0 <= warmupEpochs <= epochs and epochs > 0, got warmup " + warmupEpochs + ", epochs " + epochs);
        return e -> {
            if (!(e >= 0)) throw new IllegalArgumentException("warmupCosine: fractional epoch " + e + " must be >= 0");
            if (e < warmupEpochs) return lr * e / warmupEpochs;
            if (e >= epochs) return minLr;
            return minLr + (lr - minLr) * 0.5 * (1 + Math.cos(Math.PI * (e - warmupEpochs) / (epochs - warmupEpochs)));
        };
    }

    static LrSchedule constant(double lr) {
        return e -> lr;
    }
}
