package dev.semaim.viz;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.util.List;

/**
 * A labelled grid of square panels: titles over the columns (one or two lines, split at '\n'), a label left of
 * each row, and per cell an optional colour bar beside the panel, with tick values, and a caption line under it.
 */
public final class FigureGrid {
    /**
     * One cell: the panel (size×size), a caption (may be empty), and the range [lo, hi] of the {@link Colormap}
     * colour bar beside it (null: no bar).
     */
    public record Cell(BufferedImage panel, String caption, double[] bar) {
        public Cell {
            if (bar != null && bar.length != 2) throw new IllegalArgumentException("a colour bar range is {lo, hi}, not " + bar.length + " values");
        }

        /** A panel without a colour bar. */
        public static Cell plain(BufferedImage panel, String caption) {
            return new Cell(panel, caption, null);
        }

        /** A heat-map panel whose colour bar runs from lo (bottom) to hi (top). */
        public static Cell heat(BufferedImage panel, String caption, double lo, double hi) {
            return new Cell(panel, caption, new double[] {lo, hi});
        }
    }

    private static final int GAP = 10, BAR = 8, BAR_GAP = 3, TICK = 3, MARGIN = 8;
    private static final Color BACKGROUND = Color.WHITE, INK = new Color(30, 30, 30);

    private final List<String> columns;
    private final List<String> rows;
    private final int panel;
    private final Cell[][] cells;
    private int columnWidth = -1;                                              // -1: cells changed since measured

    public FigureGrid(List<String> columnTitles, List<String> rowLabels, int panel) {
        this.columns = List.copyOf(columnTitles);
        this.rows = List.copyOf(rowLabels);
        this.panel = panel;
        this.cells = new Cell[rows.size()][columns.size()];
    }

    public void set(int row, int column, Cell cell) {
        if (cell.panel().getWidth() != panel || cell.panel().getHeight() != panel)
            throw new IllegalArgumentException("FigureGrid: panel (" + row + ", " + column + ") is " + cell.panel().getWidth() + "x"
                    + cell.panel().getHeight() + ", not " + panel + "x" + panel);
        cells[row][column] = cell;
        columnWidth = -1;
    }

    private int columnWidth() {
        if (columnWidth < 0) columnWidth = measureColumn();
        return columnWidth;
    }

    // the widest title, or panel, bar and tick labels (measured once: every panelX call needs it)
    private int measureColumn() {
        int titles = columns.stream().flatMap(t -> List.of(t.split("\n")).stream()).mapToInt(Text::width).max().orElse(0);
        int labels = 0;
        for (Cell[] row : cells)
            for (Cell c : row)
                if (c != null && c.bar() != null) for (BarTick t : barTicks(c.bar())) labels = Math.max(labels, TICK + 2 + Text.width(t.label()));
        return Math.max(panel + BAR_GAP + BAR + labels, titles) + GAP;
    }

    /** A colour-bar tick: its value's label and its height above the bar's bottom in pixels. */
    record BarTick(String label, int above) {}

    /**
     * The ticks of a colour bar over [lo, hi]: min, middle and max, labelled in one {@link TickFormat} (chosen from
     * their step, as axis ticks are); only min and max where the panel is under three lines of text tall, none
     * under two (the caption under the panel still gives the range).
     */
    List<BarTick> barTicks(double[] range) {
        double lo = range[0], hi = range[1];
        int room = panel / Text.LINE;
        if (room < 2 || !Double.isFinite(lo) || !Double.isFinite(hi)) return List.of(); // a NaN image: the caption says so
        List<Double> values = room >= 3 ? List.of(lo, (lo + hi) / 2, hi) : List.of(lo, hi);
        List<String> labels = TickFormat.forStep((hi - lo) / (values.size() - 1), values).format(values);
        List<BarTick> out = new java.util.ArrayList<>();
        for (int i = 0; i < values.size(); i++) out.add(new BarTick(labels.get(i), (int) Math.round(i * (panel - 1) / (double) (values.size() - 1))));
        return out;
    }

    private int labelWidth() {
        return rows.stream().mapToInt(Text::width).max().orElse(0) + GAP;
    }

    /** Left x of column j's panel. */
    public int panelX(int column) {
        return MARGIN + labelWidth() + column * columnWidth();
    }

    /** Top y of row i's panel. */
    public int panelY(int row) {
        return MARGIN + 2 * Text.LINE + 4 + row * (panel + Text.LINE + GAP);
    }

    public BufferedImage render() {
        int w = panelX(columns.size()) + MARGIN, h = panelY(rows.size()) + MARGIN;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) img.setRGB(x, y, BACKGROUND.getRGB());
        for (int j = 0; j < columns.size(); j++) {
            String[] lines = columns.get(j).split("\n");
            for (int k = 0; k < lines.length && k < 2; k++)
                Text.drawCentred(img, lines[k], panelX(j) + panel / 2, MARGIN + k * Text.LINE, INK);
        }
        for (int i = 0; i < rows.size(); i++) {
            Text.draw(img, rows.get(i), MARGIN, panelY(i) + panel / 2 - Text.LINE / 2, INK);
            for (int j = 0; j < columns.size(); j++) {
                Cell c = cells[i][j];
                if (c == null) continue;
                int x0 = panelX(j), y0 = panelY(i);
                for (int y = 0; y < panel; y++)
                    for (int x = 0; x < panel; x++) img.setRGB(x0 + x, y0 + y, c.panel().getRGB(x, y));
                if (c.bar() != null) colourBar(img, x0 + panel + BAR_GAP, y0, c.bar());
                if (!c.caption().isEmpty()) Text.drawCentred(img, c.caption(), x0 + panel / 2, y0 + panel + 1, INK);
            }
        }
        return img;
    }

    // high at the top, low at the bottom; each tick a short mark right of the bar and its label centred on it
    // (the end labels are kept within the panel's height, so they never reach the titles or captions)
    private void colourBar(BufferedImage img, int x0, int y0, double[] range) {
        for (int y = 0; y < panel; y++) {
            int rgb = Colormap.rgb(1 - y / (double) (panel - 1));
            for (int x = 0; x < BAR; x++) img.setRGB(x0 + x, y0 + y, rgb);
        }
        for (BarTick t : barTicks(range)) {
            int y = y0 + panel - 1 - t.above();
            for (int x = 0; x < TICK; x++) img.setRGB(x0 + BAR + x, y, INK.getRGB());
            int top = Math.max(y0, Math.min(y0 + panel - Text.LINE, y - Text.LINE / 2));
            Text.draw(img, t.label(), x0 + BAR + TICK + 2, top, INK);
        }
    }
}
