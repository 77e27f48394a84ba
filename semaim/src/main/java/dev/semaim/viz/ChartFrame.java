package dev.semaim.viz;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The frame of a chart drawn into a region of an image: title, axes with "nice" ticks and labels, and the
 * mapping from data to pixels. {@link LineChart} and {@link BarChart} draw inside it.
 */
final class ChartFrame {
    static final Color INK = new Color(30, 30, 30), GRID = new Color(225, 225, 225);
    /** Series colours, distinguishable and in a fixed order. */
    static final Color[] SERIES = {new Color(31, 95, 180), new Color(220, 90, 20), new Color(40, 150, 60),
            new Color(190, 30, 45), new Color(120, 70, 170), new Color(130, 90, 60), new Color(210, 80, 160), new Color(90, 90, 90)};

    private static final int LEFT = 62, RIGHT = 12, TOP = 8 + Text.LINE + 6, BOTTOM = 2 * Text.LINE + 10;

    final BufferedImage img;
    final int x0, y0, w, h;        // plot area in pixels
    final double xMin, xMax, yMin, yMax;

    /** A frame filling region (rx, ry, rw, rh) with the given data ranges (widened when empty). */
    ChartFrame(BufferedImage img, int rx, int ry, int rw, int rh, String title, String xLabel, String yLabel,
               double xMin, double xMax, double yMin, double yMax) {
        this.img = img;
        this.x0 = rx + LEFT;
        this.y0 = ry + TOP;
        this.w = rw - LEFT - RIGHT;
        this.h = rh - TOP - BOTTOM;
        if (w < 20 || h < 20) throw new IllegalArgumentException("chart region " + rw + "x" + rh + " is too small");
        if (!(xMax > xMin)) { xMin -= 0.5; xMax += 0.5; }
        if (!(yMax > yMin)) { double pad = Math.max(Math.abs(yMin) * 0.05, 1e-12); yMin -= pad; yMax += pad; }
        this.xMin = xMin;
        this.xMax = xMax;
        this.yMin = yMin;
        this.yMax = yMax;
        Text.drawCentred(img, title, x0 + w / 2, ry + 4, INK);
        Text.drawCentred(img, xLabel, x0 + w / 2, y0 + h + Text.LINE + 6, INK);
        Text.draw(img, yLabel, rx + 4, ry + 4, INK);
    }

    int px(double x) {
        return x0 + (int) Math.round((x - xMin) / (xMax - xMin) * w);
    }

    int py(double y) {
        return y0 + h - (int) Math.round((y - yMin) / (yMax - yMin) * h);
    }

    Graphics2D graphics() {
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setClip(x0 - 1, y0 - 1, w + 3, h + 3);
        return g;
    }

    /** Grid lines, ticks with labels (y always; x when {@code xTicks}), and the axes. */
    void axes(boolean xTicks) {
        Graphics2D g = img.createGraphics();
        for (double t : ticks(yMin, yMax)) {
            g.setColor(GRID);
            g.drawLine(x0, py(t), x0 + w, py(t));
            String s = label(t);
            Text.draw(img, s, x0 - 4 - Text.width(s), py(t) - Text.LINE / 2, INK);
        }
        if (xTicks) {
            for (double t : ticks(xMin, xMax)) {
                g.setColor(GRID);
                g.drawLine(px(t), y0, px(t), y0 + h);
                Text.drawCentred(img, label(t), px(t), y0 + h + 3, INK);
            }
        }
        g.setColor(INK);
        g.setStroke(new BasicStroke(1));
        g.drawLine(x0, y0 + h, x0 + w, y0 + h);
        g.drawLine(x0, y0, x0, y0 + h);
        g.dispose();
    }

    /** About five round-numbered ticks (1, 2 or 5 × 10^k apart) inside [lo, hi]. */
    static List<Double> ticks(double lo, double hi) {
        double raw = (hi - lo) / 5, mag = Math.pow(10, Math.floor(Math.log10(raw)));
        double step = raw / mag < 1.5 ? mag : raw / mag < 3.5 ? 2 * mag : raw / mag < 7.5 ? 5 * mag : 10 * mag;
        List<Double> out = new ArrayList<>();
        for (double t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) out.add(Math.abs(t) < step * 1e-9 ? 0 : t);
        return out;
    }

    static String label(double v) {
        if (v == 0) return "0";
        double a = Math.abs(v);
        if (a >= 1e5 || a < 1e-5) return String.format(Locale.ROOT, "%.1e", v);
        return new BigDecimal(v).round(new MathContext(4)).stripTrailingZeros().toPlainString();
    }
}
