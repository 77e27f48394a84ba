package dev.semaim.tensor;

/** Reductions over axes. MEAN and norms are composed from SUM in {@link Tensor}. */
public enum ReduceOp {
    SUM, MAX, MIN;

    public double identity() {
        switch (this) {
            case SUM: return 0.0;
            case MAX: return Double.NEGATIVE_INFINITY;
            case MIN: return Double.POSITIVE_INFINITY;
            default: throw new AssertionError(this);
        }
    }

    public double combine(double acc, double x) {
        switch (this) {
            case SUM: return acc + x;
            case MAX: return Double.isNaN(x) || x > acc ? x : acc;
            case MIN: return Double.isNaN(x) || x < acc ? x : acc;
            default: throw new AssertionError(this);
        }
    }
}
