package dev.semaim.viz;

import java.awt.BasicStroke;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.List;

/** Several named (x, y) series as lines with point markers, in one {@link ChartFrame}, with a legend. */
public final class LineChart {
    private LineChart() {}

    /** One series; x and y have the same length (non-finite points are skipped). */
    public record Series(String name, double[] x, double[] y) {
        public Series {
            if (x.length != y.length) throw new IllegalArgumentException("series '" + name + "': " + x.length + " x values, " + y.length + " y values");
        }
    }

    /** Draws the chart into region (rx, ry, rw, rh) of img. */
    public static void draw(BufferedImage img, int rx, int ry, int rw, int rh, String title, String xLabel, String yLabel,
                            List<Series> series) {
        double xMin = Double.POSITIVE_INFINITY, xMax = Double.NEGATIVE_INFINITY, yMin = Double.POSITIVE_INFINITY, yMax = Double.NEGATIVE_INFINITY;
        for (Series s : series)
            for (int i = 0; i < s.x().length; i++) {
                if (!Double.isFinite(s.x()[i]) || !Double.isFinite(s.y()[i])) continue;
                xMin = Math.min(xMin, s.x()[i]);
                xMax = Math.max(xMax, s.x()[i]);
                yMin = Math.min(yMin, s.y()[i]);
                yMax = Math.max(yMax, s.y()[i]);
            }
        if (xMin > xMax) { xMin = 0; xMax = 1; yMin = 0; yMax = 1; } // nothing to draw: an empty frame
        double pad = (yMax - yMin) * 0.05;
        ChartFrame f = new ChartFrame(img, rx, ry, rw, rh, title, xLabel, yLabel, xMin, xMax, yMin - pad, yMax + pad);
        f.axes(true);
        Graphics2D g = f.graphics();
        g.setStroke(new BasicStroke(1.6f));
        for (int k = 0; k < series.size(); k++) {
            Series s = series.get(k);
            g.setColor(ChartFrame.SERIES[k % ChartFrame.SERIES.length]);
            int prevX = Integer.MIN_VALUE, prevY = 0;
            for (int i = 0; i < s.x().length; i++) {
                if (!Double.isFinite(s.x()[i]) || !Double.isFinite(s.y()[i])) continue;
                int x = f.px(s.x()[i]), y = f.py(s.y()[i]);
                if (prevX != Integer.MIN_VALUE) g.drawLine(prevX, prevY, x, y);
                g.fillOval(x - 2, y - 2, 5, 5);
                prevX = x;
                prevY = y;
            }
        }
        g.dispose();
        legend(f, series);
    }

    private static void legend(ChartFrame f, List<Series> series) {
        if (series.size() < 2 && (series.isEmpty() || series.get(0).name().isEmpty())) return;
        int width = series.stream().mapToInt(s -> Text.width(s.name())).max().orElse(0) + 22;
        int x = f.x0 + f.w - width - 4, y = f.y0 + 4;
        Graphics2D g = f.img.createGraphics();
        g.setColor(new java.awt.Color(255, 255, 255, 220));
        g.fillRect(x - 4, y - 2, width + 6, series.size() * Text.LINE + 4);
        for (int k = 0; k < series.size(); k++) {
            g.setColor(ChartFrame.SERIES[k % ChartFrame.SERIES.length]);
            g.fillRect(x, y + k * Text.LINE + Text.LINE / 2 - 2, 14, 4);
            Text.draw(f.img, series.get(k).name(), x + 18, y + k * Text.LINE, ChartFrame.INK);
        }
        g.dispose();
    }
}
