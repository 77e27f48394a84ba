package dev.semaim.tensor;

/** Elementwise one-input operations. CLAMP reads its bounds from the kernel's (lo, hi) arguments. */
public enum UnaryOp {
    NEG, EXP, LOG, SQRT, RSQRT, ABS, TANH, ERF, GELU, RELU, SIGN, SQUARE, RECIPROCAL, SIN, COS, CLAMP;

    /** The scalar reference definition, in double precision. GELU is the exact erf form. */
    public double apply(double x, double lo, double hi) {
        switch (this) {
            case NEG: return -x;
            case EXP: return Math.exp(x);
            case LOG: return Math.log(x);
            case SQRT: return Math.sqrt(x);
            case RSQRT: return 1.0 / Math.sqrt(x);
            case ABS: return Math.abs(x);
            case TANH: return Math.tanh(x);
            case ERF: return Erf.erf(x);
            case GELU: return 0.5 * x * (1.0 + Erf.erf(x * Erf.FRAC_1_SQRT2));
            case RELU: return x > 0 ? x : 0.0;
            case SIGN: return Math.signum(x);
            case SQUARE: return x * x;
            case RECIPROCAL: return 1.0 / x;
            case SIN: return Math.sin(x);
            case COS: return Math.cos(x);
            case CLAMP: return x < lo ? lo : (x > hi ? hi : x);
            default: throw new AssertionError(this);
        }
    }
}
