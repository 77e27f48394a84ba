package dev.semaim.viz;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;

/**
 * The frame of a chart drawn into a region of an image: title, axes with "nice" ticks and labels (one
 * {@link TickFormat} per axis), and the mapping from data to pixels. {@link LineChart} and {@link BarChart} draw
 * inside it.
 */
final class ChartFrame {
    static final Color INK = new Color(30, 30, 30), GRID = new Color(225, 225, 225);
    /** Series colours, distinguishable and in a fixed order. */
    static final Color[] SERIES = {new Color(31, 95, 180), new Color(220, 90, 20), new Color(40, 150, 60),
            new Color(190, 30, 45), new Color(120, 70, 170), new Color(130, 90, 60), new Color(210, 80, 160), new Color(90, 90, 90)};

    private static final int LEFT = 62, RIGHT = 12, TOP = 8 + Text.LINE + 6, BOTTOM = 2 * Text.LINE + 10;

    final BufferedImage img;
    final int x0, y0, w, h;        // plot area in pixels
    final Axis x, y;

    /** A frame filling region (rx, ry, rw, rh) of img with the given axes. */
    ChartFrame(BufferedImage img, int rx, int ry, int rw, int rh, String title, String xLabel, String yLabel, Axis x, Axis y) {
        this.img = img;
        this.x0 = rx + LEFT;
        this.y0 = ry + TOP;
        this.w = rw - LEFT - RIGHT;
        this.h = rh - TOP - BOTTOM;
        if (w < 20 || h < 20) throw new IllegalArgumentException("chart region " + rw + "x" + rh + " is too small");
        this.x = x;
        this.y = y;
        Text.drawCentred(img, title, x0 + w / 2, ry + 4, INK);
        Text.drawCentred(img, xLabel, x0 + w / 2, y0 + h + Text.LINE + 6, INK);
        Text.draw(img, yLabel, rx + 4, ry + 4, INK);
    }

    int px(double v) {
        return x0 + (int) Math.round(x.fraction(v) * w);
    }

    int py(double v) {
        return y0 + h - (int) Math.round(y.fraction(v) * h);
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
        Axis.Ticks yt = y.ticks();
        for (int i = 0; i < yt.values().size(); i++) {
            int at = py(yt.values().get(i));
            g.setColor(GRID);
            g.drawLine(x0, at, x0 + w, at);
            String s = yt.labels().get(i);
            Text.draw(img, s, x0 - 4 - Text.width(s), at - Text.LINE / 2, INK);
        }
        if (xTicks) {
            Axis.Ticks xt = x.ticks();
            for (int i = 0; i < xt.values().size(); i++) {
                int at = px(xt.values().get(i));
                g.setColor(GRID);
                g.drawLine(at, y0, at, y0 + h);
                Text.drawCentred(img, xt.labels().get(i), at, y0 + h + 3, INK);
            }
        }
        g.setColor(INK);
        g.setStroke(new BasicStroke(1));
        g.drawLine(x0, y0 + h, x0 + w, y0 + h);
        g.drawLine(x0, y0, x0, y0 + h);
        g.dispose();
    }
}
