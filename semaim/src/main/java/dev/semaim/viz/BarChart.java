package dev.semaim.viz;

import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Locale;

/** Named values as vertical bars from zero, each labelled with its name below and its value above. */
public final class BarChart {
    private BarChart() {}

    public record Bar(String name, double value) {}

    public static void draw(BufferedImage img, int rx, int ry, int rw, int rh, String title, String yLabel, List<Bar> bars) {
        double lo = 0, hi = 0;
        for (Bar b : bars) {
            if (!Double.isFinite(b.value())) continue;
            lo = Math.min(lo, b.value());
            hi = Math.max(hi, b.value());
        }
        ChartFrame f = new ChartFrame(img, rx, ry, rw, rh, title, "", yLabel, new Axis(0, Math.max(1, bars.size()), false),
                Axis.over(lo, hi * 1.1, false, 0));
        f.axes(false);
        Graphics2D g = f.graphics();
        for (int k = 0; k < bars.size(); k++) {
            Bar b = bars.get(k);
            int left = f.px(k + 0.15), right = f.px(k + 0.85);
            Text.drawCentred(img, b.name(), (left + right) / 2, f.y0 + f.h + 3, ChartFrame.INK);
            if (!Double.isFinite(b.value())) continue;
            int top = f.py(Math.max(0, b.value())), bottom = f.py(Math.min(0, b.value()));
            g.setColor(ChartFrame.SERIES[k % ChartFrame.SERIES.length]);
            g.fillRect(left, top, right - left, Math.max(1, bottom - top));
            Text.drawCentred(img, String.format(Locale.ROOT, "%.4g", b.value()), (left + right) / 2, top - Text.LINE - 1, ChartFrame.INK);
        }
        g.dispose();
    }
}
