package dev.semaim.viz;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;

/**
 * Labels on pictures. Uses a Java2D font when this JVM can render one (checked once: a probe string must
 * light pixels without an error — a machine without fonts or fontconfig fails here), else the built-in
 * {@link BitmapFont}. {@code -Dsemaim.viz.bitmapFont=true} forces the bitmap font.
 */
public final class Text {
    private Text() {}

    /** Line height in pixels (both fonts). */
    public static final int LINE = 14;
    private static final int SIZE = 12;
    private static final int BITMAP_SCALE = 1;
    private static final boolean AWT;

    static {
        System.setProperty("java.awt.headless", "true"); // before any font is touched: never look for a display
        AWT = !Boolean.getBoolean("semaim.viz.bitmapFont") && awtWorks();
    }

    /** Whether labels are drawn with a Java2D font (false: the bitmap font). */
    public static boolean usesSystemFont() {
        return AWT;
    }

    private static boolean awtWorks() {
        try {
            BufferedImage probe = new BufferedImage(40, 20, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = probe.createGraphics();
            g.setColor(Color.WHITE);
            g.setFont(font());
            g.drawString("Ag8", 2, 15);
            g.dispose();
            for (int y = 0; y < probe.getHeight(); y++)
                for (int x = 0; x < probe.getWidth(); x++)
                    if ((probe.getRGB(x, y) & 0xFFFFFF) != 0) return true;
            return false;
        } catch (Throwable e) { // no fonts, no fontconfig, missing native library: fall back
            return false;
        }
    }

    private static Font font() {
        return new Font(Font.SANS_SERIF, Font.PLAIN, SIZE);
    }

    /** Width of s in pixels. */
    public static int width(String s) {
        if (!AWT) return BitmapFont.width(s, BITMAP_SCALE);
        BufferedImage scratch = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = scratch.createGraphics();
        FontMetrics m = g.getFontMetrics(font());
        int w = m.stringWidth(s);
        g.dispose();
        return w;
    }

    /** Draws s with the top of its line at y. */
    public static void draw(BufferedImage img, String s, int x, int y, Color color) {
        if (!AWT) {
            BitmapFont.draw(img, s, x, y + (LINE - BitmapFont.GLYPH_H * BITMAP_SCALE) / 2, color.getRGB() & 0xFFFFFF, BITMAP_SCALE);
            return;
        }
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setFont(font());
        g.setColor(color);
        g.drawString(s, x, y + LINE - 3);
        g.dispose();
    }

    /** Draws s centred horizontally on cx. */
    public static void drawCentred(BufferedImage img, String s, int cx, int y, Color color) {
        draw(img, s, cx - width(s) / 2, y, color);
    }
}
