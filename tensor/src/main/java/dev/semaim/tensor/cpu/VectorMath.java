package dev.semaim.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * exp, the normal CDF, GELU and GELU' in float32 from adds, multiplies, FMAs and bit shifts only, each as a
 * vector function with a scalar twin that performs the same IEEE operations in the same order, so
 * a row's scalar tail gets exactly what a vector lane would have.
 *
 * <p>Why not {@code lanewise(VectorOperators.EXP)}: C2 compiles it to an SVML call, but the interpreter and
 * C1 run {@code Math.exp} lane by lane, and the two round differently, so a result depended on when the JIT
 * had compiled the caller. These functions give the same bits in every mode (FMAs are fused either way) and
 * cost about the same (exp 0.55 ns per element on one core, SVML 0.35-0.6).
 *
 * <p>exp: Cody-Waite reduction x = n·ln2 + r, |r| <= ln2/2, then Cephes' degree-6 minimax polynomial
 * for e^r (error within 2 ulp), scaled by 2^n built in the exponent bits; results below 2^-126
 * are flushed to 0, above the largest float +inf, NaN stays NaN. Kept to ~20 vector operations
 * with no masks: C2 stops inlining Vector API calls into a kernel loop past a node budget, and a
 * call left out of line boxes its vectors (a longer exp with denormal support and mask blends ran 6x
 * slower inside GELU'). Φ: Abramowitz & Stegun 7.1.26 for erfc, absolute error below
 * 1.5e-7 (below 1e-7 in Φ).
 */
final class VectorMath {
    private VectorMath() {}

    private static final VectorSpecies<Float> S = KernelConfig.SPECIES;

    private static final float LOG2E = 1.44269504088896341f;
    /** ln 2 split so that n·LN2_HI is exact for |n| < 2^9. */
    private static final float LN2_HI = 0.693359375f, LN2_LO = -2.12194440e-4f;
    /** 1.5·2^23: adding it rounds a float of magnitude below 2^22 to an integer, held in the low mantissa bits. */
    private static final float ROUND = 12582912f;
    /**
     * Clamps: below EXP_LO, n = -127 makes the scale's bits 0, so the result is 0 (e^x below 2^-126,
     * a float32 denormal, is flushed to 0); at EXP_HI, p·2^127 exceeds the largest float, so above
     * e^88.7228 the product overflows to +inf. n is held at 127, so in (88.376, 88.7228] r reaches ln 2
     * and the error grows to a few ulp.
     */
    private static final float EXP_LO = -88f, EXP_HI = 88.8f;
    /** ROUND + 127: holding fma(x, log2 e, ROUND) below it holds n at 127. */
    private static final float T_MAX = ROUND + 127f;
    private static final float E6 = 1.9875691500e-4f, E5 = 1.3981999507e-3f, E4 = 8.3334519073e-3f,
            E3 = 4.1665795894e-2f, E2 = 1.6666665459e-1f, E1 = 5.0000001201e-1f;

    /** A&S 7.1.26's P and its coefficients a1..a5 halved (exact), so the polynomial gives erfc(z)/2 directly. */
    private static final float P = 0.3275911f, A1 = 0.254829592f / 2, A2 = -0.284496736f / 2, A3 = 1.421413741f / 2,
            A4 = -1.453152027f / 2, A5 = 1.061405429f / 2;
    /** A&S's P/√2: t = 1/(1 + P·z) with z = |x|/√2. */
    private static final float P_SQRT1_2 = P * 0.70710678f, FRAC_1_SQRT_2PI = 0.39894228f;

    /**
     * Every constant as a static final vector, and FMAs wherever two operations fuse: JDK 17's C2 inlines
     * the Vector API into a compilation only up to a parse-node budget (NodeCountInliningCutoff), each
     * operation costs hundreds of nodes and a scalar operand one more broadcast, and a vector call left
     * out of line boxes its operands (exp + Φ + GELU' in mul/add form with scalar operands overran it and
     * ran 4-6x slower).
     */
    private static FloatVector v(float x) {
        return FloatVector.broadcast(S, x);
    }

    private static final FloatVector EXP_LO_V = v(EXP_LO), EXP_HI_V = v(EXP_HI), LOG2E_V = v(LOG2E), ROUND_V = v(ROUND),
            T_MAX_V = v(T_MAX), NEG_LN2_HI_V = v(-LN2_HI), NEG_LN2_LO_V = v(-LN2_LO), E6_V = v(E6), E5_V = v(E5), E4_V = v(E4),
            E3_V = v(E3), E2_V = v(E2), E1_V = v(E1), ONE_V = v(1f), NEG_HALF_V = v(-0.5f), ZERO_V = v(0f),
            P_V = v(P_SQRT1_2), A1_V = v(A1), A2_V = v(A2), A3_V = v(A3), A4_V = v(A4), A5_V = v(A5), PDF_V = v(FRAC_1_SQRT_2PI);
    private static final IntVector EXP_BIAS_V = IntVector.broadcast(S.vectorShape().withLanes(int.class), 127 << 23);

    /** e^x per lane. */
    static FloatVector exp(FloatVector x) {
        FloatVector xc = x.max(EXP_LO_V).min(EXP_HI_V);                          // NaN stays NaN
        return expReduced(xc, xc.fma(LOG2E_V, ROUND_V).min(T_MAX_V));           // n at most 127
    }

    /**
     * e^xc for xc in [EXP_LO, EXP_HI] given t = ROUND + n, n = round(xc·log2 e) at most 127: the reduction,
     * the polynomial, and 2^n built from t's bits, 0x4B400000 + n, whose << 23 shifts the constant out.
     */
    private static FloatVector expReduced(FloatVector xc, FloatVector t) {
        FloatVector n = t.sub(ROUND_V);
        FloatVector r = n.fma(NEG_LN2_LO_V, n.fma(NEG_LN2_HI_V, xc));
        FloatVector p = r.fma(E6_V, E5_V).fma(r, E4_V).fma(r, E3_V).fma(r, E2_V).fma(r, E1_V);
        p = p.fma(r.mul(r), r).add(ONE_V);
        FloatVector scale = t.reinterpretAsInts().lanewise(VectorOperators.LSHL, 23).add(EXP_BIAS_V).reinterpretAsFloats();
        return p.mul(scale);
    }

    /** e^x, the scalar twin of {@link #exp(FloatVector)}. */
    static float exp(float x) {
        float xc = Math.min(Math.max(x, EXP_LO), EXP_HI);
        return expReduced(xc, Math.min(Math.fma(xc, LOG2E, ROUND), T_MAX));
    }

    /** The scalar twin of {@link #expReduced(FloatVector, FloatVector)}. */
    private static float expReduced(float xc, float t) {
        float n = t - ROUND;
        float r = Math.fma(n, -LN2_LO, Math.fma(n, -LN2_HI, xc));
        float p = Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(r, E6, E5), r, E4), r, E3), r, E2), r, E1);
        p = Math.fma(p, r * r, r) + 1f;
        return p * Float.intBitsToFloat((Float.floatToRawIntBits(t) << 23) + (127 << 23));
    }

    /**
     * Φ(x), the standard normal CDF, given e = e^(-x²/2): with z = |x|/√2, A&S 7.1.26 gives
     * erfc(z) = poly(1/(1 + P·z))·e^(-z²), and e^(-z²) is e, so GELU and GELU' share one exp.
     * Φ(x) = 1 - erfc(z)/2 for x >= 0 and erfc(z)/2 below (no cancellation in the left tail).
     */
    static FloatVector normalCdf(FloatVector x, FloatVector e) {
        FloatVector t = ONE_V.div(x.abs().fma(P_V, ONE_V));
        FloatVector half = t.fma(A5_V, A4_V).fma(t, A3_V).fma(t, A2_V).fma(t, A1_V).mul(t).mul(e);
        return half.blend(ONE_V.sub(half), x.compare(VectorOperators.GE, ZERO_V));
    }

    /** The scalar twin of {@link #normalCdf(FloatVector, FloatVector)}. */
    static float normalCdf(float x, float e) {
        float t = 1f / Math.fma(Math.abs(x), P_SQRT1_2, 1f);
        float half = Math.fma(Math.fma(Math.fma(Math.fma(t, A5, A4), t, A3), t, A2), t, A1) * t * e;
        return x >= 0f ? 1f - half : half;
    }

    /** e^(-x²/2) per lane: the Gaussian factor GELU and GELU' share (exp of a value <= 0: no upper clamps). */
    static FloatVector gaussian(FloatVector x) {
        FloatVector xc = x.mul(x).mul(NEG_HALF_V).max(EXP_LO_V);
        return expReduced(xc, xc.fma(LOG2E_V, ROUND_V));
    }

    /** The scalar twin of {@link #gaussian(FloatVector)}. */
    static float gaussian(float x) {
        float xc = Math.max(x * x * -0.5f, EXP_LO);
        return expReduced(xc, Math.fma(xc, LOG2E, ROUND));
    }

    /** GELU(x) = x·Φ(x) per lane. */
    static FloatVector gelu(FloatVector x) {
        return x.mul(normalCdf(x, gaussian(x)));
    }

    /** The scalar twin of {@link #gelu(FloatVector)}. */
    static float gelu(float x) {
        return x * normalCdf(x, gaussian(x));
    }

    /** g·GELU'(x) = g·(Φ(x) + x·φ(x)), φ(x) = e^(-x²/2)/√(2π), per lane. */
    static FloatVector geluGrad(FloatVector x, FloatVector g) {
        FloatVector e = gaussian(x);
        return geluGrad(x, g, e, normalCdf(x, e));
    }

    /** The scalar twin of {@link #geluGrad(FloatVector, FloatVector)}. */
    static float geluGrad(float x, float g) {
        float e = gaussian(x);
        return geluGrad(x, g, e, normalCdf(x, e));
    }

    /** g·GELU'(x) given e = gaussian(x) and cdf = normalCdf(x, e), for kernels that also want GELU(x) = x·cdf. */
    static FloatVector geluGrad(FloatVector x, FloatVector g, FloatVector e, FloatVector cdf) {
        return g.mul(x.fma(e.mul(PDF_V), cdf));
    }

    /** The scalar twin of {@link #geluGrad(FloatVector, FloatVector, FloatVector, FloatVector)}. */
    static float geluGrad(float x, float g, float e, float cdf) {
        return g * Math.fma(x, e * FRAC_1_SQRT_2PI, cdf);
    }
}
