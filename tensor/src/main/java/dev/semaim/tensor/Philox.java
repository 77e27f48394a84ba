package dev.semaim.tensor;

/**
 * Counter-based random numbers (Philox-4x32-10, Salmon et al. 2011): value i of a stream is a pure
 * function of (seed, i), so any thread or device can produce any element, and a tensor's random
 * content does not depend on how the work was split.
 */
public final class Philox {
    private Philox() {}

    private static final int M0 = 0xD2511F53, M1 = 0xCD9E8D57, W0 = 0x9E3779B9, W1 = 0xBB67AE85;

    /** Four 32-bit random words for counter {@code ctr} under key {@code seed}. */
    public static void block(long seed, long ctr, int[] out4) {
        int c0 = (int) ctr, c1 = (int) (ctr >>> 32), c2 = 0, c3 = 0;
        int k0 = (int) seed, k1 = (int) (seed >>> 32);
        for (int r = 0; r < 10; r++) {
            long p0 = (M0 & 0xFFFFFFFFL) * (c0 & 0xFFFFFFFFL);
            long p1 = (M1 & 0xFFFFFFFFL) * (c2 & 0xFFFFFFFFL);
            int n0 = (int) (p1 >>> 32) ^ c1 ^ k0;
            int n1 = (int) p1;
            int n2 = (int) (p0 >>> 32) ^ c3 ^ k1;
            int n3 = (int) p0;
            c0 = n0; c1 = n1; c2 = n2; c3 = n3;
            k0 += W0; k1 += W1;
        }
        out4[0] = c0; out4[1] = c1; out4[2] = c2; out4[3] = c3;
    }

    /** Uniform double in [0, 1) for element {@code i}: 53 bits from the first two words of block i. */
    public static double uniform(long seed, long i) {
        int[] w = new int[4];
        block(seed, i, w);
        return uniformFromWords(w[0], w[1]);
    }

    static double uniformFromWords(int hi, int lo) {
        long bits = ((hi & 0xFFFFFFFFL) << 21) ^ ((lo & 0xFFFFFFFFL) >>> 11);
        return (bits & ((1L << 53) - 1)) * 0x1.0p-53;
    }

    /** Value of element i of a {@link RandomKind} stream, in double precision. */
    public static double sample(RandomKind kind, long seed, long i, double a, double b) {
        return sample(kind, seed, i, a, b, new int[4]);
    }

    /** {@link #sample(RandomKind, long, long, double, double)} with the caller's scratch for the four words (a loop's, reused). */
    public static double sample(RandomKind kind, long seed, long i, double a, double b, int[] w) {
        block(seed, i, w);
        double u1 = uniformFromWords(w[0], w[1]);
        switch (kind) {
            case UNIFORM:
                return a + (b - a) * u1;
            case NORMAL: {
                double u2 = uniformFromWords(w[2], w[3]);
                double r = Math.sqrt(-2.0 * Math.log(1.0 - u1));
                return a + b * r * Math.cos(2 * Math.PI * u2);
            }
            case TRUNC_NORMAL: {
                // x = std * Φ⁻¹(u), u uniform on [Φ(-b/std), Φ(b/std)]
                double lo = 0.5 * (1 + Erf.erf(-b / a * Erf.FRAC_1_SQRT2));
                double hi = 0.5 * (1 + Erf.erf(b / a * Erf.FRAC_1_SQRT2));
                double u = lo + (hi - lo) * u1;
                double x = a * Math.sqrt(2.0) * Erf.erfinv(2 * u - 1);
                return Math.max(-b, Math.min(b, x));
            }
            default:
                throw new AssertionError(kind);
        }
    }
}
