package dev.semaim.viz;

import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue 19 item 5: ticks in one format per axis, and the log-scale axis (ticks at powers of ten, values placed by log). */
class AxisTest {

    static List<String> labels(double lo, double hi, boolean log) {
        return new Axis(lo, hi, log).ticks().labels();
    }

    /** Notation and decimals of a label: "0.50" → "plain 2", "2.0e-4" → "sci 1". */
    static String shape(String label) {
        boolean sci = label.contains("e");
        String mantissa = sci ? label.substring(0, label.indexOf('e')) : label;
        int dot = mantissa.indexOf('.');
        return (sci ? "sci " : "plain ") + (dot < 0 ? 0 : mantissa.length() - dot - 1);
    }

    @Test
    void everyLabelOfAnAxisHasTheSameFormat() {
        assertEquals(List.of("0.55", "0.60", "0.65", "0.70", "0.75", "0.80"), labels(0.52, 0.81, false)); // was 0.55, 0.6, ...
        assertEquals(List.of("2.0e-4", "4.0e-4", "6.0e-4", "8.0e-4", "1.0e-3"), labels(1e-5, 1e-3, false)); // lr, linear
        assertEquals(List.of("-1.0", "-0.5", "0.0", "0.5"), labels(-1.2, 0.7, false));
        assertEquals(List.of("0", "5", "10", "15", "20", "25", "30", "35"), labels(0, 37, false)); // integer step: no decimals
        assertEquals(List.of("0", "5.0e5", "1.0e6", "1.5e6", "2.0e6"), labels(0, 2e6, false));
        assertEquals(List.of("-0.004", "-0.003", "-0.002", "-0.001", "0.000", "0.001", "0.002"), labels(-0.0043, 0.0029, false));
        assertEquals(List.of("0.9990", "0.9995", "1.0000", "1.0005", "1.0010"), labels(0.999, 1.001, false)); // small step, not small values
        double[][] ranges = {{1e-5, 1e-3}, {3e-6, 7.5e-6}, {-2.5, 13}, {0.999, 1.001}, {-7e-4, -1e-4}, {0, 1.2e5}, {12, 4096},
                {0.0012, 0.0031}, {-1e7, 3e7}};
        for (double[] r : ranges) {
            List<String> l = labels(r[0], r[1], false);
            Set<String> shapes = new HashSet<>();
            for (String s : l) if (!s.equals("0")) shapes.add(shape(s));
            assertEquals(1, shapes.size(), r[0] + " .. " + r[1] + ": " + l);
            assertEquals(l.size(), new HashSet<>(l).size(), "distinct labels for " + r[0] + " .. " + r[1] + ": " + l);
            assertTrue(l.size() >= 3, r[0] + " .. " + r[1] + ": " + l);
        }
    }

    @Test
    void logAxisTicksSitAtPowersOfTenAndPlaceValuesByTheirLog() {
        Axis lr = new Axis(1e-5, 1e-3, true);
        assertEquals(List.of(1e-5, 1e-4, 1e-3), lr.ticks().values());
        assertEquals(List.of("1e-5", "1e-4", "1e-3"), lr.ticks().labels());
        assertEquals(0.5, lr.fraction(1e-4), 1e-12);
        assertEquals(0.25, lr.fraction(Math.pow(10, -4.5)), 1e-12);
        // under one decade: 2 and 5 times the powers; under a factor of 2.5: every digit; narrower: linear ticks
        assertEquals(List.of("2e-4", "5e-4"), labels(1.5e-4, 9e-4, true));
        assertEquals(List.of("3e-4", "4e-4"), labels(2.5e-4, 4.5e-4, true));
        assertEquals(List.of("2.2e-4", "2.4e-4", "2.6e-4", "2.8e-4"), labels(2.1e-4, 2.9e-4, true));

        BufferedImage img = new BufferedImage(400, 300, BufferedImage.TYPE_INT_RGB);
        ChartFrame f = new ChartFrame(img, 0, 0, 400, 300, "t", "x", "y", new Axis(0, 1, false), lr);
        assertEquals(f.y0 + f.h, f.py(1e-5));
        assertEquals(f.y0, f.py(1e-3));
        assertEquals((f.py(1e-5) + f.py(1e-3)) / 2.0, f.py(1e-4), 1.0);
        // padding happens in log space: 5% of two decades at each end
        Axis padded = Axis.over(1e-5, 1e-3, true, 0.05);
        assertEquals(-5.1, Math.log10(padded.min()), 1e-9);
        assertEquals(-2.9, Math.log10(padded.max()), 1e-9);
    }

    /** One point at 0 (a one-epoch log's epoch 0): an axis of -1..1, where it was -1e-12..1e-12 with clipped ticks. */
    @Test
    void aSinglePointAtZeroGetsAUnitRange() {
        Axis a = Axis.over(0, 0, false, 0.05);
        assertEquals(-1, a.min());
        assertEquals(1, a.max());
    }
}
