package dev.semaim.tensor;

/**
 * The error function and its inverse in double precision (Java has neither).
 * erf: W. J. Cody's rational Chebyshev approximations (relative error below 1e-15).
 * erfinv: Giles' single-precision polynomial refined by two Newton steps on erf.
 */
public final class Erf {
    private Erf() {}

    public static final double FRAC_1_SQRT2 = 0.7071067811865476;
    public static final double FRAC_1_SQRT_2PI = 0.3989422804014327;
    private static final double TWO_OVER_SQRT_PI = 1.1283791670955126;

    private static final double[] A = {3.16112374387056560e00, 1.13864154151050156e02, 3.77485237685302021e02,
            3.20937758913846947e03, 1.85777706184603153e-1};
    private static final double[] B = {2.36012909523441209e01, 2.44024637934444173e02, 1.28261652607737228e03,
            2.84423683343917062e03};
    private static final double[] C = {5.64188496988670089e-1, 8.88314979438837594e00, 6.61191906371416295e01,
            2.98635138197400131e02, 8.81952221241769090e02, 1.71204761263407058e03, 2.05107837782607147e03,
            1.23033935479799725e03, 2.15311535474403846e-8};
    private static final double[] D = {1.57449261107098347e01, 1.17693950891312499e02, 5.37181101862009858e02,
            1.62138957456669019e03, 3.29079923573345963e03, 4.36261909014324716e03, 3.43936767414372164e03,
            1.23033935480374942e03};
    private static final double[] P = {3.05326634961232344e-1, 3.60344899949804439e-1, 1.25781726111229246e-1,
            1.60837851487422766e-2, 6.58749161529837803e-4, 1.63153871373020978e-2};
    private static final double[] Q = {2.56852019228982242e00, 1.87295284992346725e00, 5.27905102951428412e-1,
            6.05183413124413191e-2, 2.33520497626869185e-3};
    private static final double SQRPI = 5.6418958354775628695e-1;

    public static double erf(double x) {
        double y = Math.abs(x);
        if (y <= 0.46875) {
            double ysq = y > 1.11e-16 ? y * y : 0.0;
            double xnum = A[4] * ysq, xden = ysq;
            for (int i = 0; i < 3; i++) {
                xnum = (xnum + A[i]) * ysq;
                xden = (xden + B[i]) * ysq;
            }
            return x * (xnum + A[3]) / (xden + B[3]);
        }
        return Math.copySign(1.0 - erfcPositive(y), x);
    }

    /** erfc(y) for y > 0.46875. */
    private static double erfcPositive(double y) {
        double result;
        if (y <= 4.0) {
            double xnum = C[8] * y, xden = y;
            for (int i = 0; i < 7; i++) {
                xnum = (xnum + C[i]) * y;
                xden = (xden + D[i]) * y;
            }
            result = (xnum + C[7]) / (xden + D[7]);
        } else {
            if (y >= 26.6) return 0.0;
            double ysq = 1.0 / (y * y);
            double xnum = P[5] * ysq, xden = ysq;
            for (int i = 0; i < 4; i++) {
                xnum = (xnum + P[i]) * ysq;
                xden = (xden + Q[i]) * ysq;
            }
            result = ysq * (xnum + P[4]) / (xden + Q[4]);
            result = (SQRPI - result) / y;
        }
        double ysq = Math.floor(y * 16.0) / 16.0;
        double del = (y - ysq) * (y + ysq);
        return Math.exp(-ysq * ysq) * Math.exp(-del) * result;
    }

    /** Inverse error function on (-1, 1); ±infinity at ±1. */
    public static double erfinv(double x) {
        if (x <= -1) return x == -1 ? Double.NEGATIVE_INFINITY : Double.NaN;
        if (x >= 1) return x == 1 ? Double.POSITIVE_INFINITY : Double.NaN;
        double w = -Math.log((1.0 - x) * (1.0 + x)), p;
        if (w < 5.0) {
            w -= 2.5;
            p = 2.81022636e-08;
            p = 3.43273939e-07 + p * w; p = -3.5233877e-06 + p * w; p = -4.39150654e-06 + p * w;
            p = 0.00021858087 + p * w; p = -0.00125372503 + p * w; p = -0.00417768164 + p * w;
            p = 0.246640727 + p * w; p = 1.50140941 + p * w;
        } else {
            w = Math.sqrt(w) - 3.0;
            p = -0.000200214257;
            p = 0.000100950558 + p * w; p = 0.00134934322 + p * w; p = -0.00367342844 + p * w;
            p = 0.00573950773 + p * w; p = -0.0076224613 + p * w; p = 0.00943887047 + p * w;
            p = 1.00167406 + p * w; p = 2.83297682 + p * w;
        }
        double r = p * x;
        for (int i = 0; i < 2; i++) r -= (erf(r) - x) / (TWO_OVER_SQRT_PI * Math.exp(-r * r));
        return r;
    }
}
