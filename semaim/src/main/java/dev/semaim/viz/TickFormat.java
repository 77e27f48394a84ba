package dev.semaim.viz;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One number format for every tick label of an axis (or colour bar), chosen from the tick step, so that the labels
 * of one axis never mix notations or decimal counts ("0.5, 0.55, 0.6" or "1e-4, 0.0002"): plain with as many
 * decimals as the step needs ("0.50, 0.55, 0.60"; integers for integer steps), or scientific with one mantissa
 * precision ("2.0e-4 … 1.0e-3") where small values would need more than three decimals (learning rates) or the
 * values reach a million. Zero is "0" in
 * scientific notation (the number every reader knows; "0.0e0" helps nobody).
 */
final class TickFormat {
    private final boolean scientific;
    private final int decimals;

    private TickFormat(boolean scientific, int decimals) {
        this.scientific = scientific;
        this.decimals = decimals;
    }

    /** Scientific with integer mantissas: the labels of a log axis (1e-5, 2e-5, 1e-4). */
    static final TickFormat LOG = new TickFormat(true, 0);

    /**
     * The format for values {@code ticks} that are {@code step} apart: the last digit shown is step's leading digit,
     * or the one after it where that digit alone would round the step (2.5, 0.00615: a colour bar's min-to-middle).
     */
    static TickFormat forStep(double step, List<Double> ticks) {
        double maxAbs = 0;
        for (double t : ticks) if (Double.isFinite(t)) maxAbs = Math.max(maxAbs, Math.abs(t));
        if (!(step > 0) || !Double.isFinite(step)) step = maxAbs > 0 ? maxAbs / 100 : 1;
        int k = (int) Math.floor(Math.log10(step) + 1e-9);                     // step = m·10^k, 1 <= m < 10
        double m = step / Math.pow(10, k);
        if (Math.abs(m - Math.rint(m)) > 1e-6) k--;                            // a step like 2.5 needs its second digit
        int plain = Math.max(0, -k);
        if (maxAbs < 1e6 && (plain <= 3 || maxAbs >= 1e-2)) return new TickFormat(false, plain); // 0.9995 stays plain
        int decimals = 0;
        for (double t : ticks) if (t != 0) decimals = Math.max(decimals, (int) Math.floor(Math.log10(Math.abs(t)) + 1e-9) - k);
        return new TickFormat(true, Math.min(decimals, 15));
    }

    String format(double v) {
        if (!Double.isFinite(v)) return Double.isNaN(v) ? "NaN" : v > 0 ? "inf" : "-inf";
        if (!scientific) {
            String s = String.format(Locale.ROOT, "%." + decimals + "f", v);
            return s.matches("-0\\.?0*") ? s.substring(1) : s;               // a rounding -0.00 is 0.00
        }
        if (v == 0) return "0";
        String s = String.format(Locale.ROOT, "%." + decimals + "e", v);   // "2.0e-04"
        int e = s.indexOf('e');
        return s.substring(0, e) + "e" + Integer.parseInt(s.substring(e + 1)); // "2.0e-4", "1.0e3"
    }

    List<String> format(List<Double> values) {
        List<String> out = new ArrayList<>();
        for (double v : values) out.add(format(v));
        return out;
    }

    @Override
    public String toString() {
        return (scientific ? "scientific" : "plain") + ", " + decimals + " decimals";
    }
}
