package dev.semaim.tensor;

/** Distributions of {@link Backend#random}; (a, b) are their two parameters. */
public enum RandomKind {
    /** U[a, b). */
    UNIFORM,
    /** Normal(mean a, std b), Box-Muller on counter pairs. */
    NORMAL,
    /** Normal(0, std a) truncated to [-b, b] absolute (timm's trunc_normal_ with a = -b), by inverse CDF. */
    TRUNC_NORMAL
}
