package dev.semaim.viz;

/**
 * The heat-map colour scale: dark blue (low) → purple → red → orange → pale yellow (high), piecewise linear
 * between five stops chosen for this project, monotone in brightness so it also reads in grey.
 */
public final class Colormap {
    private Colormap() {}

    // stops at t = 0, 0.25, 0.5, 0.75, 1 (r, g, b in 0..255)
    private static final int[][] STOPS = {{12, 10, 60}, {95, 25, 130}, {200, 45, 70}, {245, 140, 30}, {255, 245, 170}};

    /** Packed 0xRRGGBB for t in [0, 1] (clamped; NaN → the low end). */
    public static int rgb(double t) {
        if (!(t > 0)) t = 0;
        if (t > 1) t = 1;
        double x = t * (STOPS.length - 1);
        int i = Math.min(STOPS.length - 2, (int) x);
        double f = x - i;
        int r = (int) Math.round(STOPS[i][0] + f * (STOPS[i + 1][0] - STOPS[i][0]));
        int g = (int) Math.round(STOPS[i][1] + f * (STOPS[i + 1][1] - STOPS[i][1]));
        int b = (int) Math.round(STOPS[i][2] + f * (STOPS[i + 1][2] - STOPS[i][2]));
        return (r << 16) | (g << 8) | b;
    }

    /** Whether a colour is on the warm (high) half of the scale: more red than blue. */
    public static boolean isWarm(int rgb) {
        return ((rgb >> 16) & 0xFF) > (rgb & 0xFF) + 40;
    }
}
