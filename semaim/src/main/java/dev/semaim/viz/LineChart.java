package dev.semaim.viz;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.util.List;

/**
 * Several named (x, y) series as lines with point markers, in one {@link ChartFrame}, with a legend placed where
 * it covers the least data.
 */
public final class LineChart {
    private LineChart() {}

    /** One series; x and y have the same length (non-finite points are skipped). */
    public record Series(String name, double[] x, double[] y) {
        public Series {
            if (x.length != y.length) throw new IllegalArgumentException("series '" + name + "': " + x.length + " x values, " + y.length + " y values");
        }
    }

    /** Draws the chart into region (rx, ry, rw, rh) of img with a linear y axis. */
    public static void draw(BufferedImage img, int rx, int ry, int rw, int rh, String title, String xLabel, String yLabel,
                            List<Series> series) {
        draw(img, rx, ry, rw, rh, title, xLabel, yLabel, series, false, true);
    }

    /**
     * Draws the chart; {@code logY}: a base-10 log y axis (points with y <= 0 are skipped, like non-finite ones).
     * Returns the legend's box in img, or null where there is no legend (one unnamed series) or {@code legend} is off.
     */
    static Rectangle draw(BufferedImage img, int rx, int ry, int rw, int rh, String title, String xLabel, String yLabel,
                          List<Series> series, boolean logY, boolean legend) {
        double xMin = Double.POSITIVE_INFINITY, xMax = Double.NEGATIVE_INFINITY, yMin = Double.POSITIVE_INFINITY, yMax = Double.NEGATIVE_INFINITY;
        for (Series s : series)
            for (int i = 0; i < s.x().length; i++) {
                if (!drawable(s, i, logY)) continue;
                xMin = Math.min(xMin, s.x()[i]);
                xMax = Math.max(xMax, s.x()[i]);
                yMin = Math.min(yMin, s.y()[i]);
                yMax = Math.max(yMax, s.y()[i]);
            }
        Axis xAxis = Axis.over(xMin, xMax, false, 0), yAxis = Axis.over(yMin, yMax, logY, 0.05); // no data: an empty frame
        ChartFrame f = new ChartFrame(img, rx, ry, rw, rh, title, xLabel, yLabel, xAxis, yAxis);
        f.axes(true);
        Graphics2D g = f.graphics();
        g.setStroke(new BasicStroke(1.6f));
        boolean[][] used = new boolean[f.w + 1][f.h + 1];                      // plot-area pixels the data covers
        for (int k = 0; k < series.size(); k++) {
            Series s = series.get(k);
            g.setColor(ChartFrame.SERIES[k % ChartFrame.SERIES.length]);
            int prevX = Integer.MIN_VALUE, prevY = 0;
            for (int i = 0; i < s.x().length; i++) {
                if (!drawable(s, i, logY)) continue;
                int x = f.px(s.x()[i]), y = f.py(s.y()[i]);
                if (prevX != Integer.MIN_VALUE) {
                    g.drawLine(prevX, prevY, x, y);
                    mark(used, f, prevX, prevY, x, y);
                }
                g.fillOval(x - 2, y - 2, 5, 5);
                mark(used, f, x, y, x, y);
                prevX = x;
                prevY = y;
            }
        }
        g.dispose();
        if (!legend || series.size() < 2 && (series.isEmpty() || series.get(0).name().isEmpty())) return null;
        return legend(f, series, used);
    }

    private static boolean drawable(Series s, int i, boolean logY) {
        return Double.isFinite(s.x()[i]) && Double.isFinite(s.y()[i]) && (!logY || s.y()[i] > 0);
    }

    /** Marks the pixels of a segment (a point when both ends agree) and a 3-pixel margin around it as covered. */
    private static void mark(boolean[][] used, ChartFrame f, int xa, int ya, int xb, int yb) {
        int n = Math.max(Math.abs(xb - xa), Math.abs(yb - ya));
        for (int i = 0; i <= n; i++) {
            int cx = (n == 0 ? xa : xa + (int) Math.round((xb - xa) * (double) i / n)) - f.x0;
            int cy = (n == 0 ? ya : ya + (int) Math.round((yb - ya) * (double) i / n)) - f.y0;
            for (int dx = -3; dx <= 3; dx++)
                for (int dy = -3; dy <= 3; dy++) {
                    int u = cx + dx, v = cy + dy;
                    if (u >= 0 && v >= 0 && u < used.length && v < used[0].length) used[u][v] = true;
                }
        }
    }

    /**
     * Draws the legend in the place, of the four corners and then the middles of the four sides (in that order of
     * preference), whose box covers the fewest data pixels: an empty corner where there is one.
     */
    private static Rectangle legend(ChartFrame f, List<Series> series, boolean[][] used) {
        int width = series.stream().mapToInt(s -> Text.width(s.name())).max().orElse(0) + 28;
        int height = series.size() * Text.LINE + 4;
        int m = 4, left = m, right = f.w - width - m, top = m, bottom = f.h - height - m, cx = (f.w - width) / 2, cy = (f.h - height) / 2;
        int[][] places = {{right, top}, {left, top}, {right, bottom}, {left, bottom}, {cx, top}, {cx, bottom}, {right, cy}, {left, cy}};
        int best = -1, bestCount = Integer.MAX_VALUE;
        for (int p = 0; p < places.length; p++) {
            int count = 0;
            for (int u = Math.max(0, places[p][0]); u < Math.min(used.length, places[p][0] + width); u++)
                for (int v = Math.max(0, places[p][1]); v < Math.min(used[0].length, places[p][1] + height); v++) if (used[u][v]) count++;
            if (count < bestCount) { best = p; bestCount = count; }
        }
        Rectangle box = new Rectangle(f.x0 + places[best][0], f.y0 + places[best][1], width, height);
        Graphics2D g = f.img.createGraphics();
        g.setColor(new Color(255, 255, 255, 220));
        g.fillRect(box.x, box.y, box.width, box.height);
        for (int k = 0; k < series.size(); k++) {
            g.setColor(ChartFrame.SERIES[k % ChartFrame.SERIES.length]);
            g.fillRect(box.x + 4, box.y + 2 + k * Text.LINE + Text.LINE / 2 - 2, 14, 4);
            Text.draw(f.img, series.get(k).name(), box.x + 22, box.y + 2 + k * Text.LINE, ChartFrame.INK);
        }
        g.dispose();
        return box;
    }
}
