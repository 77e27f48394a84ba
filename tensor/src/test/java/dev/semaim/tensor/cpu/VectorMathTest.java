package dev.semaim.tensor.cpu;

import dev.semaim.tensor.Erf;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;
import java.util.function.DoubleUnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link VectorMath} against float64 references (exp within 2 ulp where the result is a normal float below 2.4e38, GELU and GELU' within 2e-7 of max(1, |x|) and 3e-7 of max(1, |g|)), and
 * every vector lane bit-identical to the scalar twin, the property the kernels' row tails rely on.
 */
class VectorMathTest {
    private static final VectorSpecies<Float> S = KernelConfig.SPECIES;
    private static final int V = S.length();

    /** Sweep points: a dense grid over [-lo, hi], random points, and the edges and specials. */
    private static float[] points(float lo, float hi, float... specials) {
        SplittableRandom rnd = new SplittableRandom(7);
        int grid = 40_000, random = 40_000;
        float[] x = new float[((grid + random + specials.length) / V + 1) * V];
        for (int i = 0; i < grid; i++) x[i] = lo + (hi - lo) * i / (grid - 1);
        for (int i = 0; i < random; i++) x[grid + i] = (float) (lo + (hi - lo) * rnd.nextDouble());
        System.arraycopy(specials, 0, x, grid + random, specials.length);
        return x;
    }

    private interface VectorFn { FloatVector apply(FloatVector x); }
    private interface ScalarFn { float apply(float x); }

    private static float[] lanes(float[] x, VectorFn f) {
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i += V) f.apply(FloatVector.fromArray(S, x, i)).intoArray(y, i);
        return y;
    }

    private static void assertTwins(float[] x, VectorFn vector, ScalarFn scalar, String name) {
        float[] y = lanes(x, vector);
        for (int i = 0; i < x.length; i++) {
            float xi = x[i], s = scalar.apply(xi), yi = y[i];
            assertEquals(Float.floatToIntBits(s), Float.floatToIntBits(yi),
                    () -> name + ": lane and scalar twin differ at x = " + xi + ": " + yi + " vs " + s);
        }
    }

    @Test
    void expIsWithinTwoUlpAndHandlesItsEdges() {
        float[] x = points(-110f, 90f, 0f, -0f, 1f, -1f, 88.72283f, 88.7229f, 88.4f, 88.37626f, -87.3365f, -87.34f, -87.7f,
                -88f, -103.97f, -104f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 1e-8f, -1e-8f);
        assertTwins(x, VectorMath::exp, VectorMath::exp, "exp");
        double worst = 0;
        float worstX = 0;
        for (float xi : x) {
            float y = VectorMath.exp(xi);
            if (Float.isNaN(xi)) { assertTrue(Float.isNaN(y)); continue; }
            double ref = Math.exp(xi);
            if (ref > Float.MAX_VALUE) { assertEquals(Float.POSITIVE_INFINITY, y, "exp(" + xi + ")"); continue; }
            if (ref < Float.MIN_NORMAL) { assertEquals(ref, y, Float.MIN_NORMAL, "exp(" + xi + ") below 2^-126 (flushed or rounded)"); continue; }
            double ulps = Math.abs(y - ref) / Math.ulp((float) ref);
            if (xi > 88.37626f) { assertTrue(ulps <= 16, "exp(" + xi + "): " + ulps + " ulp"); continue; }
            if (ulps > worst) { worst = ulps; worstX = xi; }
        }
        assertTrue(worst <= 2, "exp: worst error " + worst + " ulp at x = " + worstX);
        assertEquals(1f, VectorMath.exp(0f));
        assertEquals(0f, VectorMath.exp(Float.NEGATIVE_INFINITY));
        assertEquals(Float.POSITIVE_INFINITY, VectorMath.exp(Float.POSITIVE_INFINITY));
    }

    @Test
    void geluAndGeluGradMatchFloat64() {
        float[] x = points(-12f, 12f, 0f, -0f, 1e-30f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY);
        assertTwins(x, VectorMath::gelu, VectorMath::gelu, "gelu");
        float[] g = points(-3f, 3f);
        float[] gx = new float[x.length];
        for (int i = 0; i < x.length; i++) gx[i] = g[i % g.length];
        float[] yv = new float[x.length];
        for (int i = 0; i < x.length; i += V)
            VectorMath.geluGrad(FloatVector.fromArray(S, x, i), FloatVector.fromArray(S, gx, i)).intoArray(yv, i);
        DoubleUnaryOperator cdf = t -> 0.5 * (1 + Erf.erf(t / Math.sqrt(2)));
        for (int i = 0; i < x.length; i++) {
            float xi = x[i];
            assertEquals(Float.floatToIntBits(VectorMath.geluGrad(xi, gx[i])), Float.floatToIntBits(yv[i]), "geluGrad twin at " + xi);
            if (Float.isInfinite(xi)) continue;
            assertEquals(xi * cdf.applyAsDouble(xi), VectorMath.gelu(xi), 2e-7 * Math.max(1, Math.abs(xi)), "gelu(" + xi + ")");
            double grad = gx[i] * (cdf.applyAsDouble(xi) + xi * Math.exp(-0.5 * xi * xi) / Math.sqrt(2 * Math.PI));
            assertEquals(grad, VectorMath.geluGrad(xi, gx[i]), 3e-7 * Math.max(1, Math.abs(gx[i])), "geluGrad(" + xi + ")");
        }
    }
}
