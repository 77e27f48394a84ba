package dev.semaim.viz;

import org.junit.jupiter.api.Test;

import java.awt.Color;
import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.function.DoubleUnaryOperator;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue 19 item 5: the legend goes where it covers no data. */
class LineChartTest {
    static final int W = 460, H = 320;

    static List<LineChart.Series> twoCurves(DoubleUnaryOperator f) {
        double[] x = new double[40], a = new double[40], b = new double[40];
        for (int i = 0; i < x.length; i++) {
            x[i] = i;
            a[i] = f.applyAsDouble(i);
            b[i] = 0.9 * f.applyAsDouble(i);
        }
        return List.of(new LineChart.Series("run-with-a-long-name", x, a), new LineChart.Series("run b", x, b));
    }

    static BufferedImage white() {
        BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++) img.setRGB(x, y, Color.WHITE.getRGB());
        return img;
    }

    /**
     * Draws the chart with its legend, and again without it: inside the legend's box the chart without a legend must
     * hold no data (no coloured pixel: the background, grid and ink are all grey).
     */
    static Rectangle assertLegendCoversNoData(List<LineChart.Series> series) {
        Rectangle box = LineChart.draw(white(), 0, 0, W, H, "t", "x", "y", series, false, true);
        assertNotNull(box);
        BufferedImage bare = white();
        assertNull(LineChart.draw(bare, 0, 0, W, H, "t", "x", "y", series, false, false));
        for (int y = box.y; y < box.y + box.height; y++)
            for (int x = box.x; x < box.x + box.width; x++) {
                int c = bare.getRGB(x, y), r = (c >> 16) & 0xFF, g = (c >> 8) & 0xFF, b = c & 0xFF;
                assertTrue(r == g && g == b, "data pixel (" + x + ", " + y + ") under the legend " + box);
            }
        return box;
    }

    @Test
    void legendAvoidsALossCurveFillingTheTopLeft() {
        assertLegendCoversNoData(twoCurves(i -> 10 * Math.exp(-i / 3.0)));
    }

    @Test
    void legendAvoidsAnAccuracyCurveFillingTheTopRight() {
        Rectangle box = assertLegendCoversNoData(twoCurves(i -> 90 - 80 * Math.exp(-i / 4.0))); // a fixed top-right legend sat on it
        assertTrue(box.x < W / 2 || box.y > H / 2, "not in the top-right corner: " + box);
    }

    @Test
    void legendAvoidsAValleyAndAHill() {
        assertLegendCoversNoData(twoCurves(i -> (i - 20) * (i - 20)));
        assertLegendCoversNoData(twoCurves(i -> -(i - 20) * (i - 20)));
    }

    @Test
    void logScaleSkipsNonPositiveValues() {
        double[] x = {0, 1, 2, 3}, lr = {0, 1e-4, 5e-4, 1e-5};
        BufferedImage img = white();
        assertNull(LineChart.draw(img, 0, 0, W, H, "lr", "epoch", "train_lr", List.of(new LineChart.Series("", x, lr)), true, true));
    }
}
