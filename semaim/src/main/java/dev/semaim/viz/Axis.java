package dev.semaim.viz;

import java.util.ArrayList;
import java.util.List;

/**
 * One axis of a chart: its data range, linear or base-10 logarithmic, the position of a value along it (0 at
 * min, 1 at max) and its ticks with labels in one {@link TickFormat}.
 */
record Axis(double min, double max, boolean log) {

    /** The ticks of an axis: values and their labels, index by index. */
    record Ticks(List<Double> values, List<String> labels) {}

    Axis {
        if (log && !(min > 0)) throw new IllegalArgumentException("a log axis needs positive values, not " + min + " .. " + max);
    }

    /**
     * The axis over data from lo to hi with {@code pad} of the span added at each end (in log space on a log axis);
     * an empty range is widened, and no data at all gives 0..1 (1..10 on a log axis).
     */
    static Axis over(double lo, double hi, boolean log, double pad) {
        if (lo > hi) return log ? new Axis(1, 10, true) : new Axis(0, 1, false);
        if (log) {
            double a = Math.log10(lo), b = Math.log10(hi);
            if (!(b > a)) { a -= 0.5; b += 0.5; }
            double p = (b - a) * pad;
            return new Axis(Math.pow(10, a - p), Math.pow(10, b + p), true);
        }
        if (!(hi > lo)) {
            double p = lo == 0 ? 1 : Math.abs(lo) * 0.05; // one point at epoch 0: -1..1, not -1e-12..1e-12
            return new Axis(lo - p, hi + p, false);
        }
        double p = (hi - lo) * pad;
        return new Axis(lo - p, hi + p, false);
    }

    /** Whether v can be drawn on this axis (finite, and positive on a log axis). */
    boolean accepts(double v) {
        return Double.isFinite(v) && (!log || v > 0);
    }

    /** Where v lies: 0 at min, 1 at max (by its logarithm on a log axis). */
    double fraction(double v) {
        return log ? (Math.log10(v) - Math.log10(min)) / (Math.log10(max) - Math.log10(min)) : (v - min) / (max - min);
    }

    Ticks ticks() {
        if (log) {
            // powers of ten; where the range holds fewer than two, also 2 and 5 times them, then every digit
            for (int[] mantissas : new int[][] {{1}, {1, 2, 5}, {1, 2, 3, 4, 5, 6, 7, 8, 9}}) {
                List<Double> t = logTicks(mantissas);
                if (t.size() >= 2) return new Ticks(t, TickFormat.LOG.format(t));
            }
            // less than a factor of two: linear ticks read better than one lone mantissa
        }
        double step = step(min, max);
        List<Double> t = new ArrayList<>();
        for (long i = (long) Math.ceil(min / step - 1e-9); i * step <= max + step * 1e-9; i++) t.add(i == 0 ? 0.0 : i * step); // i·step: no drift
        return new Ticks(t, TickFormat.forStep(step, t).format(t));
    }

    private List<Double> logTicks(int[] mantissas) {
        List<Double> out = new ArrayList<>();
        int from = (int) Math.floor(Math.log10(min)), to = (int) Math.ceil(Math.log10(max));
        for (int e = from; e <= to; e++)
            for (int m : mantissas) {
                double v = Double.parseDouble(m + "e" + e);                  // exactly the decimal 1e-5, not 10^-5 by pow
                if (v >= min * (1 - 1e-9) && v <= max * (1 + 1e-9)) out.add(v);
            }
        return out;
    }

    /** About five round-numbered ticks: 1, 2 or 5 × 10^k apart. */
    static double step(double lo, double hi) {
        double raw = (hi - lo) / 5, mag = Math.pow(10, Math.floor(Math.log10(raw)));
        return raw / mag < 1.5 ? mag : raw / mag < 3.5 ? 2 * mag : raw / mag < 7.5 ? 5 * mag : 10 * mag;
    }
}
