package dev.semaim.viz;

import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Heat maps land where they should: a one-hot map at patch (r, c) colours exactly that patch's block warm. */
class PanelsTest {
    static final int GRID = 7, SIZE = 112, BLOCK = SIZE / GRID;

    static double[] oneHot(int r, int c) {
        double[] v = new double[GRID * GRID];
        v[r * GRID + c] = 1;
        return v;
    }

    @Test
    void oneHotHeatColoursOnlyItsPatchWarm() {
        int r = 2, c = 5;
        for (BufferedImage base : new BufferedImage[] {null, Panels.image(new float[28 * 28], 1, 28, 28, SIZE)}) {
            BufferedImage h = Panels.heat(oneHot(r, c), GRID, 0, 1, base, SIZE);
            assertEquals(SIZE, h.getWidth());
            assertEquals(SIZE, h.getHeight());
            for (int y = 0; y < SIZE; y++)
                for (int x = 0; x < SIZE; x++) {
                    boolean inside = y / BLOCK == r && x / BLOCK == c;
                    assertEquals(inside, Colormap.isWarm(h.getRGB(x, y) & 0xFFFFFF), "pixel (" + x + ", " + y + ") base " + (base != null));
                }
        }
    }

    @Test
    void oneHotLandsInTheRightCellOfAFigure() {
        int r = 6, c = 0;
        List<String> cols = List.of("a", "two\nlines", "c");
        FigureGrid fig = new FigureGrid(cols, List.of("image 0", "image 1"), SIZE);
        BufferedImage cold = Panels.heat(new double[GRID * GRID], GRID, 0, 1, null, SIZE);
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 3; j++) fig.set(i, j, FigureGrid.Cell.heat(cold, "0 .. 1", 0, 1));
        fig.set(1, 2, FigureGrid.Cell.heat(Panels.heat(oneHot(r, c), GRID, 0, 1, null, SIZE), "", 0, 1));
        BufferedImage img = fig.render();
        int x = fig.panelX(2) + c * BLOCK + BLOCK / 2, y = fig.panelY(1) + r * BLOCK + BLOCK / 2;
        assertTrue(Colormap.isWarm(img.getRGB(x, y) & 0xFFFFFF), "centre of patch (" + r + ", " + c + ")");
        assertFalse(Colormap.isWarm(img.getRGB(x + BLOCK, y) & 0xFFFFFF), "the patch to its right");
        assertFalse(Colormap.isWarm(img.getRGB(fig.panelX(2) + BLOCK / 2, fig.panelY(0) + r * BLOCK + BLOCK / 2) & 0xFFFFFF), "same patch, row 0");
        assertEquals(fig.panelX(3) + 8, img.getWidth());
        assertEquals(fig.panelY(2) + 8, img.getHeight());
    }

    /** Issue 19 item 5: colour bars carry min, middle and max, in one format, drawn as text beside the bar. */
    @Test
    void colourBarsGetTickValues() {
        FigureGrid fig = new FigureGrid(List.of("heat", "plain"), List.of("image 0"), SIZE);
        assertEquals(List.of("0.0", "0.5", "1.0"), labels(fig.barTicks(new double[] {0, 1})));
        assertEquals(List.of("0.0031", "0.0093", "0.0155"), labels(fig.barTicks(new double[] {0.0031, 0.0155})));
        assertEquals(List.of("-2.0", "0.5", "3.0"), labels(fig.barTicks(new double[] {-2, 3})));
        assertEquals(List.of("2.0e-4", "6.0e-4", "1.0e-3"), labels(fig.barTicks(new double[] {2e-4, 1e-3})));
        assertEquals(List.of("0", "1"), labels(new FigureGrid(List.of("a"), List.of("b"), 2 * Text.LINE).barTicks(new double[] {0, 1})));
        assertEquals(List.of(), new FigureGrid(List.of("a"), List.of("b"), ModelPictures.MIN_PANEL).barTicks(new double[] {0, 1}));

        BufferedImage cold = Panels.heat(new double[GRID * GRID], GRID, 0, 1, null, SIZE);
        fig.set(0, 0, FigureGrid.Cell.heat(cold, "", -2, 3));
        fig.set(0, 1, FigureGrid.Cell.plain(cold, ""));
        BufferedImage img = fig.render();
        int labelsFrom = fig.panelX(0) + SIZE + 8, labelsTo = fig.panelX(1) - 1, top = fig.panelY(0);
        for (FigureGrid.BarTick t : fig.barTicks(new double[] {-2, 3})) {
            int y = top + SIZE - 1 - t.above();
            int ink = dark(img, labelsFrom, labelsTo, Math.max(top, y - Text.LINE / 2), Math.min(top + SIZE, y + Text.LINE / 2));
            assertTrue(ink > 5, "text of tick " + t.label() + " at y " + y + ": " + ink + " dark pixels");
        }
        assertEquals(0, dark(img, fig.panelX(1) + SIZE + 1, fig.panelX(1) + SIZE + 60, top, top + SIZE), "a plain panel has no bar labels");
    }

    static List<String> labels(List<FigureGrid.BarTick> ticks) {
        return ticks.stream().map(FigureGrid.BarTick::label).toList();
    }

    static int dark(BufferedImage img, int x0, int x1, int y0, int y1) {
        int n = 0;
        for (int y = y0; y < y1; y++)
            for (int x = x0; x < Math.min(x1, img.getWidth()); x++) {
                int c = img.getRGB(x, y);
                if (((c >> 16) & 0xFF) + ((c >> 8) & 0xFF) + (c & 0xFF) < 3 * 128) n++;
            }
        return n;
    }

    @Test
    void imagePanelsUpscaleGreyAndRgb() {
        float[] grey = {0, 1, 0.5f, 0.25f};                                    // (1, 2, 2)
        BufferedImage g = Panels.image(grey, 1, 2, 2, 8);
        assertEquals(0x000000, g.getRGB(0, 0) & 0xFFFFFF);
        assertEquals(0xFFFFFF, g.getRGB(7, 0) & 0xFFFFFF);
        assertEquals(0x808080, g.getRGB(0, 7) & 0xFFFFFF);
        float[] rgb = {1, 1, 1, 1, 0, 0, 0, 0, 0.5f, 0.5f, 0.5f, 0.5f};        // (3, 2, 2): red + half blue
        assertEquals(0xFF0080, Panels.image(rgb, 3, 2, 2, 4).getRGB(3, 3) & 0xFFFFFF);
        assertThrows(IllegalArgumentException.class, () -> Panels.image(grey, 2, 1, 2, 8));
        assertThrows(IllegalArgumentException.class, () -> Panels.heat(new double[5], 2, 0, 1, null, 8));
    }

    @Test
    void colormapRunsFromColdToWarmAndClamps() {
        assertFalse(Colormap.isWarm(Colormap.rgb(0)));
        assertTrue(Colormap.isWarm(Colormap.rgb(0.75)));
        assertEquals(Colormap.rgb(0), Colormap.rgb(Double.NaN));
        assertEquals(Colormap.rgb(1), Colormap.rgb(7));
        int prev = -1;
        for (int i = 0; i <= 20; i++) { // brightness never falls
            int c = Colormap.rgb(i / 20.0);
            int luma = ((c >> 16) & 0xFF) * 30 + ((c >> 8) & 0xFF) * 59 + (c & 0xFF) * 11;
            assertTrue(luma >= prev, "brightness at " + i / 20.0);
            prev = luma;
        }
    }
}
