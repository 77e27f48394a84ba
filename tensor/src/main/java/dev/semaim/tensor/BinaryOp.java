package dev.semaim.tensor;

/**
 * Elementwise two-input operations. Comparisons give 1 or 0 in the output's dtype.
 * GELU_GRAD(x, g) = g * GELU'(x), the backward of exact GELU fused into one pass.
 */
public enum BinaryOp {
    ADD, SUB, MUL, DIV, POW, MAX, MIN, EQ, NE, LT, LE, GT, GE, GELU_GRAD;

    /** The scalar reference definition, in double precision. */
    public double apply(double a, double b) {
        switch (this) {
            case ADD: return a + b;
            case SUB: return a - b;
            case MUL: return a * b;
            case DIV: return a / b;
            case POW: return Math.pow(a, b);
            case MAX: return Double.isNaN(a) || a >= b ? a : b;
            case MIN: return Double.isNaN(a) || a <= b ? a : b;
            case EQ: return a == b ? 1 : 0;
            case NE: return a != b ? 1 : 0;
            case LT: return a < b ? 1 : 0;
            case LE: return a <= b ? 1 : 0;
            case GT: return a > b ? 1 : 0;
            case GE: return a >= b ? 1 : 0;
            case GELU_GRAD: {
                double cdf = 0.5 * (1.0 + Erf.erf(a * Erf.FRAC_1_SQRT2));
                double pdf = Math.exp(-0.5 * a * a) * Erf.FRAC_1_SQRT_2PI;
                return b * (cdf + a * pdf);
            }
            default: throw new AssertionError(this);
        }
    }
}
